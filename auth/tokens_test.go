package auth_test

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/auth"
	"github.com/faultline/faultline/internal/jwttest"
)

var secret = []byte(strings.Repeat("k", 32))

func tokens(t testing.TB) *auth.Tokens {
	t.Helper()
	tk, err := auth.NewTokens(secret, "faultline", "faultline", 15*time.Minute)
	require.NoError(t, err)
	return tk
}

func TestSecretsShorterThan32BytesAreRefused(t *testing.T) {
	_, err := auth.NewTokens(secret[:31], "i", "a", time.Minute)
	assert.ErrorContains(t, err, "at least 32")
}

func TestIssuedTokensVerify(t *testing.T) {
	tk := tokens(t)
	raw, life, err := tk.Issue(&auth.User{ID: "u1", Role: auth.RoleAdmin}, "f1", time.Now().Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 15*time.Minute, life)
	parsed, _, err := jwt.NewParser().ParseUnverified(raw, &auth.Claims{})
	require.NoError(t, err)
	assert.Equal(t, "at+jwt", parsed.Header["typ"])
	assert.Equal(t, "HS256", parsed.Header["alg"])

	c, bad := tk.Verify(raw)
	require.Nil(t, bad)
	assert.Equal(t, "u1", c.Subject)
	assert.Equal(t, "f1", c.SessionID, "sid")
	assert.Equal(t, auth.RoleAdmin, c.Role)
	assert.Equal(t, "faultline", c.Issuer)
	assert.Equal(t, jwt.ClaimStrings{"faultline"}, c.Audience)
	assert.Len(t, c.ID, 32, "jti")
	assert.WithinDuration(t, time.Now().Add(15*time.Minute), c.ExpiresAt.Time, 2*time.Second)

	other, _, err := tk.Issue(&auth.User{ID: "u1", Role: auth.RoleAdmin}, "f1", time.Now().Add(time.Hour))
	require.NoError(t, err)
	assert.NotEqual(t, raw, other, "every token has its own jti")
}

// TestAnAccessTokenNeverOutlivesItsSession: exp is the TTL's end or the
// session's, whichever comes first, in whole seconds that never pass it.
func TestAnAccessTokenNeverOutlivesItsSession(t *testing.T) {
	tk := tokens(t)
	end := time.Now().Add(90 * time.Second)
	raw, life, err := tk.Issue(&auth.User{ID: "u1", Role: auth.RoleUser}, "f1", end)
	require.NoError(t, err)
	assert.InDelta(t, 90, life.Seconds(), 1)
	c, bad := tk.Verify(raw)
	require.Nil(t, bad)
	assert.False(t, c.ExpiresAt.After(end), "exp %s is not after the session's end %s", c.ExpiresAt, end)
	assert.WithinDuration(t, end, c.ExpiresAt.Time, time.Second)

	_, life, err = tk.Issue(&auth.User{ID: "u1", Role: auth.RoleUser}, "f1", time.Now().Add(-time.Minute))
	require.NoError(t, err)
	assert.Zero(t, life, "a session already over issues nothing that lives")
}

func good(now time.Time) jwt.MapClaims {
	return jwt.MapClaims{"iss": "faultline", "aud": "faultline", "sub": "u1", "sid": "f1", "role": "USER",
		"iat": now.Add(-time.Minute).Unix(), "exp": now.Add(time.Hour).Unix(), "jti": "j"}
}

