package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
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

// buildServer compiles this command once per test binary.
func buildServer(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "faultline-bin-")
		if err != nil {
			buildErr = err
			return
		}
		built = filepath.Join(dir, "faultline")
		buildOut, buildErr = exec.Command("go", "build", "-o", built, ".").CombinedOutput()
	})
	require.NoError(t, buildErr, "%s", buildOut)
	return built
}

// process is a running faultline binary.
type process struct {
	t    *testing.T
	cmd  *exec.Cmd
	base string // http://127.0.0.1:PORT

	mu     sync.Mutex
	logs   []map[string]any
	stderr bytes.Buffer
	done   chan struct{}
}

// startProcess runs the binary in dir with env added to the test's, and
// waits until it listens.
func startProcess(t *testing.T, dir string, env ...string) *process {
	t.Helper()
	addr := freeAddr(t)
	p := &process{t: t, base: "http://" + addr, done: make(chan struct{})}
	p.cmd = exec.Command(buildServer(t))
	p.cmd.Dir = dir
	p.cmd.Env = append(os.Environ(), append([]string{"FAULTLINE_ADDR=" + addr, "FAULTLINE_LOG_FORMAT=json"}, env...)...)
	p.cmd.Stderr = &p.stderr
	stdout, err := p.cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, p.cmd.Start())
	t.Cleanup(func() { p.kill() })
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

func (p *process) kill() {
	if p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.done
		_ = p.cmd.Wait()
	}
}

func (p *process) messages() []string {
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

// gqlResult is a decoded GraphQL response of a process.
type gqlResult struct {
	Status int
	Data   map[string]json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
	Took time.Duration
}

// types lists the extensions.type of the errors.
func (r *gqlResult) types() []string {
	var out []string
	for _, e := range r.Errors {
		out = append(out, e.Extensions["type"].(string))
	}
	return out
}

func (r *gqlResult) field(t *testing.T, name string, v any) {
	t.Helper()
	require.Empty(t, r.Errors, "errors: %+v", r.Errors)
	require.NoError(t, json.Unmarshal(r.Data[name], v))
}

// query posts a GraphQL request to the process; token may be "".
func (p *process) query(t *testing.T, query string, vars map[string]any, token string) *gqlResult {
	t.Helper()
	r, err := p.tryQuery(query, vars, token)
	require.NoError(t, err)
	return r
}

func (p *process) tryQuery(query string, vars map[string]any, token string) (*gqlResult, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, p.base+"/query", bytes.NewReader(body))
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
	r := &gqlResult{Status: res.StatusCode, Took: time.Since(start)}
	if err := json.Unmarshal(raw, r); err != nil {
		return nil, err
	}
	return r, nil
}

func (p *process) ready() int {
	res, err := client.Get(p.base + "/readyz")
	if err != nil {
		return 0
	}
	res.Body.Close()
	return res.StatusCode
}

type tokens struct {
	Access  string `json:"accessToken"`
	Refresh string `json:"refreshToken"`
	User    struct {
		ID string `json:"id"`
	} `json:"user"`
}

func (p *process) login(t *testing.T, email, password string) tokens {
	t.Helper()
	var s tokens
	p.query(t, `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken user { id } } }`,
		map[string]any{"e": email, "p": password}, "").field(t, "login", &s)
	return s
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
