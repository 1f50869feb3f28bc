package app_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/app"
	"github.com/faultline/faultline/internal/testdb"
	"github.com/faultline/faultline/internal/testserver"
	"github.com/faultline/faultline/persisted"
)

const productsDoc = `query Products { products(first: 2) { edges { node { name } } } }`

// apq posts a persisted-query request: the hash, and the query when given.
func apq(t *testing.T, srv *testserver.Server, hash, query string, headers ...string) *testserver.Response {
	t.Helper()
	body := map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}}
	if query != "" {
		body["query"] = query
	}
	raw, err := json.Marshal(body)
	require.NoError(t, err)
	return srv.Post(t, raw, append([]string{"Content-Type", "application/json", "Accept", acceptGraphQLResponse}, headers...)...)
}

// apqGET sends the hash alone over GET, as PersistedQueryLink does with
// useGETForHashedQueries.
func apqGET(t *testing.T, srv *testserver.Server, hash string) *testserver.Response {
	t.Helper()
	q := url.Values{"extensions": {`{"persistedQuery":{"version":1,"sha256Hash":"` + hash + `"}}`}}
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/query?"+q.Encode(), nil)
	require.NoError(t, err)
	return srv.Do(t, req, "Accept", acceptGraphQLResponse)
}

// TestAutomaticPersistedQueries: an unknown hash asks for the query
// (PERSISTED_QUERY_NOT_FOUND, which PersistedQueryLink answers by resending
// with the query); the query sent with its hash runs and is kept; then the
// hash alone runs it, over POST and over GET.
func TestAutomaticPersistedQueries(t *testing.T) {
	srv := testserver.Start(t)
	hash := persisted.Hash(productsDoc)

	unknown := apq(t, srv, hash, "")
	e := unknown.Error(t)
	assert.Equal(t, "PERSISTED_QUERY_NOT_FOUND", e.Extensions.Code)
	assert.Equal(t, "PERSISTED_QUERY_NOT_FOUND", e.Extensions.Type)
	assert.Equal(t, "PersistedQueryNotFound", e.Message, "the message PersistedQueryLink also recognises")
	assert.Equal(t, http.StatusNotFound, unknown.Status)
	assert.Equal(t, hash, e.Extensions.Details["sha256Hash"])

	registered := apq(t, srv, hash, productsDoc)
	require.Empty(t, registered.Body.Errors, "%s", registered.Raw)
	assert.Contains(t, string(registered.Body.Data["products"]), "edges")

	for _, res := range []*testserver.Response{apq(t, srv, hash, ""), apqGET(t, srv, hash)} {
		require.Empty(t, res.Body.Errors, "%s", res.Raw)
		assert.JSONEq(t, string(registered.Body.Data["products"]), string(res.Body.Data["products"]))
	}

	legacy := srv.Post(t, []byte(`{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"`+persisted.Hash("{ other }")+`"}}}`),
		"Content-Type", "application/json")
	assert.Equal(t, http.StatusOK, legacy.Status, "application/json only: a request error is 200")
	assert.Equal(t, "PERSISTED_QUERY_NOT_FOUND", legacy.Error(t).Extensions.Type)
}

// TestAPersistedQueryMissIsLoggedUnderItsOperationName: a hash alone that
// is not known is refused before there is a document to name the
// operation; its log line names the operation the client sent, as
// PersistedQueryLink sends operationName with the hash.
func TestAPersistedQueryMissIsLoggedUnderItsOperationName(t *testing.T) {
	srv := testserver.Start(t)
	res := srv.Post(t, []byte(`{"operationName":"Products","extensions":{"persistedQuery":{"version":1,"sha256Hash":"`+
		persisted.Hash(productsDoc)+`"}}}`), "Content-Type", "application/json")
	require.Equal(t, "PERSISTED_QUERY_NOT_FOUND", res.Error(t).Extensions.Type)

	line := logLine(t, srv, res.Header.Get("X-Request-ID"))
	assert.Equal(t, "Products", line["operation"])
	assert.Equal(t, "PERSISTED_QUERY_NOT_FOUND/PERSISTED_QUERY_NOT_FOUND", line["errors"])
}

