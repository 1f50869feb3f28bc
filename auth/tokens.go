package auth

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/faultline/faultline/apperr"
)

// AccessTokenType is the JWT header typ of access tokens (RFC 9068).
const AccessTokenType = "at+jwt"

// Leeway is the clock skew tolerated on exp, nbf and iat.
const Leeway = 10 * time.Second

// MinSecretBytes is the shortest HS256 secret accepted.
const MinSecretBytes = 32

// Tokens issues and verifies access tokens: HS256 JWTs with iss, aud, sub,
// sid, role, exp, iat and jti, and the header typ at+jwt.
type Tokens struct {
	secret   []byte
	issuer   string
	audience string
	ttl      time.Duration
	parser   *jwt.Parser
	now      func() time.Time
	verdicts *lru.Cache[string, verdict]
}

// verdict is what verifying a token found, apart from the clock: its claims,
// or the type of its fault. A token's signature and claims never change, so
// the verdict can be reused; only expiry is checked again at every use.
type verdict struct {
	claims    *Claims
	fault     apperr.Type
	claim     string // with TOKEN_CLAIMS_INVALID
	expiry    time.Time
	expiredAt string // expiry as details.expiredAt writes it
}

// verdictCacheSize bounds the verdicts kept: a few hundred bytes each.
const verdictCacheSize = 4096

// NewTokens returns the token service; secret must have MinSecretBytes.
func NewTokens(secret []byte, issuer, audience string, ttl time.Duration) (*Tokens, error) {
	if len(secret) < MinSecretBytes {
		return nil, fmt.Errorf("the JWT secret has %d bytes; at least %d are needed", len(secret), MinSecretBytes)
	}
	verdicts, err := lru.New[string, verdict](verdictCacheSize)
	if err != nil {
		return nil, err
	}
	t := &Tokens{secret: secret, issuer: issuer, audience: audience, ttl: ttl, now: time.Now, verdicts: verdicts}
	t.parser = jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), // never the token's own choice
		jwt.WithExpirationRequired(),
		jwt.WithIssuer(issuer),
		jwt.WithAudience(audience),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(Leeway),
		jwt.WithTimeFunc(func() time.Time { return t.now() }),
	)
	return t, nil
}

// TTL is the lifetime of the access tokens issued.
func (t *Tokens) TTL() time.Duration { return t.ttl }

// Claims are the claims of an access token.
type Claims struct {
	jwt.RegisteredClaims
	// SessionID (sid) is the refresh family the token was issued from: the
	// token ends with that session (logout, reuse detection, its end).
	SessionID string `json:"sid"`
	Role      Role   `json:"role"`
}

// Issue signs an access token for u in the session sid. It expires after
// the TTL, or at notAfter (the session's end) if that comes first; Issue
// returns how long it lives.
func (t *Tokens) Issue(u *User, sid string, notAfter time.Time) (string, time.Duration, error) {
	now := t.now()
	var jti [16]byte
	if _, err := rand.Read(jti[:]); err != nil {
		return "", 0, err
	}
	life := max(min(t.ttl, notAfter.Sub(now)), 0)
	token := jwt.NewWithClaims(jwt.SigningMethodHS256, Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    t.issuer,
			Audience:  jwt.ClaimStrings{t.audience},
			Subject:   u.ID,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(life)), // whole seconds, rounded down: never past notAfter
			ID:        hex.EncodeToString(jti[:]),
		},
		SessionID: sid,
		Role:      u.Role,
	})
	token.Header["typ"] = AccessTokenType
	raw, err := token.SignedString(t.secret)
	return raw, life, err
}

// Verify checks an access token and returns its claims, or the one catalog
// type that describes its first fault in this order: malformed, then a bad
// signature or algorithm (which wins over every claim: nothing in an
// unverified token is believed), then the typ header, the required claims,
// issuer and audience, a future nbf or iat, and expiry.
//
// Verdicts are cached by token, except "not yet valid", which time cures;
// a cached valid token is checked against the clock for expiry again.
func (t *Tokens) Verify(raw string) (*Claims, *apperr.Error) {
	if len(raw) > MaxTokenBytes {
		return nil, malformed("the token is too long")
	}
	if v, ok := t.verdicts.Get(raw); ok {
		return t.reuse(v)
	}
	claims, bad := t.verify(raw)
	switch {
	case bad == nil:
		t.verdicts.Add(raw, verdict{claims: claims, expiry: claims.ExpiresAt.Time, expiredAt: expiredAt(claims.ExpiresAt.Time)})
		return claims, nil
	case bad.Type == apperr.TokenNotYetValid: // time cures it: not cached
	case bad.Type == apperr.TokenExpired:
		t.verdicts.Add(raw, verdict{fault: bad.Type, expiry: claims.ExpiresAt.Time, expiredAt: expiredAt(claims.ExpiresAt.Time)})
	default:
		claim, _ := bad.Details["claim"].(string)
		t.verdicts.Add(raw, verdict{fault: bad.Type, claim: claim})
	}
	return nil, bad
}

