package app_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/auth"
	"github.com/faultline/faultline/internal/jwttest"
	"github.com/faultline/faultline/internal/testserver"
)

// sessionEnded is the message of TOKEN_REVOKED for an access token whose
// session is over.
var sessionEnded = apperr.New(apperr.TokenRevoked).Variant("session").Message()

// assertLive asks a protected field with an access token that must work.
func assertLive(t *testing.T, srv *testserver.Server, s session) {
	t.Helper()
	res := srv.Query(t, `{ me { id } }`, nil, bearer(s.AccessToken)...)
	require.Empty(t, res.Body.Errors, "%s", res.Raw)
	assert.Equal(t, s.User.ID, field(t, res, "me")["id"])
}

// assertEnded asks a protected field with an access token whose session is over.
func assertEnded(t *testing.T, srv *testserver.Server, s session) {
	t.Helper()
	res := srv.Query(t, probe, nil, bearer(s.AccessToken)...)
	e := res.Error(t)
	assert.Equal(t, "UNAUTHENTICATED", e.Extensions.Code)
	assert.Equal(t, "TOKEN_REVOKED", e.Extensions.Type)
	assert.Equal(t, sessionEnded, e.Message)
	assert.Equal(t, []any{"me"}, e.Path)
	assert.Len(t, field(t, res, "products")["edges"], 1, "public fields still resolve")
	assert.Contains(t, res.Header.Get("WWW-Authenticate"), `error="invalid_token"`)
}

func logout(t *testing.T, srv *testserver.Server, refreshToken string) {
	t.Helper()
	res := srv.Query(t, `mutation($t: String!) { logout(refreshToken: $t) }`, map[string]any{"t": refreshToken})
	require.Empty(t, res.Body.Errors, "%s", res.Raw)
}

// TestLogoutEndsTheSessionsAccessTokens: after logout, every access token
// of that session, the rotated ones included, is TOKEN_REVOKED from the
// next request on; another session of the same user lives on.
func TestLogoutEndsTheSessionsAccessTokens(t *testing.T) {
	srv := testserver.Start(t)
	first := loginUser(t, srv)
	rotated := mustSession(t, refresh(t, srv, first.RefreshToken), "refreshToken")
	other := loginUser(t, srv)
	assert.Equal(t, jwttest.ClaimsOf(t, first.AccessToken)["sid"], jwttest.ClaimsOf(t, rotated.AccessToken)["sid"], "one session")
	assert.NotEqual(t, jwttest.ClaimsOf(t, first.AccessToken)["sid"], jwttest.ClaimsOf(t, other.AccessToken)["sid"])
	assertLive(t, srv, first)
	assertLive(t, srv, rotated)

	logout(t, srv, rotated.RefreshToken)
	assertEnded(t, srv, first)
	assertEnded(t, srv, rotated)
	assertLive(t, srv, other)
}

// TestReuseDetectionEndsTheSessionsAccessTokens: replaying a spent refresh
// token revokes its family, and with it the family's access tokens.
func TestReuseDetectionEndsTheSessionsAccessTokens(t *testing.T) {
	srv := testserver.Start(t)
	first := loginUser(t, srv)
	rotated := mustSession(t, refresh(t, srv, first.RefreshToken), "refreshToken")
	other := loginUser(t, srv)
	assertLive(t, srv, rotated)

	e := refresh(t, srv, first.RefreshToken).Error(t)
	assert.Equal(t, "TOKEN_REVOKED", e.Extensions.Type)
	assert.Equal(t, apperr.New(apperr.TokenRevoked).Variant("reused").Message(), e.Message)
	assertEnded(t, srv, rotated)
	assertEnded(t, srv, first)
	assertLive(t, srv, other)
}

// TestASessionEndsAtItsMaxAge: however often it rotates, a session ends
// FAULTLINE_SESSION_MAX_AGE after its login. No refresh or access token of
// it expires later; a refresh after the end is TOKEN_EXPIRED "session" with
// the end as expiredAt, and its access tokens are refused, even those still
// within the clock-skew leeway of their exp.
func TestASessionEndsAtItsMaxAge(t *testing.T) {
	srv := testserver.Start(t, testserver.Env("FAULTLINE_SESSION_MAX_AGE", "2s"),
		testserver.Env("FAULTLINE_REFRESH_TTL", "1s"), testserver.Env("FAULTLINE_ACCESS_TTL", "1s"))
	s := loginUser(t, srv)
	var created time.Time
	require.NoError(t, srv.App.DB.SQL().QueryRow(`SELECT created_at FROM refresh_families WHERE id = $1`,
		jwttest.ClaimsOf(t, s.AccessToken)["sid"]).Scan(&created))
	end := created.Add(2 * time.Second)

	capped := 0
	for rotations := 0; time.Until(end) > 400*time.Millisecond; rotations++ {
		time.Sleep(300 * time.Millisecond)
		s = mustSession(t, refresh(t, srv, s.RefreshToken), "refreshToken")
		assertLive(t, srv, s)
		exp := jwttest.ClaimsOf(t, s.AccessToken)["exp"].(float64)
		assert.LessOrEqual(t, int64(exp), end.Unix(), "the access token ends with its session")
		assert.LessOrEqual(t, s.ExpiresIn, 1)
		var expires time.Time
		require.NoError(t, srv.App.DB.SQL().QueryRow(`SELECT expires_at FROM refresh_tokens WHERE hash = $1`,
			auth.HashRefreshToken(s.RefreshToken)).Scan(&expires))
		assert.False(t, expires.After(end), "rotation %d: the refresh token expires at %s, after the session's end %s", rotations, expires, end)
		if expires.Equal(end) {
			capped++
		}
	}
	assert.Positive(t, capped, "late rotations expire at the session's end, not a refresh lifetime later")

	time.Sleep(time.Until(end) + 100*time.Millisecond)
	res := refresh(t, srv, s.RefreshToken)
	e := res.Error(t)
	assert.Equal(t, "UNAUTHENTICATED", e.Extensions.Code)
	assert.Equal(t, "TOKEN_EXPIRED", e.Extensions.Type)
	assert.Equal(t, apperr.New(apperr.TokenExpired).Variant("session").Message(), e.Message)
	assert.Equal(t, end.UTC().Format(time.RFC3339), e.Extensions.Details["expiredAt"])
	assert.Equal(t, "TOKEN_EXPIRED", refresh(t, srv, s.RefreshToken).Error(t).Extensions.Type, "and again")
	assertEnded(t, srv, s)
}

// TestAProtectedRequestLooksUpUserAndSessionOnce: the session check costs
// no statement beyond the user lookup it replaces: one on PostgreSQL, none
// on SQLite once cached.
func TestAProtectedRequestLooksUpUserAndSessionOnce(t *testing.T) {
	srv := testserver.Start(t)
	s := loginUser(t, srv)
	assertLive(t, srv, s)
	before := srv.App.DB.Queries()
	assertLive(t, srv, s)
	want := int64(0)
	if srv.App.DB.Engine() == "postgres" {
		want = 1
	}
	assert.Equal(t, want, srv.App.DB.Queries()-before)
}
