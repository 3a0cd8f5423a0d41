package mockpay_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/adapters/mockpay"
	"github.com/notarykit/notarykit/notary"
)

// These tests wire a real notary.Service (in-memory store, the mockpay
// Client as its PaymentGateway) behind paymenthttp.Handler, and a mockpay
// Provider posting notifications to it over HTTP.

func notice(ch notary.Channel, kind notary.NoticeKind, to string) string {
	return string(ch) + " " + string(kind) + " " + to
}

// paidNotices are the notices of a payment received: the user in-site and
// by email, each office mailbox by email.
func paidNotices() []string {
	out := []string{
		notice(notary.ChannelInSite, notary.NoticePaymentReceived, alice.Email),
		notice(notary.ChannelEmail, notary.NoticePaymentReceived, alice.Email),
		notice(notary.ChannelEmail, notary.NoticePreliminaryReview, "desk@office.example"),
		notice(notary.ChannelEmail, notary.NoticePreliminaryReview, "chief@office.example"),
	}
	slices.Sort(out)
	return out
}

func sorted(xs ...string) []string {
	slices.Sort(xs)
	return xs
}

// checkout pays or fails a payment through the provider's checkout form, as
// a browser would, and returns the status code (without following the
// redirect).
func (w *world) checkout(paymentID, action string) int {
	w.t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.PostForm(w.provSrv.URL+"/checkout/"+paymentID+"/"+action, nil)
	require.NoError(w.t, err)
	res.Body.Close()
	return res.StatusCode
}

func TestDuplicateNotificationAppliedOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 0)
	app := w.apply()
	w.prov.SetDuplicate(10)
	require.Equal(t, http.StatusSeeOther, w.checkout(app.Payment.ID, "pay"))
	w.wait()

	ds := w.prov.Deliveries()
	require.Len(t, ds, 10)
	for i, d := range ds {
		assert.True(t, d.OK(), "delivery %d answered %d", i, d.StatusCode)
		assert.Equal(t, ds[0].EventID, d.EventID, "every copy carries the same event")
		assert.Equal(t, 1, d.Attempt)
	}
	got := w.app(app.ID)
	assert.Equal(t, notary.PendingPreliminaryReview, got.State)
	assert.Equal(t, notary.PaymentSucceeded, got.Payment.Status)
	assert.Equal(t, []string{"apply", "payment_succeeded"}, w.triggers(app.ID))
	assert.Equal(t, paidNotices(), w.notices(app.ID))
}

func TestReorderedSuccessAndFailureStaysPaid(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 0)
	app := w.apply()
	w.prov.SetReorder(true)
	// A first attempt fails, the payer tries again and pays: the provider
	// emits "failed" then "succeeded" but delivers them in reverse.
	require.Equal(t, http.StatusSeeOther, w.checkout(app.Payment.ID, "fail"))
	require.Equal(t, http.StatusSeeOther, w.checkout(app.Payment.ID, "pay"))
	require.Equal(t, 2, w.prov.Held())
	assert.Empty(t, w.receivedCopy(), "nothing is sent before Flush")
	require.Equal(t, 2, w.prov.Flush())
	w.wait()

	ds := w.prov.Deliveries()
	require.Len(t, ds, 2)
	assert.Equal(t, notary.PaymentSucceeded, ds[0].Status, "the success arrives first")
	assert.Equal(t, notary.PaymentFailed, ds[1].Status)
	assert.True(t, ds[0].OK() && ds[1].OK(), "both acknowledged: the late failure is a no-op")

	got := w.app(app.ID)
	assert.Equal(t, notary.PendingPreliminaryReview, got.State, "paid stays paid")
	assert.Equal(t, notary.PaymentSucceeded, got.Payment.Status)
	assert.Equal(t, []string{"apply", "payment_succeeded"}, w.triggers(app.ID))
	assert.Equal(t, paidNotices(), w.notices(app.ID))
}

