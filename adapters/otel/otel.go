// Package otel is a notary.Observer that records notarykit's operations
// with OpenTelemetry: transitions by record kind, trigger and outcome and
// their commit latency; deliveries by channel and outcome, dead letters;
// sweep outcomes by duty; and, from a store that can count them, the
// outbox's depth, the age of its oldest pending notice and its dead
// letters. Each transition's commit is also a span.
//
// It uses only the OpenTelemetry API: nothing is exported unless the host
// installs a MeterProvider and TracerProvider (globally, or with
// WithMeterProvider and WithTracerProvider). Hosts that expose Prometheus
// metrics install the otel Prometheus exporter's provider, as
// examples/hostapp does.
//
//	obs, err := otel.New()                       // the global providers
//	svc, err := notary.New(notary.Config{..., Observer: obs})
//	reg, err := obs.ObserveOutbox(store, svc.Clock())
//	relay := notify.NewRelay(store, svc.Clock(), renderer, notifiers, notify.WithObserver(obs))
package otel

import (
	"context"
	"time"

	gotel "go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/notarykit/notarykit/notary"
)

// Scope is the instrumentation scope of the meter and tracer.
const Scope = "github.com/notarykit/notarykit"

// Option configures an Observer.
type Option func(*config)

type config struct {
	mp metric.MeterProvider
	tp trace.TracerProvider
}

// WithMeterProvider sets the meter provider (the global one by default).
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) { c.mp = mp }
}

// WithTracerProvider sets the tracer provider (the global one by default).
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *config) { c.tp = tp }
}

// Observer records notarykit's operations as OpenTelemetry metrics and
// spans. It is safe for concurrent use.
type Observer struct {
	meter       metric.Meter
	tracer      trace.Tracer
	transitions metric.Int64Counter
	commit      metric.Float64Histogram
	deliveries  metric.Int64Counter
	delivery    metric.Float64Histogram
	deadLetters metric.Int64Counter
	sweeps      metric.Int64Counter
}

var _ notary.Observer = (*Observer)(nil)

// New returns an Observer on the global providers, or those the options
// set.
func New(opts ...Option) (*Observer, error) {
	var c config
	for _, o := range opts {
		o(&c)
	}
	if c.mp == nil {
		c.mp = gotel.GetMeterProvider()
	}
	if c.tp == nil {
		c.tp = gotel.GetTracerProvider()
	}
	o := &Observer{meter: c.mp.Meter(Scope), tracer: c.tp.Tracer(Scope)}
	var err error
	m := o.meter
	if o.transitions, err = m.Int64Counter("notarykit.transitions",
		metric.WithDescription("Lifecycle transitions committed or refused by the store, by record kind, trigger and outcome."),
		metric.WithUnit("{transition}")); err != nil {
		return nil, err
	}
	if o.commit, err = m.Float64Histogram("notarykit.commit.duration",
		metric.WithDescription("How long a transition's Store.Commit took."), metric.WithUnit("s")); err != nil {
		return nil, err
	}
	if o.deliveries, err = m.Int64Counter("notarykit.deliveries",
		metric.WithDescription("Delivery attempts of notices, by channel and outcome (delivered, retry, dead)."),
		metric.WithUnit("{attempt}")); err != nil {
		return nil, err
	}
	if o.delivery, err = m.Float64Histogram("notarykit.delivery.duration",
		metric.WithDescription("How long a delivery attempt took."), metric.WithUnit("s")); err != nil {
		return nil, err
	}
	if o.deadLetters, err = m.Int64Counter("notarykit.dead_letters",
		metric.WithDescription("Notices given up on, by channel."), metric.WithUnit("{notice}")); err != nil {
		return nil, err
	}
	if o.sweeps, err = m.Int64Counter("notarykit.sweep.records",
		metric.WithDescription("Records a sweep duty acted on, failed on or skipped, by duty and outcome."),
		metric.WithUnit("{record}")); err != nil {
		return nil, err
	}
	return o, nil
}

