// Command benchdoc writes one run of ../shared/peers/bench.sh into
// docs/benchmarks.md: the machine and versions, every row, the ratios and
// whether faultline met each of its speed goals (docs/benchmarks.md). scripts/bench.sh (make
// bench) runs it after bench.sh; the section between the markers is replaced,
// the rest of the file is left alone.
//
//	benchdoc -log bench.log -bin /tmp/faultline -doc docs/benchmarks.md
package main

import (
	"bufio"
	"bytes"
	"debug/buildinfo"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
)

// The markers around the section benchdoc owns.
const (
	beginMarker = "<!-- bench:begin: written by scripts/bench.sh (make bench); do not edit by hand -->"
	endMarker   = "<!-- bench:end -->"
)

// The speed goals.
const (
	self         = "faultline"
	baseline     = "gqlgen-baseline"
	apollo       = "apollo"
	validScen    = "me-ok"
	minVsBase    = 1.0
	minVsApollo  = 5.0
	maxP99ms     = 5.0
	maxPeakRSS   = 30.0
	rssGoalLabel = "peak RSS ≤ 30 MiB"
)

func main() {
	logPath := flag.String("log", "", "bench.sh's standard output")
	bin := flag.String("bin", "", "the faultline binary that was measured (for its versions)")
	doc := flag.String("doc", "docs/benchmarks.md", "the file to update")
	command := flag.String("command", "make bench", "the command that produced the run, for the record")
	flag.Parse()
	if *logPath == "" {
		log.Fatal("benchdoc: -log is required")
	}
	out, err := os.ReadFile(*logPath)
	if err != nil {
		log.Fatal(err)
	}
	r, err := parseRun(out, os.ReadFile)
	if err != nil {
		log.Fatalf("benchdoc: %v", err)
	}
	r.Command = *command
	if *bin != "" {
		if r.Versions, err = versions(*bin); err != nil {
			log.Fatalf("benchdoc: %v", err)
		}
	}
	old, err := os.ReadFile(*doc)
	if err != nil {
		log.Fatal(err)
	}
	updated, err := replaceSection(old, r.Markdown())
	if err != nil {
		log.Fatalf("benchdoc: %s: %v", *doc, err)
	}
	if err := os.WriteFile(*doc, updated, 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Fprint(os.Stdout, r.GoalsText())
}

// Row is one line of bench.sh's TSV.
type Row struct {
	Round            int
	Server, Scenario string
	RPS, P50, P99    float64
	Errs             int
	PeakMiB          float64
}

// Ratio is one line of bench.sh's ratio TSV.
type Ratio struct {
	Metric, Peer string
	Value        float64
}

// Run is one bench.sh invocation.
type Run struct {
	Header   []string // bench.sh's machine, versions and wrk lines
	Rows     []Row
	Ratios   []Ratio
	Versions string
	Command  string
}

var (
	resultsLine = regexp.MustCompile(`(?m)^Results \((.+)\)$`)
	ratiosLine  = regexp.MustCompile(`(?m)^Ratios \((.+)\)$`)
)

// parseRun reads bench.sh's output and the two TSV files it names.
func parseRun(out []byte, read func(string) ([]byte, error)) (*Run, error) {
	r := &Run{}
	lines := strings.Split(string(out), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "bench ") {
			for _, h := range lines[i:min(i+3, len(lines))] {
				r.Header = append(r.Header, strings.TrimSpace(h))
			}
			break
		}
	}
	if len(r.Header) == 0 {
		return nil, errors.New("no bench.sh header line in the log")
	}
	m := resultsLine.FindSubmatch(out)
	if m == nil {
		return nil, errors.New("no Results line in the log: did bench.sh finish?")
	}
	tsv, err := read(string(m[1]))
	if err != nil {
		return nil, err
	}
	if r.Rows, err = parseRows(tsv); err != nil {
		return nil, err
	}
	m = ratiosLine.FindSubmatch(out)
	if m == nil {
		return nil, errors.New("no Ratios line in the log: run bench.sh with --ratio")
	}
	if tsv, err = read(string(m[1])); err != nil {
		return nil, err
	}
	if r.Ratios, err = parseRatios(tsv); err != nil {
		return nil, err
	}
	return r, nil
}

