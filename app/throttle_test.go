package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
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
	"github.com/faultline/faultline/internal/testdb"
	"github.com/faultline/faultline/internal/testserver"
)

// queryFrom sends a GraphQL request to srv from the loopback address
// 127.0.0.x: each x is another client address.
func queryFrom(t *testing.T, srv *testserver.Server, x byte, query string, vars map[string]any) *testserver.Response {
	t.Helper()
	body, err := json.Marshal(testserver.Request{Query: query, Variables: vars})
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/query", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	client := &http.Client{Transport: &http.Transport{
		DisableKeepAlives: true,
		DialContext:       (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, x)}}).DialContext,
	}}
	res, err := client.Do(req)
	require.NoError(t, err)
	return testserver.Read(t, res)
}

const loginQuery = `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`

// loginFrom is the type of the error of a login from 127.0.0.x, or "" for
// a session.
func loginFrom(t *testing.T, srv *testserver.Server, x byte, email, password string) string {
	t.Helper()
	res := queryFrom(t, srv, x, loginQuery, map[string]any{"e": email, "p": password})
	testserver.CheckEnvelope(t, res)
	if len(res.Body.Errors) == 0 {
		var s session
		res.Field(t, "login", &s)
		require.NotEmpty(t, s.AccessToken)
		return ""
	}
	return res.Error(t).Extensions.Type
}

func registerFrom(t *testing.T, srv *testserver.Server, x byte, email string) *testserver.Response {
	t.Helper()
	return queryFrom(t, srv, x, `mutation($in: RegisterInput!) { register(input: $in) { accessToken } }`,
		map[string]any{"in": map[string]any{"email": email, "password": "a long enough password", "name": "Someone"}})
}

// throttles changes the server's login and register limits.
func throttles(change func(*auth.Throttles)) testserver.Option {
	return testserver.With(func(w *app.Wiring) { change(&w.Throttles) })
}

// hits counts the rows of a throttle bucket.
func hits(t *testing.T, srv *testserver.Server, bucket string) int {
	t.Helper()
	var n int
	require.NoError(t, srv.App.DB.SQL().QueryRow(`SELECT COUNT(*) FROM throttle_hits WHERE bucket = $1`, bucket).Scan(&n))
	return n
}

func allHits(t *testing.T, srv *testserver.Server) int {
	t.Helper()
	var n int
	require.NoError(t, srv.App.DB.SQL().QueryRow(`SELECT COUNT(*) FROM throttle_hits`).Scan(&n))
	return n
}

// TestAFailingClientLocksOnlyItsOwnPair: five wrong passwords for the admin
// from 127.0.0.2 lock that address out of that account, right password
// included, while the admin signs in from 127.0.0.1 and 127.0.0.2 may still
// sign in to another account.
func TestAFailingClientLocksOnlyItsOwnPair(t *testing.T) {
	srv := testserver.Start(t)
	for i := range 5 {
		assert.Equal(t, "INVALID_CREDENTIALS", loginFrom(t, srv, 2, app.DemoAdminEmail, "wrong-password"), "attempt %d", i+1)
	}
	res := queryFrom(t, srv, 2, loginQuery, map[string]any{"e": app.DemoAdminEmail, "p": srv.App.DemoPassword})
	e := res.Error(t)
	assert.Equal(t, "RATE_LIMITED", e.Extensions.Code)
	assert.Equal(t, "TOO_MANY_LOGIN_ATTEMPTS", e.Extensions.Type, "even the right password waits")
	assert.InDelta(t, 15*60, e.Extensions.RetryAfter, 5)

	assert.Empty(t, loginFrom(t, srv, 1, app.DemoAdminEmail, srv.App.DemoPassword), "the owner elsewhere is not locked out")
	assert.Empty(t, loginFrom(t, srv, 2, app.DemoUserEmail, srv.App.DemoPassword), "the pair is locked, not the address")
	assert.Equal(t, "TOO_MANY_LOGIN_ATTEMPTS", loginFrom(t, srv, 2, app.DemoAdminEmail, srv.App.DemoPassword),
		"the owner's success elsewhere does not unlock the attacker's pair")
}

