package e2e_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite" // the "sqlite" driver, to break a row behind the server's back

	"github.com/faultline/faultline/internal/testdb"
	"github.com/faultline/faultline/internal/testproc"
)

// TestBrowserApp runs e2e/browser: an Apollo Client 4 app, built by esbuild
// and served from another origin than faultline's, in headless Chromium —
// HttpLink, PersistedQueryLink over POST and GET, BatchHttpLink, an
// ErrorLink on extensions.code, one node test per error family, a
// subscription through GraphQLWsLink, a disallowed origin (for requests and
// for the WebSocket handshake), trusted documents from the manifest the build
// generated — and graphql-http's audits of the GraphQL-over-HTTP spec.
//
// Four faultline processes: the main one (a 4 KiB body limit, batches of
// up to 5), one rate-limited, one to drain, one running trusted documents
// only. The suite asks this test, over a control server on loopback, to send
// SIGTERM to the draining one and to delete a product row with foreign keys
// off, which the Node side cannot do.
func TestBrowserApp(t *testing.T) {
	requireE2E(t)
	chromium := chromiumPath(t)
	dir := "browser"
	npmCI(t, dir)
	dist := t.TempDir()
	build := exec.Command("npm", "run", "build")
	build.Dir = dir
	build.Env = append(os.Environ(), "OUT_DIR="+dist)
	out, err := build.CombinedOutput()
	require.NoError(t, err, "npm run build in e2e/browser: %s", out)

	// The app's origin is the only one faultline allows; the other serves
	// the same page from an origin it does not.
	appAddr, otherAddr := testproc.FreeAddr(t), testproc.FreeAddr(t)
	secret, password := rand.Text()+rand.Text(), rand.Text()[:16] // the secret needs 32 bytes
	start := func(env ...string) (*testproc.Process, string) {
		db := testdb.DatabaseURL(t)
		return testproc.Start(t, t.TempDir(), append([]string{
			"DATABASE_URL=" + db,
			"FAULTLINE_JWT_SECRET=" + secret,
			"FAULTLINE_DEMO_PASSWORD=" + password,
			"FAULTLINE_CORS_ORIGINS=http://" + appAddr,
		}, env...)...), db
	}
	main, mainDB := start("FAULTLINE_MAX_BODY_BYTES=4096", "FAULTLINE_BATCH_MAX=5")
	limited, _ := start("FAULTLINE_RATE_LIMIT=2")
	draining, _ := start("FAULTLINE_DRAIN_DELAY=10s")
	trusted, _ := start("FAULTLINE_TRUSTED_DOCUMENTS=" + filepath.Join(dist, "persisted-query-manifest.json"))
	servers := map[string]*testproc.Process{"main": main, "limited": limited, "draining": draining, "trusted": trusted}

	control := httptest.NewServer(controlHandler(servers, mainDB))
	t.Cleanup(control.Close)

	cmd := exec.Command("node", "--test", "--test-concurrency=1")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"APP_DIR="+dist,
		"APP_ADDR="+appAddr,
		"OTHER_ADDR="+otherAddr,
		"FAULTLINE_URL="+main.Base,
		"LIMITED_URL="+limited.Base,
		"DRAINING_URL="+draining.Base,
		"TRUSTED_URL="+trusted.Base,
		"CONTROL_URL="+control.URL,
		"FAULTLINE_JWT_SECRET="+secret,
		"FAULTLINE_DEMO_PASSWORD="+password,
		"CHROMIUM_PATH="+chromium,
	)
	out, err = cmd.CombinedOutput()
	t.Logf("node --test in %s:\n%s", dir, out)
	require.NoError(t, err, "the browser suite failed")
}

// controlHandler is what the suite may ask of this test:
//
//	POST /drain                 SIGTERM to the draining server; answers once it drains
//	GET  /logs?server=NAME      a server's JSON log lines so far
//	POST /break-product?name=N  deletes the main server's product N with foreign keys off
func controlHandler(servers map[string]*testproc.Process, mainDB string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /drain", func(w http.ResponseWriter, r *http.Request) {
		p := servers["draining"]
		if err := p.Signal(syscall.SIGTERM); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		for deadline := time.Now().Add(5 * time.Second); p.Ready() != http.StatusServiceUnavailable; {
			if time.Now().After(deadline) {
				http.Error(w, "the server did not start draining", http.StatusInternalServerError)
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /logs", func(w http.ResponseWriter, r *http.Request) {
		p, ok := servers[r.URL.Query().Get("server")]
		if !ok {
			http.Error(w, "no such server", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(p.Logs())
	})
	mux.HandleFunc("POST /break-product", func(w http.ResponseWriter, r *http.Request) {
		n, err := deleteProduct(r.Context(), mainDB, r.URL.Query().Get("name"))
		if err != nil || n != 1 {
			http.Error(w, fmt.Sprintf("deleted %d rows: %v", n, err), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}

// deleteProduct deletes a product row on a connection of its own with
// foreign keys off, so that the orders holding it point at nothing: a real
// fault for the server to meet (INTERNAL), not a fake one.
func deleteProduct(ctx context.Context, dbURL, name string) (int64, error) {
	driver, dsn, off, del := "pgx", dbURL, "SET session_replication_role = replica", "DELETE FROM products WHERE name = $1"
	if path, ok := strings.CutPrefix(dbURL, "sqlite://"); ok {
		driver, dsn, off, del = "sqlite", path+"?_pragma=busy_timeout(5000)", "PRAGMA foreign_keys = OFF", "DELETE FROM products WHERE name = ?"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, off); err != nil {
		return 0, err
	}
	res, err := conn.ExecContext(ctx, del, name)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
