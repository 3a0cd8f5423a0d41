package paymenthttp_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
	"github.com/notarykit/notarykit/payment/paymenthttp"
	"github.com/notarykit/notarykit/store"
)

var (
	officeID = uuid.MustParse("0b7f6a52-5a43-4d5e-9a58-2f6a3f1d0c01")
	t0       = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	alice    = notary.User{ID: "u-alice", Email: "alice@example.com", Name: "Alice"}
)

// failingStore fails every Commit while fail is set, with err when set.
type failingStore struct {
	notary.Store
	fail bool
	err  error
}

func (s *failingStore) Commit(ctx context.Context, c notary.Change) error {
	if s.fail {
		if s.err != nil {
			return s.err
		}
		return errors.New("database unavailable")
	}
	return s.Store.Commit(ctx, c)
}

type fixture struct {
	ctx   context.Context
	store *failingStore
	pay   *notarytest.Payments
	svc   *notary.Service
	app   notary.Application
	h     http.Handler
}

// newFixture returns a service with one application awaiting payment
// (through the fake gateway) and the notification handler.
func newFixture(t *testing.T, opts ...paymenthttp.Option) *fixture {
	t.Helper()
	f := &fixture{ctx: context.Background(), store: &failingStore{Store: store.NewMemory()}, pay: notarytest.NewPayments()}
	svc, err := notary.New(notary.Config{InsecureDevKeys: true,
		Office: notary.Office{ID: officeID, Name: "Example Notary Office", AdminEmails: []string{"desk@office.example"},
			MailingAddress: "1 Notary Road, Shenzhen"},
		Store: f.store, Payments: f.pay, Clock: notarytest.NewClock(t0), IDs: &notarytest.IDs{},
		Logger: slog.New(slog.DiscardHandler),
	})
	require.NoError(t, err)
	f.svc = svc
	_, err = svc.Admins.Bootstrap(f.ctx, "head@office.example", "Head", "correct horse battery staple")
	require.NoError(t, err)
	token, _, err := svc.Admins.Login(f.ctx, "head@office.example", "correct horse battery staple")
	require.NoError(t, err)
	admin, err := svc.Admins.Authenticate(f.ctx, token)
	require.NoError(t, err)
	filing, err := svc.Filings.Submit(f.ctx, alice, notarytest.FilingContent())
	require.NoError(t, err)
	_, err = svc.Reviews.ApproveFiling(f.ctx, admin, filing.ID, filing.Version)
	require.NoError(t, err)
	f.app, err = svc.Applications.Apply(f.ctx, alice, notary.ApplyRequest{Evidence: []notary.Evidence{{ID: "ev-1", Title: "Contract", SHA256: notarytest.Digest("ev-1")}}})
	require.NoError(t, err)
	f.h = paymenthttp.Handler(svc.Applications, opts...)
	return f
}

func (f *fixture) serve(method string, h http.Header, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, "/payments/notify", bytes.NewReader(body))
	for k, v := range h {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec
}

func (f *fixture) state(t *testing.T) notary.ApplicationState {
	t.Helper()
	a, err := f.store.Application(f.ctx, f.app.ID)
	require.NoError(t, err)
	return a.State
}

func TestHandler(t *testing.T) {
	f := newFixture(t)
	ok := func(ev notary.PaymentEvent) (http.Header, []byte) { return notarytest.Notification(ev) }

	t.Run("method", func(t *testing.T) {
		rec := f.serve(http.MethodGet, nil, nil)
		assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)
		assert.Equal(t, http.MethodPost, rec.Header().Get("Allow"))
	})
	t.Run("forged", func(t *testing.T) {
		_, body := ok(f.pay.Settle(f.app.Payment.ID, t0))
		rec := f.serve(http.MethodPost, http.Header{}, body)
		assert.Equal(t, http.StatusUnauthorized, rec.Code)
		assert.JSONEq(t, `{"status":"error","error":"unauthorized"}`, rec.Body.String())
	})
	t.Run("malformed", func(t *testing.T) {
		h, _ := ok(notary.PaymentEvent{})
		rec := f.serve(http.MethodPost, h, []byte("{"))
		assert.Equal(t, http.StatusBadRequest, rec.Code)
	})
	t.Run("amount mismatch", func(t *testing.T) {
		ev := f.pay.Settle(f.app.Payment.ID, t0)
		ev.Amount = ev.Amount.Add(ev.Amount)
		h, body := ok(ev)
		rec := f.serve(http.MethodPost, h, body)
		assert.Equal(t, http.StatusBadRequest, rec.Code)
	})
	t.Run("unknown application", func(t *testing.T) {
		ev := f.pay.Settle(f.app.Payment.ID, t0)
		ev.ApplicationID = uuid.New()
		h, body := ok(ev)
		rec := f.serve(http.MethodPost, h, body)
		assert.Equal(t, http.StatusNotFound, rec.Code)
	})
	t.Run("store down", func(t *testing.T) {
		f.store.fail = true
		defer func() { f.store.fail = false }()
		h, body := ok(f.pay.Settle(f.app.Payment.ID, t0))
		rec := f.serve(http.MethodPost, h, body)
		assert.Equal(t, http.StatusInternalServerError, rec.Code, "the provider must retry")
		assert.JSONEq(t, `{"status":"error","error":"internal"}`, rec.Body.String())
		assert.NotContains(t, rec.Body.String(), "database", "details stay in the log")
	})
	t.Run("store temporarily unavailable", func(t *testing.T) {
		f.store.fail, f.store.err = true, fmt.Errorf("%w: connection lost", notary.ErrUnavailable)
		defer func() { f.store.fail, f.store.err = false, nil }()
		h, body := ok(f.pay.Settle(f.app.Payment.ID, t0))
		rec := f.serve(http.MethodPost, h, body)
		assert.Equal(t, http.StatusServiceUnavailable, rec.Code, "the provider must retry")
		assert.JSONEq(t, `{"status":"error","error":"unavailable"}`, rec.Body.String())
	})
	require.Equal(t, notary.AwaitingPayment, f.state(t), "nothing above changed state")
	t.Run("accepted once", func(t *testing.T) {
		h, body := ok(f.pay.Settle(f.app.Payment.ID, t0))
		for range 3 {
			rec := f.serve(http.MethodPost, h, body)
			assert.Equal(t, http.StatusOK, rec.Code)
			assert.JSONEq(t, `{"status":"ok"}`, rec.Body.String())
			assert.Equal(t, "application/json; charset=utf-8", rec.Header().Get("Content-Type"))
		}
		assert.Equal(t, notary.PendingPreliminaryReview, f.state(t))
		evs, err := f.store.Events(f.ctx, f.app.ID)
		require.NoError(t, err)
		assert.Len(t, evs, 2, "apply and one payment_succeeded")
	})
}

func TestHandlerBodyLimit(t *testing.T) {
	f := newFixture(t, paymenthttp.WithMaxBodyBytes(100), paymenthttp.WithLogger(slog.New(slog.DiscardHandler)))
	h, _ := notarytest.Notification(notary.PaymentEvent{})
	rec := f.serve(http.MethodPost, h, []byte(strings.Repeat("x", 101)))
	assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)

	def := paymenthttp.Handler(f.svc.Applications)
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(make([]byte, paymenthttp.DefaultMaxBodyBytes+1)))
	out := httptest.NewRecorder()
	def.ServeHTTP(out, req)
	assert.Equal(t, http.StatusRequestEntityTooLarge, out.Code)
}