// TestASuccessClearsItsPairOnly: a success forgets its own attempt and
// the failures of its pair, not those counted for the email or the address.
func TestASuccessClearsItsPairOnly(t *testing.T) {
	srv := testserver.Start(t)
	email := app.DemoUserEmail
	for range 4 {
		require.Equal(t, "INVALID_CREDENTIALS", loginFrom(t, srv, 2, email, "wrong-password"))
	}
	require.Empty(t, loginFrom(t, srv, 2, email, srv.App.DemoPassword))
	assert.Zero(t, hits(t, srv, "login:pair:"+email+"|127.0.0.2"))
	for i := range 5 {
		assert.Equal(t, "INVALID_CREDENTIALS", loginFrom(t, srv, 2, email, "wrong-password"), "attempt %d after the success", i+1)
	}
	assert.Equal(t, "TOO_MANY_LOGIN_ATTEMPTS", loginFrom(t, srv, 2, email, "wrong-password"))

	assert.Equal(t, 5, hits(t, srv, "login:pair:"+email+"|127.0.0.2"))
	assert.Equal(t, 9, hits(t, srv, "login:email:"+email), "the failures before the success still count for the email")
	assert.Equal(t, 9, hits(t, srv, "login:client:127.0.0.2"), "and for the address; the success and the refusal count nowhere")
}

// TestThePerEmailCeilingStopsGuessingFromManyAddresses, with a ceiling of
// 6: failures from three addresses add up, the owner's success in between
// does not wipe them, and the seventh is refused from anywhere.
func TestThePerEmailCeilingStopsGuessingFromManyAddresses(t *testing.T) {
	srv := testserver.Start(t, throttles(func(th *auth.Throttles) { th.LoginEmail = auth.Rate{Limit: 6, Window: 10 * time.Minute} }))
	email := app.DemoUserEmail
	for _, x := range []byte{2, 2, 2, 3, 3} {
		require.Equal(t, "INVALID_CREDENTIALS", loginFrom(t, srv, x, email, "wrong-password"))
	}
	require.Empty(t, loginFrom(t, srv, 1, email, srv.App.DemoPassword), "the owner, under the ceiling")
	require.Equal(t, "INVALID_CREDENTIALS", loginFrom(t, srv, 4, email, "wrong-password"), "the sixth failure")

	for _, x := range []byte{5, 1} {
		res := queryFrom(t, srv, x, loginQuery, map[string]any{"e": email, "p": srv.App.DemoPassword})
		e := res.Error(t)
		assert.Equal(t, "TOO_MANY_LOGIN_ATTEMPTS", e.Extensions.Type, "from 127.0.0.%d", x)
		assert.InDelta(t, 10*60, e.Extensions.RetryAfter, 5, "the email's window")
	}
	assert.Empty(t, loginFrom(t, srv, 5, app.DemoAdminEmail, srv.App.DemoPassword), "another email is not affected")
}

// TestThePerAddressCeilingStopsPasswordSpraying, with a ceiling of 4: one
// address failing on four emails is refused on a fifth, whose owner signs
// in from another address.
func TestThePerAddressCeilingStopsPasswordSpraying(t *testing.T) {
	srv := testserver.Start(t, throttles(func(th *auth.Throttles) { th.LoginClient = auth.Rate{Limit: 4, Window: 5 * time.Minute} }))
	for i := range 4 {
		require.Equal(t, "INVALID_CREDENTIALS", loginFrom(t, srv, 2, "sprayed"+strconv.Itoa(i)+"@example.com", "Summer2026!"))
	}
	res := queryFrom(t, srv, 2, loginQuery, map[string]any{"e": app.DemoUserEmail, "p": "Summer2026!"})
	e := res.Error(t)
	assert.Equal(t, "TOO_MANY_LOGIN_ATTEMPTS", e.Extensions.Type)
	assert.InDelta(t, 5*60, e.Extensions.RetryAfter, 5, "the address's window")
	assert.Equal(t, "TOO_MANY_LOGIN_ATTEMPTS", loginFrom(t, srv, 2, app.DemoUserEmail, srv.App.DemoPassword), "right password included")
	assert.Empty(t, loginFrom(t, srv, 3, app.DemoUserEmail, srv.App.DemoPassword), "another address is not affected")
	assert.Equal(t, 4, hits(t, srv, "login:client:127.0.0.2"))
}

