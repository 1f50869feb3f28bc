package errdoc_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/internal/errdoc"
)

// TestGeneratedFilesMatchTheCatalog fails when docs/errors.md or
// graph/errors.graphqls was not regenerated after the catalog changed.
func TestGeneratedFilesMatchTheCatalog(t *testing.T) {
	for name, render := range errdoc.Files {
		onDisk, err := os.ReadFile(filepath.Join("..", "..", name))
		require.NoError(t, err)
		assert.True(t, bytes.Equal(render(), onDisk), "%s is stale: run go generate ./...", name)
	}
}

func TestMarkdownDocumentsEveryType(t *testing.T) {
	md := string(errdoc.Markdown())
	for _, e := range apperr.Catalog() {
		section := "\n### " + string(e.Type) + "\n"
		require.Contains(t, md, section)
		body := md[strings.Index(md, section):]
		if next := strings.Index(body[len(section):], "\n### "); next >= 0 {
			body = body[:len(section)+next]
		}
		assert.Contains(t, body, "`"+string(e.Code)+"`", e.Type)
		assert.Contains(t, body, e.Meaning, e.Type)
		assert.Contains(t, body, `"type": "`+string(e.Type)+`"`, "%s has an example", e.Type)
		for _, d := range e.Details {
			assert.Contains(t, body, "| `"+d.Key+"` |", "%s documents details.%s", e.Type, d.Key)
		}
	}
}
