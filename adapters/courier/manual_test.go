package courier

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/notarykit/notarykit/notary"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

func TestManualNormalize(t *testing.T) {
	m := NewManual()
	got, err := m.Normalize("ems", "ee 1234 5678 5cn")
	require.NoError(t, err)
	assert.Equal(t, "EE123456785CN", got)

	_, err = m.Normalize("EMS", "EE123456784CN")
	requireInvalid(t, err, "tracking_number")
	_, err = m.Normalize("DHL", "1234567890")
	requireInvalid(t, err, "carrier")
}

func TestManualTrack(t *testing.T) {
	ctx := context.Background()
	m := NewManual()

	_, err := m.Track(ctx, "SF", "SF123456789012")
	assert.ErrorIs(t, err, notary.ErrNotFound)

	picked := notary.TrackingEvent{At: t0, Location: "深圳", Description: "已揽收"}
	transit := notary.TrackingEvent{At: t0.Add(5 * time.Hour), Location: "广州", Description: "运输中"}
	require.NoError(t, m.Record("sf", "sf 1234 5678 9012", transit))
	require.NoError(t, m.Record("SF", "SF123456789012", picked)) // earlier scan recorded later

	st, err := m.Track(ctx, "Sf", "SF-1234-5678-9012")
	require.NoError(t, err)
	assert.Equal(t, notary.TrackingStatus{
		Carrier:        "SF",
		TrackingNumber: "SF123456789012",
		State:          notary.TrackingInTransit,
		Events:         []notary.TrackingEvent{picked, transit},
	}, st)

	// The same number at another carrier is another consignment.
	_, err = m.Track(ctx, "STO", "123456789012")
	assert.ErrorIs(t, err, notary.ErrNotFound)
	_, err = m.Track(ctx, "SF", "123456789012")
	assert.ErrorIs(t, err, notary.ErrNotFound)

	delivered := t0.Add(30 * time.Hour)
	require.NoError(t, m.MarkDelivered("SF", "SF123456789012", delivered))
	st, err = m.Track(ctx, "SF", "SF123456789012")
	require.NoError(t, err)
	assert.True(t, st.Delivered)
	assert.Equal(t, notary.TrackingDelivered, st.State)
	assert.Equal(t, delivered, st.DeliveredAt)
	assert.Len(t, st.Events, 2)

	// A second MarkDelivered corrects the time.
	require.NoError(t, m.MarkDelivered("SF", "SF123456789012", delivered.Add(time.Hour)))
	st, err = m.Track(ctx, "SF", "SF123456789012")
	require.NoError(t, err)
	assert.Equal(t, delivered.Add(time.Hour), st.DeliveredAt)

	// The returned events are a copy.
	st.Events[0].Description = "changed"
	st2, err := m.Track(ctx, "SF", "SF123456789012")
	require.NoError(t, err)
	assert.Equal(t, "已揽收", st2.Events[0].Description)
}

func TestManualEventOrder(t *testing.T) {
	m := NewManual()
	ev := func(h int, d string) notary.TrackingEvent {
		return notary.TrackingEvent{At: t0.Add(time.Duration(h) * time.Hour), Description: d}
	}
	for _, e := range []notary.TrackingEvent{ev(3, "c"), ev(1, "a"), ev(3, "d"), ev(2, "b"), ev(1, "a2"), ev(4, "e")} {
		require.NoError(t, m.Record("YUNDA", "4312345678901", e))
	}
	st, err := m.Track(context.Background(), "YUNDA", "4312345678901")
	require.NoError(t, err)
	var got []string
	for _, e := range st.Events {
		got = append(got, e.Description)
	}
	assert.Equal(t, []string{"a", "a2", "b", "c", "d", "e"}, got)
}

func TestManualMarkDeliveredWithoutEvents(t *testing.T) {
	m := NewManual()
	require.NoError(t, m.MarkDelivered("ZTO", "731234567890", t0))
	st, err := m.Track(context.Background(), "ZTO", "731234567890")
	require.NoError(t, err)
	assert.True(t, st.Delivered)
	assert.Equal(t, t0, st.DeliveredAt)
	assert.Empty(t, st.Events)
}

