package playground

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"os"
	"path"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// vendored is a line of assets/VERSIONS.
type vendored struct{ name, pkg, version, sha256 string }

func readVersions(t *testing.T) []vendored {
	t.Helper()
	data, err := fs.ReadFile(files, "assets/VERSIONS")
	require.NoError(t, err)
	var out []vendored
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		require.Len(t, f, 3, "VERSIONS: name package@version sha256: %q", line)
		at := strings.LastIndex(f[1], "@")
		require.Positive(t, at, "VERSIONS: package@version: %q", line)
		out = append(out, vendored{f[0], f[1][:at], f[1][at+1:], f[2]})
	}
	require.NoError(t, sc.Err())
	return out
}

// TestVendoredFilesMatchVERSIONS: every embedded file of assets/ is listed in
// VERSIONS with its sha256, so a vendored file edited by hand (rather than
// rebuilt by update.sh) fails here.
func TestVendoredFilesMatchVERSIONS(t *testing.T) {
	listed := map[string]bool{}
	for _, v := range readVersions(t) {
		listed[v.name] = true
		body, err := fs.ReadFile(files, "assets/"+v.name)
		require.NoError(t, err, "%s is in VERSIONS but not embedded", v.name)
		sum := sha256.Sum256(body)
		assert.Equal(t, v.sha256, hex.EncodeToString(sum[:]), "%s differs from what update.sh wrote: run assets/update.sh", v.name)
	}
	require.NotEmpty(t, listed)
	entries, err := files.ReadDir("assets")
	require.NoError(t, err)
	for _, e := range entries {
		if e.Name() != "VERSIONS" {
			assert.True(t, listed[e.Name()], "assets/%s is embedded but not in VERSIONS", e.Name())
		}
	}
}

// TestVERSIONSFollowsPackageJSON: the versions recorded are the exact ones
// package.json pins, the build inputs of update.sh.
func TestVERSIONSFollowsPackageJSON(t *testing.T) {
	data, err := os.ReadFile("assets/package.json")
	require.NoError(t, err)
	var pkg struct {
		DevDependencies map[string]string `json:"devDependencies"`
	}
	require.NoError(t, json.Unmarshal(data, &pkg))
	for _, v := range readVersions(t) {
		assert.Equal(t, pkg.DevDependencies[v.pkg], v.version, "%s: VERSIONS and package.json disagree on %s", v.name, v.pkg)
	}
}

// TestVendoredFilesCarryNoSourceMaps: no file points at a map that is not served.
func TestVendoredFilesCarryNoSourceMaps(t *testing.T) {
	for _, v := range readVersions(t) {
		body, err := fs.ReadFile(files, "assets/"+v.name)
		require.NoError(t, err)
		assert.NotContains(t, string(body), "sourceMappingURL", v.name)
	}
}

// TestEveryAssetHasAURL: each served file has one URL, under AssetsPath,
// named by the hash of its content.
func TestEveryAssetHasAURL(t *testing.T) {
	require.Len(t, urls, len(assets))
	for name, u := range urls {
		a := assets[strings.TrimPrefix(u, AssetsPath)]
		require.NotNil(t, a, name)
		sum := sha256.Sum256(a.body)
		assert.Equal(t, AssetsPath+hex.EncodeToString(sum[:8])+"/"+name, u)
		assert.Equal(t, contentTypes[path.Ext(name)], a.contentType, name)
	}
	for _, name := range []string{"graphiql.min.js", "graphiql.min.css", "react.production.min.js",
		"react-dom.production.min.js", "playground.js", "playground.css", "favicon.svg"} {
		assert.Contains(t, urls, name)
	}
}