// unchanged checks that a refused notification changed nothing.
func (w *world) unchanged(app notary.Application) {
	w.t.Helper()
	got := w.app(app.ID)
	assert.Equal(w.t, notary.AwaitingPayment, got.State)
	assert.Equal(w.t, app.Version, got.Version)
	assert.Equal(w.t, []string{"apply"}, w.triggers(app.ID))
	assert.Empty(w.t, w.notices(app.ID))
}

func TestForgedSignatureRefused(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 0)
	app := w.apply()
	body := mustJSON(t, notification(app, t0))

	status, res := w.post(mockpay.SignedHeaders([]byte("not-the-secret"), t0, "", body), body)
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.JSONEq(t, `{"status":"error","error":"unauthorized"}`, res)

	// A genuine signature over another body does not transfer.
	other := mustJSON(t, notification(app, t0))
	status, _ = w.post(mockpay.SignedHeaders(secret, t0, "", other), body)
	assert.Equal(t, http.StatusUnauthorized, status)

	// No signature at all.
	status, _ = w.post(http.Header{"Content-Type": {"application/json"}}, body)
	assert.Equal(t, http.StatusUnauthorized, status)
	w.unchanged(app)
}

func TestReplayedNonceRefused(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 0)
	app := w.apply()
	w.prov.SetReorder(true) // hold the genuine notice so it can be copied first
	require.NoError(t, w.prov.Fail(app.Payment.ID))
	w.prov.Flush()
	w.wait()
	got := w.receivedCopy()
	require.Len(t, got, 1)
	require.Equal(t, http.StatusOK, got[0].status)
	failed := w.app(app.ID)
	require.Equal(t, notary.AwaitingPayment, failed.State, "a failed attempt leaves the application payable")
	require.Equal(t, notary.PaymentFailed, failed.Payment.Status)

	// An attacker replays the captured request byte for byte.
	status, _ := w.post(got[0].header, got[0].body)
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, failed.Version, w.app(app.ID).Version)
	assert.Equal(t, []string{"apply", "payment_failed"}, w.triggers(app.ID))
}

func TestStaleTimestampRefused(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 0)
	app := w.apply()
	body := mustJSON(t, notification(app, t0))
	for _, at := range []time.Time{t0.Add(-mockpay.DefaultTolerance - time.Second), t0.Add(mockpay.DefaultTolerance + time.Second)} {
		status, _ := w.post(mockpay.SignedHeaders(secret, at, "", body), body)
		assert.Equal(t, http.StatusUnauthorized, status, "signed at %s", at)
	}
	w.unchanged(app)
	// Within the tolerance the same body is accepted.
	status, _ := w.post(mockpay.SignedHeaders(secret, t0.Add(-mockpay.DefaultTolerance+time.Second), "", body), body)
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, notary.PendingPreliminaryReview, w.app(app.ID).State)
}

func TestTamperedAmountRefused(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 0)
	app := w.apply()
	n := notification(app, t0)
	n.Amount = "0.01"
	body := mustJSON(t, n)
	status, res := w.post(mockpay.SignedHeaders(secret, t0, "", body), body)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.JSONEq(t, `{"status":"error","error":"invalid"}`, res)
	w.unchanged(app)
}

func TestWrongCurrencyRefused(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 0)
	app := w.apply()
	n := notification(app, t0)
	n.Currency = "USD"
	body := mustJSON(t, n)
	status, _ := w.post(mockpay.SignedHeaders(secret, t0, "", body), body)
	assert.Equal(t, http.StatusBadRequest, status)
	w.unchanged(app)
}

func TestMalformedNotificationRefused(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 0)
	app := w.apply()
	for _, body := range []string{`{`, `{"id":"evt_1"}`, `{"id":"evt_1","payment_id":"p","application_id":"` + app.ID.String() + `","status":"succeeded","amount":"abc","currency":"CNY","time":"2026-11-30T09:00:00Z"}`} {
		status, _ := w.post(mockpay.SignedHeaders(secret, t0, "", []byte(body)), []byte(body))
		assert.Equal(t, http.StatusBadRequest, status, body)
	}
	w.unchanged(app)
}

