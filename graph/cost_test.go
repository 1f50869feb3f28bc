package graph_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/faultline/faultline/auth"
	"github.com/faultline/faultline/graph"
	"github.com/faultline/faultline/page"
	"github.com/faultline/faultline/shop"
)

// TestEveryListFieldDeclaresItsSize: a field returning a list, or a
// connection, must say with @listSize what it costs, so that a new list
// cannot join the schema priced as one item. A connection's edges are sized
// by the field that returns the connection.
func TestEveryListFieldDeclaresItsSize(t *testing.T) {
	s := schema()
	checked := 0
	for _, def := range s.Types {
		if def.BuiltIn || strings.HasPrefix(def.Name, "__") || def.Kind != ast.Object {
			continue
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			list := f.Type.Elem != nil
			connection := strings.HasSuffix(f.Type.Name(), "Connection")
			if f.Name == "edges" && strings.HasSuffix(def.Name, "Connection") || !list && !connection {
				continue
			}
			checked++
			d := f.Directives.ForName("listSize")
			require.NotNil(t, d, "%s.%s returns a list but declares no @listSize", def.Name, f.Name)
			if connection {
				slicing := d.Arguments.ForName("slicingArguments")
				require.NotNil(t, slicing, "%s.%s is sized by its first", def.Name, f.Name)
				assert.Equal(t, "first", slicing.Value.Children[0].Value.Raw)
			}
		}
	}
	assert.GreaterOrEqual(t, checked, 6, "products, users, myOrders, User.orders, Order.items, Product.categories")
}

// TestCostsAreVisibleThroughIntrospection: the server writes each declared
// cost into its field's description, which introspection shows.
func TestCostsAreVisibleThroughIntrospection(t *testing.T) {
	graph.NewServer(&graph.Resolver{}, graph.Options{MaxComplexity: 10_000, MaxDepth: 15})
	s := schema()
	products := s.Query.Fields.ForName("products")
	assert.Contains(t, products.Description, "Cost: its selection counts once per entry asked for with `first` (at most 100).")
	assert.Contains(t, s.Types["Order"].Fields.ForName("items").Description, "Cost: its selection counts 10 times.")
	assert.Contains(t, s.Mutation.Fields.ForName("login").Description, "Cost: 100 plus its selection.")
}

// TestDeclaredConstraintsMatchTheDomain holds the schema's @constraint
// bounds to the ones the domain defends again.
func TestDeclaredConstraintsMatchTheDomain(t *testing.T) {
	s := schema()
	arg := func(typ, field, name string) ast.DirectiveList {
		return s.Types[typ].Fields.ForName(field).Arguments.ForName(name).Directives
	}
	input := func(typ, field string) ast.DirectiveList { return s.Types[typ].Fields.ForName(field).Directives }
	for _, c := range []struct {
		where ast.DirectiveList
		rule  string
		want  int
	}{
		{arg("Mutation", "topUp", "amountCents"), "min", 1},
		{arg("Mutation", "topUp", "amountCents"), "max", shop.MaxTopUpCents},
		{arg("Mutation", "banProduct", "reason"), "maxLength", shop.MaxBanReason},
		{arg("Mutation", "login", "email"), "maxLength", auth.MaxEmailLength},
		{arg("Mutation", "login", "password"), "maxLength", auth.MaxPasswordLength},
		{arg("Query", "products", "category"), "maxLength", shop.MaxCategory},
		{input("ProductInput", "name"), "minLength", shop.MinProductName},
		{input("ProductInput", "name"), "maxLength", shop.MaxProductName},
		{input("ProductInput", "priceCents"), "max", shop.MaxPriceCents},
		{input("ProductInput", "categories"), "maxItems", shop.MaxCategories},
		{input("ProductInput", "categories"), "maxLength", shop.MaxCategory},
		{input("PlaceOrderInput", "items"), "maxItems", shop.MaxOrderLines},
		{input("OrderItemInput", "quantity"), "max", shop.MaxQuantity},
		{input("RegisterInput", "email"), "maxLength", auth.MaxEmailLength},
		{input("RegisterInput", "password"), "minLength", auth.MinPasswordLength},
		{input("RegisterInput", "password"), "maxLength", auth.MaxPasswordLength},
		{input("RegisterInput", "name"), "maxLength", auth.MaxNameLength},
		{arg("Query", "users", "first"), "max", page.MaxPageSize},
	} {
		d := c.where.ForName("constraint")
		require.NotNil(t, d)
		a := d.Arguments.ForName(c.rule)
		require.NotNil(t, a, "a %s constraint", c.rule)
		assert.Equal(t, strconv.Itoa(c.want), a.Value.Raw, c.rule)
	}
}
