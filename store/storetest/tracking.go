package storetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

// trackingGroup runs the tracker (Applications.Track) and the
// auto-confirmation it drives over the store: tracking documents round-trip,
// each change is one audited commit with its notices, and concurrent
// trackers record each change once.
var trackingGroup = group{"Tracking", []test{
	{"MaterialsThenCertificate", testTrackMaterialsThenCertificate},
	{"CourierFailureIsolated", testTrackCourierFailureIsolated},
	{"ConcurrentTrackers", testTrackConcurrent},
	{"AutoConfirmFallsBackToShipping", testTrackAutoConfirmFallback},
}}

const trackPassword = "correct horse battery staple"

var trackT0 = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)

// trackWorld is one office's service over the store under test.
type trackWorld struct {
	t       *testing.T
	ctx     context.Context
	store   notary.Store
	clock   *notarytest.Clock
	pay     *notarytest.Payments
	courier *notarytest.Courier
	svc     *notary.Service
	admin   notary.Admin
	user    notary.User
	office  notary.Office
}

func newTrackWorld(t *testing.T, s notary.Store) *trackWorld {
	w := &trackWorld{t: t, ctx: t.Context(), store: s, clock: notarytest.NewClock(trackT0),
		pay: notarytest.NewPayments(), courier: &notarytest.Courier{},
		user: notary.User{ID: "u-track", Email: "track@example.com", Name: "Tracy", Locale: "en"},
		office: notary.Office{ID: uuid.New(), Name: "Tracking Office", AdminEmails: []string{"desk@office.example", "chief@office.example"},
			MailingAddress: "1 Notary Road", Materials: []string{"Signed form"}, AutoConfirmAfter: 10 * 24 * time.Hour},
	}
	w.svc = w.service()
	_, err := w.svc.Admins.Bootstrap(w.ctx, "head@office.example", "Head", trackPassword)
	require.NoError(t, err)
	token, _, err := w.svc.Admins.Login(w.ctx, "head@office.example", trackPassword)
	require.NoError(t, err)
	w.admin, err = w.svc.Admins.Authenticate(w.ctx, token)
	require.NoError(t, err)
	f, err := w.svc.Filings.Submit(w.ctx, w.user, notarytest.FilingContent())
	require.NoError(t, err)
	_, err = w.svc.Reviews.ApproveFiling(w.ctx, w.admin, f.ID, f.Version)
	require.NoError(t, err)
	return w
}

// service returns another Service of the office over the same store,
// clock and courier, as another host instance would have.
func (w *trackWorld) service() *notary.Service {
	svc, err := notary.New(notary.Config{InsecureDevKeys: true, Office: w.office, Store: w.store, Payments: w.pay, Courier: w.courier,
		Clock: w.clock, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Admin: notary.AdminPolicy{SessionIdle: 365 * 24 * time.Hour, SessionTTL: 365 * 24 * time.Hour}})
	require.NoError(w.t, err)
	return svc
}

// inFinalReview returns a paid application whose materials the user mailed
// with number.
func (w *trackWorld) inFinalReview(evidence, number string) notary.Application {
	t := w.t
	app, err := w.svc.Applications.Apply(w.ctx, w.user, notary.ApplyRequest{Evidence: notarytest.Evidence(evidence)})
	require.NoError(t, err)
	app, err = w.svc.Applications.HandlePaymentEvent(w.ctx, w.pay.Settle(app.Payment.ID, w.clock.Now()))
	require.NoError(t, err)
	app, err = w.svc.Reviews.ApprovePreliminary(w.ctx, w.admin, app.ID, app.Version)
	require.NoError(t, err)
	app, err = w.svc.Applications.SubmitMaterials(w.ctx, w.user, app.ID, "SF", number)
	require.NoError(t, err)
	require.Equal(t, notary.PendingFinalReview, app.State)
	return app
}

func (w *trackWorld) track() notary.TrackResult {
	w.t.Helper()
	res, err := w.svc.Applications.Track(w.ctx)
	require.NoError(w.t, err)
	return res
}

func (w *trackWorld) get(id uuid.UUID) notary.Application {
	w.t.Helper()
	a, err := w.store.Application(w.ctx, id)
	require.NoError(w.t, err)
	return a
}

