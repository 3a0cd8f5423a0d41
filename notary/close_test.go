package notary_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

func TestCancelClosesTheOrder(t *testing.T) {
	e := newEnv(t)
	a := e.appIn(notary.AwaitingPayment)
	got, err := e.svc.Applications.Cancel(e.ctx, alice, a.ID)
	require.NoError(t, err)
	assert.Equal(t, notary.Cancelled, got.State)
	assert.Equal(t, notary.ReasonCancelledByUser, got.Reason)
	assert.Equal(t, notary.PaymentCancelled, got.Payment.Status)
	assert.Equal(t, notary.PaymentCancelled, e.pay.Payment(a.Payment.ID).Status, "closed at the provider")
	_, err = e.pay.Pay(a.Payment.ID, e.clock.Now())
	assert.ErrorIs(t, err, notary.ErrInvalidTransition, "the payer is refused")
	evs, err := e.store.Events(e.ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, notary.ReasonCancelledByUser, evs[len(evs)-1].Reason, "the code is audited")

	// Someone else's cancel never reaches the provider.
	b := e.appIn(notary.AwaitingPayment)
	_, err = e.svc.Applications.Cancel(e.ctx, bob, b.ID)
	require.ErrorIs(t, err, notary.ErrForbidden)
	assert.Equal(t, notary.PaymentPending, e.pay.Payment(b.Payment.ID).Status)
}

func TestCancelOfAPaidOrderIsThePaymentsSuccess(t *testing.T) {
	e := newEnv(t)
	a := e.appIn(notary.AwaitingPayment)
	_, err := e.pay.Pay(a.Payment.ID, e.clock.Now()) // its notice is still on its way
	require.NoError(t, err)
	_, err = e.svc.Applications.Cancel(e.ctx, alice, a.ID)
	require.ErrorIs(t, err, notary.ErrInvalidTransition)
	got, err := e.store.Application(e.ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, notary.PendingPreliminaryReview, got.State)
	assert.Equal(t, notary.PaymentSucceeded, got.Payment.Status)
	assert.Empty(t, e.pay.Refunds())
}

func TestCancelWhenTheProviderCannotCloseYet(t *testing.T) {
	e := newEnv(t)
	a := e.appIn(notary.AwaitingPayment)
	e.pay.FailClose = errors.New("ORDER_NOT_CLOSABLE: closing is possible 5 minutes after creation")
	got, err := e.svc.Applications.Cancel(e.ctx, alice, a.ID)
	require.NoError(t, err, "cancelled all the same")
	assert.Equal(t, notary.Cancelled, got.State)
	assert.Equal(t, notary.PaymentPending, got.Payment.Status, "the order is still open")

	// The payer pays meanwhile: the money goes back, with the refund's reason.
	e.pay.FailClose = nil
	ev, err := e.pay.Pay(a.Payment.ID, e.clock.Now())
	require.NoError(t, err)
	got, err = e.svc.Applications.HandlePaymentEvent(e.ctx, ev)
	require.NoError(t, err)
	assert.Equal(t, notary.Cancelled, got.State)
	require.NotNil(t, got.Refund)
	assert.True(t, got.Refund.Amount.Equal(got.Quote.Amount))
	assert.Equal(t, notary.ReasonPaymentAfterCancel, got.Refund.Reason)
	assert.Equal(t, notary.ReasonCancelledByUser, got.Reason, "the record keeps the cancellation's reason")
	ns, err := e.store.ListNotices(e.ctx, notary.NoticePending, 1000)
	require.NoError(t, err)
	var refunded []notary.Notice
	for _, n := range ns {
		if n.RecordID == a.ID && n.Kind == notary.NoticeRefunded {
			refunded = append(refunded, n)
		}
	}
	require.Len(t, refunded, 2, "in-site and email")
	assert.Equal(t, notary.ReasonPaymentAfterCancel, refunded[0].Data.Reason, "the refund's own reason")
	assert.Equal(t, got.Refund.Amount.StringFixed(2), refunded[0].Data.Amount)

	// The sweep then finds nothing to close: the order is paid and refunded.
	res, err := e.svc.Applications.Sweep(e.ctx)
	require.NoError(t, err)
	assert.Zero(t, res)
	assert.Len(t, e.pay.Refunds(), 1)
}

