package graph

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// operationsSharing is n operations that each spread one fragment of n
// fields, one of them unknown to the schema.
func operationsSharing(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "query Q%d { ...F } ", i)
	}
	b.WriteString("fragment F on Query { unknown ")
	for i := range n {
		fmt.Fprintf(&b, "a%d: __typename ", i)
	}
	b.WriteString("}")
	return b.String()
}

// fragmentChain is a chain of n fragments, each spreading the next.
func fragmentChain(n int) string {
	var b strings.Builder
	b.WriteString("{ ...F0 } ")
	for i := range n {
		fmt.Fprintf(&b, "fragment F%d on Query { __typename ...F%d } ", i, i+1)
	}
	fmt.Fprintf(&b, "fragment F%d on Query { unknown }", n)
	return b.String()
}

// TestWalkLimitRefusesBeforeTheWalk: documents whose validation would walk
// their fragments quadratically often get one error, and nothing is walked
// (the unknown field in the fragment goes unreported).
func TestWalkLimitRefusesBeforeTheWalk(t *testing.T) {
	for name, doc := range map[string]string{
		"operations sharing a fragment": operationsSharing(400),
		"a chain of fragments":          fragmentChain(400),
	} {
		errs := validate(doc)
		require.Len(t, errs, 1, "%s: %s", name, errs)
		assert.Equal(t, "MaxValidationWalk", errs[0].Rule, name)
		assert.Contains(t, errs[0].Message, "send each operation with only the fragments it uses", name)
	}
}

func TestWalkLimitLetsSharedFragmentsThrough(t *testing.T) {
	for name, doc := range map[string]string{
		"operations sharing a fragment": operationsSharing(40),
		"a chain of fragments":          fragmentChain(40),
	} {
		errs := validate(doc)
		require.NotEmpty(t, errs, name)
		for _, e := range errs {
			assert.Equal(t, "FieldsOnCorrectType", e.Rule, "%s: %s", name, e.Message)
		}
	}
}

// nestedList is a createProduct whose input nests depth levels: the input
// object, then lists.
func nestedList(depth int) string {
	depth--
	return `mutation { createProduct(input: {name: "abc", priceCents: 1, categories: ` +
		strings.Repeat("[", depth) + `"x"` + strings.Repeat("]", depth) + "}) { id } }"
}

func TestValueDepthRefusesDeeperValuesBeforeTheWalk(t *testing.T) {
	errs := validate(nestedList(maxValueDepth + 1))
	require.Len(t, errs, 1, "%s", errs)
	assert.Equal(t, "MaxValueDepth", errs[0].Rule)
	assert.Equal(t, "A value nests lists and input objects deeper than 32 levels, the most a document may nest them.", errs[0].Message)

	// 32 levels are within the limit (and the wrong type for categories).
	for _, e := range validate(nestedList(maxValueDepth)) {
		assert.Equal(t, "ValuesOfCorrectType", e.Rule, e.Message)
	}
}
