package storetest

import (
	"context"
	"errors"
	"fmt"
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

// paymentsGroup races payments against the domain on the store: the
// invariants of SPEC ("money is never taken for an application that cannot
// proceed", "quote equals payment") must hold with every store's
// concurrency control, not only the memory store's.
var paymentsGroup = group{"PaymentRaces", []test{
	{"CloseRacesPay", testCloseRacesPay},
	{"SameKeyAppliesNeverSplitQuoteAndPayment", testSameKeyApplies},
}}

// payWorld is a notary service on the store under test with a fake
// provider, and a user with an approved filing.
type payWorld struct {
	ctx   context.Context
	svc   *notary.Service
	pay   *notarytest.Payments
	clock *notarytest.Clock
	user  notary.User
}

func newPayWorld(t *testing.T, s notary.Store) *payWorld {
	t.Helper()
	w := &payWorld{ctx: context.Background(), pay: notarytest.NewPayments(), clock: notarytest.NewClock(base),
		user: notary.User{ID: "payer", Email: "payer@example.com", Name: "Payer"}}
	svc, err := notary.New(notary.Config{InsecureDevKeys: true,
		Office: notary.Office{ID: uuid.New(), Name: "Race Office", AdminEmails: []string{"desk@office.example"},
			MailingAddress: "1 Road", Materials: []string{"form"}},
		Store: s, Payments: w.pay, Clock: w.clock, Courier: &notarytest.Courier{}, Logger: slog.New(slog.DiscardHandler),
		Admin: notary.AdminPolicy{SessionIdle: 24 * time.Hour, SessionTTL: 24 * time.Hour},
	})
	require.NoError(t, err)
	w.svc = svc
	const password = "race office password 1"
	_, err = svc.Admins.Bootstrap(w.ctx, "head@office.example", "Head", password)
	require.NoError(t, err)
	token, _, err := svc.Admins.Login(w.ctx, "head@office.example", password)
	require.NoError(t, err)
	admin, err := svc.Admins.Authenticate(w.ctx, token)
	require.NoError(t, err)
	f, err := svc.Filings.Submit(w.ctx, w.user, notarytest.FilingContent())
	require.NoError(t, err)
	_, err = svc.Reviews.ApproveFiling(w.ctx, admin, f.ID, f.Version)
	require.NoError(t, err)
	return w
}

// testCloseRacesPay races the user's cancel against the payer paying, 100
// times, half of them with a provider that refuses to close for now. Every
// round must end paid and progressing, or cancelled with the order closed,
// or cancelled with the money refunded: never money taken without success
// or refund.
func testCloseRacesPay(t *testing.T, s notary.Store) {
	w := newPayWorld(t, s)
	for round := range 100 {
		app, err := w.svc.Applications.Apply(w.ctx, w.user, notary.ApplyRequest{Evidence: notarytest.Evidence(fmt.Sprint("race-", round))})
		require.NoError(t, err)
		closeFails := round%2 == 1
		if closeFails {
			w.pay.FailClose = errors.New("ORDER_NOT_CLOSABLE")
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		wg.Go(func() {
			<-start
			_, err := w.svc.Applications.Cancel(w.ctx, w.user, app.ID)
			if err != nil {
				assert.ErrorIs(t, err, notary.ErrInvalidTransition, "round %d: cancel", round)
			}
		})
		wg.Go(func() {
			<-start
			ev, err := w.pay.Pay(app.Payment.ID, w.clock.Now())
			if err != nil {
				assert.ErrorIs(t, err, notary.ErrInvalidTransition, "round %d: pay", round)
				return
			}
			// The provider redelivers until the host accepts.
			for attempt := 0; ; attempt++ {
				if _, err = w.svc.Applications.HandlePaymentEvent(w.ctx, ev); err == nil || attempt == 5 {
					break
				}
			}
			assert.NoError(t, err, "round %d: payment notice", round)
		})
		close(start)
		wg.Wait()
		w.pay.FailClose = nil
		if closeFails {
			_, err := w.svc.Applications.Sweep(w.ctx) // retries the close
			require.NoError(t, err)
		}

		got, err := s.Application(w.ctx, app.ID)
		require.NoError(t, err)
		provider := w.pay.Payment(app.Payment.ID).Status
		switch {
		case provider == notary.PaymentSucceeded && got.State == notary.PendingPreliminaryReview:
			assert.Nil(t, got.Refund, "round %d: paid and progressing, nothing refunded", round)
		case provider == notary.PaymentSucceeded:
			assert.Equal(t, notary.Cancelled, got.State, "round %d", round)
			assert.NotNil(t, got.Refund, "round %d: money taken for a cancelled application is refunded", round)
		case provider == notary.PaymentCancelled:
			assert.Equal(t, notary.Cancelled, got.State, "round %d", round)
			assert.Equal(t, notary.PaymentCancelled, got.Payment.Status, "round %d: the close is recorded", round)
			assert.Nil(t, got.Refund, "round %d", round)
		default:
			t.Errorf("round %d: provider %s, application %s: neither paid nor closed", round, provider, got.State)
		}
	}
}

// testSameKeyApplies races two applies with one idempotency key and other
// evidence (so other quotes), 30 times: whoever wins, the stored quote is
// what its payment asks.
func testSameKeyApplies(t *testing.T, s notary.Store) {
	w := newPayWorld(t, s)
	for round := range 30 {
		key := fmt.Sprint("key-", round)
		one := notarytest.Evidence(fmt.Sprint("one-", round))
		var many []string
		for i := range 11 {
			many = append(many, fmt.Sprintf("many-%d-%d", round, i))
		}
		reqs := []notary.ApplyRequest{{Evidence: one, IdempotencyKey: key}, {Evidence: notarytest.Evidence(many...), IdempotencyKey: key}}
		var wg sync.WaitGroup
		start := make(chan struct{})
		for _, req := range reqs {
			wg.Go(func() {
				<-start
				app, err := w.svc.Applications.Apply(w.ctx, w.user, req)
				if err != nil {
					assert.ErrorIs(t, err, notary.ErrConflict, "round %d", round)
					return
				}
				pay := w.pay.Payment(app.Payment.ID)
				assert.True(t, app.Quote.Equal(pay.Amount, pay.Currency), "round %d: answered quote %s, payment %s", round, app.Quote.Amount, pay.Amount)
			})
		}
		close(start)
		wg.Wait()
		stored, err := s.ApplicationByKey(w.ctx, w.svc.Office().ID, w.user.ID, key)
		require.NoError(t, err, "round %d: one of them is stored", round)
		pay := w.pay.Payment(stored.Payment.ID)
		assert.True(t, stored.Quote.Equal(pay.Amount, pay.Currency), "round %d: stored quote %s %s, payment %s %s",
			round, stored.Quote.Amount, stored.Quote.Currency, pay.Amount, pay.Currency)
	}
}