func TestManualInvalid(t *testing.T) {
	ctx := context.Background()
	m := NewManual()
	ev := notary.TrackingEvent{At: t0, Description: "x"}
	tests := []struct {
		name  string
		err   error
		field string
	}{
		{"record unknown carrier", m.Record("DHL", "1234567890", ev), "carrier"},
		{"record bad number", m.Record("YTO", "1234567890123", ev), "tracking_number"},
		{"record zero time", m.Record("YTO", "YT1234567890123", notary.TrackingEvent{Description: "x"}), "event.at"},
		{"deliver unknown carrier", m.MarkDelivered("", "YT1234567890123", t0), "carrier"},
		{"deliver bad number", m.MarkDelivered("YTO", "YT12", t0), "tracking_number"},
		{"deliver zero time", m.MarkDelivered("YTO", "YT1234567890123", time.Time{}), "delivered_at"},
		{"track unknown carrier", trackErr(m, ctx, "DHL", "1234567890"), "carrier"},
		{"track bad number", trackErr(m, ctx, "JD", "JD12"), "tracking_number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireInvalid(t, tt.err, tt.field)
		})
	}
	// Rejected calls recorded nothing.
	_, err := m.Track(ctx, "YTO", "YT1234567890123")
	assert.ErrorIs(t, err, notary.ErrNotFound)
}

func trackErr(m *Manual, ctx context.Context, carrier, number string) error {
	_, err := m.Track(ctx, carrier, number)
	return err
}

func TestManualCanceledContext(t *testing.T) {
	m := NewManual()
	require.NoError(t, m.Record("SF", "SF123456789012", notary.TrackingEvent{At: t0}))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := m.Track(ctx, "SF", "SF123456789012")
	assert.ErrorIs(t, err, context.Canceled)
}

func TestManualZeroValue(t *testing.T) {
	var m Manual
	_, err := m.Track(context.Background(), "SF", "SF123456789012")
	assert.ErrorIs(t, err, notary.ErrNotFound)
	require.NoError(t, m.Record("SF", "SF123456789012", notary.TrackingEvent{At: t0}))
	st, err := m.Track(context.Background(), "SF", "SF123456789012")
	require.NoError(t, err)
	assert.Len(t, st.Events, 1)
}

func TestManualConcurrent(t *testing.T) {
	const (
		writers = 8
		perW    = 50
	)
	ctx := context.Background()
	m := NewManual()
	numbers := []string{"SF123456789012", "SF1234567890123", "123456789012345"}

	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := range perW {
				n := numbers[(w+i)%len(numbers)]
				ev := notary.TrackingEvent{At: t0.Add(time.Duration(i) * time.Minute), Description: fmt.Sprintf("w%d-%d", w, i)}
				assert.NoError(t, m.Record("sf", n, ev))
				if i%10 == 0 {
					assert.NoError(t, m.MarkDelivered("SF", n, t0.Add(time.Duration(i)*time.Hour)))
				}
			}
		}()
		go func() {
			defer wg.Done()
			for i := range perW {
				st, err := m.Track(ctx, "SF", numbers[i%len(numbers)])
				if err != nil {
					assert.ErrorIs(t, err, notary.ErrNotFound)
					continue
				}
				for j := 1; j < len(st.Events); j++ {
					assert.False(t, st.Events[j].At.Before(st.Events[j-1].At), "events ordered")
				}
				if len(st.Events) > 0 {
					st.Events[0].Description = "mutated" // must not race with writers
				}
			}
		}()
	}
	wg.Wait()

	total := 0
	for _, n := range numbers {
		st, err := m.Track(ctx, "SF", n)
		require.NoError(t, err)
		assert.True(t, st.Delivered)
		for _, e := range st.Events {
			assert.NotEqual(t, "mutated", e.Description)
		}
		total += len(st.Events)
	}
	assert.Equal(t, writers*perW, total)
}
