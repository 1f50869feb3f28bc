package persisted

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// Manifest is a set of trusted documents, as Apollo's
// @apollo/generate-persisted-query-manifest writes them:
//
//	{"format": "apollo-persisted-query-manifest", "version": 1,
//	 "operations": [{"id": "<sha256>", "name": "Products", "type": "query", "body": "query Products { ... }"}]}
type Manifest struct {
	byID   map[string]string
	bodies map[string]bool
}

// manifestFormat and manifestVersion are the only ones Apollo defines.
const (
	manifestFormat  = "apollo-persisted-query-manifest"
	manifestVersion = 1
	// maxManifestBytes bounds the file read at start.
	maxManifestBytes = 64 << 20
)

// LoadManifest reads and checks a manifest file; every fault names the
// file and, within it, the operation at fault.
func LoadManifest(path string) (*Manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading the trusted-documents manifest: %w", err)
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, maxManifestBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading the trusted-documents manifest %s: %w", path, err)
	}
	if len(raw) > maxManifestBytes {
		return nil, fmt.Errorf("the trusted-documents manifest %s is over %d MiB", path, maxManifestBytes>>20)
	}
	m, err := ParseManifest(raw)
	if err != nil {
		return nil, fmt.Errorf("the trusted-documents manifest %s: %w", path, err)
	}
	return m, nil
}

// ParseManifest checks a manifest's JSON: its format and version, and each
// operation's id, type and body, which must parse as GraphQL.
func ParseManifest(raw []byte) (*Manifest, error) {
	var file struct {
		Format     *string `json:"format"`
		Version    *int    `json:"version"`
		Operations []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
			Type string `json:"type"`
			Body string `json:"body"`
		} `json:"operations"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&file); err != nil {
		return nil, fmt.Errorf("not a manifest (want Apollo's persisted-query-manifest.json): %w", err)
	}
	switch {
	case file.Format == nil || *file.Format != manifestFormat:
		return nil, fmt.Errorf("format is not %q", manifestFormat)
	case file.Version == nil || *file.Version != manifestVersion:
		return nil, fmt.Errorf("version is not %d", manifestVersion)
	case file.Operations == nil:
		return nil, errors.New("it has no operations list")
	}
	m := &Manifest{byID: make(map[string]string, len(file.Operations)), bodies: make(map[string]bool, len(file.Operations))}
	for i, op := range file.Operations {
		at := fmt.Sprintf("operation %d (%q)", i, op.Name)
		switch {
		case op.ID == "" || len(op.ID) > 256:
			return nil, fmt.Errorf("%s: its id must be 1 to 256 characters", at)
		case op.Type != "query" && op.Type != "mutation" && op.Type != "subscription":
			return nil, fmt.Errorf("%s: its type must be query, mutation or subscription, not %q", at, op.Type)
		case op.Body == "":
			return nil, fmt.Errorf("%s: it has no body", at)
		}
		if other, dup := m.byID[op.ID]; dup && other != op.Body {
			return nil, fmt.Errorf("%s: id %s is given to two different bodies", at, op.ID)
		}
		if _, err := parser.ParseQuery(&ast.Source{Input: op.Body}); err != nil {
			return nil, fmt.Errorf("%s: its body is not GraphQL: %w", at, err)
		}
		m.byID[op.ID] = op.Body
		m.bodies[op.Body] = true
	}
	return m, nil
}

// Len is the number of trusted documents.
func (m *Manifest) Len() int { return len(m.byID) }

func (m *Manifest) hasBody(query string) bool { return m.bodies[query] }
