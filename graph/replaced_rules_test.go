package graph

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// ruleErrors validates doc against schema with gqlparser's default rules,
// the one named like rule replaced by rule, and returns that rule's errors
// in a stable order.
func ruleErrors(t *testing.T, schema *ast.Schema, doc string, rule core.Rule) gqlerror.List {
	t.Helper()
	parsed, err := parser.ParseQuery(&ast.Source{Input: doc})
	require.NoError(t, err)
	r := rules.NewDefaultRules()
	r.RemoveRule(rule.Name)
	r.AddRule(rule.Name, rule.RuleFunc)
	var out gqlerror.List
	for _, e := range validator.ValidateWithRules(schema, parsed, r) {
		if e.Rule == rule.Name {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b *gqlerror.Error) int {
		return cmp.Or(strings.Compare(a.Message, b.Message), cmp.Compare(firstLine(a.Locations), firstLine(b.Locations)),
			strings.Compare(fmt.Sprint(a.Locations), fmt.Sprint(b.Locations)))
	})
	return out
}

func firstLine(locs []gqlerror.Location) int {
	if len(locs) == 0 {
		return 0
	}
	return locs[0].Line
}

func loadSchema(t *testing.T, sdl string) *ast.Schema {
	t.Helper()
	s, err := gqlparser.LoadSchema(&ast.Source{Input: sdl})
	require.NoError(t, err)
	return s
}

// TestReplacedRulesFindWhatGqlparserFinds runs gqlparser's test cases of the
// rules faultline replaces: each replacement gives the errors graphql-js
// expects (count, messages, a location on one of the lines it lists), and
// exactly the errors gqlparser's own rule gives, locations included.
func TestReplacedRulesFindWhatGqlparserFinds(t *testing.T) {
	schemas := map[int]*ast.Schema{}
	for i, sdl := range specSchemas {
		schemas[i] = loadSchema(t, sdl)
	}
	for _, r := range []struct {
		ours, theirs core.Rule
		cases        []specCase
		// gqlparser's rule is known to miss what graphql-js expects here
		// (its own tests skip the case); ours must not.
		theirsMiss string
	}{
		{overlappingFields, rules.OverlappingFieldsCanBeMergedRule, overlapCases,
			"return types must be unambiguous/reports correctly when a non-exclusive follows an exclusive"},
		{introspectionDepth, rules.MaxIntrospectionDepth, introspectionDepthCases, ""},
		{fieldsOnCorrectType, rules.FieldsOnCorrectTypeRule, fieldsOnCorrectTypeCases, ""},
		{knownArgumentNames, rules.KnownArgumentNamesRule, knownArgumentNamesCases, ""},
		{knownTypeNames, rules.KnownTypeNamesRule, knownTypeNamesCases, ""},
	} {
		require.Equal(t, r.theirs.Name, r.ours.Name, "the replacement keeps the rule's name (details.rule)")
		for _, tc := range r.cases {
			t.Run(r.ours.Name+"/"+tc.name, func(t *testing.T) {
				schema := schemas[tc.schema]
				got := ruleErrors(t, schema, tc.query, r.ours)

				want := slices.Clone(tc.errors)
				slices.SortFunc(want, func(a, b specError) int {
					return cmp.Or(strings.Compare(a.message, b.message), cmp.Compare(a.lines[0], b.lines[0]))
				})
				require.Len(t, got, len(want), "%s", got)
				for i, w := range want {
					assert.Equal(t, w.message, got[i].Message)
					require.Len(t, got[i].Locations, 1)
					assert.Contains(t, w.lines, got[i].Locations[0].Line, "%s", got[i].Message)
				}

				if tc.name != r.theirsMiss {
					assert.Equal(t, ruleErrors(t, schema, tc.query, r.theirs), got)
				}
			})
		}
	}
}

// TestOverlapEndsOnFragmentCycles is gqlparser's fuzz case that once looped
// forever: a fragment that spreads itself through inline fragments.
func TestOverlapEndsOnFragmentCycles(t *testing.T) {
	schema := loadSchema(t, "type Query { fieldA: A } type A { s: String }")
	doc := "{ ...F } fragment F on Query { fieldA { s } ...{ ...{ ...F } fieldA { ...notExists } } }"
	assert.Empty(t, ruleErrors(t, schema, doc, overlappingFields))
}

// TestIntrospectionDepthMeasuresAFragmentBombOnce: gqlparser's rule walks
// 2^40 fragments here.
func TestIntrospectionDepthMeasuresAFragmentBombOnce(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{ __type(name: "Query") { ...F40 } } fragment F0 on __Type { fields { type { fields { name } } } } `)
	for k := 1; k <= 40; k++ {
		fmt.Fprintf(&b, "fragment F%d on __Type { x: ofType { ...F%d } y: ofType { ...F%d } } ", k, k-1, k-1)
	}
	assert.Empty(t, ruleErrors(t, Schema(), b.String(), introspectionDepth))

	deep := strings.Replace(b.String(), "{ name }", "{ interfaces { name } }", 1)
	got := ruleErrors(t, Schema(), deep, introspectionDepth)
	require.Len(t, got, 1)
	assert.Equal(t, "Maximum introspection depth exceeded", got[0].Message)
}

// TestSuggestionsStopAfterAHundred: the errors past the hundredth, which no
// response carries, get no suggestion; the others get gqlparser's.
func TestSuggestionsStopAfterAHundred(t *testing.T) {
	var b strings.Builder
	b.WriteString("{ ")
	for i := range 150 {
		fmt.Fprintf(&b, "product%d ", i)
	}
	b.WriteString("}")
	theirs := ruleErrors(t, Schema(), b.String(), rules.FieldsOnCorrectTypeRule)
	ours := ruleErrors(t, Schema(), b.String(), fieldsOnCorrectType)
	require.Len(t, ours, 150)
	suggested := 0
	for i, e := range ours {
		if strings.Contains(e.Message, "Did you mean") {
			suggested++
			assert.Equal(t, theirs[i], e)
		} else {
			assert.Equal(t, strings.SplitAfter(theirs[i].Message, ".")[0], e.Message)
		}
	}
	assert.Equal(t, maxSuggestions, suggested)
}

// TestSuggestionsSkipNamesOutOfReach: a name far longer than any it might
// mean gets the message gqlparser gives it, without the distances.
func TestSuggestionsSkipNamesOutOfReach(t *testing.T) {
	long := strings.Repeat("x", 5000)
	for _, tc := range []struct {
		rule core.Rule
		doc  string
	}{
		{fieldsOnCorrectType, "{ " + long + " }"},
		{knownArgumentNames, "{ products(" + long + ": 1) { edges { cursor } } }"},
		{knownTypeNames, "{ ...F } fragment F on " + long + " { __typename }"},
	} {
		got := ruleErrors(t, Schema(), tc.doc, tc.rule)
		require.Len(t, got, 1, tc.rule.Name)
		assert.NotContains(t, got[0].Message, "Did you mean", tc.rule.Name)
	}
	// Near names are still suggested.
	got := ruleErrors(t, Schema(), "{ productz }", fieldsOnCorrectType)
	require.Len(t, got, 1)
	assert.Equal(t, `Cannot query field "productz" on type "Query". Did you mean "product" or "products"?`, got[0].Message)
}
