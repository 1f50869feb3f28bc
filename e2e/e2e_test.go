// Package e2e runs the Node suites against a started faultline: a real
// Apollo Client 4 (e2e/apollo), subscriptions through graphql-ws, Apollo
// Client's GraphQLWsLink and graphql-sse (e2e/apollo), the playground in headless Chromium
// (e2e/playground), and a browser app on another origin with Apollo
// Client 4's links plus graphql-http's audits (e2e/browser). They run when TEST_E2E=1 (Node and npm on the PATH; the
// browser test also needs Chromium, CHROMIUM_PATH or /usr/bin/chromium), are
// skipped with a one-line reason otherwise, and fail instead under CI=true.
package e2e_test

import (
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/internal/testdb"
	"github.com/faultline/faultline/internal/testproc"
)

// TestMain runs the suites on SQLite, then on PostgreSQL when TEST_DATABASE_URL is set.
func TestMain(m *testing.M) { testdb.Main(m) }

func requireE2E(t *testing.T) {
	t.Helper()
	if os.Getenv("TEST_E2E") == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("TEST_E2E is unset, and CI=true: the Node and browser suites must run")
		}
		t.Skip("TEST_E2E is unset: the Node and browser suites are skipped (see README, End-to-end suites)")
	}
	for _, tool := range []string{"node", "npm"} {
		_, err := exec.LookPath(tool)
		require.NoError(t, err, "TEST_E2E=1 needs %s on the PATH", tool)
	}
}

// npmCI installs a suite's packages from its lockfile when they are not installed yet.
func npmCI(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, "node_modules", ".package-lock.json")); err == nil {
		return
	}
	cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "npm ci in %s: %s", dir, out)
}

// chromiumPath is the browser the browser suites drive: CHROMIUM_PATH, or Debian's.
func chromiumPath(t *testing.T) string {
	t.Helper()
	chromium := os.Getenv("CHROMIUM_PATH")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	_, err := os.Stat(chromium)
	require.NoError(t, err, "the browser tests need Chromium (Debian's chromium package, or CHROMIUM_PATH)")
	return chromium
}

// runSuite starts faultline and runs `node --test` on files in dir against it.
func runSuite(t *testing.T, dir string, files []string, env ...string) {
	t.Helper()
	npmCI(t, dir)
	secret, password := rand.Text()+rand.Text(), rand.Text()[:16] // the secret needs 32 bytes
	srv := testproc.Start(t, t.TempDir(),
		"DATABASE_URL="+testdb.DatabaseURL(t),
		"FAULTLINE_JWT_SECRET="+secret,
		"FAULTLINE_DEMO_PASSWORD="+password,
		"FAULTLINE_MAX_BODY_BYTES=4096",
	)
	nodeTest(t, dir, files, append([]string{
		"FAULTLINE_URL=" + srv.Base,
		"FAULTLINE_JWT_SECRET=" + secret,
		"FAULTLINE_DEMO_PASSWORD=" + password,
	}, env...))
}

// nodeTest runs `node --test` on files in dir (none: every test file there)
// with env added to the test's, and fails the test when the suite fails.
func nodeTest(t *testing.T, dir string, files []string, env []string) {
	t.Helper()
	cmd := exec.Command("node", append([]string{"--test"}, files...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	t.Logf("node --test in %s:\n%s", dir, out)
	require.NoError(t, err, "the %s suite failed", filepath.Base(dir))
}

// TestApolloClient runs e2e/apollo: every error family through a real
// Apollo Client 4, the refresh flow, partial data, form errors.
func TestApolloClient(t *testing.T) {
	requireE2E(t)
	runSuite(t, "apollo", []string{"errors.test.mjs"})
}

// TestPlaygroundInChromium runs e2e/playground: with every request off
// 127.0.0.1 refused, the playground renders from faultline's own assets, runs
// a query with a token typed into its headers editor and shows the typed
// error, with no console error or CSP violation; the screenshot is saved
// under e2e/playground/output/.
func TestPlaygroundInChromium(t *testing.T) {
	requireE2E(t)
	chromium := chromiumPath(t)
	out, err := filepath.Abs(filepath.Join("playground", "output", testdb.Engine()))
	require.NoError(t, err)
	runSuite(t, "playground", nil, "CHROMIUM_PATH="+chromium, "SCREENSHOT_DIR="+out)
}
