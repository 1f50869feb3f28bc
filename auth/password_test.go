package auth_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/auth"
)

func TestPasswordsAreArgon2idPHCStrings(t *testing.T) {
	p, err := auth.NewPasswords(auth.OWASPMinimum)
	require.NoError(t, err)
	ctx := context.Background()
	hash, err := p.Hash(ctx, "correct horse battery staple")
	require.NoError(t, err)
	assert.Regexp(t, `^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`, hash)

	again, err := p.Hash(ctx, "correct horse battery staple")
	require.NoError(t, err)
	assert.NotEqual(t, hash, again, "a fresh salt each time")

	ok, rehash, err := p.Verify(ctx, "correct horse battery staple", hash)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.False(t, rehash)
	ok, _, err = p.Verify(ctx, "correct horse battery stapl", hash)
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestEveryCharacterCounts(t *testing.T) {
	p, err := auth.NewPasswords(auth.OWASPMinimum)
	require.NoError(t, err)
	ctx := context.Background()
	long := strings.Repeat("a", 127)
	hash, err := p.Hash(ctx, long+"b")
	require.NoError(t, err)
	ok, _, err := p.Verify(ctx, long+"c", hash)
	require.NoError(t, err)
	assert.False(t, ok, "the 128th character matters (bcrypt would stop at 72 bytes)")
}

func TestWeakerHashesAskToBeRehashed(t *testing.T) {
	stronger, err := auth.NewPasswords(auth.Argon2Params{Memory: 32 * 1024, Time: 3, Threads: 1})
	require.NoError(t, err)
	owasp, err := auth.NewPasswords(auth.OWASPMinimum)
	require.NoError(t, err)
	ctx := context.Background()
	old, err := owasp.Hash(ctx, "password123")
	require.NoError(t, err)
	ok, rehash, err := stronger.Verify(ctx, "password123", old)
	require.NoError(t, err)
	assert.True(t, ok, "old parameters still verify: they are read from the PHC string")
	assert.True(t, rehash)
}

func TestParametersBelowOWASPAreRefused(t *testing.T) {
	_, err := auth.NewPasswords(auth.Argon2Params{Memory: 4096, Time: 1, Threads: 1})
	assert.Error(t, err)
}

func TestUnknownAccountsCompareAgainstADummy(t *testing.T) {
	p, err := auth.NewPasswords(auth.OWASPMinimum)
	require.NoError(t, err)
	ok, rehash, err := p.Verify(context.Background(), "anything", "")
	require.NoError(t, err)
	assert.False(t, ok)
	assert.False(t, rehash)
	_, _, err = p.Verify(context.Background(), "x", "$bcrypt$nope")
	assert.Error(t, err)
}

// BenchmarkPasswordVerify is the cost of one login's argon2id (and of an
// unknown email's comparison against the dummy). Figures: docs/benchmarks.md.
func BenchmarkPasswordVerify(b *testing.B) {
	p, err := auth.NewPasswords(auth.OWASPMinimum)
	require.NoError(b, err)
	hash, _ := p.Hash(context.Background(), "password123")
	for _, c := range []struct{ name, hash string }{{"known-user", hash}, {"unknown-user", ""}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _, _ = p.Verify(context.Background(), "wrong-password", c.hash)
			}
		})
	}
}

// TestTheEmbeddedDummyIsAValidHashAtTheCurrentParameters holds the constant
// dummy hash to OWASPMinimum: it verifies (as false) at full cost and asks
// for no re-hash, which it would if the parameters moved away from it.
func TestTheEmbeddedDummyIsAValidHashAtTheCurrentParameters(t *testing.T) {
	p, err := auth.NewPasswords(auth.OWASPMinimum)
	require.NoError(t, err)
	ok, rehash, err := p.Verify(context.Background(), "not a password anyone has: it keeps timing equal", auth.DummyHash(p))
	require.NoError(t, err)
	assert.True(t, ok, "the dummy is the hash of its password")
	assert.False(t, rehash)
}
