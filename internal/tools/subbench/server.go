package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for the run's schema
)

// server is one faultline process of the run.
type server struct {
	base  string // http://127.0.0.1:PORT
	admin string // http://127.0.0.1:PORT of FAULTLINE_ADMIN_ADDR
	cmd   *exec.Cmd
}

// build compiles the faultline command of the module into dir.
func build(dir string) (string, error) {
	root, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return "", fmt.Errorf("go list -m: %w", err)
	}
	bin := filepath.Join(dir, "faultline")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = strings.TrimSpace(string(root))
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v: %s", err, out)
	}
	return bin, nil
}

// start runs bin on loopback with env added to ours, its log in dir, and
// waits until /readyz answers 200.
func start(bin, dir string, env ...string) (*server, error) {
	addr, admin := freeAddr(), freeAddr()
	log, err := os.Create(filepath.Join(dir, "faultline-"+strings.Split(addr, ":")[1]+".log"))
	if err != nil {
		return nil, err
	}
	s := &server{base: "http://" + addr, admin: "http://" + admin, cmd: exec.Command(bin)}
	s.cmd.Dir = dir
	s.cmd.Env = append(os.Environ(), append([]string{"FAULTLINE_ADDR=" + addr, "FAULTLINE_ADMIN_ADDR=" + admin}, env...)...)
	s.cmd.Stdout, s.cmd.Stderr = log, log
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if res, err := http.Get(s.base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		if time.Now().After(deadline) || s.cmd.ProcessState != nil {
			s.stop()
			return nil, fmt.Errorf("faultline did not start; see %s", log.Name())
		}
	}
}

func (s *server) stop() {
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
}

// memory is what the server holds: VmRSS from /proc, and the Go heap and
// goroutine stacks in use after a collection (runtime metrics through the
// admin /metrics).
type memory struct {
	rss, heap, stacks float64 // bytes
	goroutines        float64
}

// settled is memory once VmRSS has stopped falling (the runtime returns
// freed pages to the system in the background), within 15 s.
func (s *server) settled() (memory, error) {
	m, err := s.memory()
	for deadline := time.Now().Add(15 * time.Second); err == nil && time.Now().Before(deadline); {
		time.Sleep(time.Second)
		var next memory
		if next, err = s.memory(); err == nil {
			stable := next.rss > m.rss-256<<10
			m = next
			if stable {
				break
			}
		}
	}
	return m, err
}

func (s *server) memory() (memory, error) {
	// A heap profile with gc=1 runs a collection first, so the heap is what is live.
	if err := drain(http.Get(s.admin + "/debug/pprof/heap?gc=1")); err != nil {
		return memory{}, err
	}
	var m memory
	res, err := http.Get(s.admin + "/metrics")
	if err != nil {
		return m, err
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		v, _ := strconv.ParseFloat(value, 64)
		switch {
		case !ok:
		case name == "go_memstats_heap_inuse_bytes":
			m.heap = v
		case name == "go_memstats_stack_inuse_bytes":
			m.stacks = v
		case name == "go_goroutines":
			m.goroutines = v
		}
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return m, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			m.rss = kb * 1024
		}
	}
	return m, nil
}

// profile saves a pprof profile of the admin address (path such as
// /debug/pprof/heap) to file.
func (s *server) profile(path, file string) error {
	res, err := http.Get(s.admin + path)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(f, res.Body)
	return err
}

func drain(res *http.Response, err error) error {
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return err
}

// query posts a GraphQL request; an answer with errors is an error.
func (s *server) query(q string, vars map[string]any, token string, out any) error {
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, s.base+"/query", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	var r struct {
		Data   json.RawMessage
		Errors []json.RawMessage
	}
	if err := json.NewDecoder(res.Body).Decode(&r); err != nil {
		return err
	}
	if len(r.Errors) > 0 {
		return fmt.Errorf("%s: %s", q, r.Errors[0])
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(r.Data, out)
}

func (s *server) login(email, password string) (string, error) {
	var r struct{ Login struct{ AccessToken string } }
	err := s.query(`mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`,
		map[string]any{"e": email, "p": password}, "", &r)
	return r.Login.AccessToken, err
}

// schema creates a schema on the PostgreSQL server of base for the run and
// returns base with search_path set to it, and a function that drops it.
func schema(base string) (string, func(), error) {
	db, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, err
	}
	name := fmt.Sprintf("subbench_%d", time.Now().UnixNano())
	if _, err := db.ExecContext(context.Background(), "CREATE SCHEMA "+name); err != nil {
		db.Close()
		return "", nil, err
	}
	drop := func() {
		_, _ = db.Exec("DROP SCHEMA " + name + " CASCADE")
		db.Close()
	}
	u, err := url.Parse(base)
	if err != nil {
		drop()
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}

func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(errors.New("no free loopback port: " + err.Error()))
	}
	defer ln.Close()
	return ln.Addr().String()
}
