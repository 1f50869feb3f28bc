package apperr

import "net/http"

// Code is the category of an error, sent as extensions.code. Codes follow
// Apollo's conventions so an Apollo Client error link can branch on them.
type Code string

// Type is the specific reason of an error, sent as extensions.type. Every
// Type belongs to exactly one Code. Published types never change.
type Type string

// The codes (docs/errors.md).
const (
	CodeBadRequest            Code = "BAD_REQUEST"
	CodePersistedNotFound     Code = "PERSISTED_QUERY_NOT_FOUND"
	CodePersistedNotSupported Code = "PERSISTED_QUERY_NOT_SUPPORTED"
	CodeParseFailed           Code = "GRAPHQL_PARSE_FAILED"
	CodeValidationFailed      Code = "GRAPHQL_VALIDATION_FAILED"
	CodeBadUserInput          Code = "BAD_USER_INPUT"
	CodeUnauthenticated       Code = "UNAUTHENTICATED"
	CodeForbidden             Code = "FORBIDDEN"
	CodeNotFound              Code = "NOT_FOUND"
	CodeConflict              Code = "CONFLICT"
	CodePaymentRequired       Code = "PAYMENT_REQUIRED"
	CodeRateLimited           Code = "RATE_LIMITED"
	CodeInternal              Code = "INTERNAL_SERVER_ERROR"
	CodeServiceUnavailable    Code = "SERVICE_UNAVAILABLE"
	CodeTimeout               Code = "TIMEOUT"
)

// The types. Each one has exactly one line in the catalog below.
const (
	MalformedRequest           Type = "MALFORMED_REQUEST"
	BodyTooLarge               Type = "BODY_TOO_LARGE"
	UnsupportedMediaType       Type = "UNSUPPORTED_MEDIA_TYPE"
	MethodNotAllowed           Type = "METHOD_NOT_ALLOWED"
	PersistedQueryHashMismatch Type = "PERSISTED_QUERY_HASH_MISMATCH"
	BatchTooLarge              Type = "BATCH_TOO_LARGE"

	PersistedQueryNotFound     Type = "PERSISTED_QUERY_NOT_FOUND"
	PersistedQueryNotSupported Type = "PERSISTED_QUERY_NOT_SUPPORTED"

	SyntaxError Type = "SYNTAX_ERROR"

	InvalidQuery          Type = "INVALID_QUERY"
	OperationNotFound     Type = "OPERATION_NOT_FOUND"
	QueryTooComplex       Type = "QUERY_TOO_COMPLEX"
	QueryTooDeep          Type = "QUERY_TOO_DEEP"
	TooManyErrors         Type = "TOO_MANY_ERRORS"
	TooManyPasswordHashes Type = "TOO_MANY_PASSWORD_HASHES"

	ValidationFailed Type = "VALIDATION_FAILED"
	InvalidVariables Type = "INVALID_VARIABLES"
	InvalidCursor    Type = "INVALID_CURSOR"

	TokenMissing          Type = "TOKEN_MISSING"
	TokenMalformed        Type = "TOKEN_MALFORMED"
	TokenSignatureInvalid Type = "TOKEN_SIGNATURE_INVALID"
	TokenExpired          Type = "TOKEN_EXPIRED"
	TokenNotYetValid      Type = "TOKEN_NOT_YET_VALID"
	TokenClaimsInvalid    Type = "TOKEN_CLAIMS_INVALID"
	TokenTypeMismatch     Type = "TOKEN_TYPE_MISMATCH"
	TokenRevoked          Type = "TOKEN_REVOKED"
	InvalidCredentials    Type = "INVALID_CREDENTIALS"

	InsufficientRole    Type = "INSUFFICIENT_ROLE"
	UserSuspended       Type = "USER_SUSPENDED"
	ProductForbidden    Type = "PRODUCT_FORBIDDEN"
	OperationNotTrusted Type = "OPERATION_NOT_TRUSTED"
	OriginNotAllowed    Type = "ORIGIN_NOT_ALLOWED"

	ResourceNotFound Type = "RESOURCE_NOT_FOUND"

	AlreadyExists          Type = "ALREADY_EXISTS"
	InvalidStateTransition Type = "INVALID_STATE_TRANSITION"
	OrderAlreadyCancelled  Type = "ORDER_ALREADY_CANCELLED"
	ConcurrentModification Type = "CONCURRENT_MODIFICATION"

	InsufficientFunds Type = "INSUFFICIENT_FUNDS"

	TooManyRequests      Type = "TOO_MANY_REQUESTS"
	TooManyLoginAttempts Type = "TOO_MANY_LOGIN_ATTEMPTS"
	TooManyRegistrations Type = "TOO_MANY_REGISTRATIONS"
	TooManySubscriptions Type = "TOO_MANY_SUBSCRIPTIONS"

	Internal Type = "INTERNAL"

	DatabaseUnavailable Type = "DATABASE_UNAVAILABLE"
	ShuttingDown        Type = "SHUTTING_DOWN"

	DeadlineExceeded Type = "DEADLINE_EXCEEDED"
)

