// Package page is how every list of faultline is cut into pages: the page
// sizes, the arguments of a page, a page of results, and opaque cursors.
package page

import (
	"encoding/base64"
	"strings"
	"unicode"
	"unicode/utf8"

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

// NewArgs reads a connection field's first and after: first defaults to
// DefaultPageSize and must be 1 to MaxPageSize.
func NewArgs(first *int, after *string) (Args, error) {
	args := Args{First: DefaultPageSize, After: after}
	if first != nil {
		args.First = *first
	}
	return args, args.Valid()
}

// Valid is nil when First is 1 to MaxPageSize and After is not absurdly
// long, and BAD_USER_INPUT / VALIDATION_FAILED (or INVALID_CURSOR)
// otherwise. Every list checks it, whatever the schema already checked.
func (a Args) Valid() error {
	var c apperr.Check
	c.Range([]any{"first"}, a.First, 1, MaxPageSize)
	if err := c.Err(); err != nil {
		return err
	}
	if a.After != nil && len(*a.After) > maxCursorLen {
		return invalidCursor()
	}
	return nil
}

func invalidCursor() *apperr.Error { return apperr.New(apperr.InvalidCursor).With("argument", "after") }

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
// BAD_USER_INPUT / INVALID_CURSOR. A key is printable UTF-8, as every key
// of ours is: anything else (a NUL, broken UTF-8) could not even be compared
// with the database's keys.
func DecodeCursor(kind, cursor string) (string, error) {
	if len(cursor) > maxCursorLen {
		return "", invalidCursor()
	}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return "", invalidCursor()
	}
	key, ok := strings.CutPrefix(string(raw), kind+":")
	if !ok || key == "" || !printable(key) {
		return "", invalidCursor()
	}
	return key, nil
}

func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
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
