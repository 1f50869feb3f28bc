package main

import (
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const benchLog = `building...
bench 20261121-120000: 2 cores (Intel(R) Xeon(R) Processor), 6.18.0
  go1.26.8, node v20.20.2, wrk 4.2.0
  wrk: 2 threads, 32 connections, 3s warm-up + 10s per scenario; pinned: server core 1, wrk core 0
== round 1: apollo (http://127.0.0.1:18081/)

Results (/peers/results/bench-20261121-120000.tsv)
Ratios (/peers/results/bench-20261121-120000-ratio.tsv)
`

const rows = `round	peer	scenario	rps	p50_ms	p99_ms	requests	non2xx	sockerr	core0_busy	core1_busy	steal	peak_rss_mib
1	apollo	me-ok	5000.0	5.1	19.0	50000	0	0	40	100	0.0	115.0
1	apollo	admin-403	3000.0	9.0	30.0	30000	0	0	40	100	0.0	115.2
1	gqlgen-baseline	me-ok	25000.0	1.3	4.5	250000	0	0	30	100	0.0	15.0
1	gqlgen-baseline	admin-403	20000.0	1.5	4.3	200000	0	0	30	100	0.0	15.1
1	faultline	me-ok	26000.0	1.2	3.0	260000	0	0	30	100	0.0	25.0
1	faultline	admin-403	24000.6	1.3	6.5	240000	2	1	30	100	0.0	25.5
`

const ratios = `metric	server	peer	ratio	server_value	peer_value
me-ok	faultline	apollo	5.20	26000.0	5000.0
me-ok	faultline	gqlgen-baseline	1.04	26000.0	25000.0
admin-403	faultline	apollo	8.00	24000.6	3000.0
admin-403	faultline	gqlgen-baseline	1.20	24000.6	20000.0
peak-rss	faultline	apollo	0.22	25.5	115.2
peak-rss	faultline	gqlgen-baseline	1.69	25.5	15.1
`

func readFixture(path string) ([]byte, error) {
	switch path {
	case "/peers/results/bench-20261121-120000.tsv":
		return []byte(rows), nil
	case "/peers/results/bench-20261121-120000-ratio.tsv":
		return []byte(ratios), nil
	}
	return nil, fs.ErrNotExist
}

func TestARunIsReadAndJudgedAgainstTheGoal(t *testing.T) {
	r, err := parseRun([]byte(benchLog), readFixture)
	require.NoError(t, err)
	require.Len(t, r.Rows, 6)
	assert.Equal(t, Row{Round: 1, Server: "faultline", Scenario: "admin-403", RPS: 24000.6, P50: 1.3, P99: 6.5, Errs: 3, PeakMiB: 25.5}, r.Rows[5])
	assert.Len(t, r.Ratios, 6)
	assert.Equal(t, []string{"bench 20261121-120000: 2 cores (Intel(R) Xeon(R) Processor), 6.18.0",
		"go1.26.8, node v20.20.2, wrk 4.2.0",
		"wrk: 2 threads, 32 connections, 3s warm-up + 10s per scenario; pinned: server core 1, wrk core 0"}, r.Header)

	met := map[string]bool{}
	for _, g := range r.Goals() {
		met[g.Name] = g.Met
	}
	assert.Equal(t, map[string]bool{
		"me-ok ≥ 1× gqlgen-baseline":        true,
		"me-ok ≥ 5× apollo":                 true,
		"admin-403 ≥ 1× gqlgen-baseline":    true,
		"admin-403 ≥ 5× apollo":             true,
		"admin-403 ≥ faultline's own me-ok": false, // 24,001 < 26,000
		"p99 ≤ 5 ms at 32 connections":      false, // 6.5 ms
		"peak RSS ≤ 30 MiB":                 true,
	}, met)

	md := r.Markdown()
	assert.Contains(t, md, "| 1 | **faultline** | admin-403 | 24,001 | 1.30 | 6.50 | 3 | 25.5 |")
	assert.Contains(t, md, "| metric | faultline / apollo | faultline / gqlgen-baseline |")
	assert.Contains(t, md, "| peak-rss | 0.22× | 1.69× |")
	assert.Contains(t, md, "| p99 ≤ 5 ms at 32 connections | worst 6.50 ms | **no** |")
}

func TestAnUnfinishedRunIsRefused(t *testing.T) {
	_, err := parseRun([]byte("bench 1: 2 cores\nbench: FAIL: me-ok\n"), readFixture)
	assert.ErrorContains(t, err, "no Results line")
	_, err = parseRun([]byte(strings.Replace(benchLog, "Ratios", "Ratio", 1)), readFixture)
	assert.ErrorContains(t, err, "--ratio")
	_, err = parseRun([]byte(strings.Replace(benchLog, "120000.tsv", "999.tsv", 1)), readFixture)
	assert.True(t, errors.Is(err, fs.ErrNotExist))
}

func TestTheSectionIsReplacedAndTheRestKept(t *testing.T) {
	doc := []byte("# Benchmarks\n\nintro\n")
	once, err := replaceSection(doc, beginMarker+"\nfirst\n"+endMarker+"\n")
	require.NoError(t, err)
	once = append(once, "\n## Later\n"...)
	twice, err := replaceSection(once, beginMarker+"\nsecond\n"+endMarker+"\n")
	require.NoError(t, err)
	assert.Equal(t, "# Benchmarks\n\nintro\n\n"+beginMarker+"\nsecond\n"+endMarker+"\n\n## Later\n", string(twice))

	_, err = replaceSection([]byte(endMarker+"\n"+beginMarker), "x")
	assert.Error(t, err)
}

func TestThousands(t *testing.T) {
	for in, want := range map[float64]string{0: "0", 999: "999", 1000: "1,000", 24000.6: "24,001", 1234567: "1,234,567"} {
		assert.Equal(t, want, thousands(in))
	}
}
