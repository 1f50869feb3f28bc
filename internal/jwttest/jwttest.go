// Package jwttest forges JWTs for tests: any method, key, typ header and
// claims, the way an attacker or a careless client might.
package jwttest

import (
	"maps"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"
)

// Sign signs claims with method and key; typ is the typ header, left out
// when empty.
func Sign(t testing.TB, method jwt.SigningMethod, key any, typ string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if typ == "" {
		delete(tok.Header, "typ")
	} else {
		tok.Header["typ"] = typ
	}
	s, err := tok.SignedString(key)
	require.NoError(t, err)
	return s
}

// With returns a copy of c with claim k set to v, or removed when v is nil.
func With(c jwt.MapClaims, k string, v any) jwt.MapClaims {
	out := maps.Clone(c)
	if out == nil {
		out = jwt.MapClaims{}
	}
	if v == nil {
		delete(out, k)
	} else {
		out[k] = v
	}
	return out
}

// ClaimsOf returns the claims of a token, unverified: a real token's sub and
// sid (a live session) to forge valid tokens from.
func ClaimsOf(t testing.TB, token string) jwt.MapClaims {
	t.Helper()
	claims := jwt.MapClaims{}
	_, _, err := jwt.NewParser().ParseUnverified(token, claims)
	require.NoError(t, err)
	return claims
}
