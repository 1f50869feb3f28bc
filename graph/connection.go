package graph

import (
	"github.com/faultline/faultline/graph/model"
	"github.com/faultline/faultline/page"
	"github.com/faultline/faultline/shop"
)

// pageArgs turns a connection field's first/after into the domain's PageArgs;
// the @constraint on first has already checked its range.
func pageArgs(first *int, after *string) page.Args {
	args := page.Args{First: page.DefaultPageSize, After: after}
	if first != nil {
		args.First = *first
	}
	return args
}

// pageInfo describes a page whose edges have these cursors.
func pageInfo(cursors []string, hasNext, hasPrevious bool) *model.PageInfo {
	info := &model.PageInfo{HasNextPage: hasNext, HasPreviousPage: hasPrevious}
	if n := len(cursors); n > 0 {
		info.StartCursor, info.EndCursor = &cursors[0], &cursors[n-1]
	}
	return info
}

func productConnection(page page.Page[shop.Product]) *model.ProductConnection {
	edges := make([]model.ProductEdge, len(page.Items))
	cursors := make([]string, len(page.Items))
	for i := range page.Items {
		cursors[i] = shop.ProductCursor(page.Items[i])
		edges[i] = model.ProductEdge{Cursor: cursors[i], Node: &page.Items[i]}
	}
	return &model.ProductConnection{Edges: edges, PageInfo: pageInfo(cursors, page.HasNextPage, page.HasPrevious)}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
