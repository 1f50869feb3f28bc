package graph_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/faultline/faultline/graph"
)

// contractRoles is the role each root operation requires, "" for the
// public ones (README, The shop and Authentication).
var contractRoles = map[string]string{
	"Query.me": "USER", "Query.user": "USER", "Query.users": "ADMIN",
	"Query.product": "", "Query.products": "",
	"Query.order": "USER", "Query.myOrders": "USER",
	"Mutation.register": "", "Mutation.login": "", "Mutation.refreshToken": "", "Mutation.logout": "",
	"Mutation.topUp": "USER", "Mutation.createProduct": "ADMIN", "Mutation.updateProduct": "ADMIN",
	"Mutation.banProduct": "ADMIN", "Mutation.placeOrder": "USER", "Mutation.payOrder": "USER",
	"Mutation.cancelOrder": "USER", "Mutation.shipOrder": "ADMIN", "Mutation.deliverOrder": "ADMIN",
	"Mutation.suspendUser": "ADMIN", "Mutation.deleteUser": "ADMIN",
	"Subscription.orderUpdated": "USER", "Subscription.walletUpdated": "USER",
}

// ownerFields are the fields of a user's record that only they and admins see.
var ownerFields = []string{"User.email", "User.wallet", "User.orders"}

// TestEveryOperationIsProtectedAsTheContractSays walks the served schema:
// each root field of the contract has exactly its role, and a root field the
// contract does not list must carry @auth, so that nothing new becomes public
// by accident.
func TestEveryOperationIsProtectedAsTheContractSays(t *testing.T) {
	s := graph.Schema()
	checked := 0
	require.NotNil(t, s.Subscription)
	for _, root := range []*ast.Definition{s.Query, s.Mutation, s.Subscription} {
		if root == nil {
			continue
		}
		for _, f := range root.Fields {
			if len(f.Name) > 1 && f.Name[:2] == "__" {
				continue
			}
			name := root.Name + "." + f.Name
			role, listed := contractRoles[name]
			d := f.Directives.ForName("auth")
			switch {
			case listed && role == "":
				assert.Nil(t, d, "%s is public in the contract", name)
			case d == nil:
				assert.Failf(t, "unprotected operation", "%s has no @auth", name)
			case listed:
				assert.Equal(t, role, authRole(d), "%s's role", name)
			}
			checked++
		}
	}
	assert.GreaterOrEqual(t, checked, 13)

	for _, name := range ownerFields {
		typ, fieldName, _ := cut(name)
		def := s.Types[typ]
		if f := def.Fields.ForName(fieldName); f != nil {
			assert.NotNil(t, f.Directives.ForName("owner"), "%s is visible to its user and admins only", name)
		}
	}
}

func authRole(d *ast.Directive) string {
	if a := d.Arguments.ForName("role"); a != nil {
		return a.Value.Raw
	}
	return "USER" // the directive's default
}

func cut(s string) (string, string, bool) {
	for i := range s {
		if s[i] == '.' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
