package persisted_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/persisted"
)

const goodManifest = `{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [
  {"id": "a1", "name": "Products", "type": "query", "body": "query Products { products { edges { cursor } } }"},
  {"id": "b2", "name": "TopUp", "type": "mutation", "body": "mutation TopUp($a: Int!) { topUp(amountCents: $a) { balanceCents } }"}]}`

func TestAManifestLoads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "persisted-query-manifest.json")
	require.NoError(t, os.WriteFile(path, []byte(goodManifest), 0o600))
	m, err := persisted.LoadManifest(path)
	require.NoError(t, err)
	assert.Equal(t, 2, m.Len())
}

// TestAMalformedManifestIsRefusedSayingWhy: faultline refuses to start on a
// manifest it cannot trust, naming what is wrong.
func TestAMalformedManifestIsRefusedSayingWhy(t *testing.T) {
	for raw, want := range map[string]string{
		`[]`: "not a manifest",
		`{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [], "extra": 1}`:                                                                                 "not a manifest",
		`{"format": "relay", "version": 1, "operations": []}`:                                                                                                                       `format is not "apollo-persisted-query-manifest"`,
		`{"format": "apollo-persisted-query-manifest", "version": 2, "operations": []}`:                                                                                             "version is not 1",
		`{"format": "apollo-persisted-query-manifest", "version": 1}`:                                                                                                               "no operations list",
		`{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id": "", "type": "query", "body": "{ a }"}]}`:                                                 "operation 0",
		`{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id": "x", "type": "fragment", "body": "{ a }"}]}`:                                             "its type must be",
		`{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id": "x", "name": "A", "type": "query", "body": ""}]}`:                                        `operation 0 ("A"): it has no body`,
		`{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id": "x", "type": "query", "body": "{ a"}]}`:                                                  "its body is not GraphQL",
		`{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id": "x", "type": "query", "body": "{ a }"}, {"id": "x", "type": "query", "body": "{ b }"}]}`: "two different bodies",
	} {
		_, err := persisted.ParseManifest([]byte(raw))
		require.Error(t, err, raw)
		assert.Contains(t, err.Error(), want, raw)
	}
	_, err := persisted.LoadManifest(filepath.Join(t.TempDir(), "missing.json"))
	assert.ErrorContains(t, err, "reading the trusted-documents manifest")
}

func TestHashIsTheSHA256OfTheText(t *testing.T) {
	assert.Equal(t, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", persisted.Hash(""))
}
