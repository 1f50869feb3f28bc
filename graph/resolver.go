package graph

import (
	"github.com/faultline/faultline/auth"
	"github.com/faultline/faultline/shop"
)

// Resolver holds the domain services the resolvers delegate to. Resolvers
// stay thin: they translate arguments, call the domain, and shape the result.
type Resolver struct {
	Catalog  *shop.Catalog
	Sales    *shop.Orders // named apart from the Orders field resolver of User
	Wallets  *shop.Wallets
	Accounts *auth.Accounts
	Auth     *auth.Authenticator
	Streams  *Streams // the subscriptions' notices, limits and drain
}
