package apperr_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/apperr"
)

var screaming = regexp.MustCompile(`^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$`)

func TestCatalogIsConsistent(t *testing.T) {
	codes := map[apperr.Code]apperr.CodeEntry{}
	for _, c := range apperr.Codes() {
		require.NotContains(t, codes, c.Code, "code listed twice")
		codes[c.Code] = c
		assert.Regexp(t, screaming, string(c.Code))
		assert.NotEmpty(t, c.Meaning)
	}
	types := map[apperr.Type]bool{}
	used := map[apperr.Code]bool{}
	for _, e := range apperr.Catalog() {
		assert.False(t, types[e.Type], "%s listed twice", e.Type)
		types[e.Type] = true
		assert.Regexp(t, screaming, string(e.Type))
		c, ok := codes[e.Code]
		require.True(t, ok, "%s has an unknown code %s", e.Type, e.Code)
		used[e.Code] = true
		assert.Equal(t, c.Status/100, e.Status/100, "%s: a type's status is in its code's class", e.Type)
		assert.NotEmpty(t, e.Meaning, e.Type)
		assert.NotEmpty(t, e.Message, e.Type)
		for _, d := range e.Details {
			assert.NotEmpty(t, d.Doc, "%s.%s", e.Type, d.Key)
			assert.NotNil(t, d.Example, "%s.%s", e.Type, d.Key)
		}
		// Every placeholder of a message is a details key or a known message parameter.
		known := map[string]bool{"reason": true, "at": true, "operation": true}
		for _, d := range e.Details {
			known[d.Key] = true
		}
		messages := []string{e.Message}
		for _, v := range e.Variants {
			messages = append(messages, v)
		}
		for _, msg := range messages {
			for _, m := range regexp.MustCompile(`\{(\w+)\}`).FindAllStringSubmatch(msg, -1) {
				assert.True(t, known[m[1]], "%s's message %q names {%s}, which is neither a details key nor a parameter", e.Type, msg, m[1])
			}
		}
		assert.Equal(t, e.Code, e.Type.Code())
		assert.Equal(t, e.Status, e.Type.Status())
	}
	for code := range codes {
		assert.True(t, used[code], "code %s has no type", code)
	}
}

func TestContractMinimumCatalog(t *testing.T) {
	// The minimum catalog every client may rely on (docs/errors.md).
	minimum := map[apperr.Code][]string{
		"BAD_REQUEST":               {"MALFORMED_REQUEST", "BODY_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE", "METHOD_NOT_ALLOWED"},
		"GRAPHQL_PARSE_FAILED":      {"SYNTAX_ERROR"},
		"GRAPHQL_VALIDATION_FAILED": {"INVALID_QUERY", "QUERY_TOO_COMPLEX", "QUERY_TOO_DEEP"},
		"BAD_USER_INPUT":            {"VALIDATION_FAILED", "INVALID_VARIABLES", "INVALID_CURSOR"},
		"UNAUTHENTICATED":           {"TOKEN_MISSING", "TOKEN_MALFORMED", "TOKEN_SIGNATURE_INVALID", "TOKEN_EXPIRED", "TOKEN_NOT_YET_VALID", "TOKEN_CLAIMS_INVALID", "TOKEN_TYPE_MISMATCH", "TOKEN_REVOKED", "INVALID_CREDENTIALS"},
		"FORBIDDEN":                 {"INSUFFICIENT_ROLE", "USER_SUSPENDED", "PRODUCT_FORBIDDEN"},
		"NOT_FOUND":                 {"RESOURCE_NOT_FOUND"},
		"CONFLICT":                  {"ALREADY_EXISTS", "INVALID_STATE_TRANSITION", "ORDER_ALREADY_CANCELLED", "CONCURRENT_MODIFICATION"},
		"PAYMENT_REQUIRED":          {"INSUFFICIENT_FUNDS"},
		"RATE_LIMITED":              {"TOO_MANY_REQUESTS", "TOO_MANY_LOGIN_ATTEMPTS"},
		"INTERNAL_SERVER_ERROR":     {"INTERNAL"},
		"SERVICE_UNAVAILABLE":       {"DATABASE_UNAVAILABLE", "SHUTTING_DOWN"},
		"TIMEOUT":                   {"DEADLINE_EXCEEDED"},
	}
	statuses := map[string]int{"BODY_TOO_LARGE": 413, "UNSUPPORTED_MEDIA_TYPE": 415, "METHOD_NOT_ALLOWED": 405}
	codeStatus := map[apperr.Code]int{"BAD_REQUEST": 400, "GRAPHQL_PARSE_FAILED": 400, "GRAPHQL_VALIDATION_FAILED": 422,
		"BAD_USER_INPUT": 422, "UNAUTHENTICATED": 401, "FORBIDDEN": 403, "NOT_FOUND": 404, "CONFLICT": 409,
		"PAYMENT_REQUIRED": 402, "RATE_LIMITED": 429, "INTERNAL_SERVER_ERROR": 500, "SERVICE_UNAVAILABLE": 503, "TIMEOUT": 504}
	details := map[string][]string{
		"INVALID_QUERY": {"rule"}, "QUERY_TOO_COMPLEX": {"limit", "actual"}, "QUERY_TOO_DEEP": {"limit", "actual"},
		"TOKEN_EXPIRED": {"expiredAt"}, "INSUFFICIENT_ROLE": {"requiredRole"}, "RESOURCE_NOT_FOUND": {"resource", "id"},
		"ALREADY_EXISTS": {"field"}, "INVALID_STATE_TRANSITION": {"from", "to", "allowed"},
		"ORDER_ALREADY_CANCELLED": {"cancelledAt"}, "INSUFFICIENT_FUNDS": {"required", "available"},
	}
	for code, types := range minimum {
		for _, typ := range types {
			e, ok := apperr.Lookup(apperr.Type(typ))
			if !assert.True(t, ok, typ) {
				continue
			}
			assert.Equal(t, code, e.Code, typ)
			want := codeStatus[code]
			if s, ok := statuses[typ]; ok {
				want = s
			}
			assert.Equal(t, want, e.Status, typ)
			var keys []string
			for _, d := range e.Details {
				keys = append(keys, d.Key)
			}
			for _, k := range details[typ] {
				assert.Contains(t, keys, k, "%s details", typ)
			}
		}
	}
	for _, typ := range []apperr.Type{apperr.TooManyRequests, apperr.TooManyLoginAttempts, apperr.DatabaseUnavailable, apperr.ShuttingDown} {
		e, _ := apperr.Lookup(typ)
		assert.True(t, e.RetryAfter, "%s carries retryAfter", typ)
	}
	e, _ := apperr.Lookup(apperr.ValidationFailed)
	assert.True(t, e.Fields)
}