// TestARefusedLoginCostsNoHash: a throttled attempt is answered without
// running argon2id; a counted one runs it once.
func TestARefusedLoginCostsNoHash(t *testing.T) {
	srv := testserver.Start(t)
	passwords := srv.App.Accounts.Passwords
	for range 5 {
		before := passwords.Runs()
		require.Equal(t, "INVALID_CREDENTIALS", loginFrom(t, srv, 2, "ghost@example.com", "wrong-password"))
		assert.Equal(t, before+1, passwords.Runs(), "an unknown email costs one hash, as a wrong password does")
	}
	before := passwords.Runs()
	start := time.Now()
	for range 3 {
		require.Equal(t, "TOO_MANY_LOGIN_ATTEMPTS", loginFrom(t, srv, 2, "ghost@example.com", "wrong-password"))
	}
	assert.Equal(t, before, passwords.Runs(), "a refused attempt hashes nothing")
	t.Logf("3 refused logins in %v", time.Since(start))
}

// TestOversizedLoginInputIsRefusedBeforeAnythingIsStored: a 900 KB email
// and a 1,000-character password are VALIDATION_FAILED, both at once,
// without a row or a hash; the limits count characters, not bytes.
func TestOversizedLoginInputIsRefusedBeforeAnythingIsStored(t *testing.T) {
	srv := testserver.Start(t)
	passwords := srv.App.Accounts.Passwords
	rows, runs := allHits(t, srv), passwords.Runs()

	huge := strings.Repeat("a", 900*1024) + "@example.com"
	for range 5 {
		res := queryFrom(t, srv, 2, loginQuery, map[string]any{"e": huge, "p": strings.Repeat("p", 1000)})
		e := res.Error(t)
		assert.Equal(t, "BAD_USER_INPUT", e.Extensions.Code)
		assert.Equal(t, "VALIDATION_FAILED", e.Extensions.Type)
		got := map[string]string{}
		for _, f := range e.Extensions.Fields {
			got[fmt.Sprint(f.Path)] = f.Rule + " " + f.Message
		}
		assert.Equal(t, map[string]string{
			"[email]":    "maxLength length must be at most 254",
			"[password]": "maxLength length must be at most 128",
		}, got)
		assert.Less(t, len(res.Raw), 4096, "the input is not echoed")
	}
	assert.Equal(t, "VALIDATION_FAILED", loginFrom(t, srv, 2, "user@faultline.dev", strings.Repeat("é", 129)))
	assert.Equal(t, "INVALID_VARIABLES", loginFrom(t, srv, 2, "user\x00@faultline.dev", "wrong-password"),
		"a NUL, which no PostgreSQL text holds, is refused (by coercion; login refuses it again) rather than an internal error")
	assert.Equal(t, rows, allHits(t, srv), "no row was stored")
	assert.Equal(t, runs, passwords.Runs(), "nothing was hashed")

	longest := strings.Repeat("a", 254-len("@example.com")) + "@example.com"
	assert.Equal(t, "INVALID_CREDENTIALS", loginFrom(t, srv, 2, longest, strings.Repeat("é", 128)),
		"254 characters of email and 128 of password (256 bytes) are allowed")
}

// TestParallelWrongLoginsForOnePairCountFive: 20 wrong logins at once for
// one email from one address; the throttle counts them one by one, so five
// are checked and the other fifteen refused.
func TestParallelWrongLoginsForOnePairCountFive(t *testing.T) {
	srv := testserver.Start(t)
	results := make([]string, 20)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() { results[i] = loginFrom(t, srv, 2, app.DemoUserEmail, "wrong-password") })
	}
	wg.Wait()
	counts := map[string]int{}
	for _, r := range results {
		counts[r]++
	}
	assert.Equal(t, map[string]int{"INVALID_CREDENTIALS": 5, "TOO_MANY_LOGIN_ATTEMPTS": 15}, counts)
	assert.Equal(t, 5, hits(t, srv, "login:pair:"+app.DemoUserEmail+"|127.0.0.2"))
	assert.Equal(t, 5, hits(t, srv, "login:email:"+app.DemoUserEmail), "refused attempts left no row")
}

