package app_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/app"
	"github.com/faultline/faultline/auth"
	"github.com/faultline/faultline/internal/testserver"
)

func TestRegisterThenUseTheSession(t *testing.T) {
	srv := testserver.Start(t)
	s := mustSession(t, register(t, srv, "New.Person@Example.COM", "a long enough password", "New Person"), "register")
	assert.Equal(t, "Bearer", s.TokenType)
	assert.Equal(t, 900, s.ExpiresIn, "15 minutes")
	assert.True(t, strings.HasPrefix(s.RefreshToken, "flr_"))
	assert.Equal(t, "new.person@example.com", s.User.Email, "emails are stored normalized")
	assert.Equal(t, "USER", s.User.Role)

	res := srv.Query(t, `{ me { id name role suspended email createdAt } }`, nil, bearer(s.AccessToken)...)
	require.Empty(t, res.Body.Errors, "%s", res.Raw)
	me := field(t, res, "me")
	assert.Equal(t, s.User.ID, me["id"])
	assert.Equal(t, "New Person", me["name"])
	assert.Equal(t, false, me["suspended"])

	again := login(t, srv, "NEW.person@example.com", "a long enough password")
	assert.Equal(t, s.User.ID, again.User.ID)
}

func TestRegisterReportsEveryViolationAtOnce(t *testing.T) {
	srv := testserver.Start(t)
	res := register(t, srv, "not-an-email", "short", "")
	e := res.Error(t)
	assert.Equal(t, "BAD_USER_INPUT", e.Extensions.Code)
	assert.Equal(t, "VALIDATION_FAILED", e.Extensions.Type)
	assert.Equal(t, []any{"register"}, e.Path)
	got := map[string]string{}
	for _, f := range e.Extensions.Fields {
		got[fmt.Sprint(f.Path)] = f.Rule
	}
	assert.Equal(t, map[string]string{"[input email]": "email", "[input password]": "minLength", "[input name]": "minLength"}, got)

	res = register(t, srv, "ok@example.com", strings.Repeat("p", 129), strings.Repeat("n", 101))
	e = res.Error(t)
	require.Len(t, e.Extensions.Fields, 2)
	assert.Equal(t, []any{"input", "password"}, e.Extensions.Fields[0].Path)
	assert.Equal(t, "maxLength", e.Extensions.Fields[0].Rule)
	assert.Equal(t, []any{"input", "name"}, e.Extensions.Fields[1].Path)
}

func TestATakenEmailIsAlreadyExists(t *testing.T) {
	srv := testserver.Start(t)
	res := register(t, srv, app.DemoUserEmail, "a long enough password", "Copycat")
	e := res.Error(t)
	assert.Equal(t, "CONFLICT", e.Extensions.Code)
	assert.Equal(t, "ALREADY_EXISTS", e.Extensions.Type)
	assert.Equal(t, 409, e.Extensions.Status)
	assert.Equal(t, map[string]any{"field": "email"}, e.Extensions.Details)
	assert.NotContains(t, string(res.Raw), "UNIQUE")

	res = register(t, srv, strings.ToUpper(app.DemoUserEmail), "a long enough password", "Copycat")
	assert.Equal(t, "ALREADY_EXISTS", res.Error(t).Extensions.Type, "emails compare case-insensitively")
}

// TestConcurrentRegistrationsOfOneEmail: the database's unique index decides,
// so exactly one of 20 simultaneous registrations wins (from one address,
// whose registration throttle is raised for it).
func TestConcurrentRegistrationsOfOneEmail(t *testing.T) {
	srv := testserver.Start(t, throttles(func(th *auth.Throttles) { th.Register.Limit = 20 }))
	results := make([]*testserver.Response, 20)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() { results[i] = register(t, srv, "race@example.com", "a long enough password", "Racer") })
	}
	wg.Wait()
	won, conflicts := 0, 0
	for _, res := range results {
		testserver.CheckEnvelope(t, res)
		switch {
		case len(res.Body.Errors) == 0:
			won++
		case res.Body.Errors[0].Extensions.Type == "ALREADY_EXISTS":
			conflicts++
		default:
			t.Errorf("unexpected answer: %s", res.Raw)
		}
	}
	assert.Equal(t, 1, won)
	assert.Equal(t, 19, conflicts)
	var n int
	require.NoError(t, srv.App.DB.SQL().QueryRow(`SELECT COUNT(*) FROM users WHERE email = 'race@example.com'`).Scan(&n))
	assert.Equal(t, 1, n)
}

