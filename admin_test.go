package main

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/internal/testdb"
	"github.com/faultline/faultline/internal/testproc"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, string(body)
}

// TestTheCommandServesTheAdminAddress: the binary with FAULTLINE_ADMIN_ADDR
// serves /metrics and pprof there, and neither on its public address;
// FAULTLINE_DEBUG_ADDR, the deprecated alias, does the same with a warning.
func TestTheCommandServesTheAdminAddress(t *testing.T) {
	if testdb.Engine() != "sqlite" {
		t.Skip("the listeners are the same on PostgreSQL")
	}
	for _, name := range []string{"FAULTLINE_ADMIN_ADDR", "FAULTLINE_DEBUG_ADDR"} {
		admin := testproc.FreeAddr(t)
		p := testproc.Start(t, t.TempDir(), name+"="+admin)
		assert.Contains(t, p.Messages(), "admin is listening", name)
		if name == "FAULTLINE_DEBUG_ADDR" {
			assert.Contains(t, p.Messages(), "FAULTLINE_DEBUG_ADDR is deprecated: set FAULTLINE_ADMIN_ADDR, which serves /metrics as well as pprof")
		}
		require.Empty(t, p.Query(t, `{ __typename }`, nil, "").Errors)

		status, body := get(t, "http://"+admin+"/metrics")
		require.Equal(t, http.StatusOK, status, name)
		assert.Contains(t, body, `faultline_operations_total{operation="query",outcome="ok"} 1`, name)
		assert.Contains(t, body, `faultline_errors_total{code="INTERNAL_SERVER_ERROR",type="INTERNAL"} 0`, name)
		status, body = get(t, "http://"+admin+"/debug/pprof/")
		assert.Equal(t, http.StatusOK, status, name)
		assert.True(t, strings.Contains(body, "goroutine"), "the pprof index, %s", name)

		for _, path := range []string{"/metrics", "/debug/pprof/"} {
			status, _ := get(t, p.Base+path)
			assert.Equal(t, http.StatusNotFound, status, "%s on the public address (%s)", path, name)
		}
	}
}
