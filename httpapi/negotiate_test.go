package httpapi

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNegotiate(t *testing.T) {
	for accept, want := range map[string]string{
		"":                                  ContentTypeJSON,
		"application/json":                  ContentTypeJSON,
		"*/*":                               ContentTypeJSON,
		"text/html":                         ContentTypeJSON,
		"application/graphql-response+json": ContentTypeGraphQLResponse,
		// Apollo Client 4's header.
		"application/graphql-response+json,application/json;q=0.9": ContentTypeGraphQLResponse,
		"application/json, application/graphql-response+json;q=0":  ContentTypeJSON,
		"application/graphql-response+json;charset=utf-8":          ContentTypeGraphQLResponse,
		"application/graphql-response+jsonx":                       ContentTypeJSON,
	} {
		assert.Equal(t, want, negotiate(accept), "Accept: %q", accept)
	}
}