func parseRows(tsv []byte) ([]Row, error) {
	var rows []Row
	err := eachRecord(tsv, 13, func(f []string) error {
		var row Row
		var err error
		num := func(s string) float64 {
			v, e := strconv.ParseFloat(s, 64)
			err = errors.Join(err, e)
			return v
		}
		row.Round = int(num(f[0]))
		row.Server, row.Scenario = f[1], f[2]
		row.RPS, row.P50, row.P99 = num(f[3]), num(f[4]), num(f[5])
		row.Errs = int(num(f[7]) + num(f[8]))
		row.PeakMiB = num(f[12])
		rows = append(rows, row)
		return err
	})
	return rows, err
}

func parseRatios(tsv []byte) ([]Ratio, error) {
	var ratios []Ratio
	err := eachRecord(tsv, 6, func(f []string) error {
		if f[1] != self {
			return nil
		}
		v, err := strconv.ParseFloat(f[3], 64)
		if err != nil {
			return fmt.Errorf("ratio %q: %w", f[3], err)
		}
		ratios = append(ratios, Ratio{Metric: f[0], Peer: f[2], Value: v})
		return nil
	})
	return ratios, err
}

// eachRecord calls fn for every line after the header, with its fields.
func eachRecord(tsv []byte, fields int, fn func([]string) error) error {
	sc := bufio.NewScanner(bytes.NewReader(tsv))
	for n := 0; sc.Scan(); n++ {
		if n == 0 || sc.Text() == "" {
			continue
		}
		f := strings.Split(sc.Text(), "\t")
		if len(f) != fields {
			return fmt.Errorf("line %d has %d fields, want %d", n+1, len(f), fields)
		}
		if err := fn(f); err != nil {
			return fmt.Errorf("line %d: %w", n+1, err)
		}
	}
	return sc.Err()
}

// versions names the measured binary's Go and the modules that matter.
func versions(bin string) (string, error) {
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		return "", err
	}
	parts := []string{"faultline " + revision(info.Settings), info.GoVersion}
	for _, d := range info.Deps {
		switch d.Path {
		case "github.com/99designs/gqlgen", "github.com/vektah/gqlparser/v2", "github.com/golang-jwt/jwt/v5", "modernc.org/sqlite":
			parts = append(parts, d.Path+" "+d.Version)
		}
	}
	return strings.Join(parts, ", "), nil
}

func revision(settings []debug.BuildSetting) string {
	var rev, modified string
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev == "" {
		return "(no VCS stamp)"
	}
	if modified == "true" {
		rev += " with uncommitted changes"
	}
	return rev
}

// Goal is one line of the speed goals and how this run fared.
type Goal struct {
	Name, Measured string
	Met            bool
}

// mean is the mean req/s of server in scenario over the rounds.
func (r *Run) mean(server, scenario string) (float64, bool) {
	var sum float64
	var n int
	for _, row := range r.Rows {
		if row.Server == server && row.Scenario == scenario {
			sum += row.RPS
			n++
		}
	}
	if n == 0 {
		return 0, false
	}
	return sum / float64(n), true
}

func (r *Run) ratio(metric, peer string) (float64, bool) {
	for _, x := range r.Ratios {
		if x.Metric == metric && x.Peer == peer {
			return x.Value, true
		}
	}
	return 0, false
}

// scenarios are the scenario names in the order bench.sh ran them.
func (r *Run) scenarios() []string { return r.distinct(func(row Row) string { return row.Scenario }) }

// servers are the server names in the order bench.sh ran them.
func (r *Run) servers() []string { return r.distinct(func(row Row) string { return row.Server }) }

// distinct lists the values of the rows' key in order of first appearance.
func (r *Run) distinct(key func(Row) string) []string {
	var s []string
	for _, row := range r.Rows {
		if k := key(row); !slices.Contains(s, k) {
			s = append(s, k)
		}
	}
	return s
}

