package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/faultline/faultline/apperr"
	"github.com/faultline/faultline/internal/errbudget"
	"github.com/faultline/faultline/internal/requestid"
)

// Presenter is the one place where an error of any source — resolver,
// directive, panic, parser, validator, variable coercion, limits, the HTTP
// layer, a deadline — becomes faultline's envelope. It is installed with
// SetErrorPresenter and SetRecoverFunc.
type Presenter struct {
	Log *slog.Logger
	// Private keeps the schema private (introspection is off): messages
	// name nothing of the schema that the request did not (private.go).
	Private bool
}

// Present implements graphql.ErrorPresenterFunc.
func (p *Presenter) Present(ctx context.Context, err error) *gqlerror.Error {
	if !errbudget.Spend(ctx) {
		return errbudget.Omitted
	}
	ae, path, locations := classify(ctx, err, p.Private)
	if ae.Status() >= 500 {
		p.logServerError(ctx, ae, path)
	}
	locale := apperr.LocaleFrom(ctx)
	return &gqlerror.Error{
		Err:        ae,
		Message:    ae.MessageIn(locale),
		Path:       path,
		Locations:  locations,
		Extensions: extensions(ctx, ae, locale),
	}
}

// Recover implements graphql.RecoverFunc: a panic is a bug, so it becomes
// INTERNAL with the panic value and stack kept for the log.
func (p *Presenter) Recover(ctx context.Context, v any) error {
	cause, ok := v.(error)
	if !ok {
		cause = fmt.Errorf("%v", v)
	}
	return apperr.InternalError(fmt.Errorf("panic: %w", cause)).WithStack(debug.Stack())
}

// extensions builds the envelope's extensions for ae; only the messages of
// fields depend on the locale.
func extensions(ctx context.Context, ae *apperr.Error, locale apperr.Locale) map[string]any {
	ext := make(map[string]any, 6)
	b := boxedOf(ae.Type)
	ext["code"] = b.code
	ext["type"] = b.typ
	ext["status"] = b.status
	ext["requestId"] = requestid.From(ctx)
	if len(ae.Details) > 0 {
		ext["details"] = ae.Details
	}
	if len(ae.Fields) > 0 {
		fields := ae.Fields
		if locale != apperr.English {
			fields = make([]apperr.FieldViolation, len(ae.Fields))
			for i, f := range ae.Fields {
				fields[i] = f.In(locale)
			}
		}
		ext["fields"] = fields
	}
	if s := ae.RetryAfterSeconds(); s > 0 {
		ext["retryAfter"] = s
	}
	return ext
}

// boxed holds a type's code, type and status already in interfaces, so that
// presenting an error does not allocate them again each time.
type boxed struct{ code, typ, status any }

var boxedTypes = func() map[apperr.Type]boxed {
	m := make(map[apperr.Type]boxed)
	for _, e := range apperr.Catalog() {
		m[e.Type] = boxed{code: string(e.Code), typ: string(e.Type), status: e.Status}
	}
	return m
}()

// boxedOf returns t's boxed values; an unknown type is INTERNAL, as in apperr.
func boxedOf(t apperr.Type) boxed {
	if b, ok := boxedTypes[t]; ok {
		return b
	}
	return boxedTypes[apperr.Internal]
}

// classify finds the apperr error behind err, keeping its GraphQL path and
// locations. Errors that gqlgen and gqlparser make themselves are recognised
// by the code gqlgen sets on them; anything else that is not an apperr error
// is INTERNAL (or DEADLINE_EXCEEDED when a context ended).
func classify(ctx context.Context, err error, private bool) (*apperr.Error, ast.Path, []gqlerror.Location) {
	gqlErr, _ := errors.AsType[*gqlerror.Error](err)
	var (
		path      ast.Path
		locations []gqlerror.Location
	)
	if gqlErr != nil {
		path, locations = gqlErr.Path, gqlErr.Locations
	}
	if ae, ok := errors.AsType[*apperr.Error](err); ok {
		return ae, path, locations
	}
	if gqlErr != nil && gqlErr.Err == nil {
		switch gqlErr.Extensions["code"] {
		case errcode.ParseFailed:
			return apperr.New(apperr.SyntaxError).Variant("parser").WithParam("reason", gqlErr.Message), nil, locations
		case errcode.ValidationFailed:
			if ae := validationError(ctx, gqlErr, private); ae != nil {
				return ae, nil, locations
			}
		}
	}
	if gqlErr != nil && gqlErr.Err != nil {
		err = gqlErr.Err // log the error itself, not gqlgen's path-prefixed wrapper
	}
	return apperr.From(err), path, locations
}

// validationError classifies the errors gqlgen marks GRAPHQL_VALIDATION_FAILED:
// validator rules, variable coercion, and operation selection. When private,
// a reason that cannot be made private gives way to the type's own message.
func validationError(ctx context.Context, e *gqlerror.Error, private bool) *apperr.Error {
	switch {
	case e.Rule != "":
		ae := apperr.New(apperr.InvalidQuery).With("rule", e.Rule)
		reason, ok := e.Message, true
		if private {
			reason, ok = privateReason(reason, namesSaid(ctx))
		}
		if !ok {
			return ae
		}
		return ae.Variant("validator").WithParam("reason", reason)
	case len(e.Path) >= 2 && e.Path[0] == ast.PathName("variable"):
		return variableError(ctx, e, private)
	case e.Message == "no operation provided":
		// graphql-js calls an empty document a syntax error too.
		return apperr.New(apperr.SyntaxError).Variant("empty")
	case strings.HasPrefix(e.Message, "operation ") && strings.HasSuffix(e.Message, " not found"):
		var name string
		if graphql.HasOperationContext(ctx) {
			name = graphql.GetOperationContext(ctx).OperationName
		}
		ae := apperr.New(apperr.OperationNotFound).With("operationName", name)
		if name == "" {
			ae.Variant("unnamed")
		}
		return ae
	}
	return nil
}

// variableError turns gqlparser's "variable.input.items[2].quantity: cannot
// be null" into INVALID_VARIABLES naming the variable.
func variableError(ctx context.Context, e *gqlerror.Error, private bool) *apperr.Error {
	name, _ := e.Path[1].(ast.PathName)
	ae := apperr.New(apperr.InvalidVariables).With("variable", string(name))
	at, reason, ok := e.Path[2:], e.Message, true
	if private {
		at, reason, ok = privateVariable(at, reason, namesSaid(ctx))
	}
	switch {
	case !ok:
		return ae
	case len(at) > 0:
		return ae.Variant("nested").WithParam("at", at.String()).WithParam("reason", reason)
	}
	return ae.Variant("value").WithParam("reason", reason)
}

// logServerError logs a 5xx error with its cause (and stack, for panics)
// under the request id; 4xx errors are summarised on the request's log line.
func (p *Presenter) logServerError(ctx context.Context, ae *apperr.Error, path ast.Path) {
	level := slog.LevelError
	if ae.Type == apperr.ShuttingDown {
		level = slog.LevelWarn
	}
	attrs := []slog.Attr{
		slog.String("request_id", requestid.From(ctx)),
		slog.Any("error", ae),
	}
	if len(path) > 0 {
		attrs = append(attrs, slog.String("path", path.String()))
	}
	if graphql.HasOperationContext(ctx) {
		if name := graphql.GetOperationContext(ctx).OperationName; name != "" {
			attrs = append(attrs, slog.String("operation", name))
		}
	}
	p.Log.LogAttrs(ctx, level, "server error", attrs...)
}