func TestSweepClosesWhatCancelCouldNot(t *testing.T) {
	e := newEnv(t)
	a := e.appIn(notary.AwaitingPayment)
	e.pay.FailClose = errors.New("too early")
	_, err := e.svc.Applications.Cancel(e.ctx, alice, a.ID)
	require.NoError(t, err)
	res, err := e.svc.Applications.Sweep(e.ctx)
	require.NoError(t, err, "a close that fails again does not fail the sweep")
	assert.Zero(t, res.Closed)

	e.pay.FailClose = nil
	e.clock.Advance(5 * time.Minute)
	res, err = e.svc.Applications.Sweep(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, res.Closed)
	got, err := e.store.Application(e.ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, notary.PaymentCancelled, got.Payment.Status)
	_, err = e.pay.Pay(a.Payment.ID, e.clock.Now())
	assert.ErrorIs(t, err, notary.ErrInvalidTransition)
	evs, err := e.store.Events(e.ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, string(notary.AppCloseOrder), evs[len(evs)-1].Trigger, "the close is audited")
	assert.Empty(t, e.notices(a.ID)[2:], "and tells nobody again")
}

func TestSweepPaidWhileClosePendingIsRefunded(t *testing.T) {
	e := newEnv(t)
	a := e.appIn(notary.AwaitingPayment)
	e.pay.FailClose = errors.New("too early")
	_, err := e.svc.Applications.Cancel(e.ctx, alice, a.ID)
	require.NoError(t, err)
	e.pay.FailClose = nil
	_, err = e.pay.Pay(a.Payment.ID, e.clock.Now()) // its notice is lost
	require.NoError(t, err)
	_, err = e.svc.Applications.Sweep(e.ctx)
	require.NoError(t, err)
	got, err := e.store.Application(e.ctx, a.ID)
	require.NoError(t, err)
	require.NotNil(t, got.Refund, "the close found it paid: refunded")
	assert.Equal(t, notary.PaymentSucceeded, got.Payment.Status)
}

func TestFailedAttemptKeepsTheApplicationPayable(t *testing.T) {
	e := newEnv(t)
	a := e.appIn(notary.AwaitingPayment)
	got, err := e.svc.Applications.HandlePaymentEvent(e.ctx, e.pay.Fail(a.Payment.ID, e.clock.Now()))
	require.NoError(t, err)
	assert.Equal(t, notary.AwaitingPayment, got.State)
	assert.Equal(t, notary.PaymentFailed, got.Payment.Status)
	assert.Equal(t, notary.ReasonPaymentFailed, got.Reason)
	assert.Equal(t, []string{"insite payment.failed alice@example.com", "email payment.failed alice@example.com"}, e.notices(a.ID))
	held, err := e.store.Reservations(e.ctx, a.EvidenceIDs())
	require.NoError(t, err)
	assert.Len(t, held, 1, "the evidence stays reserved")
	assert.Contains(t, mustActions(t, e, a), notary.AppCancel)

	ev, err := e.pay.Pay(a.Payment.ID, e.clock.Now())
	require.NoError(t, err, "the payer may pay again")
	got, err = e.svc.Applications.HandlePaymentEvent(e.ctx, ev)
	require.NoError(t, err)
	assert.Equal(t, notary.PendingPreliminaryReview, got.State)
}

func mustActions(t *testing.T, e *env, a notary.Application) []notary.ApplicationTrigger {
	t.Helper()
	acts, err := e.svc.Applications.Actions(e.ctx, alice, a.ID)
	require.NoError(t, err)
	return acts
}

func TestProviderReportedEndings(t *testing.T) {
	for _, tc := range []struct {
		name    string
		event   func(e *env, id string) notary.PaymentEvent
		trigger notary.ApplicationTrigger
		reason  string
	}{
		{"expired", func(e *env, id string) notary.PaymentEvent { return e.pay.Expire(id, e.clock.Now()) }, notary.AppExpire, notary.ReasonPaymentDeadlinePassed},
		{"closed by the provider", func(e *env, id string) notary.PaymentEvent { return e.pay.ClosedByProvider(id, e.clock.Now()) }, notary.AppPaymentClosed, notary.ReasonPaymentClosed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			a := e.appIn(notary.AwaitingPayment)
			got, err := e.svc.Applications.HandlePaymentEvent(e.ctx, tc.event(e, a.Payment.ID))
			require.NoError(t, err)
			assert.Equal(t, notary.Cancelled, got.State)
			assert.Equal(t, tc.reason, got.Reason)
			evs, err := e.store.Events(e.ctx, a.ID)
			require.NoError(t, err)
			assert.Equal(t, string(tc.trigger), evs[len(evs)-1].Trigger)
			assert.Equal(t, tc.reason, evs[len(evs)-1].Reason)
		})
	}
}