func TestLoginFailuresAreIndistinguishable(t *testing.T) {
	srv := testserver.Start(t)
	q := `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`
	unknown := srv.Query(t, q, map[string]any{"e": "nobody@example.com", "p": "whatever-password"}).Error(t)
	wrong := srv.Query(t, q, map[string]any{"e": app.DemoUserEmail, "p": "whatever-password"}).Error(t)
	for _, e := range []testserver.Error{unknown, wrong} {
		assert.Equal(t, "UNAUTHENTICATED", e.Extensions.Code)
		assert.Equal(t, "INVALID_CREDENTIALS", e.Extensions.Type)
		assert.Equal(t, 401, e.Extensions.Status)
	}
	unknown.Extensions.RequestID, wrong.Extensions.RequestID = "", ""
	assert.Equal(t, unknown, wrong, "nothing tells an unknown email from a wrong password")

	res := srv.Query(t, q, map[string]any{"e": app.DemoUserEmail, "p": "whatever-password"})
	assert.Empty(t, res.Header.Get("WWW-Authenticate"), "a failed login is not a bearer challenge")
}

// TestLoginThrottlingLocksAfterFiveFailures: five wrong passwords for one
// email from one address, then the sixth attempt is refused — with
// retryAfter, and Retry-After only when that refusal is the whole response —
// and so is the right password after.
func TestLoginThrottlingLocksAfterFiveFailures(t *testing.T) {
	srv := testserver.Start(t, testserver.Env("FAULTLINE_HTTP_STATUS", "graphql"))
	const wrong = `mutation { login(email: "` + app.DemoUserEmail + `", password: "wrong-password") { accessToken } }`
	for i := range 5 {
		res := srv.Query(t, wrong, nil)
		assert.Equal(t, "INVALID_CREDENTIALS", res.Error(t).Extensions.Type, "attempt %d", i+1)
	}
	res := srv.Query(t, `mutation { a5: login(email: "`+app.DemoUserEmail+`", password: "wrong-password") { accessToken } topUp(amountCents: 1) { balanceCents } }`, nil)
	testserver.CheckEnvelope(t, res)
	require.Len(t, res.Body.Errors, 2, "%s", res.Raw)
	sixth := res.Body.Errors[0]
	assert.Equal(t, "RATE_LIMITED", sixth.Extensions.Code)
	assert.Equal(t, "TOO_MANY_LOGIN_ATTEMPTS", sixth.Extensions.Type)
	assert.Equal(t, 429, sixth.Extensions.Status)
	assert.Equal(t, []any{"a5"}, sixth.Path)
	assert.Equal(t, "TOKEN_MISSING", res.Body.Errors[1].Extensions.Type)
	assert.Empty(t, res.Header.Get("Retry-After"), "not every error of the response has a retryAfter")

	res = srv.Query(t, `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`,
		map[string]any{"e": app.DemoUserEmail, "p": srv.App.DemoPassword}, "Accept", acceptGraphQLResponse)
	e := res.Error(t)
	assert.Equal(t, "TOO_MANY_LOGIN_ATTEMPTS", e.Extensions.Type, "even the right password waits")
	assert.InDelta(t, 15*60, e.Extensions.RetryAfter, 5)
	assert.Equal(t, strconv.Itoa(e.Extensions.RetryAfter), res.Header.Get("Retry-After"), "the whole response is that error")
	assert.Equal(t, http.StatusOK, res.Status, "an executed operation stays 200 unless strict")

	// Another account is not affected.
	login(t, srv, app.DemoAdminEmail, srv.App.DemoPassword)
}

