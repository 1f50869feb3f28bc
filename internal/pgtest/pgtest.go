// Package pgtest runs a throwaway PostgreSQL cluster for the tests that must
// stop and restart the server itself (fault tests). It uses the server
// binaries of Debian's postgresql package; as root, it runs them as the
// postgres user, since PostgreSQL refuses to run as root.
package pgtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/internal/testdb"
)

// Cluster is a PostgreSQL server of one test.
type Cluster struct {
	t       testing.TB
	bin     string
	dir     string
	port    int
	running bool
}

// Start initialises and starts a cluster on a free local port; it is stopped
// and removed when the test ends. Like every PostgreSQL test, it is skipped
// when TEST_DATABASE_URL is unset (and fails when CI=true), and runs in the
// PostgreSQL pass only.
func Start(t testing.TB) *Cluster {
	t.Helper()
	testdb.PostgresOnly(t)
	bin, err := binDir()
	require.NoError(t, err)
	dir, err := os.MkdirTemp("", "faultline-pg-")
	require.NoError(t, err)
	c := &Cluster{t: t, bin: bin, dir: dir, port: freePort(t)}
	t.Cleanup(func() {
		c.Stop()
		_ = os.RemoveAll(dir)
	})
	require.NoError(t, c.chownToPostgres(dir))
	c.run("initdb", "-D", c.data(), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")
	c.Restart()
	return c
}

// URL is the cluster's postgres database.
func (c *Cluster) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

// Stop stops the server at once (fast shutdown: connections are cut).
func (c *Cluster) Stop() {
	if !c.running {
		return
	}
	c.run("pg_ctl", "-D", c.data(), "-m", "fast", "-w", "stop")
	c.running = false
}

// Restart starts the server again, on the same port and data.
func (c *Cluster) Restart() {
	c.run("pg_ctl", "-D", c.data(), "-w", "-l", filepath.Join(c.dir, "log"), "-o",
		fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", c.port, c.dir), "start")
	c.running = true
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

func (c *Cluster) run(name string, args ...string) {
	c.t.Helper()
	path := filepath.Join(c.bin, name)
	var cmd *exec.Cmd
	if os.Geteuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	out, err := cmd.CombinedOutput()
	require.NoError(c.t, err, "%s %s: %s", name, strings.Join(args, " "), out)
}

func (c *Cluster) chownToPostgres(dir string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("running PostgreSQL as root needs the postgres user (Debian's postgresql package): %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return os.Chown(dir, uid, gid)
}

// binDir finds the server binaries: TEST_PG_BINDIR, pg_config --bindir, or
// the newest /usr/lib/postgresql/*/bin.
func binDir() (string, error) {
	if d := os.Getenv("TEST_PG_BINDIR"); d != "" {
		return d, nil
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		d := strings.TrimSpace(string(out))
		if _, err := os.Stat(filepath.Join(d, "pg_ctl")); err == nil {
			return d, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Strings(dirs)
	if len(dirs) == 0 {
		return "", fmt.Errorf("no PostgreSQL server binaries: install Debian's postgresql package or set TEST_PG_BINDIR")
	}
	return dirs[len(dirs)-1], nil
}

func freePort(t testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// WaitDown waits until the server refuses connections.
func (c *Cluster) WaitDown(d time.Duration) {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", c.port))
		if err != nil {
			return
		}
		conn.Close()
		time.Sleep(20 * time.Millisecond)
	}
}