// CodeEntry describes one code: its usual HTTP status and what it groups.
type CodeEntry struct {
	Code    Code
	Status  int
	Meaning string
}

// Detail documents one key of an error's extensions.details.
type Detail struct {
	Key     string
	Doc     string
	Example any
}

// Entry is one line of the catalog: everything a client and the docs need
// to know about one error type.
type Entry struct {
	Type    Type
	Code    Code
	Status  int
	Meaning string // when it happens, one line
	// Message is the English message; {key} is replaced by details[key] or
	// by a message parameter of the same name.
	Message string
	// Variants are further English messages of the same type, for the
	// situations that deserve their own wording; every locale has them too.
	Variants   map[string]string
	Details    []Detail
	Optional   []string // details keys present only in some situations
	Fields     bool     // carries extensions.fields
	RetryAfter bool     // carries extensions.retryAfter (and the Retry-After header)
}

// codes is the list of codes in the order the docs present them.
var codes = []CodeEntry{
	{CodeBadRequest, http.StatusBadRequest, "The HTTP request is not a GraphQL request faultline can read; nothing was executed."},
	{CodePersistedNotFound, http.StatusNotFound, "Apollo's code: the server does not know the persisted query's hash; send the query with it (Apollo Client's PersistedQueryLink does)."},
	{CodePersistedNotSupported, http.StatusBadRequest, "Apollo's code: automatic persisted queries are switched off; send the query (PersistedQueryLink stops hashing)."},
	{CodeParseFailed, http.StatusBadRequest, "The GraphQL document does not parse."},
	{CodeValidationFailed, http.StatusUnprocessableEntity, "The document parses but is not valid against the schema or the server's limits; nothing was executed."},
	{CodeBadUserInput, http.StatusUnprocessableEntity, "Arguments or variables are well-typed GraphQL but their values are not acceptable."},
	{CodeUnauthenticated, http.StatusUnauthorized, "The caller is not (or no longer) authenticated."},
	{CodeForbidden, http.StatusForbidden, "The caller is authenticated but may not do this."},
	{CodeNotFound, http.StatusNotFound, "The thing asked for does not exist, or is not visible to the caller."},
	{CodeConflict, http.StatusConflict, "The request conflicts with the current state of a record."},
	{CodePaymentRequired, http.StatusPaymentRequired, "The wallet cannot pay for this."},
	{CodeRateLimited, http.StatusTooManyRequests, "Too many requests or attempts; retry after extensions.retryAfter seconds."},
	{CodeInternal, http.StatusInternalServerError, "A bug or an unexpected failure; the cause is in the server log under the requestId."},
	{CodeServiceUnavailable, http.StatusServiceUnavailable, "The server cannot serve the request right now; retry after extensions.retryAfter seconds."},
	{CodeTimeout, http.StatusGatewayTimeout, "The request did not finish within its deadline."},
}

