package auth

import (
	"net/http"
	"strings"

	"github.com/faultline/faultline/apperr"
)

// MaxTokenBytes is the longest bearer value parsed; longer ones are
// TOKEN_MALFORMED without being looked at.
const MaxTokenBytes = 8 << 10

// RefreshPrefix starts every refresh token, so that scanners and our own
// checks recognise one where an access token belongs.
const RefreshPrefix = "flr_"

// BearerToken extracts the access token of a request: exactly one
// Authorization header, scheme Bearer (any case), a non-empty value of at
// most MaxTokenBytes. present is false only when no Authorization header was
// sent; every other departure is an error (TOKEN_MALFORMED, or
// TOKEN_TYPE_MISMATCH for a refresh token).
func BearerToken(h http.Header) (token string, present bool, err *apperr.Error) {
	values := h.Values("Authorization")
	switch len(values) {
	case 0:
		return "", false, nil
	case 1:
	default:
		return "", true, malformed("several Authorization headers")
	}
	token, err = parseBearer(values[0])
	return token, true, err
}

// parseBearer reads one "Bearer <token>" value, as BearerToken does.
func parseBearer(v string) (string, *apperr.Error) {
	scheme, value, _ := strings.Cut(strings.TrimSpace(v), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", malformed("the Authorization scheme is not Bearer")
	}
	value = strings.TrimSpace(value)
	switch {
	case value == "":
		return "", malformed("the bearer token is empty")
	case len(value) > MaxTokenBytes:
		return "", malformed("the bearer token is too long")
	case strings.HasPrefix(value, RefreshPrefix):
		return "", apperr.New(apperr.TokenTypeMismatch).With("expected", "access").Variant("refresh_as_access")
	}
	return value, nil
}

// malformed is TOKEN_MALFORMED; the reason goes to the log only.
func malformed(reason string) *apperr.Error {
	return apperr.New(apperr.TokenMalformed).WithCause(errString(reason))
}

type errString string

func (e errString) Error() string { return string(e) }
