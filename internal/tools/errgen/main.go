// Command errgen writes docs/errors.md and graph/errors.graphqls from apperr's
// catalog. It runs from go generate in package graph, before gqlgen.
package main

import (
	"flag"
	"log"
	"os"
	"path/filepath"

	"github.com/faultline/faultline/internal/errdoc"
)

func main() {
	root := flag.String("root", ".", "the module root")
	flag.Parse()
	for name, render := range errdoc.Files {
		path := filepath.Join(*root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(path, render(), 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
