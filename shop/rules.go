package shop

import (
	"strings"

	"github.com/faultline/faultline/apperr"
)

// The shop's input rules. The schema declares the same bounds with
// @constraint, so that clients see them, and checks them first; the domain
// checks them again, so that a value that slipped past the schema still ends
// as BAD_USER_INPUT / VALIDATION_FAILED rather than a database CHECK (a test
// holds the two declarations together). Paths start at the argument name, as
// the schema's.
const (
	MinProductName, MaxProductName = 3, 50
	MaxPriceCents                  = 10_000_000
	MaxCategories, MaxCategory     = 10, 30
	MaxBanReason                   = 500
	MaxOrderLines, MaxQuantity     = 50, 100
	MaxTopUpCents                  = 1_000_000
)

// check validates a product's fields (trimmed as they will be stored).
func (in ProductInput) check() error {
	var c apperr.Check
	c.Length([]any{"input", "name"}, strings.TrimSpace(in.Name), MinProductName, MaxProductName)
	c.Range([]any{"input", "priceCents"}, in.PriceCents, 1, MaxPriceCents)
	c.Items([]any{"input", "categories"}, len(in.Categories), 1, MaxCategories)
	if len(in.Categories) <= MaxCategories {
		for i, cat := range in.Categories {
			c.Length([]any{"input", "categories", i}, cat, 1, MaxCategory)
		}
	}
	return c.Err()
}

// checkLines validates an order's lines; a list over its bound is reported
// without judging each of its entries.
func checkLines(lines []LineInput) error {
	var c apperr.Check
	c.Items([]any{"input", "items"}, len(lines), 1, MaxOrderLines)
	if len(lines) <= MaxOrderLines {
		for i, l := range lines {
			c.Length([]any{"input", "items", i, "productId"}, l.ProductID, 1, maxID)
			c.Range([]any{"input", "items", i, "quantity"}, l.Quantity, 1, MaxQuantity)
		}
	}
	return c.Err()
}

// maxID bounds the ids the domain looks up; every id it makes is a
// 36-character UUID.
const maxID = 64
