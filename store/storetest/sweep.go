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
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

// sweepGroup runs the domain's Sweep on the store: background duties are
// isolated per record, whatever the store.
var sweepGroup = group{"Sweep", []test{
	{"OneFailingRecordStopsNothing", testSweepIsolation},
}}

// flakyGateway is the fake provider, except that one payment, when asked
// to close, says it was paid another amount (a reconciliation the domain
// refuses for good), and the refunds of another fail refundFails times
// with a temporary error.
type flakyGateway struct {
	*notarytest.Payments
	mu          sync.Mutex
	badClose    string
	flakyRefund string
	refundFails int
}

func (g *flakyGateway) ClosePayment(ctx context.Context, id string) (notary.Payment, error) {
	if id == g.badClose {
		p := g.Payment(id)
		p.Status, p.Amount, p.PaidAt = notary.PaymentSucceeded, decimal.NewFromInt(1), base
		return p, fmt.Errorf("%w: payment %s", notary.ErrAlreadyPaid, id)
	}
	return g.Payments.ClosePayment(ctx, id)
}

func (g *flakyGateway) Refund(ctx context.Context, r notary.RefundRequest) (notary.Refund, error) {
	g.mu.Lock()
	fail := r.PaymentID == g.flakyRefund && g.refundFails > 0
	if fail {
		g.refundFails--
	}
	g.mu.Unlock()
	if fail {
		return notary.Refund{}, errors.New("provider: 503 service unavailable")
	}
	return g.Payments.Refund(ctx, r)
}

func testSweepIsolation(t *testing.T, s notary.Store) {
	ctx := t.Context()
	office := uuid.New()
	gw := &flakyGateway{Payments: notarytest.NewPayments(), refundFails: 2}
	now := base.Add(11 * 24 * time.Hour)
	clock := notarytest.NewClock(now)
	svc, err := notary.New(notary.Config{InsecureDevKeys: true,
		Office: notary.Office{ID: office, Name: "Sweep Office", AdminEmails: []string{"desk@office.example"},
			MailingAddress: "1 Notary Road", AutoConfirmAfter: 10 * 24 * time.Hour},
		Store: s, Payments: gw, Clock: clock, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	require.NoError(t, err)

	// put stores an application of the office made at created, with a
	// payment at the fake provider, as mutate leaves it.
	put := func(owner string, created time.Time, mutate func(*notary.Application)) notary.Application {
		a := newApplication(office, owner, 1, created)
		pay, err := gw.CreatePayment(ctx, notary.PaymentRequest{IdempotencyKey: a.ID.String(), ApplicationID: a.ID,
			OfficeID: office, Amount: a.Quote.Amount, Currency: a.Quote.Currency})
		require.NoError(t, err)
		a.Payment = notary.PaymentRef{Provider: pay.Provider, ID: pay.ID, Status: notary.PaymentPending}
		if mutate != nil {
			mutate(&a)
		}
		c := createAppChange(a)
		if !a.State.Active() {
			c.Reserve = nil
		}
		commit(t, s, c)
		return a
	}
	paid := func(a *notary.Application) {
		_, err := gw.Pay(a.Payment.ID, base)
		require.NoError(t, err)
		a.Payment.Status, a.Payment.PaidAt = notary.PaymentSucceeded, base
	}
	rejected := func(a *notary.Application) {
		paid(a)
		a.State, a.Reason = notary.PreliminaryRejected, "blurred scan"
		a.UpdatedAt = now.Add(-time.Hour)
	}
	bad := put("oldest", base, nil) // the oldest unpaid application: its reconciliation fails
	gw.badClose = bad.Payment.ID
	unpaid1 := put("u1", base.Add(time.Minute), nil)
	unpaid2 := put("u2", base.Add(2*time.Minute), nil)
	shipped := put("s", base.Add(3*time.Minute), func(a *notary.Application) {
		paid(a)
		a.State, a.CertificateNumber = notary.CertificateShipped, "(2026)深证字第1号"
		a.Certificate = &notary.Shipment{Carrier: "SF", TrackingNumber: "SF1234567890", At: base.Add(time.Hour)}
	})
	refund := put("r", base.Add(4*time.Minute), rejected)
	flaky := put("f", base.Add(5*time.Minute), rejected)
	gw.flakyRefund = flaky.Payment.ID

	var results []notary.SweepResult
	for range 3 {
		res, err := svc.Applications.Sweep(ctx)
		require.NoError(t, err, "failures on records are not the sweep's error")
		results = append(results, res)
		clock.Advance(5 * time.Minute) // past the backoff of one or two failures
	}
	get := func(a notary.Application) notary.Application {
		got, err := s.Application(ctx, a.ID)
		require.NoError(t, err)
		return got
	}

	first := results[0]
	assert.Equal(t, 2, first.Expired, "the other unpaid applications expire")
	assert.Equal(t, 1, first.AutoConfirmed)
	assert.Equal(t, 1, first.Refunded)
	assert.Equal(t, map[string]int{notary.SweepExpire: 1, notary.SweepRefund: 1}, first.Failed)
	require.Len(t, first.Errors, 2)
	assert.Equal(t, bad.ID, first.Errors[0].Application)
	assert.ErrorIs(t, first.Errors[0].Err, notary.ErrInvalidInput)
	assert.Equal(t, flaky.ID, first.Errors[1].Application)

	for _, a := range []notary.Application{unpaid1, unpaid2} {
		assert.Equal(t, notary.Cancelled, get(a).State)
	}
	assert.Equal(t, notary.Completed, get(shipped).State)
	assert.NotNil(t, get(refund).Refund)

	// The flaky refund backs off, fails once more, and goes through on
	// the third sweep; the record showed it pending meanwhile.
	assert.Equal(t, map[string]int{notary.SweepRefund: 1}, results[1].Failed)
	assert.Equal(t, 1, results[2].Refunded)
	got := get(flaky)
	require.NotNil(t, got.Refund, "refunded after two failures")
	assert.Nil(t, got.Retry, "the refund going through clears the retry")

	// The permanent failure is not retried: it waits for an operator.
	b := get(bad)
	assert.Equal(t, notary.AwaitingPayment, b.State)
	require.NotNil(t, b.Retry)
	assert.True(t, b.Retry.Permanent)
	assert.Equal(t, notary.SweepExpire, b.Retry.Duty)
	assert.Equal(t, 1, b.Retry.Attempts)
	assert.Contains(t, b.Retry.LastError, "amount")
	assert.Equal(t, 1, results[1].Stuck)
	assert.Equal(t, 1, results[2].Stuck)
	evs, err := s.Events(ctx, bad.ID)
	require.NoError(t, err)
	assert.Equal(t, "sweep_failed", evs[len(evs)-1].Trigger, "the failure is audited")
}
