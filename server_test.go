package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/internal/testdb"
	"github.com/faultline/faultline/internal/testproc"
)

// TestMain runs the command's tests on SQLite, then on PostgreSQL when
// TEST_DATABASE_URL is set.
func TestMain(m *testing.M) { testdb.Main(m) }

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

// TestProcessServesAndStopsOnSIGTERM starts the real binary the way
// `go run .` does (development mode, a fresh SQLite file under ./data),
// queries it, and stops it with SIGTERM.
func TestProcessServesAndStopsOnSIGTERM(t *testing.T) {
	if testdb.Engine() != "sqlite" {
		t.Skip("this is go run .'s default SQLite file; the PostgreSQL processes are in multiinstance_test.go")
	}
	bin := testproc.Build(t)
	dir := t.TempDir()
	addr := freeAddr(t)
	cmd := exec.Command(bin)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "FAULTLINE_ADDR="+addr, "FAULTLINE_LOG_FORMAT=json", "DATABASE_URL=")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	banner := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(stderr)
		banner <- string(b)
	}()
	var logs []map[string]any
	logDone := make(chan struct{})
	listening := make(chan struct{})
	go func() {
		defer close(logDone)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil {
				logs = append(logs, m)
				if m["msg"] == "faultline is listening" {
					close(listening)
				}
			}
		}
	}()
	select {
	case <-listening:
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not start")
	}

	res, err := http.Post("http://"+addr+"/query", "application/json",
		strings.NewReader(`{"query":"{ products(first: 2) { edges { node { name priceCents } } } }"}`))
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, string(body), `"name":"Mechanical Keyboard"`)
	assert.FileExists(t, filepath.Join(dir, "data", "faultline.db"), "the default SQLite file")

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	waited := make(chan error, 1)
	go func() { <-logDone; waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		require.NoError(t, err, "exit status 0")
	case <-time.After(20 * time.Second):
		t.Fatal("the server did not stop on SIGTERM")
	}
	var msgs []string
	for _, m := range logs {
		msgs = append(msgs, m["msg"].(string))
	}
	assert.Contains(t, msgs, "seeded demo products")
	assert.Contains(t, msgs, "shutting down")
	assert.Contains(t, msgs, "stopped")
	assert.Contains(t, <-banner, "playground: http://"+addr+"/")
}

func TestProcessRefusesBadSettingsNamingTheVariable(t *testing.T) {
	bin := testproc.Build(t)
	cmd := exec.Command(bin)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "FAULTLINE_MAX_DEPTH=deep", "FAULTLINE_HTTP_STATUS=rest")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 1, exit.ExitCode())
	assert.Contains(t, string(out), "FAULTLINE_MAX_DEPTH")
	assert.Contains(t, string(out), "FAULTLINE_HTTP_STATUS")
}
