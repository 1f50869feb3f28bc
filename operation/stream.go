package operation

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/internal/errbudget"
)

var _ graphql.OperationParameterMutator = &Every{}

// MutateOperationParameters implements graphql.OperationParameterMutator:
// an operation whose transport does not admit it (Via.AdmitEach) is
// admitted here, before its document is read.
func (e *Every) MutateOperationParameters(ctx context.Context, _ *graphql.RawParams) *gqlerror.Error {
	if !viaOf(ctx).AdmitEach {
		return nil
	}
	if ae := e.Admission.Admit(ctx); ae != nil {
		return &gqlerror.Error{Err: ae, Message: ae.Message()}
	}
	return nil
}

// needsStream refuses a subscription that came as a plain GET or POST,
// which can carry one response only: it needs a WebSocket or SSE.
func needsStream(ctx context.Context) *gqlerror.Error {
	switch viaOf(ctx).Method {
	case http.MethodGet, http.MethodPost:
		ae := apperr.New(apperr.MalformedRequest).With("reason", "subscription").Variant("subscription")
		return &gqlerror.Error{Err: ae, Message: ae.Message()}
	}
	return nil
}

// streamEnd is the slot of a subscription for the error that ends it.
type streamEnd struct {
	mu    sync.Mutex
	err   *gqlerror.Error
	field string // the response key of the subscription's field
}

type streamEndKey struct{}

func withStreamEnd(ctx context.Context) (context.Context, *streamEnd) {
	end := &streamEnd{}
	return context.WithValue(ctx, streamEndKey{}, end), end
}

// EndStream ends a subscription with err. gqlgen cannot send an error once
// a resolver has returned its channel, so the resolver calls EndStream and
// then closes its channel without sending anything more: the client gets one
// last event, data null for the field and err presented like any other
// error, and then the end of the stream. The first call wins; outside a
// subscription EndStream does nothing.
func EndStream(ctx context.Context, err error) {
	end, _ := ctx.Value(streamEndKey{}).(*streamEnd)
	if end == nil || err == nil {
		return
	}
	ge := &gqlerror.Error{Err: err, Message: err.Error()}
	var field string
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		ge.Path = fc.Path()
		if fc.Field.Field != nil {
			field = fc.Field.Alias
			if pos := fc.Field.Position; pos != nil {
				ge.Locations = []gqlerror.Location{{Line: pos.Line, Column: pos.Column}}
			}
		}
	}
	end.mu.Lock()
	defer end.mu.Unlock()
	if end.err == nil {
		end.err, end.field = ge, field
	}
}

// ended is the last event of a stream that EndStream ended, once; nil when
// it was not ended so, or when its client has gone.
func (e *Every) ended(ctx context.Context, end *streamEnd) *graphql.Response {
	if ctx.Err() != nil {
		return nil
	}
	end.mu.Lock()
	ge, field := end.err, end.field
	end.err = nil
	end.mu.Unlock()
	if ge == nil {
		return nil
	}
	data := json.RawMessage("null")
	if field != "" {
		key, _ := json.Marshal(field)
		data = json.RawMessage(`{` + string(key) + `:null}`)
	}
	return &graphql.Response{Data: data, Errors: gqlerror.List{e.Present(errbudget.Unlimited(ctx), ge)}}
}