// triggers lists the triggers of an application's audit trail, and checks
// the trail verifies.
func (w *trackWorld) triggers(id uuid.UUID) []string {
	w.t.Helper()
	evs, err := w.store.Events(w.ctx, id)
	require.NoError(w.t, err)
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.Trigger
	}
	require.NoError(w.t, w.svc.Audit.Verify(w.ctx, w.admin, id), "the audit trail verifies")
	return out
}

// notices returns the pending notices of a kind for an application.
func (w *trackWorld) notices(id uuid.UUID, kind notary.NoticeKind) []notary.Notice {
	w.t.Helper()
	ns, err := w.store.ListNotices(w.ctx, notary.NoticePending, 10000)
	require.NoError(w.t, err)
	var out []notary.Notice
	for _, n := range ns {
		if n.RecordID == id && n.Kind == kind {
			out = append(out, n)
		}
	}
	return out
}

func scan(at time.Time, where, what string) notary.TrackingEvent {
	return notary.TrackingEvent{At: at, Location: where, Description: what}
}

func testTrackMaterialsThenCertificate(t *testing.T, s notary.Store) {
	w := newTrackWorld(t, s)
	app := w.inFinalReview("ev-track-1", "SF1234567890123")

	// The carrier has no scan yet: nothing changes.
	res := w.track()
	assert.Equal(t, notary.TrackResult{Checked: 1}, res)
	assert.Equal(t, app.Version, w.get(app.ID).Version)

	// In transit: recorded once, nobody told.
	picked := w.clock.Now().Add(time.Hour)
	w.clock.Advance(6 * time.Hour)
	w.courier.Report(notary.TrackingStatus{Carrier: "SF", TrackingNumber: "SF1234567890123", State: notary.TrackingInTransit,
		Events: []notary.TrackingEvent{scan(picked.Add(3*time.Hour), "广州", "运输中"), scan(picked, "深圳", "已揽收")}})
	res = w.track()
	assert.Equal(t, notary.TrackResult{Checked: 1, Updated: 1}, res)
	got := w.get(app.ID)
	require.NotNil(t, got.Materials.Tracking)
	assert.Equal(t, notary.TrackingInTransit, got.Materials.Tracking.State)
	assert.Equal(t, []notary.TrackingEvent{scan(picked, "深圳", "已揽收"), scan(picked.Add(3*time.Hour), "广州", "运输中")},
		got.Materials.Tracking.Events, "scans oldest first")
	assert.Equal(t, w.clock.Now(), got.Materials.Tracking.UpdatedAt.UTC())
	assert.Equal(t, notary.PendingFinalReview, got.State)
	assert.Equal(t, app.Version+1, got.Version)

	// The same report again changes nothing.
	res = w.track()
	assert.Equal(t, notary.TrackResult{Checked: 1}, res)
	assert.Equal(t, app.Version+1, w.get(app.ID).Version)

	// Delivered to the office: the office is told, once.
	arrived := w.clock.Now().Add(20 * time.Hour)
	w.clock.Set(arrived.Add(30 * time.Minute))
	w.courier.Deliver("SF", "SF1234567890123", arrived)
	res = w.track()
	assert.Equal(t, notary.TrackResult{Checked: 1, Updated: 1, Delivered: 1}, res)
	got = w.get(app.ID)
	assert.True(t, got.Materials.Tracking.Delivered())
	assert.Equal(t, arrived, got.Materials.Tracking.DeliveredAt.UTC())
	arrivedNotices := w.notices(app.ID, notary.NoticeMaterialsArrived)
	require.Len(t, arrivedNotices, 2, "one per admin mailbox address")
	for _, n := range arrivedNotices {
		assert.Empty(t, n.To.UserID, "an office notice")
		assert.Equal(t, arrived, n.Data.DeliveredAt.UTC())
		assert.Equal(t, "SF1234567890123", n.Data.TrackingNumber)
	}
	calls := w.courier.Calls()
	res = w.track()
	assert.Equal(t, notary.TrackResult{}, res, "a delivered consignment is not asked about again")
	assert.Equal(t, calls, w.courier.Calls())

	// Both sides see the status.
	mine, err := w.svc.Applications.Get(w.ctx, w.user, app.ID)
	require.NoError(t, err)
	assert.True(t, mine.Materials.Tracking.Delivered())
	theirs, err := w.svc.Applications.Get(w.ctx, w.admin, app.ID)
	require.NoError(t, err)
	assert.Equal(t, mine.Materials.Tracking.State, theirs.Materials.Tracking.State)

	// The certificate: shipped, then delivered three days later.
	got, err = w.svc.Reviews.ApproveFinal(w.ctx, w.admin, app.ID, got.Version, "(2026)深证字第00042号")
	require.NoError(t, err)
	shipped := w.clock.Now()
	got, err = w.svc.Reviews.Ship(w.ctx, w.admin, app.ID, got.Version, "EMS", "EE123456785CN")
	require.NoError(t, err)
	w.courier.Report(notary.TrackingStatus{Carrier: "EMS", TrackingNumber: "EE123456785CN", State: notary.TrackingPickedUp,
		Events: []notary.TrackingEvent{scan(shipped.Add(time.Hour), "深圳", "已收寄")}})
	w.clock.Advance(2 * time.Hour)
	res = w.track()
	assert.Equal(t, notary.TrackResult{Checked: 1, Updated: 1}, res)
	delivered := shipped.Add(3 * 24 * time.Hour)
	w.courier.Report(notary.TrackingStatus{Carrier: "EMS", TrackingNumber: "EE123456785CN", State: notary.TrackingDelivered,
		Delivered: true, DeliveredAt: delivered,
		Events: []notary.TrackingEvent{scan(shipped.Add(time.Hour), "深圳", "已收寄"), scan(delivered, "北京", "已签收")}})
	w.clock.Set(delivered.Add(time.Hour))
	res = w.track()
	assert.Equal(t, notary.TrackResult{Checked: 1, Updated: 1, Delivered: 1}, res)
	confirmBy := delivered.Add(w.office.AutoConfirmAfter)
	userNotices := w.notices(app.ID, notary.NoticeCertificateDelivered)
	require.Len(t, userNotices, 2, "in-site and email")
	for _, n := range userNotices {
		assert.Equal(t, w.user.ID, n.To.UserID)
		assert.Equal(t, confirmBy, n.Data.ConfirmBy.UTC(), "counted from delivery")
		assert.Equal(t, delivered, n.Data.DeliveredAt.UTC())
		assert.Equal(t, "(2026)深证字第00042号", n.Data.CertificateNumber)
	}

	// Counted from shipping it would be due now; from delivery it is not.
	w.clock.Set(shipped.Add(w.office.AutoConfirmAfter + time.Hour))
	sw, err := w.svc.Applications.Sweep(w.ctx)
	require.NoError(t, err)
	assert.Zero(t, sw.AutoConfirmed)
	assert.Equal(t, notary.CertificateShipped, w.get(app.ID).State)
	w.clock.Set(confirmBy)
	sw, err = w.svc.Applications.Sweep(w.ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, sw.AutoConfirmed)
	assert.Equal(t, notary.Completed, w.get(app.ID).State)

	assert.Equal(t, []string{"apply", "payment_succeeded", "approve_preliminary", "submit_materials",
		"track_materials", "materials_delivered", "approve_final", "ship",
		"track_certificate", "certificate_delivered", "auto_confirm"}, w.triggers(app.ID))
	evs, err := s.Events(w.ctx, app.ID)
	require.NoError(t, err)
	assert.Equal(t, "courier SF SF1234567890123: no status → in_transit", evs[4].Reason)
	assert.Equal(t, notary.ActorSystem, evs[4].Actor.Kind)
	assert.Equal(t, "courier SF SF1234567890123: in_transit → delivered", evs[5].Reason)
}

