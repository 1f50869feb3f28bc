// Package persisted resolves documents that a request names instead of
// sending (README, Browsers and Apollo Client's links): Apollo's automatic persisted queries
// (a SHA-256 hash in extensions.persistedQuery, registered by sending the
// document with it once), and trusted documents (Apollo's
// persisted-query-manifest.json; when one is loaded, only its documents
// run). Documents is a gqlgen extension, so every transport gets it.
package persisted

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/internal/sizecache"
)

// Store keeps the registered documents for every instance of a
// deployment; its errors are apperr errors.
type Store interface {
	// PersistedQuery returns the document stored under hash, ok false for none.
	PersistedQuery(ctx context.Context, hash string) (query string, ok bool, err error)
	// SavePersistedQuery stores query under hash, deleting the oldest
	// documents while all of them weigh more than budget bytes.
	SavePersistedQuery(ctx context.Context, hash, query string, budget int64) error
}

// The bounds of automatic persisted queries.
const (
	// StoreBudget bounds the bytes of the documents the Store keeps.
	StoreBudget = 32 << 20
	// MaxDocument is the largest document registered; a larger one runs
	// when sent but is not kept.
	MaxDocument = 256 << 10
	// cacheBytes bounds this instance's copy of the documents it used.
	cacheBytes = 8 << 20
)

// Documents is the gqlgen extension that turns a persisted query's hash
// into its document, registers documents sent with their hash, and, with a
// manifest, lets only the manifest's documents run.
type Documents struct {
	// APQ switches automatic persisted queries on (FAULTLINE_APQ); off, a
	// request with a persistedQuery extension is PERSISTED_QUERY_NOT_SUPPORTED.
	APQ bool
	// Store keeps the registered documents; Trusted, when set, replaces it.
	Store Store
	// Trusted is the manifest of trusted documents (FAULTLINE_TRUSTED_DOCUMENTS).
	Trusted *Manifest

	cache *sizecache.Cache[string, string]
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
} = &Documents{}

// ExtensionName implements graphql.HandlerExtension.
func (*Documents) ExtensionName() string { return "FaultlinePersistedDocuments" }

// Validate implements graphql.HandlerExtension.
func (d *Documents) Validate(graphql.ExecutableSchema) error {
	d.cache = sizecache.New[string, string](cacheBytes, MaxDocument)
	return nil
}

// register is the stats key under which a request's document waits to be
// registered until it has validated.
const register = "faultline.persistedQuery"

// MutateOperationParameters implements graphql.OperationParameterMutator.
func (d *Documents) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	raw, named := params.Extensions["persistedQuery"]
	if d.Trusted != nil {
		return refuse(ctx, params, d.trusted(params, raw, named))
	}
	if !named {
		return nil
	}
	if !d.APQ {
		return refuse(ctx, params, apperr.New(apperr.PersistedQueryNotSupported))
	}
	hash, ae := parseExtension(raw, true)
	if ae != nil {
		return refuse(ctx, params, ae)
	}
	if params.Query != "" {
		if Hash(params.Query) != hash {
			return refuse(ctx, params, apperr.New(apperr.PersistedQueryHashMismatch).With("sha256Hash", hash))
		}
		if len(params.Query) <= MaxDocument && graphql.HasOperationContext(ctx) {
			graphql.GetOperationContext(ctx).Stats.SetExtension(register, hash)
		}
		return nil
	}
	query, ok, err := d.lookup(ctx, hash)
	switch {
	case err != nil:
		return refuse(ctx, params, apperr.From(err))
	case !ok:
		return refuse(ctx, params, apperr.New(apperr.PersistedQueryNotFound).With("sha256Hash", hash))
	}
	params.Query = query
	return nil
}

// MutateOperationContext implements graphql.OperationContextMutator: a
// document sent with its hash is registered once it has parsed, validated
// and passed the limits, so that nothing that cannot run is kept.
func (d *Documents) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	hash, ok := opCtx.Stats.GetExtension(register).(string)
	if !ok {
		return nil
	}
	d.cache.Add(hash, opCtx.RawQuery, weight(opCtx.RawQuery))
	if d.Store != nil {
		if err := d.Store.SavePersistedQuery(ctx, hash, opCtx.RawQuery, StoreBudget); err != nil {
			return refusal(apperr.From(err))
		}
	}
	return nil
}

// lookup finds a registered document: in this instance's cache, then in
// the store (where another instance may have registered it).
func (d *Documents) lookup(ctx context.Context, hash string) (string, bool, error) {
	if q, ok := d.cache.Get(hash); ok {
		return q, true, nil
	}
	if d.Store == nil {
		return "", false, nil
	}
	q, ok, err := d.Store.PersistedQuery(ctx, hash)
	if ok {
		d.cache.Add(hash, q, weight(q))
	}
	return q, ok, err
}

// trusted lets only the manifest's documents through, by id or by text.
func (d *Documents) trusted(params *graphql.RawParams, raw any, named bool) *apperr.Error {
	if !named {
		if !d.Trusted.hasBody(params.Query) {
			return apperr.New(apperr.OperationNotTrusted)
		}
		return nil
	}
	id, ae := parseExtension(raw, false)
	if ae != nil {
		return ae
	}
	body, ok := d.Trusted.byID[id]
	if !ok || params.Query != "" && params.Query != body {
		return apperr.New(apperr.OperationNotTrusted).With("sha256Hash", id)
	}
	params.Query = body
	return nil
}

// Hash is the persisted-query hash of a document: its SHA-256, in hex.
func Hash(query string) string {
	sum := sha256.Sum256([]byte(query))
	return hex.EncodeToString(sum[:])
}

// parseExtension reads {"version": 1, "sha256Hash": "<64 hex digits>"}; a
// manifest's ids (sha256 unless its generator chose others) need not be
// hashes, only 1 to 256 characters.
func parseExtension(raw any, hash bool) (string, *apperr.Error) {
	ext, _ := raw.(map[string]any)
	if v, ok := ext["version"]; ok && !isOne(v) {
		return "", apperr.New(apperr.PersistedQueryNotSupported).Variant("version").With("version", v)
	}
	id, _ := ext["sha256Hash"].(string)
	_, versioned := ext["version"]
	switch {
	case !versioned, hash && !isHash(id), id == "" || len(id) > 256:
		return "", apperr.New(apperr.MalformedRequest).With("reason", "persisted_query").Variant("persisted_query")
	case hash:
		return strings.ToLower(id), nil
	}
	return id, nil
}

func isOne(v any) bool {
	switch n := v.(type) {
	case json.Number:
		return n == "1"
	case float64:
		return n == 1
	case int64:
		return n == 1
	case int:
		return n == 1
	}
	return false
}

func isHash(s string) bool {
	if len(s) != sha256.Size*2 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// weight is what a document weighs in the cache.
func weight(query string) int64 { return int64(len(query) + 128) }

// refuse is refusal for a request refused before it has a document. gqlgen
// names the operation context after the client's operationName only once
// every parameter mutator has agreed; named here, the refusal's log line
// says which operation a client asked for (PersistedQueryLink sends the
// name with the hash).
func refuse(ctx context.Context, params *graphql.RawParams, ae *apperr.Error) *gqlerror.Error {
	if ae != nil && graphql.HasOperationContext(ctx) {
		graphql.GetOperationContext(ctx).OperationName = params.OperationName
	}
	return refusal(ae)
}

// refusal hands an apperr error to gqlgen, which the presenter words.
func refusal(ae *apperr.Error) *gqlerror.Error {
	if ae == nil {
		return nil
	}
	return &gqlerror.Error{Err: ae, Message: ae.Message()}
}
