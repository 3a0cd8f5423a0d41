package otel_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	notaryotel "github.com/notarykit/notarykit/adapters/otel"
	"github.com/notarykit/notarykit/notary"
)

type stats notary.OutboxStats

func (s stats) OutboxStats(context.Context) (notary.OutboxStats, error) {
	return notary.OutboxStats(s), nil
}

type clock time.Time

func (c clock) Now() time.Time { return time.Time(c) }

// sums returns the counter totals of the collected metrics by name.
func sums(t *testing.T, r *sdkmetric.ManualReader) map[string]float64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, r.Collect(context.Background(), &rm))
	out := map[string]float64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					out[m.Name] += float64(p.Value)
				}
			case metricdata.Gauge[int64]:
				for _, p := range d.DataPoints {
					out[m.Name] += float64(p.Value)
				}
			case metricdata.Gauge[float64]:
				for _, p := range d.DataPoints {
					out[m.Name] += p.Value
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					out[m.Name] += float64(p.Count)
				}
			}
		}
	}
	return out
}

func TestObserverRecords(t *testing.T) {
	r := sdkmetric.NewManualReader()
	obs, err := notaryotel.New(notaryotel.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(r))))
	require.NoError(t, err)
	ctx := context.Background()
	obs.Transition(ctx, notary.TransitionObservation{Kind: notary.KindFiling, Trigger: "submit", Outcome: notary.OutcomeOK, Commit: time.Millisecond})
	obs.Transition(ctx, notary.TransitionObservation{Kind: notary.KindFiling, Trigger: "approve", Outcome: notary.OutcomeConflict,
		Err: notary.ErrConflict})
	obs.Delivery(ctx, notary.DeliveryObservation{Channel: notary.ChannelEmail, Outcome: notary.OutcomeDelivered})
	obs.Delivery(ctx, notary.DeliveryObservation{Channel: notary.ChannelEmail, Outcome: notary.OutcomeDead})
	obs.Sweep(ctx, notary.SweepObservation{Duty: "expire", Outcome: notary.OutcomeFailed, Err: errors.New("provider down")})
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	_, err = obs.ObserveOutbox(stats{Pending: 7, OldestPending: now.Add(-90 * time.Second), Dead: 2}, clock(now))
	require.NoError(t, err)

	got := sums(t, r)
	assert.Equal(t, 2.0, got["notarykit.transitions"])
	assert.Equal(t, 2.0, got["notarykit.commit.duration"])
	assert.Equal(t, 2.0, got["notarykit.deliveries"])
	assert.Equal(t, 1.0, got["notarykit.dead_letters"])
	assert.Equal(t, 1.0, got["notarykit.sweep.records"])
	assert.Equal(t, 7.0, got["notarykit.outbox.pending"])
	assert.Equal(t, 90.0, got["notarykit.outbox.oldest_age"])
	assert.Equal(t, 2.0, got["notarykit.outbox.dead"])
}

// Without a provider installed, the observer records into the global
// no-op one: nothing fails and nothing is kept.
func TestObserverNoopByDefault(t *testing.T) {
	obs, err := notaryotel.New()
	require.NoError(t, err)
	obs.Transition(context.Background(), notary.TransitionObservation{Kind: notary.KindApplication, Trigger: "apply"})
	obs.Delivery(context.Background(), notary.DeliveryObservation{Channel: notary.ChannelInSite})
}
