package app_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/internal/jwttest"
	"github.com/faultline/faultline/internal/testserver"
)

// probe asks a protected field and a public one in one operation.
const probe = `query Probe { me { id } products(first: 1) { edges { cursor } } }`

// TestBearerAttackList sends every malformed, forged or misused bearer
// token of the list through real HTTP. Each one fails the protected
// field with its own type, lets the public field resolve, answers with the
// right WWW-Authenticate challenge, and is logged under the request id.
func TestBearerAttackList(t *testing.T) {
	srv := testserver.Start(t)
	secret := srv.App.Config.JWTSecret
	user := loginUser(t, srv)
	other := loginAdmin(t, srv)
	now := time.Now()
	// A real token's claims (its sub and sid: a live session) with forged times.
	valid := jwttest.ClaimsOf(t, user.AccessToken)
	valid["iat"], valid["exp"], valid["jti"] = now.Add(-time.Minute).Unix(), now.Add(time.Hour).Unix(), "attack"
	hs256 := func(c jwt.MapClaims) string { return jwttest.Sign(t, jwt.SigningMethodHS256, secret, "at+jwt", c) }
	require.Empty(t, srv.Query(t, probe, nil, bearer(hs256(valid))...).Body.Errors, "the forged token is valid before each fault")
	wrongKey := []byte(strings.Repeat("w", 32))
	expired := jwttest.With(valid, "exp", now.Add(-time.Hour).Unix())

	// The payload of a real token, re-encoded with role ADMIN, keeping the signature.
	parts := strings.Split(user.AccessToken, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(payload), `"role":"USER"`, `"role":"ADMIN"`, 1))) + "." + parts[2]
	require.NotEqual(t, user.AccessToken, tampered)

	alg := func(header string) string {
		return base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + strings.Split(hs256(valid), ".")[1] + "."
	}

	type want struct {
		typ, code string
		status    int
	}
	missing := want{"TOKEN_MISSING", "UNAUTHENTICATED", 401}
	malformedTok := want{"TOKEN_MALFORMED", "UNAUTHENTICATED", 401}
	badSig := want{"TOKEN_SIGNATURE_INVALID", "UNAUTHENTICATED", 401}
	for _, c := range []struct {
		name    string
		headers []string // Authorization values; nil sends none
		want    want
		detail  map[string]any
	}{
		{"no header", nil, missing, nil},
		{"other scheme", []string{"Token " + user.AccessToken}, malformedTok, nil},
		{"Basic scheme", []string{"Basic dXNlckBmYXVsdGxpbmUuZGV2OnB3"}, malformedTok, nil},
		{"empty bearer", []string{"Bearer "}, malformedTok, nil},
		{"empty header", []string{""}, malformedTok, nil},
		{"garbage", []string{"Bearer garbage"}, malformedTok, nil},
		{"two segments", []string{"Bearer " + parts[0] + "." + parts[1]}, malformedTok, nil},
		{"bad base64", []string{"Bearer " + parts[0] + ".!!!not-base64!!!." + parts[2]}, malformedTok, nil},
		{"100 KB token", []string{"Bearer " + strings.Repeat("a", 100<<10)}, malformedTok, nil},
		{"two Authorization headers", []string{"Bearer " + user.AccessToken, "Bearer " + user.AccessToken}, malformedTok, nil},
		{"alg none", []string{"Bearer " + alg(`{"alg":"none","typ":"at+jwt"}`)}, badSig, nil},
		{"alg none, signed by the library", []string{"Bearer " + jwttest.Sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "at+jwt", valid)}, badSig, nil},
		{"HS256 with a wrong secret", []string{"Bearer " + jwttest.Sign(t, jwt.SigningMethodHS256, wrongKey, "at+jwt", valid)}, badSig, nil},
		{"tampered payload", []string{"Bearer " + tampered}, badSig, nil},
		{"HS384 while HS256 is pinned", []string{"Bearer " + jwttest.Sign(t, jwt.SigningMethodHS384, secret, "at+jwt", valid)}, badSig, nil},
		{"HS512 while HS256 is pinned", []string{"Bearer " + jwttest.Sign(t, jwt.SigningMethodHS512, secret, "at+jwt", valid)}, badSig, nil},
		{"expired and badly signed", []string{"Bearer " + jwttest.Sign(t, jwt.SigningMethodHS256, wrongKey, "at+jwt", expired)}, badSig, nil},
		{"expired", []string{"Bearer " + hs256(expired)}, want{"TOKEN_EXPIRED", "UNAUTHENTICATED", 401},
			map[string]any{"expiredAt": time.Unix(expired["exp"].(int64), 0).UTC().Format(time.RFC3339)}},
		{"nbf in the future", []string{"Bearer " + hs256(jwttest.With(valid, "nbf", now.Add(time.Hour).Unix()))}, want{"TOKEN_NOT_YET_VALID", "UNAUTHENTICATED", 401}, nil},
		{"iat in the future", []string{"Bearer " + hs256(jwttest.With(valid, "iat", now.Add(time.Hour).Unix()))}, want{"TOKEN_NOT_YET_VALID", "UNAUTHENTICATED", 401}, nil},
		{"missing exp", []string{"Bearer " + hs256(jwttest.With(valid, "exp", nil))}, want{"TOKEN_CLAIMS_INVALID", "UNAUTHENTICATED", 401}, map[string]any{"claim": "exp"}},
		{"wrong iss", []string{"Bearer " + hs256(jwttest.With(valid, "iss", "someone-else"))}, want{"TOKEN_CLAIMS_INVALID", "UNAUTHENTICATED", 401}, map[string]any{"claim": "iss"}},
		{"wrong aud", []string{"Bearer " + hs256(jwttest.With(valid, "aud", "another-api"))}, want{"TOKEN_CLAIMS_INVALID", "UNAUTHENTICATED", 401}, map[string]any{"claim": "aud"}},
		{"wrong typ", []string{"Bearer " + jwttest.Sign(t, jwt.SigningMethodHS256, secret, "JWT", valid)}, want{"TOKEN_TYPE_MISMATCH", "UNAUTHENTICATED", 401}, map[string]any{"expected": "access"}},
		{"no typ", []string{"Bearer " + jwttest.Sign(t, jwt.SigningMethodHS256, secret, "", valid)}, want{"TOKEN_TYPE_MISMATCH", "UNAUTHENTICATED", 401}, nil},
		{"refresh token as bearer", []string{"Bearer " + user.RefreshToken}, want{"TOKEN_TYPE_MISMATCH", "UNAUTHENTICATED", 401}, map[string]any{"expected": "access"}},
		{"a sub that never existed", []string{"Bearer " + hs256(jwttest.With(valid, "sub", "00000000-0000-7000-8000-000000000000"))}, want{"TOKEN_REVOKED", "UNAUTHENTICATED", 401}, nil},
		{"missing sid", []string{"Bearer " + hs256(jwttest.With(valid, "sid", nil))}, want{"TOKEN_CLAIMS_INVALID", "UNAUTHENTICATED", 401}, map[string]any{"claim": "sid"}},
		{"a sid that never existed", []string{"Bearer " + hs256(jwttest.With(valid, "sid", "00000000-0000-7000-8000-000000000000"))}, want{"TOKEN_REVOKED", "UNAUTHENTICATED", 401}, nil},
		{"another user's sid", []string{"Bearer " + hs256(jwttest.With(valid, "sid", jwttest.ClaimsOf(t, other.AccessToken)["sid"]))}, want{"TOKEN_REVOKED", "UNAUTHENTICATED", 401}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			rid := fmt.Sprintf("attack-%d", time.Now().UnixNano())
			headers := []string{"X-Request-ID", rid}
			for _, h := range c.headers {
				headers = append(headers, "Authorization", h)
			}
			res := srv.Query(t, probe, nil, headers...)
			e := res.Error(t)
			assert.Equal(t, c.want.code, e.Extensions.Code)
			assert.Equal(t, c.want.typ, e.Extensions.Type)
			assert.Equal(t, c.want.status, e.Extensions.Status)
			assert.Equal(t, []any{"me"}, e.Path)
			for k, v := range c.detail {
				assert.Equal(t, v, e.Extensions.Details[k], "details.%s", k)
			}
			assert.Equal(t, http.StatusOK, res.Status, "partial data")
			assert.JSONEq(t, "null", string(res.Body.Data["me"]))
			assert.Len(t, field(t, res, "products")["edges"], 1, "the public field still resolves")

			challenge := res.Header.Get("WWW-Authenticate")
			if c.headers == nil {
				assert.Equal(t, `Bearer realm="faultline"`, challenge)
			} else {
				assert.Equal(t, `Bearer realm="faultline", error="invalid_token", error_description="`+e.Message+`"`, challenge)
			}

			line := logLine(t, srv, rid)
			assert.Equal(t, c.want.code+"/"+c.want.typ, line["errors"])
			assert.Equal(t, "Probe", line["operation"])
		})
	}
}