// catalog is the one source of truth for every error faultline sends.
// docs/errors.md and the schema's ErrorCode and ErrorType enums are generated
// from it (go generate ./...), and a test fails when they disagree.
var catalog = []Entry{
	// BAD_REQUEST
	{Type: MalformedRequest, Code: CodeBadRequest, Status: http.StatusBadRequest,
		Meaning: "The body is not valid JSON, has no `query` string, or a request parameter has the wrong JSON type.",
		Message: "Malformed GraphQL request",
		Variants: map[string]string{
			"invalid_json":          "The request body is not valid JSON",
			"not_an_object":         "The request body must be a JSON object",
			"batch":                 "Batched requests (a JSON array) are not supported; send one request object",
			"several_values":        "The request body holds more than one JSON value",
			"missing_query":         "The request has no query",
			"persisted_query":       "The persistedQuery extension must hold version 1 and a sha256Hash of 64 hex digits",
			"wrong_type":            "The request parameter \"{field}\" has the wrong JSON type",
			"unreadable_body":       "The request body could not be read",
			"websocket_handshake":   "The WebSocket handshake is not valid: send a GET with Connection: Upgrade, Upgrade: websocket, Sec-WebSocket-Version: 13 and a Sec-WebSocket-Key",
			"websocket_subprotocol": "Offer the graphql-transport-ws subprotocol in Sec-WebSocket-Protocol",
			"subscription":          "A subscription needs a stream: open a WebSocket (graphql-transport-ws) or POST with Accept: text/event-stream",
		},
		Details: []Detail{
			{"reason", "why, as a stable key: invalid_json, not_an_object, batch, several_values, missing_query, persisted_query (a malformed persistedQuery extension), wrong_type, unreadable_body, websocket_handshake, websocket_subprotocol (a WebSocket upgrade that does not offer graphql-transport-ws), subscription (a subscription sent as a plain GET or POST); a subscribe message's payload is judged as a request body", "invalid_json"},
			{"field", "with wrong_type only: the request parameter (query, operationName, variables, extensions)", "variables"},
		},
		Optional: []string{"field"}},
	{Type: BodyTooLarge, Code: CodeBadRequest, Status: http.StatusRequestEntityTooLarge,
		Meaning: "The request body is larger than FAULTLINE_MAX_BODY_BYTES.",
		Message: "The request body exceeds the limit of {limit} bytes",
		Details: []Detail{{"limit", "the largest accepted body, in bytes", 1048576}}},
	{Type: UnsupportedMediaType, Code: CodeBadRequest, Status: http.StatusUnsupportedMediaType,
		Meaning: "A POST whose Content-Type is not application/json.",
		Message: "Unsupported Content-Type: send application/json",
		Details: []Detail{{"supported", "the accepted content types", []string{"application/json"}}}},
	{Type: MethodNotAllowed, Code: CodeBadRequest, Status: http.StatusMethodNotAllowed,
		Meaning: "An HTTP method other than GET or POST, or a mutation sent over GET (it does not run); the `Allow` header lists what works.",
		Message: "HTTP method {method} is not allowed for this request; use {allowed}",
		Variants: map[string]string{
			"get_mutation": "Only queries may be sent with GET; send this {operation} with POST",
		},
		Details: []Detail{{"method", "the method that was used", "GET"}, {"allowed", "the methods that would work", []string{"POST"}}}},
	{Type: PersistedQueryHashMismatch, Code: CodeBadRequest, Status: http.StatusBadRequest,
		Meaning: "A query sent with `extensions.persistedQuery.sha256Hash` that is not the SHA-256 of the query; it is neither run nor stored.",
		Message: "The persisted query's sha256Hash is not the hash of its query",
		Details: []Detail{{"sha256Hash", "the hash that was sent", "ecf4edb46db40b5132295c0291d62fb65d6759a9eedfa4d5d612dd5ec54a6b38"}}},
	{Type: BatchTooLarge, Code: CodeBadRequest, Status: http.StatusBadRequest,
		Meaning: "A batch (a JSON array of operations) holding more than FAULTLINE_BATCH_MAX operations, or none; nothing of it runs.",
		Message: "A batch may hold 1 to {limit} operations; this one holds {actual}",
		Details: []Detail{{"limit", "FAULTLINE_BATCH_MAX", 10}, {"actual", "the operations of this batch", 11}}},

	// PERSISTED_QUERY_NOT_FOUND
	{Type: PersistedQueryNotFound, Code: CodePersistedNotFound, Status: http.StatusNotFound,
		Meaning: "`extensions.persistedQuery` names a hash this server has not stored (or no longer holds) and the request has no query; send the query with the hash, which stores it.",
		Message: "PersistedQueryNotFound",
		Details: []Detail{{"sha256Hash", "the hash that was sent", "ecf4edb46db40b5132295c0291d62fb65d6759a9eedfa4d5d612dd5ec54a6b38"}}},

	// PERSISTED_QUERY_NOT_SUPPORTED
	{Type: PersistedQueryNotSupported, Code: CodePersistedNotSupported, Status: http.StatusBadRequest,
		Meaning: "A request with `extensions.persistedQuery` while FAULTLINE_APQ is false, or of a version other than 1.",
		Message: "PersistedQueryNotSupported",
		Variants: map[string]string{
			"version": "Persisted query version {version} is not supported; send version 1",
		},
		Optional: []string{"version"},
		Details:  []Detail{{"version", "with the version variant: the version that was sent", 2}}},

	// GRAPHQL_PARSE_FAILED
	{Type: SyntaxError, Code: CodeParseFailed, Status: http.StatusBadRequest,
		Meaning: "The query is not syntactically valid GraphQL; `locations` points at the problem.",
		Message: "Syntax error in the GraphQL document",
		Variants: map[string]string{
			"parser": "{reason}",
			"empty":  "The document contains no operation",
		}},

	// GRAPHQL_VALIDATION_FAILED
	{Type: InvalidQuery, Code: CodeValidationFailed, Status: http.StatusUnprocessableEntity,
		Meaning:  "The query breaks a GraphQL validation rule (an unknown field, a missing argument, ...); the rule is named.",
		Message:  "The query is not valid against the schema",
		Variants: map[string]string{"validator": "{reason}"},
		Details:  []Detail{{"rule", "the name of the validation rule that failed", "FieldsOnCorrectType"}}},
	{Type: OperationNotFound, Code: CodeValidationFailed, Status: http.StatusUnprocessableEntity,
		Meaning: "`operationName` names no operation of the document, or the document has several operations and none was named.",
		Message: "The document has no operation named \"{operationName}\"",
		Variants: map[string]string{
			"unnamed": "The document has several operations: send operationName to pick one",
		},
		Details: []Detail{{"operationName", "the operation name that was sent (empty when none was)", "GetProducts"}}},
	{Type: QueryTooComplex, Code: CodeValidationFailed, Status: http.StatusUnprocessableEntity,
		Meaning: "The query's complexity (a list field costs its children times its `first`) exceeds FAULTLINE_MAX_COMPLEXITY.",
		Message: "The query has complexity {actual}, over the limit of {limit}",
		Details: []Detail{{"limit", "the configured limit", 10000}, {"actual", "the complexity of this query", 25050}}},
	{Type: QueryTooDeep, Code: CodeValidationFailed, Status: http.StatusUnprocessableEntity,
		Meaning: "The query nests fields deeper than FAULTLINE_MAX_DEPTH (introspection fields do not count).",
		Message: "The query has depth {actual}, over the limit of {limit}",
		Details: []Detail{{"limit", "the configured limit", 15}, {"actual", "the depth of this query", 17}}},
	{Type: TooManyErrors, Code: CodeValidationFailed, Status: http.StatusUnprocessableEntity,
		Meaning: "The request produced more than 100 errors (as graphql-js and graphql-java, faultline sends at most 100); this last error says how many more were left out. Narrow the query.",
		Message: "{omitted} more errors were omitted: a response carries at most {limit}",
		Details: []Detail{{"limit", "the most errors a response carries before this one", 100}, {"omitted", "how many errors were left out", 900}}},
	{Type: TooManyPasswordHashes, Code: CodeValidationFailed, Status: http.StatusUnprocessableEntity,
		Meaning: "The operation holds more than one field that hashes a password (`login`, `register`, aliases included): each costs argon2id's 19 MiB and tens of milliseconds, so one operation may hash one. Nothing was executed.",
		Message: "An operation may hash at most {limit} password; this one has {actual} login or register fields",
		Details: []Detail{{"limit", "the password hashes one operation may cause", 1}, {"actual", "the login and register fields of this operation", 2}}},

	// BAD_USER_INPUT
	{Type: ValidationFailed, Code: CodeBadUserInput, Status: http.StatusUnprocessableEntity,
		Meaning: "Argument or input values break declared constraints; `fields` lists every violation at once.",
		Message: "The input is not valid",
		Fields:  true},
	{Type: InvalidVariables, Code: CodeBadUserInput, Status: http.StatusUnprocessableEntity,
		Meaning: "A variable is missing, null where it may not be, or of the wrong type.",
		Message: "Variable \"${variable}\" is not valid",
		Variants: map[string]string{
			"value":  "Variable \"${variable}\" {reason}",
			"nested": "Variable \"${variable}\" at {at}: {reason}",
		},
		Details: []Detail{{"variable", "the variable's name, without $", "input"}}},
	{Type: InvalidCursor, Code: CodeBadUserInput, Status: http.StatusUnprocessableEntity,
		Meaning: "An `after` cursor that this list did not issue.",
		Message: "The cursor given as \"{argument}\" is not valid for this list",
		Details: []Detail{{"argument", "the argument that held the cursor", "after"}}},

	// UNAUTHENTICATED
	{Type: TokenMissing, Code: CodeUnauthenticated, Status: http.StatusUnauthorized,
		Meaning: "A protected field was asked for without an `Authorization: Bearer` token (over WebSocket: without `authorization` in connection_init's payload).",
		Message: "Authentication required: send an access token in the Authorization header",
		Variants: map[string]string{
			"connection_init": "Authentication required: send an access token as authorization in connection_init's payload",
		}},
	{Type: TokenMalformed, Code: CodeUnauthenticated, Status: http.StatusUnauthorized,
		Meaning: "The Authorization header or token is not a well-formed bearer JWT (other scheme, empty, two headers, over 8 KiB, garbage), or an unknown refresh token.",
		Message: "The token is malformed"},
	{Type: TokenSignatureInvalid, Code: CodeUnauthenticated, Status: http.StatusUnauthorized,
		Meaning: "The token's signature does not verify, or it uses an algorithm other than the pinned one (`none` included).",
		Message: "The token's signature is invalid"},
	{Type: TokenExpired, Code: CodeUnauthenticated, Status: http.StatusUnauthorized,
		Meaning: "The token's `exp` has passed; refresh it. A subscription ends with it when the `exp` of the token it was started with passes.",
		Message: "The token has expired",
		Variants: map[string]string{
			"session": "The session has reached its maximum age; sign in again",
		},
		Details: []Detail{{"expiredAt", "when the token (or its session) expired (RFC 3339)", "2026-11-21T10:15:00Z"}}},
	{Type: TokenNotYetValid, Code: CodeUnauthenticated, Status: http.StatusUnauthorized,
		Meaning: "The token's `nbf` or `iat` is in the future.",
		Message: "The token is not valid yet"},
	{Type: TokenClaimsInvalid, Code: CodeUnauthenticated, Status: http.StatusUnauthorized,
		Meaning: "A required claim is missing or wrong (issuer, audience, expiry).",
		Message: "The token's {claim} claim is invalid",
		Details: []Detail{{"claim", "the claim that failed", "aud"}}},
	{Type: TokenTypeMismatch, Code: CodeUnauthenticated, Status: http.StatusUnauthorized,
		Meaning: "A refresh token used as an access token, an access token given to refreshToken, or a JWT whose `typ` header is not `at+jwt`.",
		Message: "Wrong kind of token: expected an {expected} token",
		Variants: map[string]string{
			"refresh_as_access": "A refresh token cannot be used as an access token",
			"access_as_refresh": "An access token cannot be used as a refresh token",
			"typ_header":        "The token is not an access token (its typ header is not at+jwt)",
		},
		Details: []Detail{{"expected", "the kind of token expected here: access or refresh", "access"}}},
	{Type: TokenRevoked, Code: CodeUnauthenticated, Status: http.StatusUnauthorized,
		Meaning: "The token was revoked (logout, refresh-token reuse, deleted user, or a subject that does not exist); an access token ends with its session.",
		Message: "The token has been revoked",
		Variants: map[string]string{
			"no_user": "The token's user does not exist",
			"reused":  "The refresh token was already used; its session has been revoked",
			"session": "The token's session has ended (logout or revocation); sign in again",
		}},
	{Type: InvalidCredentials, Code: CodeUnauthenticated, Status: http.StatusUnauthorized,
		Meaning: "login with an unknown email or a wrong password (the two are indistinguishable).",
		Message: "Invalid email or password"},

	// FORBIDDEN
	{Type: InsufficientRole, Code: CodeForbidden, Status: http.StatusForbidden,
		Meaning: "The caller's role is below the one the field requires.",
		Message: "This requires the {requiredRole} role",
		Details: []Detail{{"requiredRole", "the role the field requires", "ADMIN"}}},
	{Type: UserSuspended, Code: CodeForbidden, Status: http.StatusForbidden,
		Meaning: "The caller's account is suspended.",
		Message: "The account is suspended"},
	{Type: ProductForbidden, Code: CodeForbidden, Status: http.StatusForbidden,
		Meaning: "An order for a banned product.",
		Message: "Product {id} cannot be ordered",
		Details: []Detail{{"id", "the product's id", "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b"}}},
	{Type: OperationNotTrusted, Code: CodeForbidden, Status: http.StatusForbidden,
		Meaning:  "FAULTLINE_TRUSTED_DOCUMENTS is set and the request's document (by hash or by text) is not in its manifest; nothing was executed.",
		Message:  "Only the operations of the trusted-documents manifest may run here",
		Optional: []string{"sha256Hash"},
		Details:  []Detail{{"sha256Hash", "the hash that was sent, when one was", "ecf4edb46db40b5132295c0291d62fb65d6759a9eedfa4d5d612dd5ec54a6b38"}}},
	{Type: OriginNotAllowed, Code: CodeForbidden, Status: http.StatusForbidden,
		Meaning: "A cross-origin request from an origin not in FAULTLINE_CORS_ORIGINS; it carries no CORS headers, so a browser blocks it.",
		Message: "Requests from origin {origin} are not allowed",
		Details: []Detail{{"origin", "the request's Origin header", "https://evil.example"}}},

	// NOT_FOUND
	{Type: ResourceNotFound, Code: CodeNotFound, Status: http.StatusNotFound,
		Meaning: "No record of this kind has this id, or the caller may not see it.",
		Message: "{resource} {id} was not found",
		Details: []Detail{{"resource", "the kind of record", "Product"}, {"id", "the id that was asked for", "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b"}}},

	// CONFLICT
	{Type: AlreadyExists, Code: CodeConflict, Status: http.StatusConflict,
		Meaning: "A unique value is already taken (a registered email).",
		Message: "A record with this {field} already exists",
		Details: []Detail{{"field", "the input field whose value is taken", "email"}}},
	{Type: InvalidStateTransition, Code: CodeConflict, Status: http.StatusConflict,
		Meaning: "The order's state machine does not allow this move.",
		Message: "An order cannot move from {from} to {to}",
		Details: []Detail{{"from", "the current status", "DELIVERED"}, {"to", "the status asked for", "PAID"}, {"allowed", "the statuses reachable from the current one", []string{}}}},
	{Type: OrderAlreadyCancelled, Code: CodeConflict, Status: http.StatusConflict,
		Meaning: "Any move of an order that is already cancelled.",
		Message: "The order was already cancelled",
		Details: []Detail{{"cancelledAt", "when it was cancelled (RFC 3339)", "2026-11-21T10:15:00Z"}}},
	{Type: ConcurrentModification, Code: CodeConflict, Status: http.StatusConflict,
		Meaning: "Another request changed the record at the same moment; retrying may succeed.",
		Message: "The record was changed by another request; retry"},

	// PAYMENT_REQUIRED
	{Type: InsufficientFunds, Code: CodePaymentRequired, Status: http.StatusPaymentRequired,
		Meaning: "The wallet's balance is below the order's total.",
		Message: "Insufficient funds: {required} cents required, {available} available",
		Details: []Detail{{"required", "the amount due, in cents", 4500}, {"available", "the wallet's balance, in cents", 1200}}},

	// RATE_LIMITED
	{Type: TooManyRequests, Code: CodeRateLimited, Status: http.StatusTooManyRequests,
		Meaning: "The client address exceeded FAULTLINE_RATE_LIMIT requests per second (a token bucket holding one second's worth); refused before the request is read.",
		Message: "Too many requests: at most {limit} per second; retry later", RetryAfter: true,
		Details: []Detail{{"limit", "the requests per second allowed to one client address", 50}}},
	{Type: TooManyLoginAttempts, Code: CodeRateLimited, Status: http.StatusTooManyRequests,
		Meaning: "Too many failed logins within 15 minutes: 5 for one email from one client address, or a ceiling for one email over all addresses, or for one address over all emails (README, Security).",
		Message: "Too many failed login attempts; retry later", RetryAfter: true},
	{Type: TooManyRegistrations, Code: CodeRateLimited, Status: http.StatusTooManyRequests,
		Meaning: "Too many `register` calls from one client address within an hour (README, Security).",
		Message: "Too many registrations from this address; retry later", RetryAfter: true},
	{Type: TooManySubscriptions, Code: CodeRateLimited, Status: http.StatusTooManyRequests,
		Meaning: "A subscription beyond a limit: FAULTLINE_WS_MAX_SUBSCRIPTIONS at once on one WebSocket connection, or FAULTLINE_MAX_SUBSCRIPTIONS_PER_USER streams of one user on one instance (WebSocket and SSE together). It was not started; complete another first.",
		Message: "Too many subscriptions: at most {limit} at once", RetryAfter: true,
		Variants: map[string]string{
			"connection": "At most {limit} subscriptions may be open at once on one connection; complete one first",
			"user":       "At most {limit} subscriptions of one user may be open at once; complete one first",
		},
		Details: []Detail{{"limit", "the limit that was reached", 20}, {"scope", "what the limit counts: connection (one WebSocket connection's) or user (one user's on this instance)", "connection"}}},

	// INTERNAL_SERVER_ERROR
	{Type: Internal, Code: CodeInternal, Status: http.StatusInternalServerError,
		Meaning: "Anything that is not a domain error: a bug, a driver error, a panic. The cause is logged, never sent.",
		Message: "Internal server error"},

	// SERVICE_UNAVAILABLE
	{Type: DatabaseUnavailable, Code: CodeServiceUnavailable, Status: http.StatusServiceUnavailable,
		Meaning: "The database is busy, closed or unreachable. A subscription gets it, and ends, when the database stays away for FAULTLINE_SUBSCRIPTION_DB_GRACE (30 s by default).",
		Message: "The database is unavailable; retry later", RetryAfter: true},
	{Type: ShuttingDown, Code: CodeServiceUnavailable, Status: http.StatusServiceUnavailable,
		Meaning: "The server is shutting down and takes no new requests; a subscription under way gets it, and ends, when the drain begins.",
		Message: "The server is shutting down; retry", RetryAfter: true},

	// TIMEOUT
	{Type: DeadlineExceeded, Code: CodeTimeout, Status: http.StatusGatewayTimeout,
		Meaning: "The request ran past FAULTLINE_REQUEST_TIMEOUT (or the client gave up); fields not finished by then fail with this.",
		Message: "The request did not finish within its deadline"},
}