// reuse answers from a cached verdict, as verify would now.
func (t *Tokens) reuse(v verdict) (*Claims, *apperr.Error) {
	if v.fault == "" && !t.now().After(v.expiry.Add(Leeway)) {
		return v.claims, nil
	}
	if v.fault == "" || v.fault == apperr.TokenExpired {
		return nil, apperr.New(apperr.TokenExpired).With("expiredAt", v.expiredAt)
	}
	e := apperr.New(v.fault)
	switch v.fault {
	case apperr.TokenClaimsInvalid:
		e.With("claim", v.claim)
	case apperr.TokenTypeMismatch:
		e.With("expected", "access").Variant("typ_header")
	}
	return nil, e
}

// verify checks a token for real. With TOKEN_EXPIRED it returns the
// (verified) claims too, for the cache to know when it expired.
func (t *Tokens) verify(raw string) (*Claims, *apperr.Error) {
	var claims Claims
	token, err := t.parser.ParseWithClaims(raw, &claims, t.key)
	switch {
	case err == nil:
	case errors.Is(err, jwt.ErrTokenMalformed):
		return nil, apperr.New(apperr.TokenMalformed).WithCause(err)
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return nil, apperr.New(apperr.TokenSignatureInvalid).WithCause(err)
	case !errors.Is(err, jwt.ErrTokenInvalidClaims):
		return nil, apperr.New(apperr.TokenMalformed).WithCause(err)
	}
	// The signature holds from here on, so the header and claims can be read.
	if typ, _ := token.Header["typ"].(string); !isAccessType(typ) {
		return nil, apperr.New(apperr.TokenTypeMismatch).With("expected", "access").Variant("typ_header")
	}
	if bad := t.claimFault(&claims, err); bad != nil {
		return &claims, bad // the claims go with TOKEN_EXPIRED into the cache; Verify returns nil claims
	}
	return &claims, nil
}

func (t *Tokens) claimFault(c *Claims, err error) *apperr.Error {
	invalid := func(claim string) *apperr.Error {
		return apperr.New(apperr.TokenClaimsInvalid).With("claim", claim).WithCause(err)
	}
	switch {
	case c.ExpiresAt == nil:
		return invalid("exp")
	case c.Issuer != t.issuer:
		return invalid("iss")
	case !audienceHas(c.Audience, t.audience):
		return invalid("aud")
	case c.Subject == "":
		return invalid("sub")
	case !c.Role.Valid():
		return invalid("role")
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return apperr.New(apperr.TokenNotYetValid).WithCause(err)
	case errors.Is(err, jwt.ErrTokenExpired):
		return apperr.New(apperr.TokenExpired).With("expiredAt", expiredAt(c.ExpiresAt.Time)).WithCause(err)
	case c.SessionID == "": // after expiry: an expired token from before sid existed still sends its client to refresh
		return invalid("sid")
	case err != nil:
		return apperr.New(apperr.TokenClaimsInvalid).With("claim", "unknown").WithCause(err)
	}
	return nil
}

func (t *Tokens) key(*jwt.Token) (any, error) { return t.secret, nil }

// expiredAt writes an expiry as details.expiredAt shows it (RFC 3339, UTC).
func expiredAt(exp time.Time) string { return exp.UTC().Format(time.RFC3339) }

func isAccessType(typ string) bool {
	return strings.EqualFold(typ, AccessTokenType) || strings.EqualFold(typ, "application/"+AccessTokenType)
}

func audienceHas(aud jwt.ClaimStrings, want string) bool {
	for _, a := range aud {
		if a == want {
			return true
		}
	}
	return false
}
