// Package testproc builds the faultline command and runs it as real
// processes for tests: several instances on one database, outages, and the
// Node and browser suites.
package testproc

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var (
	buildOnce sync.Once
	built     string
	buildErr  error
	buildOut  []byte
)

// Build compiles the faultline command once per test binary.
func Build(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "faultline-bin-")
		if err != nil {
			buildErr = err
			return
		}
		built = filepath.Join(dir, "faultline")
		root, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
		if err != nil {
			buildErr = err
			return
		}
		cmd := exec.Command("go", "build", "-o", built, ".")
		cmd.Dir = strings.TrimSpace(string(root))
		buildOut, buildErr = cmd.CombinedOutput()
	})
	require.NoError(t, buildErr, "%s", buildOut)
	return built
}

// Process is a running faultline binary.
type Process struct {
	t    testing.TB
	cmd  *exec.Cmd
	Base string // http://127.0.0.1:PORT

	mu     sync.Mutex
	logs   []map[string]any
	stderr bytes.Buffer
	done   chan struct{}
}

// Start runs the binary in dir with env added to the test's, and
// waits until it listens.
func Start(t testing.TB, dir string, env ...string) *Process {
	t.Helper()
	addr := FreeAddr(t)
	p := &Process{t: t, Base: "http://" + addr, done: make(chan struct{})}
	p.cmd = exec.Command(Build(t))
	p.cmd.Dir = dir
	p.cmd.Env = append(os.Environ(), append([]string{"FAULTLINE_ADDR=" + addr, "FAULTLINE_LOG_FORMAT=json"}, env...)...)
	p.cmd.Stderr = &p.stderr
	stdout, err := p.cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, p.cmd.Start())
	t.Cleanup(func() { p.Kill() })
	listening := make(chan struct{})
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) != nil {
				continue
			}
			p.mu.Lock()
			p.logs = append(p.logs, m)
			p.mu.Unlock()
			if m["msg"] == "faultline is listening" {
				close(listening)
			}
		}
	}()
	select {
	case <-listening:
	case <-p.done:
		t.Fatalf("the server exited: %s", p.stderr.String())
	case <-time.After(60 * time.Second):
		t.Fatal("the server did not start")
	}
	return p
}

func (p *Process) Kill() {
	if p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.done
		_ = p.cmd.Wait()
	}
}

// Signal sends sig to the process: SIGTERM starts its graceful shutdown
// (and its drain, with FAULTLINE_DRAIN_DELAY). It returns an error rather
// than failing the test, so that any goroutine may call it.
func (p *Process) Signal(sig os.Signal) error { return p.cmd.Process.Signal(sig) }

// Logs returns the JSON log lines the process has written so far.
func (p *Process) Logs() []map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]map[string]any(nil), p.logs...)
}

func (p *Process) Messages() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, m := range p.logs {
		if s, ok := m["msg"].(string); ok {
			out = append(out, s)
		}
	}
	return out
}

var client = &http.Client{Timeout: 30 * time.Second}

// Result is a decoded GraphQL response of a process.
type Result struct {
	Status int
	Data   map[string]json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
	Took time.Duration
}

// Types lists the extensions.type of the errors.
func (r *Result) Types() []string {
	var out []string
	for _, e := range r.Errors {
		out = append(out, e.Extensions["type"].(string))
	}
	return out
}

func (r *Result) Field(t testing.TB, name string, v any) {
	t.Helper()
	require.Empty(t, r.Errors, "errors: %+v", r.Errors)
	require.NoError(t, json.Unmarshal(r.Data[name], v))
}

// Query posts a GraphQL request to the process; token may be "".
func (p *Process) Query(t testing.TB, query string, vars map[string]any, token string) *Result {
	t.Helper()
	r, err := p.TryQuery(query, vars, token)
	require.NoError(t, err)
	return r
}

func (p *Process) TryQuery(query string, vars map[string]any, token string) (*Result, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, p.Base+"/query", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	start := time.Now()
	res, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	r := &Result{Status: res.StatusCode, Took: time.Since(start)}
	if err := json.Unmarshal(raw, r); err != nil {
		return nil, err
	}
	return r, nil
}

func (p *Process) Ready() int {
	res, err := client.Get(p.Base + "/readyz")
	if err != nil {
		return 0
	}
	res.Body.Close()
	return res.StatusCode
}

// Tokens are the fields of an AuthPayload the tests use.
type Tokens struct {
	Access  string `json:"accessToken"`
	Refresh string `json:"refreshToken"`
	User    struct {
		ID string `json:"id"`
	} `json:"user"`
}

func (p *Process) Login(t testing.TB, email, password string) Tokens {
	t.Helper()
	var s Tokens
	p.Query(t, `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken user { id } } }`,
		map[string]any{"e": email, "p": password}, "").Field(t, "login", &s)
	return s
}

// FreeAddr is a free loopback address (127.0.0.1:PORT), for a listener of
// a test's own.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}