func testTrackCourierFailureIsolated(t *testing.T, s notary.Store) {
	w := newTrackWorld(t, s)
	down := w.inFinalReview("ev-fail-1", "SF1111111111111")
	up := w.inFinalReview("ev-fail-2", "SF2222222222222")
	w.clock.Advance(time.Hour)
	w.courier.Fail("SF", "SF1111111111111", errors.New("kuaidi100: query: HTTP 502"))
	w.courier.Deliver("SF", "SF1111111111111", w.clock.Now())
	w.courier.Deliver("SF", "SF2222222222222", w.clock.Now())

	res := w.track()
	assert.Equal(t, 2, res.Checked)
	assert.Equal(t, 1, res.Updated)
	assert.Equal(t, 1, res.Failed)
	require.Len(t, res.Errors, 1)
	assert.ErrorContains(t, res.Errors[0], down.ID.String())
	assert.ErrorContains(t, res.Errors[0], "HTTP 502")
	assert.Equal(t, down.Version, w.get(down.ID).Version, "nothing changed for the failing record")
	assert.Nil(t, w.get(down.ID).Materials.Tracking)
	assert.True(t, w.get(up.ID).Materials.Tracking.Delivered())

	// The next pass, with the courier back, records it.
	w.courier.Fail("SF", "SF1111111111111", nil)
	res = w.track()
	assert.Equal(t, notary.TrackResult{Checked: 1, Updated: 1, Delivered: 1}, res)
	assert.True(t, w.get(down.ID).Materials.Tracking.Delivered())
	assert.Len(t, w.notices(down.ID, notary.NoticeMaterialsArrived), 2)
}

