package notary_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

func TestAutoConfirmAt(t *testing.T) {
	shipped := t0
	delivered := t0.Add(72 * time.Hour)
	ship := func(tr *notary.Tracking) notary.Application {
		return notary.Application{Certificate: &notary.Shipment{Carrier: "EMS", TrackingNumber: "EE123456785CN", At: shipped, Tracking: tr}}
	}
	week := 7 * 24 * time.Hour
	tests := []struct {
		name   string
		office notary.Office
		app    notary.Application
		want   time.Time
		ok     bool
	}{
		{"off", notary.Office{}, ship(nil), time.Time{}, false},
		{"nothing shipped", notary.Office{AutoConfirmAfter: week}, notary.Application{}, time.Time{}, false},
		{"no status: from shipping", notary.Office{AutoConfirmAfter: week}, ship(nil), shipped.Add(week), true},
		{"unknown status: from shipping", notary.Office{AutoConfirmAfter: week}, ship(&notary.Tracking{}), shipped.Add(week), true},
		{"travelling: not yet", notary.Office{AutoConfirmAfter: week}, ship(&notary.Tracking{State: notary.TrackingInTransit}), time.Time{}, false},
		{"refused: not yet", notary.Office{AutoConfirmAfter: week}, ship(&notary.Tracking{State: notary.TrackingRefused}), time.Time{}, false},
		{"delivered: from delivery", notary.Office{AutoConfirmAfter: week},
			ship(&notary.Tracking{State: notary.TrackingDelivered, DeliveredAt: delivered}), delivered.Add(week), true},
		{"from shipping, whatever the courier says", notary.Office{AutoConfirmAfter: week, AutoConfirmFrom: notary.AutoConfirmFromShipping},
			ship(&notary.Tracking{State: notary.TrackingDelivered, DeliveredAt: delivered}), shipped.Add(week), true},
		{"from shipping, travelling", notary.Office{AutoConfirmAfter: week, AutoConfirmFrom: notary.AutoConfirmFromShipping},
			ship(&notary.Tracking{State: notary.TrackingInTransit}), shipped.Add(week), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.office.AutoConfirmAt(tt.app)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestTrackWithoutCourier(t *testing.T) {
	e := newEnv(t, func(c *notary.Config) { c.Courier = nil })
	_, err := e.svc.Applications.Track(e.ctx)
	var fe *notary.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "courier", fe.Field)
}

func TestTrackKeepsTheNewestScans(t *testing.T) {
	courier := &notarytest.Courier{}
	e := newEnv(t, func(c *notary.Config) { c.Courier = courier })
	app := e.appIn(notary.PendingFinalReview)
	var scans []notary.TrackingEvent
	for i := range notary.MaxTrackingEvents + 10 {
		scans = append(scans, notary.TrackingEvent{At: t0.Add(time.Duration(i) * time.Minute).Add(123 * time.Nanosecond), Description: fmt.Sprint(i)})
	}
	// Delivered without a time: the tracker's clock says when.
	courier.Report(notary.TrackingStatus{Carrier: "SF", TrackingNumber: "SF1234567890123", Delivered: true, Events: scans})
	e.clock.Advance(time.Hour)
	res, err := e.svc.Applications.Track(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, notary.TrackResult{Checked: 1, Updated: 1, Delivered: 1}, res)
	got, err := e.store.Application(e.ctx, app.ID)
	require.NoError(t, err)
	tr := got.Materials.Tracking
	assert.Equal(t, notary.TrackingDelivered, tr.State, "delivered without a state")
	assert.Equal(t, e.clock.Now(), tr.DeliveredAt)
	require.Len(t, tr.Events, notary.MaxTrackingEvents)
	assert.Equal(t, "10", tr.Events[0].Description, "the oldest are dropped")
	assert.Equal(t, t0.Add(10*time.Minute), tr.Events[0].At, "kept to the microsecond, as stores keep times")
}

func TestTrackLeavesOtherStatesAlone(t *testing.T) {
	courier := &notarytest.Courier{}
	e := newEnv(t, func(c *notary.Config) { c.Courier = courier })
	rejected := e.appIn(notary.MaterialsRejected)
	inProduction := e.appIn(notary.CertificateInProduction)
	courier.Deliver("SF", "SF1234567890123", t0)
	res, err := e.svc.Applications.Track(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, notary.TrackResult{}, res)
	for _, a := range []notary.Application{rejected, inProduction} {
		got, err := e.store.Application(e.ctx, a.ID)
		require.NoError(t, err)
		assert.Equal(t, a.Version, got.Version)
	}
	assert.Zero(t, courier.Calls())
}

func TestTrackReportsAtMostTenErrors(t *testing.T) {
	courier := &notarytest.Courier{}
	e := newEnv(t, func(c *notary.Config) { c.Courier = courier })
	for range 12 {
		e.appIn(notary.PendingFinalReview) // all mailed with the same number
	}
	courier.Fail("SF", "SF1234567890123", errors.New("service unavailable"))
	res, err := e.svc.Applications.Track(e.ctx)
	require.NoError(t, err, "a courier failure never fails the pass")
	assert.Equal(t, 12, res.Checked)
	assert.Equal(t, 12, res.Failed)
	assert.Len(t, res.Errors, 10)
	assert.ErrorContains(t, res.Errors[0], "service unavailable")
}