// TestLoginThrottlingIsPerAccountAndSharedThroughTheDatabase: the pair of
// a normalized email and the client address is locked after 5 failures; the
// counters are rows, one per bucket.
func TestLoginThrottlingIsPerAccountAndSharedThroughTheDatabase(t *testing.T) {
	srv := testserver.Start(t, testserver.Env("FAULTLINE_HTTP_STATUS", "strict"))
	q := `mutation($e: String!) { login(email: $e, password: "wrong-password") { accessToken } }`
	for range 5 {
		assert.Equal(t, "INVALID_CREDENTIALS", srv.Query(t, q, map[string]any{"e": "ghost@example.com"}).Error(t).Extensions.Type)
	}
	res := srv.Query(t, q, map[string]any{"e": "GHOST@example.com"})
	assert.Equal(t, "TOO_MANY_LOGIN_ATTEMPTS", res.Error(t).Extensions.Type, "unknown emails are throttled too, by normalized email")
	assert.Equal(t, http.StatusTooManyRequests, res.Status)
	assert.NotEmpty(t, res.Header.Get("Retry-After"))
	for _, bucket := range []string{"login:pair:ghost@example.com|127.0.0.1", "login:email:ghost@example.com", "login:client:127.0.0.1"} {
		assert.Equal(t, 5, hits(t, srv, bucket), "%s: refused attempts do not extend the window", bucket)
	}

	ok := login(t, srv, app.DemoUserEmail, srv.App.DemoPassword)
	assert.NotEmpty(t, ok.AccessToken)
}

func TestRefreshRotatesAndReuseRevokesTheFamily(t *testing.T) {
	srv := testserver.Start(t)
	first := loginUser(t, srv)

	second := mustSession(t, refresh(t, srv, first.RefreshToken), "refreshToken")
	assert.NotEqual(t, first.RefreshToken, second.RefreshToken)
	assert.NotEqual(t, first.AccessToken, second.AccessToken)
	assert.Equal(t, first.User.ID, second.User.ID)
	assert.Equal(t, first.User.Email, second.User.Email, "the session's own user sees their email")

	third := mustSession(t, refresh(t, srv, second.RefreshToken), "refreshToken")

	// Replaying a spent token: revoked, and so is the whole family.
	res := refresh(t, srv, first.RefreshToken)
	e := res.Error(t)
	assert.Equal(t, "UNAUTHENTICATED", e.Extensions.Code)
	assert.Equal(t, "TOKEN_REVOKED", e.Extensions.Type)
	assert.Empty(t, res.Header.Get("WWW-Authenticate"), "refreshToken's outcome is not a bearer challenge")
	assert.Equal(t, "TOKEN_REVOKED", refresh(t, srv, third.RefreshToken).Error(t).Extensions.Type, "the newest token of the family died too")

	// Other sessions of the same user live on.
	other := loginUser(t, srv)
	mustSession(t, refresh(t, srv, other.RefreshToken), "refreshToken")
}

func TestLogoutRevokesTheFamilyAndIsNoOracle(t *testing.T) {
	srv := testserver.Start(t)
	s := loginUser(t, srv)
	next := mustSession(t, refresh(t, srv, s.RefreshToken), "refreshToken")
	for _, token := range []string{next.RefreshToken, next.RefreshToken, "flr_unknown", "garbage", "", next.AccessToken} {
		res := srv.Query(t, `mutation($t: String!) { logout(refreshToken: $t) }`, map[string]any{"t": token})
		require.Empty(t, res.Body.Errors, "%s", res.Raw)
		assert.JSONEq(t, "true", string(res.Body.Data["logout"]))
	}
	assert.Equal(t, "TOKEN_REVOKED", refresh(t, srv, next.RefreshToken).Error(t).Extensions.Type)
}

func TestRefreshTokenFailures(t *testing.T) {
	srv := testserver.Start(t)
	s := loginUser(t, srv)
	for _, c := range []struct {
		name, token, typ string
		details          map[string]any
	}{
		{"an access token", s.AccessToken, "TOKEN_TYPE_MISMATCH", map[string]any{"expected": "refresh"}},
		{"unknown", "flr_" + strings.Repeat("A", 43), "TOKEN_MALFORMED", nil},
		{"garbage", "garbage", "TOKEN_MALFORMED", nil},
		{"empty", "", "TOKEN_MALFORMED", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := refresh(t, srv, c.token)
			e := res.Error(t)
			assert.Equal(t, "UNAUTHENTICATED", e.Extensions.Code)
			assert.Equal(t, c.typ, e.Extensions.Type)
			assert.Equal(t, 401, e.Extensions.Status)
			if c.details != nil {
				assert.Equal(t, c.details, e.Extensions.Details)
			}
			assert.Empty(t, res.Header.Get("WWW-Authenticate"))
		})
	}
}

