package graph

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql/introspection"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// maxBodyBytes is the default of FAULTLINE_MAX_BODY_BYTES.
const maxBodyBytes = 1 << 20

// A documentShape writes documents of one hostile or heavy kind, larger as n grows.
type documentShape struct {
	name string
	doc  func(n int) string
	// At the largest size within the limits, the document is refused with
	// one error of refusedBy, or has errors of invalidBy only, or is valid.
	refusedBy, invalidBy string
}

// repeat joins n copies of f(i), i from 1.
func repeat(n int, f func(i int) string) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		b.WriteString(f(i))
		b.WriteByte(' ')
	}
	return b.String()
}

func same(s string) func(int) string { return func(int) string { return s } }

// introspectionSelection is the selection of GraphiQL's introspection query
// under __schema, and its fragments.
var introspectionSelection, introspectionFragments = func() (string, string) {
	q := introspection.Query
	start := strings.Index(q, "__schema")
	frag := strings.Index(q, "fragment ")
	sel := strings.TrimSpace(q[start+len("__schema") : frag])
	return sel[:len(sel)-1], q[frag:] // without the operation's closing brace
}()

// documentShapes are the shapes BenchmarkValidateShapes and
// TestEveryShapeValidatesAtItsLargestSize validate.
var documentShapes = []documentShape{
	{name: "typename", doc: func(n int) string { return "{ " + repeat(n, same("__typename")) + "}" }},
	{name: "products", doc: func(n int) string {
		return "{ " + repeat(n, same("products { edges { node { name } } }")) + "}"
	}},
	{name: "aliases", doc: func(n int) string {
		return "{ " + repeat(n, func(i int) string { return fmt.Sprintf("a%d: __typename", i) }) + "}"
	}},
	// F1 spreads F2, which spreads F3, ...
	{name: "nestedFragments", doc: func(n int) string {
		return "{ products { edges { node { ...F1 } } } } " + repeat(n, func(i int) string {
			if i == n {
				return fmt.Sprintf("fragment F%d on Product { name }", i)
			}
			return fmt.Sprintf("fragment F%d on Product { name ...F%d }", i, i+1)
		})
	}, refusedBy: "MaxValidationWalk"},
	{name: "repeatedSpreads", doc: func(n int) string {
		return "{ products { edges { node { " + repeat(n, same("...F")) + "} } } } fragment F on Product { name priceCents }"
	}},
	{name: "manyFragments", doc: func(n int) string {
		return "{ products { edges { node { " + repeat(n, func(i int) string { return fmt.Sprintf("...F%d", i) }) + "} } } } " +
			repeat(n, func(i int) string { return fmt.Sprintf("fragment F%d on Product { name }", i) })
	}},
	// Each fragment spreads the one below it twice: 2^n fields when expanded.
	{name: "fragmentBomb", doc: func(n int) string {
		return fmt.Sprintf(`{ __type(name: "Product") { ...F%d } } fragment F0 on __Type { name } `, n) +
			repeat(n, func(i int) string {
				return fmt.Sprintf("fragment F%d on __Type { x: ofType { ...F%d } y: ofType { ...F%d } }", i, i-1, i-1)
			})
	}, refusedBy: "MaxValidationWalk"},
	// n aliases, each merging its own field with one fragment of 5n fields.
	{name: "aliasesWithFragment", doc: func(n int) string {
		return "{ " + repeat(n, func(i int) string { return fmt.Sprintf("a%d: products { edges { node { name ...F } } }", i) }) + "} " +
			"fragment F on Product { " + repeat(5*n, func(i int) string { return fmt.Sprintf("f%d: name", i) }) + "}"
	}, refusedBy: "OverlappingFieldsCanBeMerged"},
	// n operations, each spreading one fragment of n fields.
	{name: "operations", doc: func(n int) string {
		return repeat(n, func(i int) string { return fmt.Sprintf("query Q%d { ...F }", i) }) +
			"fragment F on Query { " + repeat(n, func(i int) string { return fmt.Sprintf("a%d: __typename", i) }) + "}"
	}, refusedBy: "MaxValidationWalk"},
	{name: "directivesOneField", doc: func(n int) string {
		return "{ __typename " + repeat(n, same("@include(if: true)")) + "}"
	}, invalidBy: "UniqueDirectivesPerLocation"},
	{name: "directivesManyFields", doc: func(n int) string {
		return "{ " + repeat(n, func(i int) string { return fmt.Sprintf("a%d: __typename @include(if: true)", i) }) + "}"
	}},
	{name: "variables", doc: func(n int) string {
		return "query(" + repeat(n, func(i int) string { return fmt.Sprintf("$v%d: Boolean!", i) }) + ") { " +
			repeat(n, func(i int) string { return fmt.Sprintf("a%d: __typename @include(if: $v%d)", i, i) }) + "}"
	}},
	{name: "arguments", doc: func(n int) string {
		return "{ products(" + repeat(n, same("first: 1")) + ") { edges { node { name } } } }"
	}, invalidBy: "UniqueArgumentNames"},
	{name: "longString", doc: func(n int) string {
		return `{ products(category: "` + strings.Repeat("x", n) + `") { edges { node { name } } } }`
	}},
	// Names unknown to the schema, which validators compare with the names
	// they might have meant.
	{name: "longFieldName", doc: func(n int) string { return "{ " + strings.Repeat("x", n) + " }" }, invalidBy: "FieldsOnCorrectType"},
	{name: "unknownFields", doc: func(n int) string {
		return "{ " + repeat(n, func(i int) string { return fmt.Sprintf("product%d", i) }) + "}"
	}, invalidBy: "FieldsOnCorrectType"},
	{name: "longArgumentName", doc: func(n int) string {
		return "{ products(" + strings.Repeat("x", n) + ": 1) { edges { cursor } } }"
	}, invalidBy: "KnownArgumentNames"},
	{name: "longTypeName", doc: func(n int) string {
		return "{ ...F } fragment F on " + strings.Repeat("X", n) + " { __typename }"
	}, invalidBy: "KnownTypeNames"},
	{name: "deepNesting", doc: func(n int) string {
		return `{ __type(name: "Product") { ` + strings.Repeat("ofType { ", n) + "name" + strings.Repeat(" }", n) + " } }"
	}},
	{name: "deepList", doc: func(n int) string {
		return `mutation { createProduct(input: {name: "abc", priceCents: 1, categories: ` +
			strings.Repeat("[", n) + `"x"` + strings.Repeat("]", n) + "}) { id } }"
	}, refusedBy: "MaxValueDepth"},
	// GraphiQL's introspection query, its __schema selection n times under aliases.
	{name: "introspection", doc: func(n int) string {
		return "query IntrospectionQuery { " + repeat(n, func(i int) string {
			return fmt.Sprintf("s%d: __schema %s", i, introspectionSelection)
		}) + "} " + introspectionFragments
	}},
}