// Transition counts a transition and records its commit latency and a
// span of the commit.
func (o *Observer) Transition(ctx context.Context, t notary.TransitionObservation) {
	attrs := metric.WithAttributes(attribute.String("kind", string(t.Kind)), attribute.String("trigger", t.Trigger),
		attribute.String("outcome", t.Outcome))
	o.transitions.Add(ctx, 1, attrs)
	o.commit.Record(ctx, t.Commit.Seconds(), metric.WithAttributes(attribute.String("kind", string(t.Kind)),
		attribute.String("outcome", t.Outcome)))
	end := time.Now()
	_, span := o.tracer.Start(ctx, "notarykit.commit "+string(t.Kind)+"."+t.Trigger,
		trace.WithTimestamp(end.Add(-t.Commit)), trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithAttributes(attribute.String("notarykit.kind", string(t.Kind)), attribute.String("notarykit.trigger", t.Trigger),
			attribute.String("notarykit.from", t.From), attribute.String("notarykit.to", t.To),
			attribute.String("notarykit.outcome", t.Outcome), attribute.Int("notarykit.notices", t.Notices)))
	if t.Err != nil {
		span.RecordError(t.Err)
		span.SetStatus(codes.Error, t.Outcome)
	}
	span.End(trace.WithTimestamp(end))
}

// Delivery counts a delivery attempt (and a dead letter) and records its
// duration.
func (o *Observer) Delivery(ctx context.Context, d notary.DeliveryObservation) {
	ch := attribute.String("channel", string(d.Channel))
	o.deliveries.Add(ctx, 1, metric.WithAttributes(ch, attribute.String("outcome", d.Outcome)))
	o.delivery.Record(ctx, d.Duration.Seconds(), metric.WithAttributes(ch, attribute.String("outcome", d.Outcome)))
	if d.Outcome == notary.OutcomeDead {
		o.deadLetters.Add(ctx, 1, metric.WithAttributes(ch))
	}
}

// Sweep counts a sweep duty's outcome on one record.
func (o *Observer) Sweep(ctx context.Context, s notary.SweepObservation) {
	o.sweeps.Add(ctx, 1, metric.WithAttributes(attribute.String("duty", s.Duty), attribute.String("outcome", s.Outcome)))
}

// ObserveOutbox registers gauges read from st whenever metrics are
// collected: notarykit.outbox.pending, notarykit.outbox.oldest_age (seconds
// since the oldest pending notice's transition, by clock) and
// notarykit.outbox.dead. Unregister the returned registration to stop.
func (o *Observer) ObserveOutbox(st notary.OutboxStatser, clock notary.Clock) (metric.Registration, error) {
	pending, err := o.meter.Int64ObservableGauge("notarykit.outbox.pending",
		metric.WithDescription("Notices waiting for delivery."), metric.WithUnit("{notice}"))
	if err != nil {
		return nil, err
	}
	age, err := o.meter.Float64ObservableGauge("notarykit.outbox.oldest_age",
		metric.WithDescription("Age of the oldest notice waiting for delivery (0 when none)."), metric.WithUnit("s"))
	if err != nil {
		return nil, err
	}
	dead, err := o.meter.Int64ObservableGauge("notarykit.outbox.dead",
		metric.WithDescription("Dead notices waiting for an operator."), metric.WithUnit("{notice}"))
	if err != nil {
		return nil, err
	}
	return o.meter.RegisterCallback(func(ctx context.Context, ob metric.Observer) error {
		s, err := st.OutboxStats(ctx)
		if err != nil {
			return err
		}
		ob.ObserveInt64(pending, int64(s.Pending))
		ob.ObserveInt64(dead, int64(s.Dead))
		a := 0.0
		if !s.OldestPending.IsZero() {
			a = max(0, clock.Now().Sub(s.OldestPending).Seconds())
		}
		ob.ObserveFloat64(age, a)
		return nil
	}, pending, age, dead)
}
