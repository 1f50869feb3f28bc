package graph

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/graph-gophers/dataloader/v7"

	"github.com/faultline/faultline/auth"
)

// loaders batch the lookups that lists repeat (a product's creator, for
// every product of a page) into one query per operation.
type loaders struct {
	users *dataloader.Loader[string, *auth.User]
}

type loadersKey struct{}

// withLoaders gives every operation fresh loaders, so that nothing is cached
// across requests (a suspension shows at the next request).
func withLoaders(users auth.Store) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		l := &loaders{users: dataloader.NewBatchedLoader(batchUsers(users),
			dataloader.WithWait[string, *auth.User](time.Millisecond))}
		return next(context.WithValue(ctx, loadersKey{}, l))
	}
}

func loadersFrom(ctx context.Context) *loaders {
	l, _ := ctx.Value(loadersKey{}).(*loaders)
	return l
}

// batchUsers loads users by id; a missing (or deleted) user is nil, not an error.
func batchUsers(store auth.Store) dataloader.BatchFunc[string, *auth.User] {
	return func(ctx context.Context, ids []string) []*dataloader.Result[*auth.User] {
		results := make([]*dataloader.Result[*auth.User], len(ids))
		users, err := store.UsersByIDs(ctx, ids)
		byID := make(map[string]*auth.User, len(users))
		for _, u := range users {
			byID[u.ID] = u
		}
		for i, id := range ids {
			results[i] = &dataloader.Result[*auth.User]{Data: byID[id], Error: err}
		}
		return results
	}
}
