package auth_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/auth"
)

// sessions is a SessionLoader over one user and one family.
type sessions struct {
	user   *auth.User
	family *auth.Family
	calls  int
}

func (s *sessions) SessionUser(_ context.Context, userID, familyID string) (*auth.User, *auth.Family, error) {
	s.calls++
	if s.user == nil || s.user.ID != userID {
		return nil, nil, nil
	}
	if s.family == nil || s.family.ID != familyID || s.family.UserID != userID {
		return s.user, nil, nil
	}
	return s.user, s.family, nil
}

func authenticate(a *auth.Authenticator, token string) (*auth.Principal, error) {
	r := httptest.NewRequest("POST", "/query", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	return a.Authenticate(a.WithRequest(context.Background(), r))
}

// TestAnAccessTokenEndsWithItsSession: the per-request lookup refuses a
// token whose session was revoked, is past its absolute lifetime, or does
// not exist, as TOKEN_REVOKED "session"; a suspended or deleted user keeps
// their own answer.
func TestAnAccessTokenEndsWithItsSession(t *testing.T) {
	tk := tokens(t)
	user := &auth.User{ID: "u1", Role: auth.RoleUser}
	started := time.Now().Add(-time.Hour)
	raw, _, err := tk.Issue(user, "f1", time.Now().Add(time.Hour))
	require.NoError(t, err)
	session := apperr.New(apperr.TokenRevoked).Variant("session").Message()
	revoked := time.Now()

	for _, c := range []struct {
		name    string
		user    *auth.User
		family  *auth.Family
		maxAge  time.Duration
		typ     apperr.Type
		message string
	}{
		{"a live session", user, &auth.Family{ID: "f1", UserID: "u1", CreatedAt: started}, 0, "", ""},
		{"a revoked session", user, &auth.Family{ID: "f1", UserID: "u1", CreatedAt: started, RevokedAt: &revoked}, 0, apperr.TokenRevoked, session},
		{"a session past its absolute lifetime", user, &auth.Family{ID: "f1", UserID: "u1", CreatedAt: started}, time.Hour, apperr.TokenRevoked, session},
		{"a session past the default lifetime", user, &auth.Family{ID: "f1", UserID: "u1", CreatedAt: time.Now().Add(-auth.DefaultSessionMaxAge)}, 0, apperr.TokenRevoked, session},
		{"a session that does not exist", user, nil, 0, apperr.TokenRevoked, session},
		{"another user's session", user, &auth.Family{ID: "f1", UserID: "u2", CreatedAt: started}, 0, apperr.TokenRevoked, session},
		{"a suspended user", &auth.User{ID: "u1", Role: auth.RoleUser, Suspended: true}, &auth.Family{ID: "f1", UserID: "u1", CreatedAt: started, RevokedAt: &revoked}, 0,
			apperr.UserSuspended, apperr.New(apperr.UserSuspended).Message()},
		{"a deleted user", nil, nil, 0, apperr.TokenRevoked, apperr.New(apperr.TokenRevoked).Variant("no_user").Message()},
	} {
		t.Run(c.name, func(t *testing.T) {
			loader := &sessions{user: c.user, family: c.family}
			a := &auth.Authenticator{Tokens: tk, Sessions: loader, SessionMaxAge: c.maxAge}
			p, err := authenticate(a, raw)
			assert.Equal(t, 1, loader.calls, "one lookup")
			if c.typ == "" {
				require.NoError(t, err)
				assert.Equal(t, "u1", p.UserID)
				return
			}
			assert.Nil(t, p)
			ae, ok := errors.AsType[*apperr.Error](err)
			require.True(t, ok, "%v", err)
			assert.Equal(t, c.typ, ae.Type)
			assert.Equal(t, c.message, ae.Message())
		})
	}
}

// TestWithTokenReadsConnectionInitsAuthorization: a WebSocket's token
// comes as one "Bearer <token>" value, read as the header is; none at all
// is TOKEN_MISSING worded for connection_init.
func TestWithTokenReadsConnectionInitsAuthorization(t *testing.T) {
	tk := tokens(t)
	user := &auth.User{ID: "u1", Role: auth.RoleUser}
	raw, _, err := tk.Issue(user, "f1", time.Now().Add(time.Hour))
	require.NoError(t, err)
	loader := &sessions{user: user, family: &auth.Family{ID: "f1", UserID: "u1", CreatedAt: time.Now()}}
	a := &auth.Authenticator{Tokens: tk, Sessions: loader}

	for _, c := range []struct {
		name, value string
		typ         apperr.Type
		variant     string
	}{
		{"a bearer token", "Bearer " + raw, "", ""},
		{"the scheme in any case", "bearer " + raw, "", ""},
		{"none", "", apperr.TokenMissing, "connection_init"},
		{"another scheme", "Basic " + raw, apperr.TokenMalformed, ""},
		{"no scheme", raw, apperr.TokenMalformed, ""},
		{"a refresh token", "Bearer flr_x", apperr.TokenTypeMismatch, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := a.Authenticate(a.WithToken(context.Background(), c.value))
			if c.typ == "" {
				require.NoError(t, err)
				assert.Equal(t, "u1", p.UserID)
				claims, bad := tk.Verify(raw)
				require.Nil(t, bad)
				assert.Equal(t, claims.ExpiresAt.Time, p.Expires, "the principal knows its token's exp")
				return
			}
			ae, ok := errors.AsType[*apperr.Error](err)
			require.True(t, ok, "%v", err)
			assert.Equal(t, c.typ, ae.Type)
			if c.variant != "" {
				assert.Equal(t, apperr.New(c.typ).Variant(c.variant).Message(), ae.Message())
			}
		})
	}
}

