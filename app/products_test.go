package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/internal/testserver"
	"github.com/faultline/faultline/page"
)

type productNode struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	PriceCents int      `json:"priceCents"`
	Categories []string `json:"categories"`
	Banned     bool     `json:"banned"`
	CreatedAt  string   `json:"createdAt"`
}

type productPage struct {
	Edges []struct {
		Cursor string      `json:"cursor"`
		Node   productNode `json:"node"`
	} `json:"edges"`
	PageInfo struct {
		HasNextPage     bool    `json:"hasNextPage"`
		HasPreviousPage bool    `json:"hasPreviousPage"`
		StartCursor     *string `json:"startCursor"`
		EndCursor       *string `json:"endCursor"`
	} `json:"pageInfo"`
}

const productsQuery = `query Products($first: Int, $after: String, $category: String) {
  products(first: $first, after: $after, category: $category) {
    edges { cursor node { id name priceCents categories banned createdAt } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`

func listProducts(t *testing.T, srv *testserver.Server, vars map[string]any) productPage {
	t.Helper()
	res := srv.Query(t, productsQuery, vars)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Raw)
	require.Empty(t, res.Body.Errors, "%s", res.Raw)
	var page productPage
	res.Field(t, "products", &page)
	return page
}

func TestProductsPagesThroughTheWholeCatalogWithOpaqueCursors(t *testing.T) {
	srv := testserver.Start(t)

	var all []productNode
	var after any
	pages := 0
	for {
		page := listProducts(t, srv, map[string]any{"first": 4, "after": after})
		pages++
		require.LessOrEqual(t, len(page.Edges), 4)
		assert.Equal(t, after != nil, page.PageInfo.HasPreviousPage)
		for _, e := range page.Edges {
			assert.NotContains(t, e.Cursor, e.Node.ID, "cursors are opaque")
			all = append(all, e.Node)
		}
		if !page.PageInfo.HasNextPage {
			break
		}
		require.NotNil(t, page.PageInfo.EndCursor)
		assert.Equal(t, page.Edges[len(page.Edges)-1].Cursor, *page.PageInfo.EndCursor)
		after = *page.PageInfo.EndCursor
	}
	assert.Equal(t, 4, pages, "14 visible demo products in pages of 4")
	require.Len(t, all, 14, "the banned demo product is not listed")
	seen := map[string]bool{}
	for i, p := range all {
		assert.False(t, seen[p.ID], "no product twice")
		seen[p.ID] = true
		assert.False(t, p.Banned)
		assert.Positive(t, p.PriceCents)
		assert.NotEmpty(t, p.Categories)
		if i > 0 {
			assert.Less(t, all[i-1].ID, p.ID, "creation order")
		}
	}
}

func TestProductsDefaultPageAndCategoryFilter(t *testing.T) {
	srv := testserver.Start(t)

	page := listProducts(t, srv, nil)
	assert.Len(t, page.Edges, 14, "first defaults to 20")
	assert.False(t, page.PageInfo.HasNextPage)

	kitchen := listProducts(t, srv, map[string]any{"category": "kitchen"})
	require.Len(t, kitchen.Edges, 3)
	for _, e := range kitchen.Edges {
		assert.Contains(t, e.Node.Categories, "kitchen")
	}

	empty := listProducts(t, srv, map[string]any{"category": "nothing-here"})
	assert.Empty(t, empty.Edges)
	assert.False(t, empty.PageInfo.HasNextPage)
	assert.Nil(t, empty.PageInfo.EndCursor)
	assert.Nil(t, empty.PageInfo.StartCursor)
}

func TestProductByID(t *testing.T) {
	srv := testserver.Start(t)
	first := listProducts(t, srv, map[string]any{"first": 1}).Edges[0].Node

	res := srv.Query(t, `query($id: ID!) { product(id: $id) { id name priceCents categories banned createdAt } }`, map[string]any{"id": first.ID})
	require.Empty(t, res.Body.Errors, "%s", res.Raw)
	var got productNode
	res.Field(t, "product", &got)
	assert.Equal(t, first, got)
}

