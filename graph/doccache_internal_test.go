package graph

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/vektah/gqlparser/v2/ast"
)

// TestTheQueryCacheIsBoundedByBytes: many distinct large documents, as an
// attacker sends them, keep at most docCacheBytes alive, and a document too
// large to be worth keeping is not kept at all.
func TestTheQueryCacheIsBoundedByBytes(t *testing.T) {
	c := newDocCache()
	ctx := context.Background()
	doc := &ast.QueryDocument{}
	pad := strings.Repeat(" ", 60<<10)
	for i := range 2000 {
		c.Add(ctx, "{ __typename }"+pad+strconv.Itoa(i), doc)
		assert.LessOrEqual(t, c.c.Bytes(), int64(docCacheBytes))
	}
	assert.Greater(t, c.c.Len(), 1, "documents of 60 KiB are kept")

	huge := "{ __typename }" + strings.Repeat(" ", 1<<20)
	c.Add(ctx, huge, doc)
	_, ok := c.Get(ctx, huge)
	assert.False(t, ok, "a 1 MiB document is parsed each time, not kept")
}
