package e2e_test

import (
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/faultline/faultline/internal/pgtest"
	"github.com/faultline/faultline/internal/testdb"
	"github.com/faultline/faultline/internal/testproc"
)

// TestSubscriptionClients runs e2e/apollo/subscriptions.test.mjs: graphql-ws's
// createClient, Apollo Client 4's GraphQLWsLink and graphql-sse's
// createClient follow an order and a wallet through every move, and get
// every end typed: TOKEN_MISSING, another user's order, TOKEN_EXPIRED from a
// server whose tokens live 2 s, USER_SUSPENDED, and SHUTTING_DOWN from a
// server this test sends SIGTERM to (over the control server, POST /drain).
// In the PostgreSQL pass a second process on the main one's database serves
// subscriptions to the changes made through the first, and a third, on a
// cluster of its own, keeps its subscribers through a restart of PostgreSQL
// (POST /postgres/stop, then /postgres/start).
func TestSubscriptionClients(t *testing.T) {
	requireE2E(t)
	dir := "apollo"
	npmCI(t, dir)
	secret, password := rand.Text()+rand.Text(), rand.Text()[:16] // the secret needs 32 bytes
	start := func(db string, env ...string) *testproc.Process {
		return testproc.Start(t, t.TempDir(), append([]string{
			"DATABASE_URL=" + db,
			"FAULTLINE_JWT_SECRET=" + secret,
			"FAULTLINE_DEMO_PASSWORD=" + password,
		}, env...)...)
	}
	mainDB := testdb.DatabaseURL(t)
	main := start(mainDB)
	shortTTL := start(testdb.DatabaseURL(t), "FAULTLINE_ACCESS_TTL=2s")
	draining := start(testdb.DatabaseURL(t), "FAULTLINE_DRAIN_DELAY=10s")
	mux := http.NewServeMux()
	mux.Handle("/", controlHandler(map[string]*testproc.Process{"draining": draining}, mainDB))
	control := httptest.NewServer(mux)
	t.Cleanup(control.Close)

	env := []string{
		"FAULTLINE_URL=" + main.Base,
		"SHORT_TTL_URL=" + shortTTL.Base,
		"DRAINING_URL=" + draining.Base,
		"CONTROL_URL=" + control.URL,
		"FAULTLINE_JWT_SECRET=" + secret,
		"FAULTLINE_DEMO_PASSWORD=" + password,
	}
	if testdb.Engine() == "postgres" {
		env = append(env, "PEER_URL="+start(mainDB).Base)
		// A server on a cluster of its own, which the suite may stop and start.
		cluster := pgtest.Start(t)
		outage := start(cluster.URL(), "FAULTLINE_DB_TIMEOUT=1s", "FAULTLINE_SUBSCRIPTION_DB_GRACE=10s")
		mux.HandleFunc("POST /postgres/stop", func(w http.ResponseWriter, r *http.Request) {
			cluster.Stop()
			w.WriteHeader(http.StatusNoContent)
		})
		mux.HandleFunc("POST /postgres/start", func(w http.ResponseWriter, r *http.Request) {
			cluster.Restart()
			w.WriteHeader(http.StatusNoContent)
		})
		env = append(env, "OUTAGE_URL="+outage.Base)
	}
	nodeTest(t, dir, []string{"subscriptions.test.mjs"}, env)
}
