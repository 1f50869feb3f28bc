package graph

import (
	"github.com/faultline/faultline/auth"
	"github.com/faultline/faultline/graph/model"
	"github.com/faultline/faultline/page"
	"github.com/faultline/faultline/shop"
)

// edges builds a connection's edges and page info from a page, the cursor
// of an item, and the edge type's constructor.
func edges[T, E any](p page.Page[T], cursor func(T) string, edge func(string, *T) E) ([]E, *model.PageInfo) {
	out := make([]E, len(p.Items))
	info := &model.PageInfo{HasNextPage: p.HasNextPage, HasPreviousPage: p.HasPrevious}
	for i := range p.Items {
		c := cursor(p.Items[i])
		out[i] = edge(c, &p.Items[i])
		if i == 0 {
			info.StartCursor = &c
		}
		info.EndCursor = &c
	}
	return out, info
}

func productConnection(p page.Page[shop.Product]) *model.ProductConnection {
	e, info := edges(p, shop.ProductCursor, func(c string, n *shop.Product) model.ProductEdge {
		return model.ProductEdge{Cursor: c, Node: n}
	})
	return &model.ProductConnection{Edges: e, PageInfo: info}
}

func userConnection(p page.Page[auth.User]) *model.UserConnection {
	e, info := edges(p, auth.UserCursor, func(c string, n *auth.User) model.UserEdge {
		return model.UserEdge{Cursor: c, Node: n}
	})
	return &model.UserConnection{Edges: e, PageInfo: info}
}

func orderConnection(p page.Page[shop.Order]) *model.OrderConnection {
	e, info := edges(p, shop.OrderCursor, func(c string, n *shop.Order) model.OrderEdge {
		return model.OrderEdge{Cursor: c, Node: n}
	})
	return &model.OrderConnection{Edges: e, PageInfo: info}
}

func productInput(in model.ProductInput) shop.ProductInput {
	return shop.ProductInput{Name: in.Name, PriceCents: in.PriceCents, Categories: in.Categories}
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