func TestPaymentAmountIsExact(t *testing.T) {
	for _, tc := range []struct {
		amount string
		ok     bool
	}{
		{"300", true},
		{"300.00", true},
		{"299.995", false},
		{"300.001", false},
		{"300.01", false},
	} {
		t.Run(tc.amount, func(t *testing.T) {
			e := newEnv(t)
			a := e.appIn(notary.AwaitingPayment)
			require.Equal(t, "300.00", a.Quote.Amount.StringFixed(2))
			ev := e.pay.Settle(a.Payment.ID, e.clock.Now())
			ev.Amount = decimal.RequireFromString(tc.amount)
			got, err := e.svc.Applications.HandlePaymentEvent(e.ctx, ev)
			if tc.ok {
				require.NoError(t, err)
				assert.Equal(t, notary.PendingPreliminaryReview, got.State)
				return
			}
			var fe *notary.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, "amount", fe.Field)
			stored, err := e.store.Application(e.ctx, a.ID)
			require.NoError(t, err)
			assert.Equal(t, notary.AwaitingPayment, stored.State)
		})
	}
}

// mismatched is a gateway that answers with a payment for another amount,
// currency or application than the one asked for.
type mismatched struct {
	*notarytest.Payments
	mutate func(*notary.Payment)
}

func (m mismatched) CreatePayment(ctx context.Context, r notary.PaymentRequest) (notary.Payment, error) {
	p, err := m.Payments.CreatePayment(ctx, r)
	m.mutate(&p)
	return p, err
}

func TestApplyRefusesAPaymentThatIsNotTheQuotes(t *testing.T) {
	for name, mutate := range map[string]func(*notary.Payment){
		"amount":   func(p *notary.Payment) { p.Amount = decimal.RequireFromString("2300") },
		"currency": func(p *notary.Payment) { p.Currency = "USD" },
		"fraction": func(p *notary.Payment) { p.Amount = decimal.RequireFromString("299.995") },
	} {
		t.Run(name, func(t *testing.T) {
			pay := notarytest.NewPayments()
			e := newEnv(t, func(c *notary.Config) { c.Payments = mismatched{pay, mutate} })
			e.approvedFiling(alice)
			_, err := e.svc.Applications.Apply(e.ctx, alice, notary.ApplyRequest{Evidence: notarytest.Evidence("x1"), IdempotencyKey: "k"})
			require.ErrorIs(t, err, notary.ErrConflict)
			apps, err := e.svc.Applications.Mine(e.ctx, alice, nil, 10)
			require.NoError(t, err)
			assert.Empty(t, apps, "nothing stored")
			held, err := e.store.Reservations(e.ctx, []string{"x1"})
			require.NoError(t, err)
			assert.Empty(t, held)
		})
	}
}

func TestSubmitSaysWhetherItReplayed(t *testing.T) {
	e := newEnv(t)
	e.approvedFiling(alice)
	req := notary.ApplyRequest{Evidence: notarytest.Evidence("s1"), IdempotencyKey: "k-1"}
	first, err := e.svc.Applications.Submit(e.ctx, alice, req)
	require.NoError(t, err)
	assert.False(t, first.Replayed)
	again, err := e.svc.Applications.Submit(e.ctx, alice, req)
	require.NoError(t, err)
	assert.True(t, again.Replayed)
	assert.Equal(t, first.Application, again.Application)
	_, err = e.svc.Applications.Submit(e.ctx, alice, notary.ApplyRequest{Evidence: notarytest.Evidence("s2"), IdempotencyKey: "k-1"})
	assert.ErrorIs(t, err, notary.ErrConflict, "the key with other evidence")
	other, err := e.svc.Applications.Submit(e.ctx, alice, notary.ApplyRequest{Evidence: notarytest.Evidence("s3")})
	require.NoError(t, err)
	assert.False(t, other.Replayed, "no key, no replay")
}
