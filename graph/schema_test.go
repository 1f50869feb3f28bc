package graph_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/graph"
	"github.com/faultline/faultline/page"
)

func schema() *ast.Schema { return graph.Schema() }

// TestErrorEnumsMatchTheCatalog holds the served schema (what introspection,
// the playground and client codegen see) to apperr's catalog.
func TestErrorEnumsMatchTheCatalog(t *testing.T) {
	s := schema()

	codes := s.Types["ErrorCode"]
	require.NotNil(t, codes)
	require.Len(t, codes.EnumValues, len(apperr.Codes()))
	for i, c := range apperr.Codes() {
		v := codes.EnumValues[i]
		assert.Equal(t, string(c.Code), v.Name)
		assert.Contains(t, v.Description, "HTTP "+strconv.Itoa(c.Status))
		assert.Contains(t, v.Description, c.Meaning)
	}

	types := s.Types["ErrorType"]
	require.NotNil(t, types)
	require.Len(t, types.EnumValues, len(apperr.Catalog()))
	for i, e := range apperr.Catalog() {
		v := types.EnumValues[i]
		assert.Equal(t, string(e.Type), v.Name)
		assert.True(t, strings.HasPrefix(v.Description, string(e.Code)+", HTTP "+strconv.Itoa(e.Status)+"."), v.Description)
		assert.Contains(t, v.Description, e.Meaning)
	}
}

// TestPageSizeConstraintMatchesTheDomain holds every connection's declared
// first bounds to page.MaxPageSize, which the complexity costs rely on.
func TestPageSizeConstraintMatchesTheDomain(t *testing.T) {
	found := 0
	for _, def := range schema().Types {
		for _, f := range def.Fields {
			arg := f.Arguments.ForName("first")
			if arg == nil || strings.HasPrefix(def.Name, "__") {
				continue
			}
			found++
			c := arg.Directives.ForName("constraint")
			require.NotNil(t, c, "%s.%s(first) has a @constraint", def.Name, f.Name)
			assert.Equal(t, "1", c.Arguments.ForName("min").Value.Raw)
			assert.Equal(t, strconv.Itoa(page.MaxPageSize), c.Arguments.ForName("max").Value.Raw)
			require.NotNil(t, arg.DefaultValue, "%s.%s(first) has a default", def.Name, f.Name)
			assert.Equal(t, strconv.Itoa(page.DefaultPageSize), arg.DefaultValue.Raw)
		}
	}
	assert.Positive(t, found)
}