// fits reports whether a document is within the default limits: its tokens
// within the parser's limit, its JSON body within the body limit.
func fits(doc string) bool {
	body, _ := json.Marshal(map[string]string{"query": doc})
	if len(body) > maxBodyBytes {
		return false
	}
	_, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: doc}, ParserTokenLimit)
	return err == nil
}

// largest is the largest n whose document fits.
func (s documentShape) largest(t testing.TB) int {
	t.Helper()
	lo, hi := 1, 2
	require.True(t, fits(s.doc(lo)), "%s(1) does not fit", s.name)
	for fits(s.doc(hi)) {
		lo, hi = hi, hi*2
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if fits(s.doc(mid)) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

// sizes are the n the benchmark runs a shape at: from a sixteenth of the
// largest to the largest.
func (s documentShape) sizes(t testing.TB) []int {
	largest := s.largest(t)
	var ns []int
	for d := 16; d >= 1; d /= 2 {
		if n := largest / d; n > 0 && (len(ns) == 0 || ns[len(ns)-1] != n) {
			ns = append(ns, n)
		}
	}
	return ns
}

// BenchmarkValidateShapes parses and validates each shape at sizes from a
// sixteenth of the largest that fits the default limits to the largest: the
// time per byte must stay flat as a shape grows.
func BenchmarkValidateShapes(b *testing.B) {
	for _, s := range documentShapes {
		for _, n := range s.sizes(b) {
			doc := s.doc(n)
			b.Run(fmt.Sprintf("%s/%d", s.name, n), func(b *testing.B) {
				b.SetBytes(int64(len(doc)))
				b.ReportAllocs()
				for b.Loop() {
					validate(doc)
				}
			})
		}
	}
}

// TestEveryShapeValidatesAtItsLargestSize runs what the benchmark times
// once, at the largest size.
func TestEveryShapeValidatesAtItsLargestSize(t *testing.T) {
	for _, s := range documentShapes {
		t.Run(s.name, func(t *testing.T) {
			errs := validate(s.doc(s.largest(t)))
			switch {
			case s.refusedBy != "":
				require.Len(t, errs, 1, "%s", errs)
				assert.Equal(t, s.refusedBy, errs[0].Rule, errs[0].Message)
			case s.invalidBy != "":
				require.NotEmpty(t, errs)
				for _, e := range errs {
					assert.Equal(t, s.invalidBy, e.Rule, e.Message)
				}
			default:
				assert.Empty(t, errs)
			}
		})
	}
}