func TestUnknownApplication(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 0)
	app := w.apply()
	n := notification(app, t0)
	n.ApplicationID = [16]byte{1, 2, 3}
	body := mustJSON(t, n)
	status, res := w.post(mockpay.SignedHeaders(secret, t0, "", body), body)
	assert.Equal(t, http.StatusNotFound, status)
	assert.JSONEq(t, `{"status":"error","error":"not_found"}`, res)
	w.unchanged(app)
}

func TestExpiryClosesTheOrder(t *testing.T) {
	t.Parallel()
	// The provider's clock runs 2 minutes behind the host's: when the host
	// gives up on the application the provider's deadline has not passed,
	// so the host closes the order and the payer is refused.
	w := newWorld(t, -2*time.Minute)
	app := w.apply()
	w.hostClock.Advance(31 * time.Minute)
	w.provClock.Advance(31 * time.Minute)

	res, err := w.svc.Applications.Sweep(w.ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, res.Expired)
	got := w.app(app.ID)
	require.Equal(t, notary.Cancelled, got.State)
	assert.Equal(t, notary.PaymentCancelled, got.Payment.Status)
	assert.Equal(t, notary.ReasonPaymentDeadlinePassed, got.Reason)
	p, ok := w.prov.Payment(app.Payment.ID)
	require.True(t, ok)
	require.Equal(t, notary.PaymentCancelled, p.Status, "closed at the provider")
	require.ErrorIs(t, w.prov.Pay(app.Payment.ID), notary.ErrInvalidTransition, "nothing charged")
	assert.Empty(t, w.prov.Refunds(app.Payment.ID))
	assert.Equal(t, []string{"apply", "expire"}, w.triggers(app.ID))
}

func TestPaidInTheFirstMinutesAfterCancelIsRefunded(t *testing.T) {
	t.Parallel()
	// Like WeChat Pay, mockpay refuses to close an order in its first five
	// minutes: the application is cancelled all the same, a payment that
	// lands is refunded, and the sweep later finds nothing left to close.
	w := newWorld(t, 0)
	app := w.apply()
	got, err := w.svc.Applications.Cancel(w.ctx, alice, app.ID)
	require.NoError(t, err)
	require.Equal(t, notary.Cancelled, got.State)
	require.Equal(t, notary.PaymentPending, got.Payment.Status, "the provider would not close it yet")

	w.prov.SetDuplicate(3)
	require.NoError(t, w.prov.Pay(app.Payment.ID))
	w.wait()
	for _, d := range w.prov.Deliveries() {
		assert.True(t, d.OK(), "delivery answered %d", d.StatusCode)
	}
	got = w.app(app.ID)
	assert.Equal(t, notary.Cancelled, got.State)
	require.NotNil(t, got.Refund, "the late payment is refunded")
	assert.True(t, got.Refund.Amount.Equal(app.Quote.Amount))
	assert.Equal(t, notary.ReasonPaymentAfterCancel, got.Refund.Reason)
	assert.Equal(t, notary.PaymentSucceeded, got.Payment.Status)
	assert.Equal(t, []string{"apply", "cancel", "refund"}, w.triggers(app.ID))
	refunds := w.prov.Refunds(app.Payment.ID)
	require.Len(t, refunds, 1, "refunded once although notified three times")
	assert.Equal(t, got.Refund.ID, refunds[0].ID)
	assert.Equal(t, sorted(
		notice(notary.ChannelInSite, notary.NoticeCancelled, alice.Email),
		notice(notary.ChannelEmail, notary.NoticeCancelled, alice.Email),
		notice(notary.ChannelInSite, notary.NoticeRefunded, alice.Email),
		notice(notary.ChannelEmail, notary.NoticeRefunded, alice.Email),
	), w.notices(app.ID))

	w.hostClock.Advance(6 * time.Minute)
	w.provClock.Advance(6 * time.Minute)
	res, err := w.svc.Applications.Sweep(w.ctx)
	require.NoError(t, err)
	assert.Zero(t, res)
	assert.Len(t, w.prov.Refunds(app.Payment.ID), 1)
}