func TestVerifyNamesExactlyOneTypePerFault(t *testing.T) {
	tk := tokens(t)
	now := time.Now()
	hs256 := func(c jwt.MapClaims) string { return jwttest.Sign(t, jwt.SigningMethodHS256, secret, "at+jwt", c) }
	expired := jwttest.With(good(now), "exp", now.Add(-time.Hour).Unix())
	for _, c := range []struct {
		name  string
		token string
		typ   apperr.Type
		claim string
	}{
		{"garbage", "garbage", apperr.TokenMalformed, ""},
		{"two segments", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9", apperr.TokenMalformed, ""},
		{"bad base64", "eyJhbGciOiJIUzI1NiJ9.%%%.abc", apperr.TokenMalformed, ""},
		{"alg none", jwttest.Sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "at+jwt", good(now)), apperr.TokenSignatureInvalid, ""},
		{"wrong secret", jwttest.Sign(t, jwt.SigningMethodHS256, []byte(strings.Repeat("x", 32)), "at+jwt", good(now)), apperr.TokenSignatureInvalid, ""},
		{"HS384", jwttest.Sign(t, jwt.SigningMethodHS384, secret, "at+jwt", good(now)), apperr.TokenSignatureInvalid, ""},
		{"HS512", jwttest.Sign(t, jwt.SigningMethodHS512, secret, "at+jwt", good(now)), apperr.TokenSignatureInvalid, ""},
		{"expired and badly signed", jwttest.Sign(t, jwt.SigningMethodHS256, []byte(strings.Repeat("x", 32)), "at+jwt", expired), apperr.TokenSignatureInvalid, ""},
		{"no typ", jwttest.Sign(t, jwt.SigningMethodHS256, secret, "", good(now)), apperr.TokenTypeMismatch, ""},
		{"typ JWT", jwttest.Sign(t, jwt.SigningMethodHS256, secret, "JWT", good(now)), apperr.TokenTypeMismatch, ""},
		{"expired", hs256(expired), apperr.TokenExpired, ""},
		{"nbf in the future", hs256(jwttest.With(good(now), "nbf", now.Add(time.Hour).Unix())), apperr.TokenNotYetValid, ""},
		{"iat in the future", hs256(jwttest.With(good(now), "iat", now.Add(time.Hour).Unix())), apperr.TokenNotYetValid, ""},
		{"no exp", hs256(jwttest.With(good(now), "exp", nil)), apperr.TokenClaimsInvalid, "exp"},
		{"no iss", hs256(jwttest.With(good(now), "iss", nil)), apperr.TokenClaimsInvalid, "iss"},
		{"wrong iss", hs256(jwttest.With(good(now), "iss", "evil")), apperr.TokenClaimsInvalid, "iss"},
		{"wrong aud", hs256(jwttest.With(good(now), "aud", "other")), apperr.TokenClaimsInvalid, "aud"},
		{"no sub", hs256(jwttest.With(good(now), "sub", nil)), apperr.TokenClaimsInvalid, "sub"},
		{"no sid", hs256(jwttest.With(good(now), "sid", nil)), apperr.TokenClaimsInvalid, "sid"},
		{"empty sid", hs256(jwttest.With(good(now), "sid", "")), apperr.TokenClaimsInvalid, "sid"},
		{"sid not a string", hs256(jwttest.With(good(now), "sid", 42)), apperr.TokenMalformed, ""},
		{"expired without sid", hs256(jwttest.With(expired, "sid", nil)), apperr.TokenExpired, ""},
		{"bad role", hs256(jwttest.With(good(now), "role", "ROOT")), apperr.TokenClaimsInvalid, "role"},
		{"too long", strings.Repeat("a", auth.MaxTokenBytes+1), apperr.TokenMalformed, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			claims, bad := tk.Verify(c.token)
			assert.Nil(t, claims)
			require.NotNil(t, bad)
			assert.Equal(t, c.typ, bad.Type)
			if c.claim != "" {
				assert.Equal(t, c.claim, bad.Details["claim"])
			}
		})
	}

	_, bad := tk.Verify(hs256(expired))
	assert.Equal(t, time.Unix(expired["exp"].(int64), 0).UTC().Format(time.RFC3339), bad.Details["expiredAt"])

	// A little clock skew is tolerated.
	c, bad := tk.Verify(hs256(jwttest.With(good(now), "iat", now.Add(5*time.Second).Unix())))
	assert.Nil(t, bad)
	assert.NotNil(t, c)
	_, bad = tk.Verify(jwttest.Sign(t, jwt.SigningMethodHS256, secret, "application/at+jwt", good(now)))
	assert.Nil(t, bad, "RFC 9068's long form of the typ")
}

// BenchmarkVerify measures verifying an access token, valid and not.
// Figures: docs/benchmarks.md.
func BenchmarkVerify(b *testing.B) {
	tk := tokens(b)
	now := time.Now()
	valid, _, _ := tk.Issue(&auth.User{ID: "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b", Role: auth.RoleUser}, "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6c", now.Add(time.Hour))
	for _, c := range []struct{ name, token string }{
		{"valid", valid},
		{"expired", jwttest.Sign(b, jwt.SigningMethodHS256, secret, "at+jwt", jwttest.With(good(now), "exp", now.Add(-time.Hour).Unix()))},
		{"bad-signature", jwttest.Sign(b, jwt.SigningMethodHS256, []byte(strings.Repeat("x", 32)), "at+jwt", good(now))},
		{"garbage", "garbage.garbage.garbage"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				tk.Verify(c.token)
			}
		})
	}
}