func TestExpiredRefreshTokensAreRefusedAndCleanedUp(t *testing.T) {
	srv := testserver.Start(t, testserver.Env("FAULTLINE_REFRESH_TTL", "1ms"))
	s := loginUser(t, srv)
	time.Sleep(5 * time.Millisecond)
	e := refresh(t, srv, s.RefreshToken).Error(t)
	assert.Equal(t, "TOKEN_EXPIRED", e.Extensions.Type)
	assert.Contains(t, e.Extensions.Details, "expiredAt")
	assert.Equal(t, "TOKEN_MALFORMED", refresh(t, srv, s.RefreshToken).Error(t).Extensions.Type, "it was removed: now unknown")
}

// TestConcurrentRefreshOfOneToken: exactly one of ten simultaneous refreshes
// gets a session; the others are reuses.
func TestConcurrentRefreshOfOneToken(t *testing.T) {
	srv := testserver.Start(t)
	s := loginUser(t, srv)
	results := make([]*testserver.Response, 10)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() { results[i] = refresh(t, srv, s.RefreshToken) })
	}
	wg.Wait()
	won := 0
	for _, res := range results {
		testserver.CheckEnvelope(t, res)
		if len(res.Body.Errors) == 0 {
			won++
			continue
		}
		assert.Equal(t, "TOKEN_REVOKED", res.Body.Errors[0].Extensions.Type, "%s", res.Raw)
	}
	assert.Equal(t, 1, won)
	var rotations int
	require.NoError(t, srv.App.DB.SQL().QueryRow(`SELECT COUNT(*) FROM refresh_tokens WHERE used_at IS NOT NULL`).Scan(&rotations))
	assert.Equal(t, 1, rotations, "the token was spent once")
}

func TestSuspensionTakesEffectAtTheNextRequest(t *testing.T) {
	srv := testserver.Start(t)
	admin := loginAdmin(t, srv)
	user := loginUser(t, srv)
	require.Empty(t, srv.Query(t, `{ me { id } }`, nil, bearer(user.AccessToken)...).Body.Errors)

	res := srv.Query(t, `mutation($id: ID!) { suspendUser(id: $id) { id suspended email } }`, map[string]any{"id": user.User.ID}, bearer(admin.AccessToken)...)
	require.Empty(t, res.Body.Errors, "%s", res.Raw)
	assert.Equal(t, true, field(t, res, "suspendUser")["suspended"])

	res = srv.Query(t, probe, nil, bearer(user.AccessToken)...)
	e := res.Error(t)
	assert.Equal(t, "FORBIDDEN", e.Extensions.Code)
	assert.Equal(t, "USER_SUSPENDED", e.Extensions.Type)
	assert.Equal(t, 403, e.Extensions.Status)
	assert.Len(t, field(t, res, "products")["edges"], 1)
	assert.Empty(t, res.Header.Get("WWW-Authenticate"), "a suspension is not an authentication failure")

	q := `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`
	assert.Equal(t, "USER_SUSPENDED", srv.Query(t, q, map[string]any{"e": app.DemoUserEmail, "p": srv.App.DemoPassword}).Error(t).Extensions.Type)
	assert.Equal(t, "INVALID_CREDENTIALS", srv.Query(t, q, map[string]any{"e": app.DemoUserEmail, "p": "wrong-password"}).Error(t).Extensions.Type,
		"the wrong password learns nothing")
	assert.Equal(t, "USER_SUSPENDED", refresh(t, srv, user.RefreshToken).Error(t).Extensions.Type)
}

func TestDeletionRevokesAtTheNextRequest(t *testing.T) {
	srv := testserver.Start(t)
	admin := loginAdmin(t, srv)
	victim := mustSession(t, register(t, srv, "leaving@example.com", "a long enough password", "Leaving"), "register")

	res := srv.Query(t, `mutation($id: ID!) { deleteUser(id: $id) }`, map[string]any{"id": victim.User.ID}, bearer(admin.AccessToken)...)
	require.Empty(t, res.Body.Errors, "%s", res.Raw)
	assert.JSONEq(t, "true", string(res.Body.Data["deleteUser"]))

	res = srv.Query(t, probe, nil, bearer(victim.AccessToken)...)
	e := res.Error(t)
	assert.Equal(t, "TOKEN_REVOKED", e.Extensions.Type)
	assert.Contains(t, res.Header.Get("WWW-Authenticate"), `error="invalid_token"`)
	assert.Equal(t, "TOKEN_REVOKED", refresh(t, srv, victim.RefreshToken).Error(t).Extensions.Type)

	e = srv.Query(t, `query($id: ID!) { user(id: $id) { id } }`, map[string]any{"id": victim.User.ID}, bearer(admin.AccessToken)...).Error(t)
	assert.Equal(t, "RESOURCE_NOT_FOUND", e.Extensions.Type)
	e = srv.Query(t, `mutation($id: ID!) { deleteUser(id: $id) }`, map[string]any{"id": victim.User.ID}, bearer(admin.AccessToken)...).Error(t)
	assert.Equal(t, "RESOURCE_NOT_FOUND", e.Extensions.Type, "deleting twice")

	// The email is free again.
	mustSession(t, register(t, srv, "leaving@example.com", "another long password", "Back"), "register")
}

