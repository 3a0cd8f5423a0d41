package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	notaryotel "github.com/notarykit/notarykit/adapters/otel"
	"github.com/notarykit/notarykit/notary"
)

// readyTimeout bounds one readiness check.
const readyTimeout = 3 * time.Second

// metrics is the app's OpenTelemetry pipeline: the SDK's observer records
// into a meter provider whose only reader is the Prometheus exporter, and
// GET /metrics serves its registry.
type metrics struct {
	observer *notaryotel.Observer
	provider *sdkmetric.MeterProvider
	handler  http.Handler
}

func newMetrics() (*metrics, error) {
	reg := prometheus.NewRegistry()
	exp, err := otelprom.New(otelprom.WithRegisterer(reg))
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp))
	obs, err := notaryotel.New(notaryotel.WithMeterProvider(mp))
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	return &metrics{observer: obs, provider: mp,
		handler: promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})}, nil
}

// readier is a store that can say whether it is ready to serve (the SQLite
// and PostgreSQL stores: the database answers and its migrations are
// current).
type readier interface {
	Ready(ctx context.Context) error
}

// opsRoutes adds the liveness, readiness and metrics endpoints:
//
//	GET /livez    the process serves HTTP (200, no dependency checked)
//	GET /readyz   the store answers and its schema is current (200 or 503)
//	GET /metrics  Prometheus metrics of the SDK, from OpenTelemetry
//	GET /healthz  the same as /livez, kept for older probes
func (a *App) opsRoutes(mux *http.ServeMux) {
	live := func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	}
	mux.HandleFunc("GET /livez", live)
	mux.HandleFunc("GET /healthz", live)
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if err := a.ready(r.Context()); err != nil {
			a.log.WarnContext(r.Context(), "not ready", "err", err)
			w.Header().Set("Retry-After", retryAfter)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "error": publicReadiness(err)})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	if a.metrics != nil {
		mux.Handle("GET /metrics", a.metrics.handler)
	}
}

// ready checks the store (when it can be checked) within readyTimeout.
func (a *App) ready(ctx context.Context) error {
	rd, ok := a.store.(readier)
	if !ok {
		return nil // the memory store is always ready
	}
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	return rd.Ready(ctx)
}

// publicReadiness is what /readyz says of a failure: which kind, not the
// driver's words.
func publicReadiness(err error) string {
	if notary.Outcome(err) == notary.OutcomeUnavailable || notary.Outcome(err) == notary.OutcomeCancelled {
		return "store unreachable"
	}
	return "store not ready"
}
