//go:build tools

// This file pins the code generators in go.mod; it is never built.
package main

import (
	_ "github.com/99designs/gqlgen"
)