func TestCancelAfterTheWindowClosesTheOrder(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 0)
	app := w.apply()
	w.hostClock.Advance(5 * time.Minute)
	w.provClock.Advance(5 * time.Minute)
	got, err := w.svc.Applications.Cancel(w.ctx, alice, app.ID)
	require.NoError(t, err)
	assert.Equal(t, notary.PaymentCancelled, got.Payment.Status)
	require.ErrorIs(t, w.prov.Pay(app.Payment.ID), notary.ErrInvalidTransition)
}

func TestDroppedNotificationReconciledBySweep(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 0)
	app := w.apply()
	w.prov.SetDrop(true)
	require.NoError(t, w.prov.Pay(app.Payment.ID))
	w.wait()
	assert.Equal(t, 1, w.prov.Dropped())
	assert.Empty(t, w.prov.Deliveries())
	assert.Equal(t, notary.AwaitingPayment, w.app(app.ID).State)

	w.hostClock.Advance(31 * time.Minute)
	w.provClock.Advance(31 * time.Minute)
	res, err := w.svc.Applications.Sweep(w.ctx)
	require.NoError(t, err)
	assert.Equal(t, notary.SweepResult{Reconciled: 1}, res)
	got := w.app(app.ID)
	assert.Equal(t, notary.PendingPreliminaryReview, got.State)
	assert.Equal(t, t0, got.Payment.PaidAt)
	assert.Equal(t, []string{"apply", "payment_succeeded"}, w.triggers(app.ID))
	assert.Equal(t, paidNotices(), w.notices(app.ID))
}

func TestDroppedExpiryReconciledBySweep(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 0)
	app := w.apply()
	w.prov.SetDrop(true)
	w.hostClock.Advance(31 * time.Minute)
	w.provClock.Advance(31 * time.Minute)
	res, err := w.svc.Applications.Sweep(w.ctx)
	require.NoError(t, err)
	assert.Equal(t, notary.SweepResult{Expired: 1}, res)
	p, _ := w.prov.Payment(app.Payment.ID)
	assert.Equal(t, notary.PaymentExpired, p.Status)
	assert.Equal(t, notary.Cancelled, w.app(app.ID).State)
	assert.Equal(t, 1, w.prov.Dropped(), "the expiry notice was dropped")
	assert.Equal(t, notary.PaymentExpired, w.app(app.ID).Payment.Status)
}

func TestExpiryNotified(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 0)
	app := w.apply()
	assert.Zero(t, w.prov.ExpireDue())
	w.provClock.Advance(30 * time.Minute)
	w.hostClock.Advance(30 * time.Minute)
	assert.Equal(t, 1, w.prov.ExpireDue())
	assert.Zero(t, w.prov.ExpireDue(), "expired once")
	w.wait()
	ds := w.prov.Deliveries()
	require.Len(t, ds, 1)
	assert.Equal(t, notary.PaymentExpired, ds[0].Status)
	got := w.app(app.ID)
	assert.Equal(t, notary.Cancelled, got.State)
	assert.Equal(t, notary.PaymentExpired, got.Payment.Status)
	assert.Equal(t, sorted(
		notice(notary.ChannelInSite, notary.NoticeCancelled, alice.Email),
		notice(notary.ChannelEmail, notary.NoticeCancelled, alice.Email),
	), w.notices(app.ID))
	// The payer can no longer pay.
	assert.ErrorIs(t, w.prov.Pay(app.Payment.ID), notary.ErrInvalidTransition)
	assert.Equal(t, http.StatusConflict, w.checkout(app.Payment.ID, "pay"))
}

