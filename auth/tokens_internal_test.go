package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/internal/jwttest"
)

// TestCachedVerdictsFollowTheClock: a cached valid token still expires on
// time; a cached fault stays the same fault; "not yet valid" is not cached,
// so the token works once its time comes.
func TestCachedVerdictsFollowTheClock(t *testing.T) {
	now := time.Now()
	tk, err := NewTokens([]byte(strings.Repeat("k", 32)), "faultline", "faultline", time.Minute)
	require.NoError(t, err)
	tk.now = func() time.Time { return now }

	raw, _, err := tk.Issue(&User{ID: "u1", Role: RoleUser}, "f1", now.Add(time.Hour))
	require.NoError(t, err)
	for range 2 {
		c, bad := tk.Verify(raw)
		require.Nil(t, bad)
		assert.Equal(t, "u1", c.Subject)
	}
	assert.Equal(t, 1, tk.verdicts.Len())

	now = now.Add(time.Minute + Leeway + time.Second)
	c, bad := tk.Verify(raw)
	assert.Nil(t, c)
	require.NotNil(t, bad)
	assert.Equal(t, apperr.TokenExpired, bad.Type)
	assert.NotEmpty(t, bad.Details["expiredAt"])

	for range 2 {
		_, bad := tk.Verify("garbage.garbage.garbage")
		require.NotNil(t, bad)
		assert.Equal(t, apperr.TokenMalformed, bad.Type)
	}

	early := jwttest.Sign(t, jwt.SigningMethodHS256, []byte(strings.Repeat("k", 32)), AccessTokenType, jwt.MapClaims{"iss": "faultline",
		"aud": "faultline", "sub": "u1", "sid": "f1", "role": "USER", "iat": now.Add(time.Hour).Unix(), "exp": now.Add(2 * time.Hour).Unix()})
	_, bad = tk.Verify(early)
	require.NotNil(t, bad)
	assert.Equal(t, apperr.TokenNotYetValid, bad.Type)
	now = now.Add(time.Hour)
	c, bad = tk.Verify(early)
	assert.Nil(t, bad, "its time came")
	assert.NotNil(t, c)

	aud := jwttest.Sign(t, jwt.SigningMethodHS256, []byte(strings.Repeat("k", 32)), AccessTokenType, jwt.MapClaims{"iss": "faultline",
		"aud": "x", "sub": "u1", "sid": "f1", "role": "USER", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()})
	for range 2 {
		_, bad := tk.Verify(aud)
		require.NotNil(t, bad)
		assert.Equal(t, apperr.TokenClaimsInvalid, bad.Type)
		assert.Equal(t, "aud", bad.Details["claim"], "the cached fault keeps its details")
	}
}