// TestPersistedQueriesAreCheckedBeforeTheyAreKept: a hash that is not the
// query's, or a document that does not validate, is refused and not kept;
// a persisted mutation does not run over GET.
func TestPersistedQueriesAreCheckedBeforeTheyAreKept(t *testing.T) {
	srv := testserver.Start(t)

	mismatch := apq(t, srv, persisted.Hash("{ __typename }"), productsDoc)
	e := mismatch.Error(t)
	assert.Equal(t, "BAD_REQUEST", e.Extensions.Code)
	assert.Equal(t, "PERSISTED_QUERY_HASH_MISMATCH", e.Extensions.Type)
	assert.Equal(t, http.StatusBadRequest, mismatch.Status)
	assert.False(t, mismatch.Body.HasData, "it did not run")
	assert.Equal(t, "PERSISTED_QUERY_NOT_FOUND", apq(t, srv, persisted.Hash("{ __typename }"), "").Error(t).Extensions.Type, "nor was it kept")

	const invalid = `{ nope }`
	assert.Equal(t, "INVALID_QUERY", apq(t, srv, persisted.Hash(invalid), invalid).Error(t).Extensions.Type)
	assert.Equal(t, "PERSISTED_QUERY_NOT_FOUND", apq(t, srv, persisted.Hash(invalid), "").Error(t).Extensions.Type, "an invalid document is not kept")

	const logout = `mutation { logout(refreshToken: "flr_x") }`
	require.Empty(t, apq(t, srv, persisted.Hash(logout), logout).Body.Errors)
	viaGET := apqGET(t, srv, persisted.Hash(logout))
	assert.Equal(t, http.StatusMethodNotAllowed, viaGET.Status, "%s", viaGET.Raw)
	assert.Equal(t, "METHOD_NOT_ALLOWED", viaGET.Error(t).Extensions.Type)
	assert.Equal(t, "POST", viaGET.Header.Get("Allow"))

	for ext, typ := range map[string]string{
		`{"persistedQuery":{"version":2,"sha256Hash":"` + persisted.Hash(productsDoc) + `"}}`: "PERSISTED_QUERY_NOT_SUPPORTED",
		`{"persistedQuery":{"version":1,"sha256Hash":"not-a-hash"}}`:                          "MALFORMED_REQUEST",
		`{"persistedQuery":{"sha256Hash":"` + persisted.Hash(productsDoc) + `"}}`:             "MALFORMED_REQUEST",
		`{"persistedQuery":"yes"}`: "MALFORMED_REQUEST",
	} {
		res := srv.Post(t, []byte(`{"extensions":`+ext+`}`), "Content-Type", "application/json")
		assert.Equal(t, typ, res.Error(t).Extensions.Type, ext)
	}
}

// TestPersistedQueriesCanBeSwitchedOff: with FAULTLINE_APQ=false a hash is
// PERSISTED_QUERY_NOT_SUPPORTED, which tells PersistedQueryLink to stop.
func TestPersistedQueriesCanBeSwitchedOff(t *testing.T) {
	srv := testserver.Start(t, testserver.Env("FAULTLINE_APQ", "false"))
	res := apq(t, srv, persisted.Hash(productsDoc), productsDoc)
	e := res.Error(t)
	assert.Equal(t, "PERSISTED_QUERY_NOT_SUPPORTED", e.Extensions.Code)
	assert.Equal(t, "PersistedQueryNotSupported", e.Message)
	assert.Equal(t, http.StatusBadRequest, res.Status)
	plain := srv.Query(t, productsDoc, nil)
	assert.Empty(t, plain.Body.Errors, "the query alone runs")
}

