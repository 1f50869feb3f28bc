package main

import (
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/internal/testdb"
	"github.com/faultline/faultline/internal/testproc"
)

// TestASecondProcessOnOneSQLiteFileExitsAtOnce: while one faultline serves a
// SQLite file, a second one on the same file exits with status 1 and a
// message naming the file and PostgreSQL; the first one serves on.
func TestASecondProcessOnOneSQLiteFileExitsAtOnce(t *testing.T) {
	if testdb.Engine() != "sqlite" {
		t.Skip("a SQLite file's owner; several instances on PostgreSQL are in multiinstance_test.go")
	}
	path := filepath.Join(t.TempDir(), "shared.db")
	first := testproc.Start(t, t.TempDir(), "DATABASE_URL=sqlite://"+path)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	second := exec.CommandContext(ctx, testproc.Build(t))
	second.Dir = t.TempDir()
	second.Env = append(os.Environ(), "DATABASE_URL=sqlite://"+path, "FAULTLINE_ADDR="+freeAddr(t))
	out, err := second.CombinedOutput()
	exit, ok := errors.AsType[*exec.ExitError](err)
	require.True(t, ok, "the second process exits on its own: %v\n%s", err, out)
	assert.Equal(t, 1, exit.ExitCode())
	assert.Contains(t, string(out), path)
	assert.Contains(t, string(out), "one faultline process owns a SQLite file; several instances need PostgreSQL")
	assert.NotContains(t, string(out), "faultline is listening")

	assert.Equal(t, http.StatusOK, first.Ready(), "the owner still serves")
}
