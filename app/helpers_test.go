package app_test

import (
	"encoding/json"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/app"
	"github.com/faultline/faultline/internal/testserver"
)

// session is an AuthPayload.
type session struct {
	AccessToken  string `json:"accessToken"`
	RefreshToken string `json:"refreshToken"`
	TokenType    string `json:"tokenType"`
	ExpiresIn    int    `json:"expiresIn"`
	User         struct {
		ID    string `json:"id"`
		Email string `json:"email"`
		Role  string `json:"role"`
	} `json:"user"`
}

const sessionFields = `accessToken refreshToken tokenType expiresIn user { id email role }`

func bearer(token string) []string { return []string{"Authorization", "Bearer " + token} }

// mustSession reads the AuthPayload of a mutation that must have succeeded.
func mustSession(t *testing.T, res *testserver.Response, field string) session {
	t.Helper()
	require.Empty(t, res.Body.Errors, "%s", res.Raw)
	var s session
	res.Field(t, field, &s)
	require.NotEmpty(t, s.AccessToken)
	return s
}

func login(t *testing.T, srv *testserver.Server, email, password string) session {
	t.Helper()
	return mustSession(t, srv.Query(t, `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { `+sessionFields+` } }`,
		map[string]any{"e": email, "p": password}), "login")
}

func loginUser(t *testing.T, srv *testserver.Server) session {
	return login(t, srv, app.DemoUserEmail, srv.App.DemoPassword)
}

func loginAdmin(t *testing.T, srv *testserver.Server) session {
	return login(t, srv, app.DemoAdminEmail, srv.App.DemoPassword)
}

func register(t *testing.T, srv *testserver.Server, email, password, name string) *testserver.Response {
	t.Helper()
	return srv.Query(t, `mutation($in: RegisterInput!) { register(input: $in) { `+sessionFields+` } }`,
		map[string]any{"in": map[string]any{"email": email, "password": password, "name": name}})
}

func refresh(t *testing.T, srv *testserver.Server, token string) *testserver.Response {
	t.Helper()
	return srv.Query(t, `mutation($t: String!) { refreshToken(token: $t) { `+sessionFields+` } }`, map[string]any{"t": token})
}

// logLine returns the request's "graphql" log line.
func logLine(t *testing.T, srv *testserver.Server, requestID string) map[string]any {
	t.Helper()
	for _, l := range srv.Logs.For(requestID) {
		if l["msg"] == "graphql" {
			return l
		}
	}
	t.Fatalf("no log line for request %s", requestID)
	return nil
}

func field(t *testing.T, res *testserver.Response, name string) map[string]any {
	t.Helper()
	var v map[string]any
	require.NoError(t, json.Unmarshal(res.Body.Data[name], &v))
	return v
}

func jsonDecode(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }
