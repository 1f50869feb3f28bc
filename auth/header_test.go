package auth_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/auth"
)

func TestBearerToken(t *testing.T) {
	for _, c := range []struct {
		name    string
		values  []string
		token   string
		present bool
		typ     apperr.Type
	}{
		{"no header", nil, "", false, ""},
		{"bearer", []string{"Bearer abc.def.ghi"}, "abc.def.ghi", true, ""},
		{"scheme in any case", []string{"bEaReR abc"}, "abc", true, ""},
		{"extra spaces", []string{"  Bearer    abc  "}, "abc", true, ""},
		{"empty header", []string{""}, "", true, apperr.TokenMalformed},
		{"scheme only", []string{"Bearer"}, "", true, apperr.TokenMalformed},
		{"empty bearer", []string{"Bearer   "}, "", true, apperr.TokenMalformed},
		{"basic", []string{"Basic dXNlcjpwYXNz"}, "", true, apperr.TokenMalformed},
		{"no scheme", []string{"abc.def.ghi"}, "", true, apperr.TokenMalformed},
		{"two headers", []string{"Bearer a", "Bearer b"}, "", true, apperr.TokenMalformed},
		{"too long", []string{"Bearer " + strings.Repeat("a", auth.MaxTokenBytes+1)}, "", true, apperr.TokenMalformed},
		{"refresh token", []string{"Bearer flr_abc"}, "", true, apperr.TokenTypeMismatch},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := http.Header{}
			for _, v := range c.values {
				h.Add("Authorization", v)
			}
			token, present, err := auth.BearerToken(h)
			assert.Equal(t, c.token, token)
			assert.Equal(t, c.present, present)
			if c.typ == "" {
				assert.Nil(t, err)
			} else if assert.NotNil(t, err) {
				assert.Equal(t, c.typ, err.Type)
			}
		})
	}
}