func TestBannedProductIsReadableByIDButNotListed(t *testing.T) {
	srv := testserver.Start(t)
	var id string
	require.NoError(t, srv.App.DB.SQL().QueryRow(`SELECT id FROM products WHERE banned`).Scan(&id))

	res := srv.Query(t, `query($id: ID!) { product(id: $id) { name banned } }`, map[string]any{"id": id})
	require.Empty(t, res.Body.Errors)
	var got productNode
	res.Field(t, "product", &got)
	assert.True(t, got.Banned)

	for _, e := range listProducts(t, srv, map[string]any{"first": 100}).Edges {
		assert.NotEqual(t, id, e.Node.ID)
	}
}

func TestUnknownProductIsNotFoundWithResourceAndID(t *testing.T) {
	srv := testserver.Start(t)
	res := srv.Query(t, `{ product(id: "no-such-product") { id } products(first: 1) { edges { cursor } } }`, nil)

	e := res.Error(t)
	assert.Equal(t, "NOT_FOUND", e.Extensions.Code)
	assert.Equal(t, "RESOURCE_NOT_FOUND", e.Extensions.Type)
	assert.Equal(t, 404, e.Extensions.Status)
	assert.Equal(t, map[string]any{"resource": "Product", "id": "no-such-product"}, e.Extensions.Details)
	assert.Equal(t, []any{"product"}, e.Path)
	assert.Equal(t, []map[string]int{{"line": 1, "column": 3}}, e.Locations)
	assert.Equal(t, http.StatusOK, res.Status, "a field error is partial data")
	assert.JSONEq(t, "null", string(res.Body.Data["product"]))
	assert.NotEqual(t, "null", string(res.Body.Data["products"]), "the sibling field still resolves")
}

func TestInvalidCursors(t *testing.T) {
	srv := testserver.Start(t)
	for name, cursor := range map[string]string{
		"not base64":           "%%%not-base64%%%",
		"empty":                "",
		"another list's kind":  page.EncodeCursor("order", "x"),
		"no key":               page.EncodeCursor("product", ""),
		"absurdly long cursor": strings.Repeat("A", 10_000),
	} {
		t.Run(name, func(t *testing.T) {
			res := srv.Query(t, productsQuery, map[string]any{"after": cursor})
			e := res.Error(t)
			assert.Equal(t, "BAD_USER_INPUT", e.Extensions.Code)
			assert.Equal(t, "INVALID_CURSOR", e.Extensions.Type)
			assert.Equal(t, 422, e.Extensions.Status)
			assert.Equal(t, "after", e.Extensions.Details["argument"])
			assert.Equal(t, []any{"products"}, e.Path)
		})
	}
}

func TestPageSizeAndCategoryConstraintsAreReportedTogether(t *testing.T) {
	srv := testserver.Start(t)

	for _, first := range []int{0, -5, 101} {
		res := srv.Query(t, productsQuery, map[string]any{"first": first})
		e := res.Error(t)
		assert.Equal(t, "BAD_USER_INPUT", e.Extensions.Code)
		assert.Equal(t, "VALIDATION_FAILED", e.Extensions.Type)
		assert.Equal(t, 422, e.Extensions.Status)
		require.Len(t, e.Extensions.Fields, 1)
		assert.Equal(t, []any{"first"}, e.Extensions.Fields[0].Path)
	}

	res := srv.Query(t, `{ products(first: 500, category: "`+strings.Repeat("x", 31)+`") { edges { cursor } } }`, nil)
	e := res.Error(t)
	assert.Equal(t, "VALIDATION_FAILED", e.Extensions.Type)
	require.Len(t, e.Extensions.Fields, 2, "every violation at once")
	assert.Equal(t, []any{"first"}, e.Extensions.Fields[0].Path)
	assert.Equal(t, "max", e.Extensions.Fields[0].Rule)
	assert.Equal(t, "must be at most 100", e.Extensions.Fields[0].Message)
	assert.Equal(t, []any{"category"}, e.Extensions.Fields[1].Path)
	assert.Equal(t, "maxLength", e.Extensions.Fields[1].Rule)

	ok := listProducts(t, srv, map[string]any{"first": 100})
	assert.Len(t, ok.Edges, 14, "the bound itself is allowed")
}