// Goals checks the run against the speed goals.
func (r *Run) Goals() []Goal {
	var goals []Goal
	for _, sc := range r.scenarios() {
		for _, g := range []struct {
			peer string
			min  float64
		}{{baseline, minVsBase}, {apollo, minVsApollo}} {
			v, ok := r.ratio(sc, g.peer)
			goals = append(goals, Goal{
				Name:     fmt.Sprintf("%s ≥ %.0f× %s", sc, g.min, g.peer),
				Measured: ratioText(v, ok),
				Met:      ok && v >= g.min,
			})
		}
	}
	valid, hasValid := r.mean(self, validScen)
	for _, sc := range r.scenarios() {
		if sc == validScen {
			continue
		}
		v, ok := r.mean(self, sc)
		goals = append(goals, Goal{
			Name:     fmt.Sprintf("%s ≥ faultline's own %s", sc, validScen),
			Measured: fmt.Sprintf("%s vs %s req/s", thousands(v), thousands(valid)),
			Met:      ok && hasValid && v >= valid,
		})
	}
	worstP99, peak := 0.0, 0.0
	for _, row := range r.Rows {
		if row.Server == self {
			worstP99 = max(worstP99, row.P99)
			peak = max(peak, row.PeakMiB)
		}
	}
	goals = append(goals,
		Goal{Name: "p99 ≤ 5 ms at 32 connections", Measured: fmt.Sprintf("worst %.2f ms", worstP99), Met: worstP99 <= maxP99ms},
		Goal{Name: rssGoalLabel, Measured: fmt.Sprintf("%.1f MiB", peak), Met: peak <= maxPeakRSS},
	)
	return goals
}

func ratioText(v float64, ok bool) string {
	if !ok {
		return "not measured"
	}
	return fmt.Sprintf("%.2f×", v)
}

// Markdown renders the section, markers included.
func (r *Run) Markdown() string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("%s\n\n", beginMarker)
	w("Command: `%s`. bench.sh's own summary of the machine and the load:\n\n```\n%s\n```\n\n", r.Command, strings.Join(r.Header, "\n"))
	if r.Versions != "" {
		w("Measured binary: %s.\n\n", r.Versions)
	}
	w("| round | server | scenario | req/s | p50 ms | p99 ms | errs | peak MiB |\n| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |\n")
	for _, row := range r.Rows {
		name := row.Server
		if name == self {
			name = "**" + name + "**"
		}
		w("| %d | %s | %s | %s | %.2f | %.2f | %d | %.1f |\n", row.Round, name, row.Scenario, thousands(row.RPS), row.P50, row.P99, row.Errs, row.PeakMiB)
	}
	w("\nfaultline's mean req/s over the rounds divided by each peer's (above 1: faultline is faster); ")
	w("`peak-rss` is faultline's largest peak divided by the peer's (below 1: faultline uses less).\n\n")
	peers := slices.DeleteFunc(r.servers(), func(s string) bool { return s == self })
	w("| metric |")
	for _, p := range peers {
		w(" faultline / %s |", p)
	}
	w("\n| --- |%s\n", strings.Repeat(" ---: |", len(peers)))
	for _, metric := range append(r.scenarios(), "peak-rss") {
		w("| %s |", metric)
		for _, p := range peers {
			v, ok := r.ratio(metric, p)
			w(" %s |", ratioText(v, ok))
		}
		w("\n")
	}
	w("\n| goal | measured | met |\n| --- | --- | --- |\n")
	for _, g := range r.Goals() {
		met := "yes"
		if !g.Met {
			met = "**no**"
		}
		w("| %s | %s | %s |\n", g.Name, g.Measured, met)
	}
	w("\n%s\n", endMarker)
	return b.String()
}

// GoalsText is the goals as plain lines, for the terminal.
func (r *Run) GoalsText() string {
	var b strings.Builder
	for _, g := range r.Goals() {
		met := "met"
		if !g.Met {
			met = "MISSED"
		}
		fmt.Fprintf(&b, "%-6s %-40s %s\n", met, g.Name, g.Measured)
	}
	return b.String()
}

// replaceSection puts section in place of the marked one in doc, or appends
// it when doc has no markers yet.
func replaceSection(doc []byte, section string) ([]byte, error) {
	begin := bytes.Index(doc, []byte(beginMarker))
	end := bytes.Index(doc, []byte(endMarker))
	switch {
	case begin < 0 && end < 0:
		var b bytes.Buffer
		b.Write(bytes.TrimRight(doc, "\n"))
		b.WriteString("\n\n")
		b.WriteString(section)
		return b.Bytes(), nil
	case begin < 0 || end < begin:
		return nil, errors.New("the bench markers are broken: fix them by hand")
	}
	var b bytes.Buffer
	b.Write(doc[:begin])
	b.WriteString(section)
	rest := doc[end+len(endMarker):]
	b.Write(bytes.TrimPrefix(rest, []byte("\n")))
	return b.Bytes(), nil
}

// thousands formats v with no decimals and thousands separators.
func thousands(v float64) string {
	s := strconv.FormatFloat(v, 'f', 0, 64)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