// TestRegisterIsThrottledPerClientAddress, with 3 an hour: a taken email
// counts, the fourth registration is refused before its password is hashed
// and creates nothing, and another address registers.
func TestRegisterIsThrottledPerClientAddress(t *testing.T) {
	srv := testserver.Start(t, throttles(func(th *auth.Throttles) { th.Register = auth.Rate{Limit: 3, Window: time.Hour} }))
	require.Empty(t, registerFrom(t, srv, 2, "first@example.com").Body.Errors)
	require.Empty(t, registerFrom(t, srv, 2, "second@example.com").Body.Errors)
	assert.Equal(t, "ALREADY_EXISTS", registerFrom(t, srv, 2, app.DemoUserEmail).Error(t).Extensions.Type)

	runs := srv.App.Accounts.Passwords.Runs()
	res := registerFrom(t, srv, 2, "fourth@example.com")
	e := res.Error(t)
	assert.Equal(t, "RATE_LIMITED", e.Extensions.Code)
	assert.Equal(t, "TOO_MANY_REGISTRATIONS", e.Extensions.Type)
	assert.Equal(t, http.StatusTooManyRequests, e.Extensions.Status)
	assert.InDelta(t, 60*60, e.Extensions.RetryAfter, 5)
	assert.Equal(t, runs, srv.App.Accounts.Passwords.Runs(), "refused before hashing")
	var n int
	require.NoError(t, srv.App.DB.SQL().QueryRow(`SELECT COUNT(*) FROM users WHERE email = 'fourth@example.com'`).Scan(&n))
	assert.Zero(t, n)
	assert.Equal(t, 3, hits(t, srv, "register:client:127.0.0.2"), "the refusal did not count")

	assert.Empty(t, registerFrom(t, srv, 3, "fourth@example.com").Body.Errors, "another address registers")
}

// TestRegisterChecksItsOwnRanges: a name of spaces passes the schema's
// minLength but is empty once trimmed: VALIDATION_FAILED before any
// throttling or hashing. A NUL never reaches register (INVALID_VARIABLES);
// register would refuse it too (auth's own tests).
func TestRegisterChecksItsOwnRanges(t *testing.T) {
	srv := testserver.Start(t)
	runs := srv.App.Accounts.Passwords.Runs()
	res := register(t, srv, "spaces@example.com", "a long enough password", "   ")
	e := res.Error(t)
	assert.Equal(t, "VALIDATION_FAILED", e.Extensions.Type)
	require.Len(t, e.Extensions.Fields, 1)
	assert.Equal(t, []any{"input", "name"}, e.Extensions.Fields[0].Path)
	assert.Equal(t, "minLength", e.Extensions.Fields[0].Rule)

	res = register(t, srv, "nul@example.com", "a long enough password", "Nul\x00")
	assert.Equal(t, "INVALID_VARIABLES", res.Error(t).Extensions.Type, "not an internal error on PostgreSQL")

	assert.Zero(t, allHits(t, srv))
	assert.Equal(t, runs, srv.App.Accounts.Passwords.Runs())
	var n int
	require.NoError(t, srv.App.DB.SQL().QueryRow(`SELECT COUNT(*) FROM users WHERE email IN ('spaces@example.com', 'nul@example.com')`).Scan(&n))
	assert.Zero(t, n)
}

// TestTwoInstancesShareTheThrottles: two servers on one PostgreSQL database
// count the same login failures and registrations.
func TestTwoInstancesShareTheThrottles(t *testing.T) {
	url := testdb.PostgresSchema(t, testdb.PostgresOnly(t))
	opts := []testserver.Option{
		testserver.Env("DATABASE_URL", url),
		testserver.Env("FAULTLINE_DEMO_PASSWORD", "demo-password-for-tests"),
		throttles(func(th *auth.Throttles) { th.Register = auth.Rate{Limit: 2, Window: time.Hour} }),
	}
	a, b := testserver.Start(t, opts...), testserver.Start(t, opts...)

	for i := range 5 {
		who := []*testserver.Server{a, b}[i%2]
		require.Equal(t, "INVALID_CREDENTIALS", loginFrom(t, who, 2, app.DemoUserEmail, "wrong-password"))
	}
	for _, who := range []*testserver.Server{a, b} {
		assert.Equal(t, "TOO_MANY_LOGIN_ATTEMPTS", loginFrom(t, who, 2, app.DemoUserEmail, "demo-password-for-tests"))
	}

	require.Empty(t, registerFrom(t, a, 2, "on-a@example.com").Body.Errors)
	require.Empty(t, registerFrom(t, b, 2, "on-b@example.com").Body.Errors)
	assert.Equal(t, "TOO_MANY_REGISTRATIONS", registerFrom(t, a, 2, "again@example.com").Error(t).Extensions.Type)
}