func testTrackConcurrent(t *testing.T, s notary.Store) {
	w := newTrackWorld(t, s)
	apps := make([]notary.Application, 3)
	for i := range apps {
		apps[i] = w.inFinalReview(fmt.Sprintf("ev-conc-%d", i), fmt.Sprintf("SF%013d", i+1))
		w.courier.Deliver("SF", apps[i].Materials.TrackingNumber, w.clock.Now())
	}
	w.clock.Advance(time.Hour)

	// Four host instances track at once.
	var wg sync.WaitGroup
	results := make([]notary.TrackResult, 4)
	errs := make([]error, 4)
	for i := range results {
		svc := w.service()
		wg.Go(func() { results[i], errs[i] = svc.Applications.Track(w.ctx) })
	}
	wg.Wait()
	delivered := 0
	for i := range results {
		require.NoError(t, errs[i])
		assert.Zero(t, results[i].Failed, "%v", results[i].Errors)
		delivered += results[i].Delivered
	}
	assert.Equal(t, len(apps), delivered, "each delivery recorded by exactly one instance")
	for _, a := range apps {
		trail := w.triggers(a.ID)
		assert.Equal(t, "materials_delivered", trail[len(trail)-1])
		assert.Len(t, trail, 5)
		assert.Len(t, w.notices(a.ID, notary.NoticeMaterialsArrived), 2)
	}
}

func testTrackAutoConfirmFallback(t *testing.T, s notary.Store) {
	w := newTrackWorld(t, s)
	ship := func(evidence, materials, certificate string) notary.Application {
		a := w.inFinalReview(evidence, materials)
		a, err := w.svc.Reviews.ApproveFinal(w.ctx, w.admin, a.ID, a.Version, "N-"+evidence)
		require.NoError(t, err)
		a, err = w.svc.Reviews.Ship(w.ctx, w.admin, a.ID, a.Version, "EMS", certificate)
		require.NoError(t, err)
		return a
	}
	shipped := w.clock.Now()
	silent := ship("ev-fb-1", "SF3333333333333", "EE123456785CN") // the carrier never reports
	moving := ship("ev-fb-2", "SF4444444444444", "RR473124829GB") // the carrier reports it travelling
	w.courier.Report(notary.TrackingStatus{Carrier: "EMS", TrackingNumber: "RR473124829GB", State: notary.TrackingInTransit,
		Events: []notary.TrackingEvent{scan(shipped.Add(time.Hour), "", "在途")}})
	w.clock.Advance(2 * time.Hour)
	res := w.track()
	assert.Equal(t, notary.TrackResult{Checked: 2, Updated: 1}, res)
	assert.Nil(t, w.get(silent.ID).Certificate.Tracking)

	due, ok := w.office.AutoConfirmAt(w.get(silent.ID))
	require.True(t, ok)
	assert.Equal(t, shipped.Add(w.office.AutoConfirmAfter), due, "no status: counted from shipping")
	_, ok = w.office.AutoConfirmAt(w.get(moving.ID))
	assert.False(t, ok, "travelling: the countdown starts at delivery")

	w.clock.Set(due)
	sw, err := w.svc.Applications.Sweep(w.ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, sw.AutoConfirmed)
	assert.Equal(t, notary.Completed, w.get(silent.ID).State)
	assert.Equal(t, notary.CertificateShipped, w.get(moving.ID).State)

	// An office that counts from shipping confirms the travelling one too.
	w.office.AutoConfirmFrom = notary.AutoConfirmFromShipping
	w.svc = w.service()
	sw, err = w.svc.Applications.Sweep(w.ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, sw.AutoConfirmed)
	assert.Equal(t, notary.Completed, w.get(moving.ID).State)
}