func TestValidTokenPassesAndCarriesNoChallenge(t *testing.T) {
	srv := testserver.Start(t)
	user := loginUser(t, srv)
	res := srv.Query(t, probe, nil, bearer(user.AccessToken)...)
	require.Empty(t, res.Body.Errors, "%s", res.Raw)
	assert.Equal(t, user.User.ID, field(t, res, "me")["id"])
	assert.Empty(t, res.Header.Get("WWW-Authenticate"))

	// A bad token on a request that asks only public fields fails nothing.
	res = srv.Query(t, `{ products(first: 1) { edges { cursor } } }`, nil, bearer("garbage")...)
	assert.Empty(t, res.Body.Errors)
	assert.Empty(t, res.Header.Get("WWW-Authenticate"))
}

func TestStrictModeAnswers401ForAWholeOperationTokenFailure(t *testing.T) {
	srv := testserver.Start(t, testserver.Env("FAULTLINE_HTTP_STATUS", "strict"))
	res := srv.Query(t, `{ me { id } }`, nil)
	assert.Equal(t, "TOKEN_MISSING", res.Error(t).Extensions.Type)
	assert.Equal(t, http.StatusUnauthorized, res.Status)
	assert.Equal(t, `Bearer realm="faultline"`, res.Header.Get("WWW-Authenticate"))

	res = srv.Query(t, `{ me { id } }`, nil, bearer("garbage")...)
	assert.Equal(t, http.StatusUnauthorized, res.Status)
	assert.Contains(t, res.Header.Get("WWW-Authenticate"), `error="invalid_token"`)

	res = srv.Query(t, probe, nil, bearer("garbage")...)
	assert.Equal(t, http.StatusOK, res.Status, "with public data beside it, still 200")
}
