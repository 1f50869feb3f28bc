package graph

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

const overlapSDL = `
type Query { f(a: [Int], o: In): Int  u: U  t: T }
input In { x: Int  y: Int }
type A { v: [Int]!  w: Int  t: T }
type B { v: [Int]   w: T    t: T }
union U = A | B
type T { t: T  a: Int  b: Int }
`

func messages(errs gqlerror.List) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Message)
	}
	return out
}

// TestOverlapFollowsTheSpecWhereGqlparserDoesNot: list arguments compare by
// their items, a non-null list differs from a nullable one, and a leaf
// type differs from an object type (gqlparser's rule accepts all three).
func TestOverlapFollowsTheSpecWhereGqlparserDoesNot(t *testing.T) {
	schema := loadSchema(t, overlapSDL)
	for doc, want := range map[string]string{
		`{ f(a: [1]) f(a: [2]) }`:                       `Fields "f" conflict because they have differing arguments.`,
		`{ u { ... on A { v } ... on B { v } } }`:       `Fields "v" conflict because they return conflicting types "[Int]!" and "[Int]".`,
		`{ u { ... on A { w } ... on B { w { a } } } }`: `Fields "w" conflict because they return conflicting types "Int" and "T".`,
	} {
		got := messages(ruleErrors(t, schema, doc, overlappingFields))
		require.Len(t, got, 1, doc)
		assert.Equal(t, want+" Use different aliases on the fields to fetch both if this was intentional.", got[0], doc)
	}
	for _, doc := range []string{
		`{ f(a: [1, 2]) f(a: [1, 2]) }`,
		`{ f(o: {x: 1, y: 2}) f(o: {y: 2, x: 1}) }`,
		`{ u { ... on A { w } ... on B { x: w { a } } } }`,
	} {
		assert.Empty(t, ruleErrors(t, schema, doc, overlappingFields), doc)
	}
}

// fragmentBomb is a document whose fragment k spreads fragment k-1 twice
// (2^depth fields when expanded), with bottom as fragment 0's selection.
func fragmentBomb(depth int, bottom string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "{ t { ...F%d } } fragment F0 on T { %s } ", depth, bottom)
	for k := 1; k <= depth; k++ {
		fmt.Fprintf(&b, "fragment F%d on T { x: t { ...F%d } y: t { ...F%d } } ", k, k-1, k-1)
	}
	return b.String()
}

// TestOverlapChecksAFragmentBombOnce: 2^40 expanded fields, each merged set
// checked once, and the conflict at the bottom reported once.
func TestOverlapChecksAFragmentBombOnce(t *testing.T) {
	schema := loadSchema(t, overlapSDL)
	assert.Empty(t, ruleErrors(t, schema, fragmentBomb(40, "a b"), overlappingFields))

	got := ruleErrors(t, schema, fragmentBomb(40, "z: a z: b"), overlappingFields)
	require.Len(t, got, 1, "%s", got)
	assert.Equal(t, `Fields "z" conflict because "a" and "b" are different fields. Use different aliases on the fields to fetch both if this was intentional.`, got[0].Message)
	assert.Equal(t, 1, got[0].Locations[0].Line)
}

// TestOverlapMergesSetsOfTheSameFieldOnce: the same fragment under many
// aliases of one field is one merged set.
func TestOverlapMergesSetsOfTheSameFieldOnce(t *testing.T) {
	schema := loadSchema(t, overlapSDL)
	var b strings.Builder
	b.WriteString("{ ")
	for i := range 1000 {
		fmt.Fprintf(&b, "t%d: t { ...F } ", i)
	}
	b.WriteString("} fragment F on T { t { t { a } } t { t { a } } }")
	doc := b.String()
	assert.Empty(t, ruleErrors(t, schema, doc, overlappingFields))

	bad := strings.Replace(doc, "t { t { a } } }", "t { t { a: b } } }", 1)
	got := ruleErrors(t, schema, bad, overlappingFields)
	require.Len(t, got, 1, "reported once, not once per alias: %s", got)
	assert.Equal(t, `Fields "t" conflict because subfields "t" conflict because subfields "a" conflict because "a" and "b" are different fields. Use different aliases on the fields to fetch both if this was intentional.`, got[0].Message)
}

// TestOverlapRefusesPastItsBudgetWithOneError: a document that merges one
// large fragment under each of many aliases costs more than its budget, and
// gets one error, whatever conflicts it also holds.
func TestOverlapRefusesPastItsBudgetWithOneError(t *testing.T) {
	schema := Schema()
	shape := func(aliases int, conflict bool) string {
		var b strings.Builder
		b.WriteString("{ ")
		for i := range aliases {
			fmt.Fprintf(&b, "a%d: products { edges { node { name ...F } } } ", i)
		}
		if conflict {
			b.WriteString("a0: product(id: 1) { id } ")
		}
		b.WriteString("} fragment F on Product { ")
		for i := range 2000 {
			fmt.Fprintf(&b, "f%d: name ", i)
		}
		b.WriteString("}")
		return b.String()
	}
	assert.Empty(t, ruleErrors(t, schema, shape(10, false), overlappingFields), "10 × 2,000 is within the budget")
	for _, conflict := range []bool{false, true} {
		got := ruleErrors(t, schema, shape(300, conflict), overlappingFields)
		require.Len(t, got, 1, "%s", got)
		assert.True(t, strings.HasPrefix(got[0].Message,
			"The document repeats fields and fragments in too many combinations to validate"), got[0].Message)
	}
}

// TestOverlapReportsAHundredConflictsAtMost: the rest would be dropped from
// the response anyway.
func TestOverlapReportsAHundredConflictsAtMost(t *testing.T) {
	schema := loadSchema(t, overlapSDL)
	var b strings.Builder
	b.WriteString("{ t { ")
	for i := range 500 {
		fmt.Fprintf(&b, "x%d: a x%d: b ", i, i)
	}
	b.WriteString("} }")
	assert.Len(t, ruleErrors(t, schema, b.String(), overlappingFields), maxConflicts)
}
