// Package page is how every list of faultline is cut into pages: the page
// sizes, the arguments of a page, a page of results, and opaque cursors.
package page

import (
	"encoding/base64"
	"strings"

	"github.com/faultline/faultline/apperr"
)

// Page sizes of every list: first defaults to DefaultPageSize and may not
// exceed MaxPageSize (the schema's @constraint on first says the same, and
// a test holds the two together).
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// Args asks for one page of a list: First items after the cursor After.
type Args struct {
	First int
	After *string // nil for the first page
}

// Page is one page of a list, in list order.
type Page[T any] struct {
	Items       []T
	HasNextPage bool
	HasPrevious bool
}

// maxCursorLen bounds the cursors we are willing to decode.
const maxCursorLen = 256

// EncodeCursor makes the opaque cursor of the item with this key in a list
// of this kind; cursors of one kind are refused by lists of another.
func EncodeCursor(kind, key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + key))
}

// DecodeCursor returns the key held by a cursor of this kind, or
// BAD_USER_INPUT / INVALID_CURSOR.
func DecodeCursor(kind, cursor string) (string, error) {
	invalid := apperr.New(apperr.InvalidCursor).With("argument", "after")
	if len(cursor) > maxCursorLen {
		return "", invalid
	}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return "", invalid
	}
	key, ok := strings.CutPrefix(string(raw), kind+":")
	if !ok || key == "" {
		return "", invalid
	}
	return key, nil
}

// Cut makes the page of a list read with limit First+1 (one more than asked,
// to learn whether more follow).
func Cut[T any](items []T, args Args) Page[T] {
	p := Page[T]{HasPrevious: args.After != nil}
	if len(items) > args.First {
		items, p.HasNextPage = items[:args.First], true
	}
	p.Items = items
	return p
}