func TestRetriedOnServerError(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 0)
	app := w.apply()
	w.setAnswer(func(n int) int {
		if n <= 2 {
			return http.StatusInternalServerError
		}
		return 0
	})
	require.NoError(t, w.prov.Pay(app.Payment.ID))
	w.wait()

	ds := w.prov.Deliveries()
	require.Len(t, ds, 3)
	for i, d := range ds {
		assert.Equal(t, i+1, d.Attempt)
		assert.Equal(t, ds[0].EventID, d.EventID, "one event")
	}
	assert.Equal(t, []int{500, 500, 200}, []int{ds[0].StatusCode, ds[1].StatusCode, ds[2].StatusCode})
	assert.NotEqual(t, ds[0].Nonce, ds[1].Nonce)
	assert.NotEqual(t, ds[1].Nonce, ds[2].Nonce)

	rec := w.receivedCopy()
	require.Len(t, rec, 3)
	for i := 1; i < 3; i++ {
		assert.Equal(t, string(rec[0].body), string(rec[i].body), "the same body")
		assert.GreaterOrEqual(t, rec[i].at.Sub(rec[i-1].at), schedule[i-1], "retry %d waited its turn", i)
	}
	assert.Equal(t, notary.PendingPreliminaryReview, w.app(app.ID).State)
	assert.Equal(t, []string{"apply", "payment_succeeded"}, w.triggers(app.ID))
	assert.Equal(t, paidNotices(), w.notices(app.ID))
}

func TestGivenUpAfterSchedule(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 0)
	app := w.apply()
	w.setAnswer(func(int) int { return http.StatusServiceUnavailable })
	require.NoError(t, w.prov.Pay(app.Payment.ID))
	w.wait()
	assert.Len(t, w.prov.Deliveries(), len(schedule)+1)
	assert.Equal(t, notary.AwaitingPayment, w.app(app.ID).State)
}

func TestDelayedNotification(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 0)
	app := w.apply()
	const delay = 50 * time.Millisecond
	w.prov.SetDelay(delay)
	start := time.Now()
	require.NoError(t, w.prov.Pay(app.Payment.ID))
	w.wait()
	rec := w.receivedCopy()
	require.Len(t, rec, 1)
	assert.GreaterOrEqual(t, rec[0].at.Sub(start), delay)
	assert.Equal(t, notary.PendingPreliminaryReview, w.app(app.ID).State)
}

func TestRefundAfterPreliminaryRejection(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 0)
	app := w.apply()
	require.NoError(t, w.prov.Pay(app.Payment.ID))
	w.wait()
	got, err := w.svc.Reviews.RejectPreliminary(w.ctx, w.admin, app.ID, w.app(app.ID).Version, "blurred scan")
	require.NoError(t, err)
	require.NotNil(t, got.Refund)
	refunds := w.prov.Refunds(app.Payment.ID)
	require.Len(t, refunds, 1)
	assert.True(t, refunds[0].Amount.Equal(app.Quote.Amount))
	p, _ := w.prov.Payment(app.Payment.ID)
	assert.Equal(t, notary.PaymentSucceeded, p.Status)
	_, err = w.client.Refund(w.ctx, notary.RefundRequest{IdempotencyKey: "again", PaymentID: app.Payment.ID, Amount: decimal.RequireFromString("0.01"), Currency: "CNY"})
	assert.ErrorIs(t, err, notary.ErrInvalidInput, "nothing left to refund")
}

func TestConcurrentDuplicatesAppliedOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 0)
	app := w.apply()
	w.prov.SetReorder(true) // capture the genuine body without delivering it
	require.NoError(t, w.prov.Pay(app.Payment.ID))
	require.Equal(t, 1, w.prov.Held())

	body := mustJSON(t, notification(app, t0))
	const n = 10
	statuses := make(chan int, n)
	for range n {
		go func() {
			status, _ := w.post(mockpay.SignedHeaders(secret, t0, "", body), body)
			statuses <- status
		}()
	}
	oks := 0
	for range n {
		switch s := <-statuses; s {
		case http.StatusOK:
			oks++
		case http.StatusInternalServerError: // lost the version race: the provider retries
		default:
			t.Errorf("status %d", s)
		}
	}
	assert.Positive(t, oks)
	assert.Equal(t, []string{"apply", "payment_succeeded"}, w.triggers(app.ID))
	assert.Equal(t, paidNotices(), w.notices(app.ID))
}
