package httpapi

import (
	"mime"
	"strconv"
	"strings"
)

// negotiate picks the response's content type from Accept:
// application/graphql-response+json when the client accepts it, otherwise
// application/json (also for a missing Accept, the spec's legacy rule).
func negotiate(accept string) string {
	if accept == "" || !strings.Contains(accept, ContentTypeGraphQLResponse) {
		return ContentTypeJSON
	}
	for part := range strings.SplitSeq(accept, ",") {
		mediaType, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || mediaType != ContentTypeGraphQLResponse {
			continue
		}
		if q, ok := params["q"]; ok {
			if v, err := strconv.ParseFloat(q, 64); err == nil && v == 0 {
				continue
			}
		}
		return ContentTypeGraphQLResponse
	}
	return ContentTypeJSON
}
