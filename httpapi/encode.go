package httpapi

import (
	"encoding/json"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// encode writes the envelope of resp: errors first, then data (left out
// when the operation never ran), then extensions. The engine wrote data
// itself, as valid JSON, so it is copied as it is; errors are written by
// hand in the catalog's key order (code, type, status, requestId, details,
// fields, retryAfter), which spares encoding/json's reflection and key
// sorting on every error response. Values of unknown shape go through
// encoding/json.
func encode(resp *graphql.Response) ([]byte, error) {
	size := len(resp.Data) + 16 + 256*len(resp.Errors)
	b := make([]byte, 0, size)
	b = append(b, '{')
	if len(resp.Errors) > 0 {
		b = append(b, `"errors":[`...)
		for i, e := range resp.Errors {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendError(b, e); err != nil {
				return nil, err
			}
		}
		b = append(b, ']')
	}
	if len(resp.Data) > 0 {
		if len(resp.Errors) > 0 {
			b = append(b, ',')
		}
		b = append(b, `"data":`...)
		b = append(b, resp.Data...)
	}
	if len(resp.Extensions) > 0 {
		ext, err := json.Marshal(resp.Extensions)
		if err != nil {
			return nil, err
		}
		b = append(b, `,"extensions":`...)
		b = append(b, ext...)
	}
	return append(b, '}'), nil
}

// extensionOrder is the order of the envelope's keys; others follow, sorted.
var extensionOrder = []string{"code", "type", "status", "requestId", "details", "fields", "retryAfter"}

func appendError(b []byte, e *gqlerror.Error) ([]byte, error) {
	b = append(b, `{"message":`...)
	b = appendString(b, e.Message)
	if len(e.Path) > 0 {
		b = append(b, `,"path":[`...)
		for i, p := range e.Path {
			if i > 0 {
				b = append(b, ',')
			}
			switch p := p.(type) {
			case ast.PathIndex:
				b = strconv.AppendInt(b, int64(p), 10)
			case ast.PathName:
				b = appendString(b, string(p))
			}
		}
		b = append(b, ']')
	}
	if len(e.Locations) > 0 {
		b = append(b, `,"locations":[`...)
		for i, l := range e.Locations {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '{')
			sep := false
			if l.Line != 0 {
				b = append(b, `"line":`...)
				b = strconv.AppendInt(b, int64(l.Line), 10)
				sep = true
			}
			if l.Column != 0 {
				if sep {
					b = append(b, ',')
				}
				b = append(b, `"column":`...)
				b = strconv.AppendInt(b, int64(l.Column), 10)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if len(e.Extensions) > 0 {
		b = append(b, `,"extensions":{`...)
		first := true
		var err error
		for _, k := range extensionOrder {
			if v, ok := e.Extensions[k]; ok {
				if b, err = appendMember(b, k, v, &first); err != nil {
					return nil, err
				}
			}
		}
		if len(e.Extensions) > countKnown(e.Extensions) {
			var others []string
			for k := range e.Extensions {
				if !slices.Contains(extensionOrder, k) {
					others = append(others, k)
				}
			}
			slices.Sort(others)
			for _, k := range others {
				if b, err = appendMember(b, k, e.Extensions[k], &first); err != nil {
					return nil, err
				}
			}
		}
		b = append(b, '}')
	}
	return append(b, '}'), nil
}

func countKnown(ext map[string]any) int {
	n := 0
	for _, k := range extensionOrder {
		if _, ok := ext[k]; ok {
			n++
		}
	}
	return n
}

func appendMember(b []byte, key string, v any, first *bool) ([]byte, error) {
	if !*first {
		b = append(b, ',')
	}
	*first = false
	b = appendString(b, key)
	b = append(b, ':')
	return appendValue(b, v)
}

// appendValue appends a details value: strings, ints, lists of strings and
// maps of those by hand, anything else through encoding/json.
func appendValue(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case string:
		return appendString(b, v), nil
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case []string:
		b = append(b, '[')
		for i, s := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, s)
		}
		return append(b, ']'), nil
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			var err error
			if b, err = appendValue(b, v[k]); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	default:
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		return append(b, raw...), nil
	}
}

const hex = "0123456789abcdef"

// appendString appends s as a JSON string: quotes, backslashes and control
// characters escaped, invalid UTF-8 replaced by U+FFFD, as encoding/json
// does (without its HTML escaping, which a JSON API does not need).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