func TestErrorsIsAndAs(t *testing.T) {
	cause := errors.New("driver: connection reset")
	err := fmt.Errorf("loading: %w", apperr.Wrap(apperr.DatabaseUnavailable, cause))

	assert.True(t, errors.Is(err, apperr.DatabaseUnavailable))
	assert.True(t, errors.Is(err, apperr.CodeServiceUnavailable))
	assert.False(t, errors.Is(err, apperr.ShuttingDown))
	assert.False(t, errors.Is(err, apperr.CodeInternal))
	assert.True(t, errors.Is(err, cause), "the cause is reachable")

	ae, ok := errors.AsType[*apperr.Error](err)
	require.True(t, ok)
	assert.Equal(t, 503, ae.Status())
	assert.NotContains(t, ae.Error(), "connection reset", "Error() never shows the cause")
	assert.NotContains(t, ae.Message(), "connection reset")
}

func TestFrom(t *testing.T) {
	assert.Nil(t, apperr.From(nil))

	nf := apperr.NotFound("Product", "p1")
	assert.Same(t, nf, apperr.From(fmt.Errorf("wrapped: %w", nf)))

	internal := apperr.From(errors.New("boom"))
	assert.Equal(t, apperr.Internal, internal.Type)
	assert.Equal(t, "Internal server error", internal.Message())

	assert.Equal(t, apperr.DeadlineExceeded, apperr.From(context.DeadlineExceeded).Type)
	assert.Equal(t, apperr.DeadlineExceeded, apperr.From(fmt.Errorf("q: %w", context.Canceled)).Type)
}

func TestMessagesRenderDetails(t *testing.T) {
	assert.Equal(t, "Product p1 was not found", apperr.NotFound("Product", "p1").Message())
	assert.Equal(t, "HTTP method GET is not allowed for this request; use POST, PUT",
		apperr.New(apperr.MethodNotAllowed).With("method", "GET").With("allowed", []string{"POST", "PUT"}).Message())
	assert.Equal(t, "The refresh token was already used; its session has been revoked", apperr.New(apperr.TokenRevoked).Variant("reused").Message())
	assert.Equal(t, `Variable "$input" at items[2]: cannot be null`,
		apperr.New(apperr.InvalidVariables).Variant("nested").With("variable", "input").WithParam("at", "items[2]").WithParam("reason", "cannot be null").Message())
	assert.Equal(t, "{missing} stays", apperr.Render("{missing} stays", map[string]any{"x": 1}))
	assert.Equal(t, "unclosed {x", apperr.Render("unclosed {x", map[string]any{"x": 1}))
	assert.Equal(t, "at 2026-11-21T10:15:00Z", apperr.Render("at {t}", map[string]any{"t": time.Date(2026, 11, 21, 11, 15, 0, 0, time.FixedZone("CET", 3600))}))
}

func TestRetryAfterSeconds(t *testing.T) {
	assert.Equal(t, 2, apperr.New(apperr.DatabaseUnavailable).WithRetryAfter(1500*time.Millisecond).RetryAfterSeconds(), "rounded up")
	assert.Equal(t, 1, apperr.New(apperr.ShuttingDown).RetryAfterSeconds(), "types that promise it get at least 1")
	assert.Equal(t, 0, apperr.New(apperr.Internal).RetryAfterSeconds())
}

func TestUnknownTypeFallsBackToInternal(t *testing.T) {
	e := apperr.New(apperr.Type("NOT_IN_THE_CATALOG"))
	assert.Equal(t, apperr.CodeInternal, e.Code())
	assert.Equal(t, 500, e.Status())
}

func TestLogValueCarriesCauseAndCaller(t *testing.T) {
	var b strings.Builder
	log := slog.New(slog.NewTextHandler(&b, nil))
	log.Info("x", slog.Any("error", apperr.InternalError(errors.New("disk on fire"))))
	out := b.String()
	assert.Contains(t, out, "error.type=INTERNAL")
	assert.Contains(t, out, `error.cause="disk on fire"`)
	assert.Contains(t, out, "apperr_test.go:")
}