var byType = func() map[Type]*Entry {
	m := make(map[Type]*Entry, len(catalog))
	for i := range catalog {
		m[catalog[i].Type] = &catalog[i]
	}
	return m
}()

// IsOptional reports whether details key is present only in some situations.
func (e Entry) IsOptional(key string) bool {
	for _, k := range e.Optional {
		if k == key {
			return true
		}
	}
	return false
}

// Catalog returns every error type, grouped by code in the docs' order.
func Catalog() []Entry {
	out := make([]Entry, len(catalog))
	copy(out, catalog)
	return out
}

// Codes returns every code in the docs' order.
func Codes() []CodeEntry {
	out := make([]CodeEntry, len(codes))
	copy(out, codes)
	return out
}

// Lookup returns the catalog entry of t.
func Lookup(t Type) (Entry, bool) {
	e, ok := byType[t]
	if !ok {
		return Entry{}, false
	}
	return *e, true
}

// entry returns the catalog entry of t; an unknown type (a programming error)
// falls back to INTERNAL so that nothing uncatalogued reaches a client.
func entry(t Type) *Entry {
	if e, ok := byType[t]; ok {
		return e
	}
	return byType[Internal]
}

// Code returns the code t belongs to.
func (t Type) Code() Code { return entry(t).Code }

// qualified holds "CODE/TYPE" of every type, made once for logs.
var qualified = func() map[Type]string {
	m := make(map[Type]string, len(catalog))
	for _, e := range catalog {
		m[e.Type] = string(e.Code) + "/" + string(e.Type)
	}
	return m
}()

// Qualified returns "CODE/TYPE", e.g. "FORBIDDEN/INSUFFICIENT_ROLE", as log
// lines name errors (an unknown type names INTERNAL, as Code does).
func (t Type) Qualified() string {
	if q, ok := qualified[t]; ok {
		return q
	}
	return qualified[Internal]
}

// Status returns the HTTP-equivalent status of t.
func (t Type) Status() int { return entry(t).Status }

// Error makes a Type usable as an errors.Is target: errors.Is(err, apperr.TokenExpired).
func (t Type) Error() string { return string(t) }

// Error makes a Code usable as an errors.Is target: errors.Is(err, apperr.CodeNotFound).
func (c Code) Error() string { return string(c) }
