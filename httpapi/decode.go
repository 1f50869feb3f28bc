package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/faultline/faultline/apperr"
)

// readBody reads a POST: an application/json body of at most MaxBodyBytes.
func (t *Transport) readBody(r *http.Request) ([]byte, *apperr.Error) {
	if !isJSON(r.Header.Get("Content-Type")) {
		return nil, apperr.New(apperr.UnsupportedMediaType).With("supported", []string{ContentTypeJSON})
	}
	tooLarge := func() *apperr.Error { return apperr.New(apperr.BodyTooLarge).With("limit", t.MaxBodyBytes) }
	if r.ContentLength > t.MaxBodyBytes {
		return nil, tooLarge()
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, t.MaxBodyBytes+1))
	if err != nil {
		return nil, malformed("unreadable_body")
	}
	if int64(len(body)) > t.MaxBodyBytes {
		return nil, tooLarge()
	}
	return body, nil
}

// isBatch reports whether a body is a JSON array: a batch of operations,
// as Apollo's BatchHttpLink sends.
func isBatch(body []byte) bool {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	return len(trimmed) > 0 && trimmed[0] == '['
}

// decodeBatch splits a batch into its operations' JSON; past limit
// operations, or none, it is BATCH_TOO_LARGE (the items are returned too,
// for their number).
func decodeBatch(body []byte, limit int) ([]json.RawMessage, *apperr.Error) {
	var items []json.RawMessage
	if err := json.Unmarshal(body, &items); err != nil {
		return nil, malformed("invalid_json")
	}
	if len(items) == 0 || len(items) > limit {
		return items, apperr.New(apperr.BatchTooLarge).With("limit", limit).With("actual", len(items))
	}
	return items, nil
}

// isJSON reports whether a Content-Type is application/json, with any
// parameters; the common exact value skips the parser.
func isJSON(contentType string) bool {
	if contentType == ContentTypeJSON {
		return true
	}
	mediaType, _, err := mime.ParseMediaType(contentType)
	return err == nil && mediaType == ContentTypeJSON
}

// rawRequest is a GraphQL request as JSON. Variables and extensions stay raw
// until needed, so that the common request without them is decoded in one pass.
type rawRequest struct {
	Query         string          `json:"query"`
	OperationName string          `json:"operationName"`
	Variables     json.RawMessage `json:"variables"`
	Extensions    json.RawMessage `json:"extensions"`
}

// decodeParams decodes one GraphQL request object; numbers in variables
// stay json.Number so that large Int variables are not rounded through float64.
func decodeParams(body []byte, params *graphql.RawParams) *apperr.Error {
	var req rawRequest
	if err := json.Unmarshal(body, &req); err != nil {
		var typeErr *json.UnmarshalTypeError
		var syntaxErr *json.SyntaxError
		switch {
		case errors.As(err, &typeErr) && typeErr.Field == "":
			if typeErr.Value == "array" {
				return malformed("batch")
			}
			return malformed("not_an_object")
		case errors.As(err, &typeErr):
			return malformed("wrong_type").With("field", typeErr.Field)
		case errors.As(err, &syntaxErr) && strings.HasPrefix(syntaxErr.Error(), "invalid character") &&
			strings.Contains(syntaxErr.Error(), "after top-level value"):
			return malformed("several_values")
		default:
			return malformed("invalid_json")
		}
	}
	params.Query, params.OperationName = req.Query, req.OperationName
	for _, raw := range []struct {
		name string
		json json.RawMessage
		into *map[string]any
	}{{"variables", req.Variables, &params.Variables}, {"extensions", req.Extensions, &params.Extensions}} {
		if len(raw.json) == 0 || string(raw.json) == "null" {
			continue
		}
		if err := decodeObject(raw.json, raw.into); err != nil {
			return malformed("wrong_type").With("field", raw.name)
		}
	}
	if params.Query == "" {
		return missingQuery(params)
	}
	return nil
}

// paramsFromQuery reads a GET's query string.
func paramsFromQuery(q url.Values, params *graphql.RawParams) *apperr.Error {
	params.Query = q.Get("query")
	params.OperationName = q.Get("operationName")
	if v := q.Get("variables"); v != "" {
		if err := decodeObject([]byte(v), &params.Variables); err != nil {
			return malformed("wrong_type").With("field", "variables")
		}
	}
	if v := q.Get("extensions"); v != "" {
		if err := decodeObject([]byte(v), &params.Extensions); err != nil {
			return malformed("wrong_type").With("field", "extensions")
		}
	}
	if params.Query == "" {
		return missingQuery(params)
	}
	return nil
}

func decodeObject(s []byte, into *map[string]any) error {
	dec := json.NewDecoder(bytes.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(into); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data")
	}
	return nil
}

func missingQuery(params *graphql.RawParams) *apperr.Error {
	if _, persisted := params.Extensions["persistedQuery"]; persisted {
		return nil // the document is named by its hash (package persisted)
	}
	return malformed("missing_query")
}

// malformed is MALFORMED_REQUEST for one of the catalog's reasons, each of
// which has its own message.
func malformed(reason string) *apperr.Error {
	return apperr.New(apperr.MalformedRequest).With("reason", reason).Variant(reason)
}