func TestRoleChecks(t *testing.T) {
	srv := testserver.Start(t)
	user := loginUser(t, srv)
	admin := loginAdmin(t, srv)

	for _, q := range []string{
		`{ users(first: 1) { edges { node { id } } } }`,
		`mutation { suspendUser(id: "x") { id } }`,
		`mutation { deleteUser(id: "x") }`,
	} {
		res := srv.Query(t, q, nil, bearer(user.AccessToken)...)
		e := res.Error(t)
		assert.Equal(t, "FORBIDDEN", e.Extensions.Code, q)
		assert.Equal(t, "INSUFFICIENT_ROLE", e.Extensions.Type, q)
		assert.Equal(t, 403, e.Extensions.Status)
		assert.Equal(t, map[string]any{"requiredRole": "ADMIN"}, e.Extensions.Details)
	}

	res := srv.Query(t, `{ users(first: 1) { edges { node { id email } } pageInfo { hasNextPage endCursor } } }`, nil, bearer(admin.AccessToken)...)
	require.Empty(t, res.Body.Errors, "%s", res.Raw)
	users := field(t, res, "users")
	assert.Len(t, users["edges"], 1)
	assert.Equal(t, true, users["pageInfo"].(map[string]any)["hasNextPage"])
	res = srv.Query(t, `query($a: String) { users(first: 10, after: $a) { edges { node { email } } } }`,
		map[string]any{"a": users["pageInfo"].(map[string]any)["endCursor"]}, bearer(admin.AccessToken)...)
	require.Empty(t, res.Body.Errors, "%s", res.Raw)
	assert.Len(t, field(t, res, "users")["edges"], 1, "two demo users, one per page")

	e := srv.Query(t, `{ users(after: "bad") { edges { cursor } } }`, nil, bearer(admin.AccessToken)...).Error(t)
	assert.Equal(t, "INVALID_CURSOR", e.Extensions.Type)
}

// TestAuthorizationComesBeforeInputChecks: nobody learns about a protected
// field's input before they are allowed to use it.
func TestAuthorizationComesBeforeInputChecks(t *testing.T) {
	srv := testserver.Start(t)
	assert.Equal(t, "TOKEN_MISSING", srv.Query(t, `{ users(first: 500) { edges { cursor } } }`, nil).Error(t).Extensions.Type)
	user := loginUser(t, srv)
	assert.Equal(t, "INSUFFICIENT_ROLE", srv.Query(t, `{ users(first: 500) { edges { cursor } } }`, nil, bearer(user.AccessToken)...).Error(t).Extensions.Type)
	admin := loginAdmin(t, srv)
	assert.Equal(t, "VALIDATION_FAILED", srv.Query(t, `{ users(first: 500) { edges { cursor } } }`, nil, bearer(admin.AccessToken)...).Error(t).Extensions.Type)
}

func TestUserVisibility(t *testing.T) {
	srv := testserver.Start(t)
	user := loginUser(t, srv)
	admin := loginAdmin(t, srv)
	q := `query($id: ID!) { user(id: $id) { id email } }`

	res := srv.Query(t, q, map[string]any{"id": user.User.ID}, bearer(user.AccessToken)...)
	require.Empty(t, res.Body.Errors)
	assert.Equal(t, app.DemoUserEmail, field(t, res, "user")["email"])

	other := srv.Query(t, q, map[string]any{"id": admin.User.ID}, bearer(user.AccessToken)...).Error(t)
	assert.Equal(t, "NOT_FOUND", other.Extensions.Code, "another user's record is not found, not forbidden")
	assert.Equal(t, map[string]any{"resource": "User", "id": admin.User.ID}, other.Extensions.Details)
	missing := srv.Query(t, q, map[string]any{"id": admin.User.ID + "0"}, bearer(user.AccessToken)...).Error(t)
	assert.Equal(t, missing.Extensions.Type, other.Extensions.Type, "indistinguishable from a user that does not exist")
	assert.Equal(t, strings.Replace(missing.Message, admin.User.ID+"0", admin.User.ID, 1), other.Message)

	res = srv.Query(t, q, map[string]any{"id": user.User.ID}, bearer(admin.AccessToken)...)
	require.Empty(t, res.Body.Errors)
	assert.Equal(t, app.DemoUserEmail, field(t, res, "user")["email"])

	assert.Equal(t, "TOKEN_MISSING", srv.Query(t, q, map[string]any{"id": user.User.ID}).Error(t).Extensions.Type)
}

