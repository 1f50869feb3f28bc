package store_test

import (
	"testing"

	"github.com/faultline/faultline/internal/testdb"
)

// TestMain runs the package's tests on SQLite, then on PostgreSQL when
// TEST_DATABASE_URL is set.
func TestMain(m *testing.M) { testdb.Main(m) }
