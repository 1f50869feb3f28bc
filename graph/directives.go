package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/auth"
)

// directives implements the schema's @auth and @owner. Each authorizes the
// caller before the field resolves, then checks the field's @constraint
// arguments, then resolves.
type directives struct {
	auth        *auth.Authenticator
	constraints *Constraints
}

// Auth implements @auth(role:).
func (d *directives) Auth(ctx context.Context, _ any, next graphql.Resolver, role *auth.Role) (any, error) {
	required := auth.RoleUser
	if role != nil {
		required = *role
	}
	if _, err := d.auth.Require(ctx, required); err != nil {
		return nil, refusal(err)
	}
	return d.resolve(ctx, next)
}

// Owner implements @owner on fields of User: the user themselves or an
// admin. The user of an AuthPayload (register, login, refreshToken) is the
// caller, who has just proved who they are, though the request carries no
// token yet.
func (d *directives) Owner(ctx context.Context, obj any, next graphql.Resolver) (any, error) {
	u, ok := obj.(*auth.User)
	if !ok {
		return nil, apperr.InternalError(errOwnerTarget)
	}
	// The common case first, without marking the request refused: a valid
	// token of the user or of an admin.
	if !d.auth.Viewer(ctx).MayAccess(u.ID) {
		if !ofSession(ctx) {
			if _, err := d.auth.RequireOwner(ctx, u.ID); err != nil {
				return nil, refusal(err)
			}
		}
	}
	return d.resolve(ctx, next)
}

// refusal hands an authorization error to gqlgen already in a gqlerror, which
// gqlgen fills with the field's path and location as it is. Any other error
// gqlgen wraps itself, rendering err.Error() into a message that the
// presenter then replaces; refusals are the error path that attackers and
// long lists of other users' emails drive, so they skip that work.
func refusal(err error) error { return &gqlerror.Error{Err: err} }

// ofSession reports whether the field being resolved belongs to the user of
// an AuthPayload.
func ofSession(ctx context.Context) bool {
	fc := graphql.GetFieldContext(ctx)
	return fc != nil && fc.Parent != nil && fc.Parent.Object == "AuthPayload" && fc.Parent.Field.Name == "user"
}

func (d *directives) resolve(ctx context.Context, next graphql.Resolver) (any, error) {
	if err := d.constraints.Check(ctx); err != nil {
		return nil, err
	}
	return next(ctx)
}

type ownerTargetError struct{}

func (ownerTargetError) Error() string { return "@owner is only valid on fields of User" }

var errOwnerTarget = ownerTargetError{}
