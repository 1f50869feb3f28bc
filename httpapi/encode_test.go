package httpapi

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/faultline/faultline/apperr"
)

// TestEncodeMatchesEncodingJSON: the hand-written envelope decodes to what
// encoding/json's would, strings with every kind of character included.
func TestEncodeMatchesEncodingJSON(t *testing.T) {
	strange := "quote \" backslash \\ newline \n tab \t nul \x00 bell \x07 <html> & é 漢字 \u2028 bad \xff end"
	resp := &graphql.Response{
		Data: json.RawMessage(`{"a":null,"b":{"c":[1,2]}}`),
		Errors: gqlerror.List{
			{
				Message:   strange,
				Path:      ast.Path{ast.PathName("products"), ast.PathIndex(2), ast.PathName(strange)},
				Locations: []gqlerror.Location{{Line: 1, Column: 3}, {Line: 4}},
				Extensions: map[string]any{
					"code": "NOT_FOUND", "type": "RESOURCE_NOT_FOUND", "status": 404, "requestId": "r1",
					"details":    map[string]any{"resource": "Product", "id": strange, "n": 3, "list": []string{"a"}},
					"fields":     []apperr.FieldViolation{apperr.Violation([]any{"input", 2}, "max", map[string]any{"limit": 100})},
					"retryAfter": 2,
					"zeta":       true,
					"alpha":      map[string]int{"x": 1},
				},
			},
			{Message: "bare"},
		},
		Extensions: map[string]any{"cost": 3},
	}
	got, err := encode(resp)
	require.NoError(t, err)
	require.True(t, json.Valid(got), "%s", got)
	want, err := json.Marshal(envelope{Errors: resp.Errors, Data: resp.Data, Extensions: resp.Extensions})
	require.NoError(t, err)
	var a, b any
	require.NoError(t, json.Unmarshal(got, &a))
	require.NoError(t, json.Unmarshal(want, &b))
	assert.Equal(t, b, a)
	assert.True(t, strings.HasPrefix(string(got), `{"errors":[{"message":`), "errors come first")
	assert.Contains(t, string(got), `"extensions":{"code":"NOT_FOUND","type":"RESOURCE_NOT_FOUND","status":404,"requestId":"r1","details":`)

	ok, err := encode(&graphql.Response{Data: json.RawMessage(`{"x":1}`)})
	require.NoError(t, err)
	assert.Equal(t, `{"data":{"x":1}}`, string(ok))
	onlyErrors, err := encode(&graphql.Response{Errors: gqlerror.List{{Message: "m"}}})
	require.NoError(t, err)
	assert.Equal(t, `{"errors":[{"message":"m"}]}`, string(onlyErrors), "no data key when nothing ran")
}

func BenchmarkEncode(b *testing.B) {
	resp := &graphql.Response{
		Data: json.RawMessage(`{"me":null}`),
		Errors: gqlerror.List{{
			Message: "The token has expired", Path: ast.Path{ast.PathName("me")}, Locations: []gqlerror.Location{{Line: 1, Column: 3}},
			Extensions: map[string]any{"code": "UNAUTHENTICATED", "type": "TOKEN_EXPIRED", "status": 401, "requestId": "2f1c0c9e6b7d4a51",
				"details": map[string]any{"expiredAt": "2026-11-21T10:15:00Z"}},
		}},
	}
	b.Run("hand-written", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = encode(resp)
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = json.Marshal(envelope{Errors: resp.Errors, Data: resp.Data})
		}
	})
}
