package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are argon2id's cost parameters.
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// OWASPMinimum is OWASP's minimum for argon2id: 19 MiB, 2 passes, 1 lane.
var OWASPMinimum = Argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1}

const (
	saltBytes = 16
	keyBytes  = 32
)

// Passwords hashes and verifies passwords with argon2id, stored as PHC
// strings ($argon2id$v=19$m=...,t=...,p=...$salt$hash) so that the
// parameters can be raised later: a hash below the current parameters is
// reported for re-hashing at the next successful login. Every character of
// the password counts (no truncation). At most a few hashes run at once, so
// a login flood cannot take 19 MiB per request.
type Passwords struct {
	params  Argon2Params
	slots   chan struct{}
	dummy   string
	runs    atomic.Int64
	waiting atomic.Int64
	done    atomic.Int64
}

// owaspDummy is the PHC string of a password nobody has, at OWASPMinimum:
// comparing against it costs what a real verification costs. It is a
// constant so that starting the server costs no 19 MiB hash.
const owaspDummy = "$argon2id$v=19$m=19456,t=2,p=1$i8oWmNo/IE3lqhIKRenrYQ$mzKCm7o8+HPZMCu/HCe8tUnCBZeZfzv0I4x3jmSNmvE"

// NewPasswords returns a hasher with params, which may not be below
// OWASPMinimum. Half the CPUs (at least one) may hash at once.
func NewPasswords(params Argon2Params) (*Passwords, error) {
	if params.Memory < OWASPMinimum.Memory || params.Time < OWASPMinimum.Time || params.Threads < 1 {
		return nil, errors.New("argon2id parameters below OWASP's minimum (m=19456, t=2, p=1)")
	}
	p := &Passwords{params: params, slots: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)/2)), dummy: owaspDummy}
	if params != OWASPMinimum {
		dummy, err := p.Hash(context.Background(), "not a password anyone has: it keeps timing equal")
		if err != nil {
			return nil, err
		}
		p.dummy = dummy
	}
	return p, nil
}

// Hash returns the PHC string of password.
func (p *Passwords) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, saltBytes)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key, err := p.derive(ctx, password, salt, p.params, keyBytes)
	if err != nil {
		return "", err
	}
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		p.params.Memory, p.params.Time, p.params.Threads, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// Verify reports whether password matches the PHC string, and whether the
// hash should be replaced because its parameters are below the current ones.
// An empty phc is compared against a dummy hash, so that an unknown account
// costs as much as a wrong password.
func (p *Passwords) Verify(ctx context.Context, password, phc string) (ok, rehash bool, err error) {
	if phc == "" {
		phc = p.dummy
		defer func() { ok, rehash = false, false }()
	}
	params, salt, want, err := parsePHC(phc)
	if err != nil {
		return false, false, err
	}
	got, err := p.derive(ctx, password, salt, params, uint32(len(want)))
	if err != nil {
		return false, false, err
	}
	ok = subtle.ConstantTimeCompare(got, want) == 1
	rehash = params.Memory < p.params.Memory || params.Time < p.params.Time || params.Threads < p.params.Threads
	return ok, rehash, nil
}

// derive runs argon2id in one of the limited slots. Each run allocates
// params.Memory (19 MiB) and drops it. Collecting before (so the block does
// not join other garbage) and after (so the next run reuses its pages) keeps
// the process at its size plus one block, instead of growing by 19 MiB per
// login. A collection costs about a millisecond; a hash, twenty.
func (p *Passwords) derive(ctx context.Context, password string, salt []byte, params Argon2Params, n uint32) ([]byte, error) {
	p.waiting.Add(1)
	select {
	case p.slots <- struct{}{}:
		p.waiting.Add(-1)
	case <-ctx.Done():
		p.waiting.Add(-1)
		return nil, ctx.Err()
	}
	defer func() { <-p.slots }()
	p.runs.Add(1)
	runtime.GC()
	key := argon2.IDKey([]byte(password), salt, params.Time, params.Memory, params.Threads, n)
	runtime.GC()
	p.done.Add(1)
	return key, nil
}

// Runs is how many argon2id derivations (hashes and verifications) have
// started, so that a test can tell what a request cost.
func (p *Passwords) Runs() int64 { return p.runs.Load() }

// PasswordStats are the figures of the argon2id queue, for metrics.
type PasswordStats struct {
	Slots   int   // how many derivations may run at once
	Running int   // derivations running now
	Waiting int   // derivations waiting for a slot now
	Done    int64 // derivations finished since the start
}

// Stats reads the queue's figures now.
func (p *Passwords) Stats() PasswordStats {
	return PasswordStats{Slots: cap(p.slots), Running: len(p.slots), Waiting: int(p.waiting.Load()), Done: p.done.Load()}
}

func parsePHC(phc string) (params Argon2Params, salt, key []byte, err error) {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return params, nil, nil, errors.New("not an argon2id PHC string")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return params, nil, nil, errors.New("unsupported argon2 version")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &params.Memory, &params.Time, &params.Threads); err != nil {
		return params, nil, nil, fmt.Errorf("argon2id parameters: %w", err)
	}
	if salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil {
		return params, nil, nil, fmt.Errorf("argon2id salt: %w", err)
	}
	if key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(key) == 0 {
		return params, nil, nil, errors.New("argon2id hash is not base64")
	}
	return params, salt, key, nil
}
