package graph

import (
	"context"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/graph-gophers/dataloader/v7"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/faultline/faultline/auth"
	"github.com/faultline/faultline/shop"
)

// loaders batch the lookups that lists repeat (a product's creator, for
// every product of a page) into one query per operation. They are built at
// their first use, so an operation that loads nothing pays nothing.
type loaders struct {
	userStore    auth.Store
	productStore shop.ProductStore

	usersOnce, productsOnce sync.Once
	userLoader              *dataloader.Loader[string, *auth.User]
	productLoader           *dataloader.Loader[string, *shop.Product]
}

func (l *loaders) users() *dataloader.Loader[string, *auth.User] {
	l.usersOnce.Do(func() {
		l.userLoader = dataloader.NewBatchedLoader(batch(l.userStore.UsersByIDs, func(u *auth.User) string { return u.ID }),
			dataloader.WithWait[string, *auth.User](loaderWait))
	})
	return l.userLoader
}

func (l *loaders) products() *dataloader.Loader[string, *shop.Product] {
	l.productsOnce.Do(func() {
		l.productLoader = dataloader.NewBatchedLoader(batch(l.productStore.ProductsByIDs, func(p *shop.Product) string { return p.ID }),
			dataloader.WithWait[string, *shop.Product](loaderWait))
	})
	return l.productLoader
}

type loadersKey struct{}

// loaderWait is how long a loader gathers keys before it queries; gqlgen
// resolves the items of a list concurrently, so a page's keys arrive together.
const loaderWait = time.Millisecond

// withLoaders gives every operation fresh loaders, so that nothing is cached
// across requests (a suspension shows at the next request), and every event
// of a subscription loaders of its own, so that nothing is cached across
// events either.
func withLoaders(users auth.Store, products shop.ProductStore) graphql.OperationMiddleware {
	fresh := func(ctx context.Context) context.Context {
		return context.WithValue(ctx, loadersKey{}, &loaders{userStore: users, productStore: products})
	}
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		h := next(fresh(ctx))
		if graphql.GetOperationContext(ctx).Operation.Operation != ast.Subscription {
			return h
		}
		return func(ctx context.Context) *graphql.Response { return h(fresh(ctx)) }
	}
}

func loadersFrom(ctx context.Context) *loaders {
	l, _ := ctx.Value(loadersKey{}).(*loaders)
	return l
}

// batch turns a "load these ids" store method into a dataloader batch
// function; a missing id is nil, not an error.
func batch[T any](load func(context.Context, []string) ([]*T, error), idOf func(*T) string) dataloader.BatchFunc[string, *T] {
	return func(ctx context.Context, ids []string) []*dataloader.Result[*T] {
		found, err := load(ctx, ids)
		byID := make(map[string]*T, len(found))
		for _, v := range found {
			byID[idOf(v)] = v
		}
		results := make([]*dataloader.Result[*T], len(ids))
		for i, id := range ids {
			results[i] = &dataloader.Result[*T]{Data: byID[id], Error: err}
		}
		return results
	}
}

// prefetchOrders loads, with one query each, the products of the orders'
// items and the orders' users, when the query asks for them, and primes the
// loaders with them: a page of orders costs the same number of queries
// whatever its size, and its items wait for no batching window.
func prefetchOrders(ctx context.Context, orders []shop.Order) error {
	l := loadersFrom(ctx)
	if l == nil || len(orders) == 0 {
		return nil
	}
	if selects(ctx, "edges", "node", "items", "product") {
		var ids []string
		for _, o := range orders {
			for _, it := range o.Items {
				ids = append(ids, it.ProductID)
			}
		}
		if err := prime(ctx, l.products(), ids, l.productStore.ProductsByIDs, func(p *shop.Product) string { return p.ID }); err != nil {
			return err
		}
	}
	if selects(ctx, "edges", "node", "user") {
		ids := make([]string, len(orders))
		for i, o := range orders {
			ids[i] = o.UserID
		}
		if err := prime(ctx, l.users(), ids, l.userStore.UsersByIDs, func(u *auth.User) string { return u.ID }); err != nil {
			return err
		}
	}
	return nil
}

// prefetchCreators primes the users who created a page of products, when
// the query asks for them.
func prefetchCreators(ctx context.Context, products []shop.Product) error {
	l := loadersFrom(ctx)
	if l == nil || len(products) == 0 || !selects(ctx, "edges", "node", "createdBy") {
		return nil
	}
	var ids []string
	for _, p := range products {
		if p.CreatedByID != "" {
			ids = append(ids, p.CreatedByID)
		}
	}
	return prime(ctx, l.users(), ids, l.userStore.UsersByIDs, func(u *auth.User) string { return u.ID })
}

// prime loads ids in one call and stores each result (nil for the missing)
// in the loader's cache.
func prime[T any](ctx context.Context, l *dataloader.Loader[string, *T], ids []string,
	load func(context.Context, []string) ([]*T, error), idOf func(*T) string) error {
	found, err := load(ctx, ids)
	if err != nil {
		return err
	}
	byID := make(map[string]*T, len(found))
	for _, v := range found {
		byID[idOf(v)] = v
	}
	for _, id := range ids {
		l.Prime(ctx, id, byID[id])
	}
	return nil
}

// selects reports whether the field being resolved selects the given path
// of fields, through fragments of any type.
func selects(ctx context.Context, path ...string) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil {
		return false
	}
	set := fc.Field.Selections
	for _, name := range path {
		var next ast.SelectionSet
		found := false
		for _, f := range flatten(set) {
			if f.Name == name {
				found = true
				next = append(next, f.SelectionSet...)
			}
		}
		if !found {
			return false
		}
		set = next
	}
	return true
}

// flatten lists the fields of a selection set, looking inside fragments.
func flatten(set ast.SelectionSet) []*ast.Field {
	var out []*ast.Field
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			out = append(out, s)
		case *ast.InlineFragment:
			out = append(out, flatten(s.SelectionSet)...)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				out = append(out, flatten(s.Definition.SelectionSet)...)
			}
		}
	}
	return out
}