// TestEmailIsAFieldLevelErrorReachableByAnyone: product.createdBy leads
// anyone to another user's record; email fails alone, the rest resolves.
func TestEmailIsAFieldLevelErrorReachableByAnyone(t *testing.T) {
	srv := testserver.Start(t)
	q := `{ products(first: 2) { edges { node { name createdBy { name role email } } } } }`

	res := srv.Query(t, q, nil)
	testserver.CheckEnvelope(t, res)
	require.Len(t, res.Body.Errors, 2, "one per product: %s", res.Raw)
	var paths [][]any
	for _, e := range res.Body.Errors {
		assert.Equal(t, "TOKEN_MISSING", e.Extensions.Type)
		paths = append(paths, e.Path)
	}
	assert.ElementsMatch(t, [][]any{
		{"products", "edges", float64(0), "node", "createdBy", "email"},
		{"products", "edges", float64(1), "node", "createdBy", "email"},
	}, paths)
	edges := field(t, res, "products")["edges"].([]any)
	creator := edges[0].(map[string]any)["node"].(map[string]any)["createdBy"].(map[string]any)
	assert.Equal(t, "Ada Admin", creator["name"])
	assert.Equal(t, "ADMIN", creator["role"])
	assert.Nil(t, creator["email"])
	assert.Equal(t, `Bearer realm="faultline"`, res.Header.Get("WWW-Authenticate"))
	assert.Equal(t, http.StatusOK, res.Status)

	user := loginUser(t, srv)
	res = srv.Query(t, q, nil, bearer(user.AccessToken)...)
	testserver.CheckEnvelope(t, res)
	require.Len(t, res.Body.Errors, 2)
	for _, e := range res.Body.Errors {
		assert.Equal(t, "FORBIDDEN", e.Extensions.Code)
		assert.Equal(t, "INSUFFICIENT_ROLE", e.Extensions.Type)
		assert.Equal(t, map[string]any{"requiredRole": "ADMIN"}, e.Extensions.Details)
	}
	assert.Empty(t, res.Header.Get("WWW-Authenticate"))

	admin := loginAdmin(t, srv)
	res = srv.Query(t, q, nil, bearer(admin.AccessToken)...)
	require.Empty(t, res.Body.Errors, "%s", res.Raw)
	assert.Contains(t, string(res.Raw), app.DemoAdminEmail)
}

func TestAdminsSeeBannedProducts(t *testing.T) {
	srv := testserver.Start(t)
	admin := loginAdmin(t, srv)
	res := srv.Query(t, `{ products(first: 100) { edges { node { banned } } } }`, nil, bearer(admin.AccessToken)...)
	require.Empty(t, res.Body.Errors)
	assert.Len(t, field(t, res, "products")["edges"], 15)
	user := loginUser(t, srv)
	res = srv.Query(t, `{ products(first: 100) { edges { node { banned } } } }`, nil, bearer(user.AccessToken)...)
	assert.Len(t, field(t, res, "products")["edges"], 14)
}

func TestDemoUsersAndTheirPasswordAreLogged(t *testing.T) {
	srv := testserver.Start(t)
	var logged map[string]any
	for _, l := range srv.Logs.Lines() {
		if l["msg"] == "demo users" {
			logged = l
		}
	}
	require.NotNil(t, logged)
	assert.Equal(t, srv.App.DemoPassword, logged["password"])
	assert.Len(t, srv.App.DemoPassword, 16)
	assert.Equal(t, app.DemoAdminEmail, logged["admin"])

	chosen := testserver.Start(t, testserver.Env("FAULTLINE_DEMO_PASSWORD", "chosen-password"))
	assert.Equal(t, "ADMIN", login(t, chosen, app.DemoAdminEmail, "chosen-password").User.Role)
}
