package graph

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/99designs/gqlgen/graphql/introspection"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	gql "github.com/vektah/gqlparser/v2/ast"
	gqlparser "github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

// realisticDocuments are the documents faultline's clients and tests send:
// GraphiQL's introspection query, and every GraphQL document written in the
// app's tests and the Apollo Client suite (string constants, concatenated
// ones included; a document built at run time is missed).
func realisticDocuments(t *testing.T) map[string]string {
	t.Helper()
	docs := map[string]string{"GraphiQL introspection": introspection.Query}
	add := func(where, s string) {
		if d, err := gqlparser.ParseQuery(&gql.Source{Input: s}); err == nil && len(d.Operations) > 0 {
			docs[where] = s
		}
	}

	files, err := filepath.Glob("../app/*_test.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		consts := map[string]string{}
		for pass := 0; pass < 2; pass++ { // constants that use later constants
			for _, decl := range f.Decls {
				if g, ok := decl.(*ast.GenDecl); ok && g.Tok == token.CONST {
					for _, spec := range g.Specs {
						vs := spec.(*ast.ValueSpec)
						for i, v := range vs.Values {
							if s, ok := constString(v, consts); ok {
								consts[vs.Names[i].Name] = s
							}
						}
					}
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			e, ok := n.(ast.Expr)
			if !ok {
				return true
			}
			if s, ok := constString(e, consts); ok {
				add(fset.Position(e.Pos()).String(), s)
				return false
			}
			return true
		})
	}

	files, err = filepath.Glob("../e2e/apollo/*.mjs")
	require.NoError(t, err)
	literal := regexp.MustCompile("gql`([^`]*)`|\"((?:[^\"\\\\]|\\\\.)*)\"")
	for _, name := range files {
		src, err := os.ReadFile(name)
		require.NoError(t, err)
		for _, m := range literal.FindAllSubmatch(src, -1) {
			if len(m[1]) > 0 {
				add(name, string(m[1]))
			} else if s, err := strconv.Unquote(`"` + string(m[2]) + `"`); err == nil {
				add(name, s)
			}
		}
	}
	require.Greater(t, len(docs), 100, "the app's tests hold over a hundred documents")
	return docs
}

// constString evaluates a string constant expression: literals, constants
// of the file, and their sums.
func constString(e ast.Expr, consts map[string]string) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			s, err := strconv.Unquote(e.Value)
			return s, err == nil
		}
	case *ast.Ident:
		s, ok := consts[e.Name]
		return s, ok
	case *ast.ParenExpr:
		return constString(e.X, consts)
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			x, okX := constString(e.X, consts)
			y, okY := constString(e.Y, consts)
			return x + y, okX && okY
		}
	}
	return "", false
}

// TestRealisticDocumentsStayFarBelowTheBudgets: none of the documents the
// clients send comes within a tenth of the overlap rule's work budget, or of
// the walk limit.
func TestRealisticDocumentsStayFarBelowTheBudgets(t *testing.T) {
	schema := Schema()
	worstWork, worstWalk, perField := 0.0, 0.0, 0.0
	docs := realisticDocuments(t)
	for where, doc := range docs {
		parsed, err := gqlparser.ParseQuery(&gql.Source{Input: doc})
		require.NoError(t, err)
		walked, limit, _ := walkCost(parsed)
		// Validating annotates the document, which the overlap check reads.
		validator.ValidateWithRules(schema, parsed, validationRules(true))
		c := newOverlapCheck(schema, parsed)
		for _, op := range parsed.Operations {
			c.operation(op)
		}
		for _, f := range parsed.Fragments {
			c.fragment(f)
		}
		assert.Less(t, c.work*10, c.budget, "%s: overlap work %d of %d\n%s", where, c.work, c.budget, doc)
		assert.Less(t, walked*10, limit, "%s: walk %d of %d\n%s", where, walked, limit, doc)
		worstWork = max(worstWork, float64(c.work)/float64(c.budget))
		worstWalk = max(worstWalk, float64(walked)/float64(limit))
		fields := 0
		for _, op := range parsed.Operations {
			fields += countFields(op.SelectionSet)
		}
		for _, f := range parsed.Fragments {
			fields += countFields(f.SelectionSet)
		}
		if fields > 0 {
			perField = max(perField, float64(c.work)/float64(fields))
		}
	}
	t.Logf("%d documents; the most of a budget one uses: overlap %.1f%%, walk %.1f%%; the most overlap work per field %.1f",
		len(docs), 100*worstWork, 100*worstWalk, perField)
}