// TestCredentialIsTheWellFormedToken: contexts share a credential only
// when they would authenticate alike.
func TestCredentialIsTheWellFormedToken(t *testing.T) {
	a := &auth.Authenticator{}
	cred, ok := a.Credential(a.WithToken(context.Background(), "bearer abc"))
	assert.True(t, ok)
	assert.Equal(t, "abc", cred)
	cred2, _ := a.Credential(a.Fresh(a.WithToken(context.Background(), "Bearer abc")))
	assert.Equal(t, cred, cred2, "Fresh keeps the credential")
	for _, value := range []string{"", "Basic abc", "abc"} {
		_, ok := a.Credential(a.WithToken(context.Background(), value))
		assert.False(t, ok, "%q", value)
	}
	_, ok = a.Credential(context.Background())
	assert.False(t, ok)
}

// TestFreshVerifiesAgain: a context authenticates once; Fresh makes the
// next Authenticate look the user and session up again, so that a
// long-lived connection sees a suspension.
func TestFreshVerifiesAgain(t *testing.T) {
	tk := tokens(t)
	user := &auth.User{ID: "u1", Role: auth.RoleUser}
	raw, _, err := tk.Issue(user, "f1", time.Now().Add(time.Hour))
	require.NoError(t, err)
	loader := &sessions{user: user, family: &auth.Family{ID: "f1", UserID: "u1", CreatedAt: time.Now()}}
	a := &auth.Authenticator{Tokens: tk, Sessions: loader}
	ctx := a.WithToken(context.Background(), "Bearer "+raw)
	_, err = a.Authenticate(ctx)
	require.NoError(t, err)
	_, err = a.Authenticate(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, loader.calls, "once per context")

	suspended := *user
	suspended.Suspended = true
	loader.user = &suspended
	_, err = a.Authenticate(ctx)
	assert.NoError(t, err, "the context's answer stands")
	_, err = a.Authenticate(a.Fresh(ctx))
	assert.ErrorIs(t, err, apperr.UserSuspended)
	assert.Equal(t, 2, loader.calls)

	assert.Equal(t, context.Background(), a.Fresh(context.Background()), "nothing to refresh without a token")
	p := &auth.Principal{Expires: time.Date(2026, 11, 21, 10, 15, 0, 0, time.UTC)}
	assert.Equal(t, "2026-11-21T10:15:00Z", p.TokenExpired().Details["expiredAt"])
}
