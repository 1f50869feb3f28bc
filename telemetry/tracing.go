package telemetry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// Tracing exports faultline's spans over OTLP/HTTP: the request's (Handler),
// its operations' (package operation) and its store calls' (package store),
// children of one another and of an incoming W3C traceparent. A nil
// *Tracing is tracing off, which costs nothing: no span is started.
type Tracing struct {
	recorder *recorder
	tracer   *tracer // the request spans'
}

// NewTracing sets tracing up from OpenTelemetry's own environment variables,
// as its SDK reads them: it is on when OTEL_EXPORTER_OTLP_ENDPOINT or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set (and neither OTEL_SDK_DISABLED
// nor OTEL_TRACES_EXPORTER=none says otherwise); the headers, timeout,
// sampler (OTEL_TRACES_SAMPLER and _ARG, read here: see sampling.go; by
// default every trace, and a sampled parent's) and batching (OTEL_BSP_*,
// read here: see batcher.go) and span limits (OTEL_SPAN_*, read by the
// SDK) are the SDK's defaults unless those variables say otherwise; the service is "faultline" unless OTEL_SERVICE_NAME or
// OTEL_RESOURCE_ATTRIBUTES names it. Spans are recorded by recorder.go and
// exported by the SDK's OTLP/HTTP client. Off, it returns nil. Export
// failures are logged, and never fail a request.
func NewTracing(ctx context.Context, log *slog.Logger) (*Tracing, error) {
	on, err := tracingOn(os.Getenv)
	if err != nil || !on {
		return nil, err
	}
	sampling, err := samplingFromEnv(os.Getenv)
	if err != nil {
		return nil, err
	}
	batching, err := batchOptionsFromEnv(os.Getenv)
	if err != nil {
		return nil, err
	}
	client := otlptracehttp.NewClient()
	if err := client.Start(ctx); err != nil {
		return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_ENDPOINT: %w", err)
	}
	res, err := resource.New(ctx, resource.WithTelemetrySDK(),
		resource.WithAttributes(semconv.ServiceName("faultline")), resource.WithFromEnv())
	if err != nil {
		return nil, fmt.Errorf("OTEL_RESOURCE_ATTRIBUTES: %w", err)
	}
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		log.Warn("exporting traces", slog.Any("error", err))
	}))
	rec := newRecorder(sampling, sdktrace.NewSpanLimits(), newBatcher(client, res, batching))
	return &Tracing{recorder: rec, tracer: rec.Tracer(tracerScope).(*tracer)}, nil
}

// tracingOn reads whether OpenTelemetry's variables ask for traces; a
// choice this build cannot honour (another exporter, OTLP over gRPC) stops
// the start, naming its variable.
func tracingOn(getenv func(string) string) (bool, error) {
	if strings.EqualFold(strings.TrimSpace(getenv("OTEL_SDK_DISABLED")), "true") {
		return false, nil
	}
	switch exporter := strings.TrimSpace(getenv("OTEL_TRACES_EXPORTER")); exporter {
	case "none":
		return false, nil
	case "", "otlp":
	default:
		return false, fmt.Errorf("OTEL_TRACES_EXPORTER: want otlp or none, got %q", exporter)
	}
	for _, name := range []string{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"} {
		if p := strings.TrimSpace(getenv(name)); p != "" {
			if p != "http/protobuf" {
				return false, fmt.Errorf("%s: faultline exports OTLP over HTTP only: want http/protobuf, got %q", name, p)
			}
			break
		}
	}
	return getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "", nil
}

// Shutdown exports the spans still buffered and stops; a nil Tracing has
// nothing to do.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	if err := t.recorder.batcher.Shutdown(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}
