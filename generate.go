package main

// The catalog's enums and docs first: gqlgen reads graph/errors.graphqls.
//go:generate go run ./internal/tools/errgen
//go:generate go run github.com/99designs/gqlgen generate
