package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/faultline/faultline/internal/sizecache"
)

// The parsed documents and their costs are kept by the bytes they hold, not
// by their number: clients choose the documents, and a parsed document
// weighs about 17 to 37 times its text (measured on faultline's queries).
const (
	docBytesPerByte = 32
	docBytesFixed   = 1024
	// docCacheBytes bounds the parsed documents kept; a document over
	// docCacheMaxEntry (64 KiB of text) is parsed each time instead.
	docCacheBytes    = 32 << 20
	docCacheMaxEntry = docBytesPerByte * 64 << 10
)

// docWeight estimates what the parse of a document of n bytes holds.
func docWeight(n int) int64 { return int64(docBytesFixed + docBytesPerByte*n) }

// docCache is gqlgen's query cache, bounded by bytes.
type docCache struct {
	c *sizecache.Cache[string, *ast.QueryDocument]
}

var _ graphql.Cache[*ast.QueryDocument] = docCache{}

func newDocCache() docCache {
	return docCache{sizecache.New[string, *ast.QueryDocument](docCacheBytes, docCacheMaxEntry)}
}

// Get implements graphql.Cache.
func (d docCache) Get(_ context.Context, query string) (*ast.QueryDocument, bool) {
	return d.c.Get(query)
}

// Add implements graphql.Cache.
func (d docCache) Add(_ context.Context, query string, doc *ast.QueryDocument) {
	d.c.Add(query, doc, docWeight(len(query)))
}