// TestPersistedQueriesAreSharedByEveryInstance: a document registered
// through one instance runs by hash through another on the same database.
func TestPersistedQueriesAreSharedByEveryInstance(t *testing.T) {
	url := testdb.PostgresSchema(t, testdb.PostgresOnly(t))
	a := testserver.Start(t, testserver.Env("DATABASE_URL", url))
	b := testserver.Start(t, testserver.Env("DATABASE_URL", url))
	hash := persisted.Hash(productsDoc)
	require.Empty(t, apq(t, a, hash, productsDoc).Body.Errors)
	res := apq(t, b, hash, "")
	require.Empty(t, res.Body.Errors, "%s", res.Raw)
	assert.Contains(t, string(res.Body.Data["products"]), "edges")
}

// TestTrustedDocumentsOnly: with a manifest, its documents run by id or by
// their text, and anything else is OPERATION_NOT_TRUSTED, the playground's
// introspection included; registering by hash does not get around it.
func TestTrustedDocumentsOnly(t *testing.T) {
	const topUp = `mutation TopUp($a: Int!) { topUp(amountCents: $a) { balanceCents } }`
	manifest := map[string]any{"format": "apollo-persisted-query-manifest", "version": 1, "operations": []map[string]any{
		{"id": persisted.Hash(productsDoc), "name": "Products", "type": "query", "body": productsDoc},
		{"id": "custom-id-1", "name": "TopUp", "type": "mutation", "body": topUp},
	}}
	raw, err := json.Marshal(manifest)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "persisted-query-manifest.json")
	require.NoError(t, os.WriteFile(path, raw, 0o600))
	srv := testserver.Start(t, testserver.Env("FAULTLINE_TRUSTED_DOCUMENTS", path))

	byID := apq(t, srv, persisted.Hash(productsDoc), "")
	require.Empty(t, byID.Body.Errors, "%s", byID.Raw)
	byText := srv.Query(t, productsDoc, nil)
	require.Empty(t, byText.Body.Errors, "%s", byText.Raw)
	user := loginUserTrusted(t, srv)
	custom := srv.Post(t, []byte(`{"variables":{"a":100},"extensions":{"persistedQuery":{"version":1,"sha256Hash":"custom-id-1"}}}`),
		"Content-Type", "application/json", "Authorization", "Bearer "+user)
	require.Empty(t, custom.Body.Errors, "a manifest's own ids: %s", custom.Raw)

	for name, res := range map[string]*testserver.Response{
		"another text":         srv.Query(t, `{ products { edges { cursor } } }`, nil, "Accept", acceptGraphQLResponse),
		"introspection":        srv.Query(t, `{ __schema { types { name } } }`, nil, "Accept", acceptGraphQLResponse),
		"an unknown hash":      apq(t, srv, persisted.Hash("{ __typename }"), ""),
		"registering a hash":   apq(t, srv, persisted.Hash("{ __typename }"), "{ __typename }"),
		"a known id, new text": apq(t, srv, persisted.Hash(productsDoc), "{ __typename }"),
	} {
		e := res.Error(t)
		assert.Equal(t, "FORBIDDEN", e.Extensions.Code, name)
		assert.Equal(t, "OPERATION_NOT_TRUSTED", e.Extensions.Type, name)
		assert.Equal(t, http.StatusForbidden, res.Status, name)
		assert.False(t, res.Body.HasData, name)
	}
}

// loginUserTrusted signs the demo user in with the manifest's rules in
// force: login is not in it, so the session is made by the accounts.
func loginUserTrusted(t *testing.T, srv *testserver.Server) string {
	t.Helper()
	s, err := srv.App.Accounts.Login(context.Background(), app.DemoUserEmail, srv.App.DemoPassword)
	require.NoError(t, err)
	return s.AccessToken
}

// TestAMalformedManifestStopsTheStart: faultline does not start on a
// manifest it cannot read, naming the variable and the fault.
func TestAMalformedManifestStopsTheStart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "manifest.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"format": "apollo-persisted-query-manifest", "version": 3, "operations": []}`), 0o600))
	cfg, opts := testserver.Config(t, testserver.Env("FAULTLINE_TRUSTED_DOCUMENTS", path))
	_, err := app.New(context.Background(), cfg, slog.New(slog.DiscardHandler), opts...)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "FAULTLINE_TRUSTED_DOCUMENTS")
	assert.Contains(t, err.Error(), "version is not 1")
}
