// Package testdb gives tests a fresh database of the run's engine (SQLite,
// or PostgreSQL when TEST_DATABASE_URL is set) and runs a package's tests on
// both engines.
package testdb

import (
	"crypto/rand"
	"database/sql"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver, for creating test schemas
	"github.com/stretchr/testify/require"
)

// The environment of the engine choice.
const (
	// EngineEnv selects the engine of a test run: sqlite (the default) or postgres.
	EngineEnv = "FAULTLINE_TEST_ENGINE"
	// PostgresEnv is the PostgreSQL server the tests may use (a URL to a
	// database they may create schemas in).
	PostgresEnv = "TEST_DATABASE_URL"
)

// Engine is the engine this test run uses.
func Engine() string {
	if os.Getenv(EngineEnv) == "postgres" {
		return "postgres"
	}
	return "sqlite"
}

// RequirePostgres skips a test that needs PostgreSQL when TEST_DATABASE_URL
// is unset, with a one-line reason, and fails it instead under CI=true, so
// that CI cannot pass by skipping.
func RequirePostgres(t testing.TB) string {
	t.Helper()
	u := os.Getenv(PostgresEnv)
	if u == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is unset, and CI=true: the PostgreSQL tests must run", PostgresEnv)
		}
		t.Skipf("%s is unset: PostgreSQL tests skipped (see README, Testing on PostgreSQL)", PostgresEnv)
	}
	return u
}

// PostgresOnly is RequirePostgres for a test about PostgreSQL itself: it runs
// once, in the PostgreSQL pass of Main, not again in the SQLite pass.
func PostgresOnly(t testing.TB) string {
	t.Helper()
	u := RequirePostgres(t)
	if Engine() != "postgres" {
		t.Skip("a PostgreSQL test: it runs in the PostgreSQL pass")
	}
	return u
}

// DatabaseURL returns a DATABASE_URL for a fresh, empty database of the
// run's engine: a temporary SQLite file, or a new PostgreSQL schema dropped
// when the test ends.
func DatabaseURL(t testing.TB) string {
	t.Helper()
	if Engine() == "sqlite" {
		return "sqlite://" + filepath.Join(t.TempDir(), "faultline.db")
	}
	return PostgresSchema(t, RequirePostgres(t))
}

var (
	adminOnce sync.Once
	admin     *sql.DB
	adminErr  error
)

// PostgresSchema creates a schema on the server of base and returns base
// with search_path set to it; the schema is dropped when the test ends.
func PostgresSchema(t testing.TB, base string) string {
	t.Helper()
	adminOnce.Do(func() { admin, adminErr = sql.Open("pgx", base) })
	require.NoError(t, adminErr)
	name := "t_" + strings.ToLower(rand.Text()[:12])
	_, err := admin.Exec(`CREATE SCHEMA ` + name)
	require.NoError(t, err, "creating a test schema on %s", PostgresEnv)
	t.Cleanup(func() { _, _ = admin.Exec(`DROP SCHEMA ` + name + ` CASCADE`) })
	return WithSearchPath(base, name)
}

// WithSearchPath sets a PostgreSQL URL's search_path.
func WithSearchPath(base, schema string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Main runs a package's tests on SQLite and then, when TEST_DATABASE_URL is
// set, runs the whole binary again on PostgreSQL, so that one `go test
// ./...` holds every feature to both engines. A package that uses it calls
// it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if os.Getenv(EngineEnv) != "" || os.Getenv(PostgresEnv) == "" || fuzzing() {
		os.Exit(code)
	}
	fmt.Fprintln(os.Stderr, "=== faultline: the same tests again on PostgreSQL ("+EngineEnv+"=postgres)")
	cmd := exec.Command(os.Args[0], os.Args[1:]...)
	cmd.Env = append(os.Environ(), EngineEnv+"=postgres")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil && code == 0 {
		code = 1
	}
	os.Exit(code)
}

func fuzzing() bool {
	for _, name := range []string{"test.fuzz", "test.fuzzworker"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" && f.Value.String() != "false" {
			return true
		}
	}
	return false
}
