package mockpay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/adapters/mockpay"
	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
	"github.com/notarykit/notarykit/payment/paymenthttp"
	"github.com/notarykit/notarykit/store"
)

var (
	officeID = uuid.MustParse("0b7f6a52-5a43-4d5e-9a58-2f6a3f1d0c01")
	t0       = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	alice    = notary.User{ID: "u-alice", Email: "alice@example.com", Name: "Alice", Locale: "en"}
	secret   = []byte("mockpay-test-secret")
	// schedule is the compressed retry schedule of the tests.
	schedule = []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond}
)

const adminPassword = "correct horse battery staple"

// world is a host (a real notary.Service on the in-memory store behind
// paymenthttp.Handler) and a mockpay provider, each on its own httptest
// server, talking to each other over HTTP.
type world struct {
	t         *testing.T
	ctx       context.Context
	hostClock *notarytest.Clock
	provClock *notarytest.Clock
	store     *store.Memory
	prov      *mockpay.Provider
	provSrv   *httptest.Server
	client    *mockpay.Client
	svc       *notary.Service
	admin     notary.Admin
	hostSrv   *httptest.Server

	mu       sync.Mutex
	received []received
	// answer, when set, answers a notification instead of the host
	// handler (return 0 to let the handler answer).
	answer func(n int) int
}

// received is a notification as the host endpoint saw it.
type received struct {
	header http.Header
	body   []byte
	at     time.Time // wall clock
	status int
}

// newWorld builds a world; skew sets the provider clock relative to the
// host clock.
func newWorld(t *testing.T, skew time.Duration) *world {
	t.Helper()
	w := &world{t: t, ctx: context.Background(), hostClock: notarytest.NewClock(t0), provClock: notarytest.NewClock(t0.Add(skew)), store: store.NewMemory()}
	logger := slog.New(slog.DiscardHandler)
	w.prov = mockpay.New(mockpay.Options{Secret: secret, Clock: w.provClock.Now, RetrySchedule: schedule, Logger: logger})
	w.provSrv = httptest.NewServer(w.prov.Handler())
	t.Cleanup(w.provSrv.Close)
	w.prov.SetBaseURL(w.provSrv.URL)
	// The host verifies with its own clock, as a real host would.
	// Its replay memory is its store, as a host with several instances has it.
	w.client = mockpay.NewClient(mockpay.ClientOptions{BaseURL: w.provSrv.URL, Secret: secret, APIKey: w.prov.APIKey(),
		Clock: w.hostClock.Now, Replay: w.store})

	svc, err := notary.New(notary.Config{InsecureDevKeys: true,
		Office: notary.Office{
			ID: officeID, Name: "Example Notary Office", AdminEmails: []string{"desk@office.example", "chief@office.example"},
			MailingAddress: "1 Notary Road, Shenzhen", Materials: []string{"Signed application form"},
		},
		Store: w.store, Payments: w.client, Clock: w.hostClock, IDs: &notarytest.IDs{}, Courier: &notarytest.Courier{},
		Logger: logger,
		Admin:  notary.AdminPolicy{SessionIdle: 24 * time.Hour, SessionTTL: 24 * time.Hour},
	})
	require.NoError(t, err)
	w.svc = svc
	_, err = svc.Admins.Bootstrap(w.ctx, "head@office.example", "Head of Office", adminPassword)
	require.NoError(t, err)
	token, _, err := svc.Admins.Login(w.ctx, "head@office.example", adminPassword)
	require.NoError(t, err)
	w.admin, err = svc.Admins.Authenticate(w.ctx, token)
	require.NoError(t, err)

	notify := paymenthttp.Handler(svc.Applications, paymenthttp.WithLogger(logger))
	w.hostSrv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.mu.Lock()
		n := len(w.received) + 1
		answer := w.answer
		w.mu.Unlock()
		status := 0
		if answer != nil {
			status = answer(n)
		}
		rec := httptest.NewRecorder()
		if status != 0 {
			rec.WriteHeader(status)
		} else {
			r.Body = io.NopCloser(bytes.NewReader(body))
			notify.ServeHTTP(rec, r)
		}
		w.mu.Lock()
		w.received = append(w.received, received{header: r.Header.Clone(), body: body, at: time.Now(), status: rec.Code})
		w.mu.Unlock()
		for k, v := range rec.Header() {
			rw.Header()[k] = v
		}
		rw.WriteHeader(rec.Code)
		_, _ = rw.Write(rec.Body.Bytes())
	}))
	t.Cleanup(w.hostSrv.Close)
	w.prov.SetNotifyURL(w.hostSrv.URL)
	// Cleanups run last-in first-out: deliveries stop before servers close.
	t.Cleanup(func() { require.NoError(t, w.prov.Close()) })
	return w
}

// apply files and approves alice's filing (once) and applies for a
// certificate on one fresh evidence record: AwaitingPayment at mockpay.
func (w *world) apply() notary.Application {
	w.t.Helper()
	if _, err := w.svc.Filings.Mine(w.ctx, alice); err != nil {
		f, err := w.svc.Filings.Submit(w.ctx, alice, notarytest.FilingContent())
		require.NoError(w.t, err)
		_, err = w.svc.Reviews.ApproveFiling(w.ctx, w.admin, f.ID, f.Version)
		require.NoError(w.t, err)
	}
	ev := uuid.NewString()
	app, err := w.svc.Applications.Apply(w.ctx, alice, notary.ApplyRequest{Evidence: []notary.Evidence{{ID: ev, Title: "Contract " + ev, SHA256: notarytest.Digest(ev)}}})
	require.NoError(w.t, err)
	require.Equal(w.t, notary.AwaitingPayment, app.State)
	require.Equal(w.t, mockpay.Name, app.Payment.Provider)
	return app
}

// wait waits for every notification in flight.
func (w *world) wait() {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(w.ctx, 10*time.Second)
	defer cancel()
	require.NoError(w.t, w.prov.Wait(ctx))
}

// app reloads an application from the store.
func (w *world) app(id uuid.UUID) notary.Application {
	w.t.Helper()
	a, err := w.store.Application(w.ctx, id)
	require.NoError(w.t, err)
	return a
}

// triggers lists the triggers of a record's audit trail.
func (w *world) triggers(id uuid.UUID) []string {
	w.t.Helper()
	evs, err := w.store.Events(w.ctx, id)
	require.NoError(w.t, err)
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Trigger
	}
	return out
}

// notices lists the pending notices of a record as "channel kind to".
func (w *world) notices(id uuid.UUID) []string {
	w.t.Helper()
	ns, err := w.store.ListNotices(w.ctx, notary.NoticePending, 10000)
	require.NoError(w.t, err)
	var out []string
	for _, n := range ns {
		if n.RecordID == id {
			out = append(out, fmt.Sprintf("%s %s %s", n.Channel, n.Kind, n.To.Email))
		}
	}
	slices.Sort(out)
	return out
}

// post sends a raw notification to the host endpoint.
func (w *world) post(h http.Header, body []byte) (int, string) {
	w.t.Helper()
	req, err := http.NewRequest(http.MethodPost, w.hostSrv.URL, bytes.NewReader(body))
	require.NoError(w.t, err)
	req.Header = h.Clone()
	res, err := http.DefaultClient.Do(req)
	require.NoError(w.t, err)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// receivedCopy returns what the host endpoint received so far.
func (w *world) receivedCopy() []received {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.received)
}

// setAnswer sets w.answer.
func (w *world) setAnswer(f func(n int) int) {
	w.mu.Lock()
	w.answer = f
	w.mu.Unlock()
}

// notification is a genuine-looking success notification of app.
func notification(app notary.Application, at time.Time) mockpay.Notification {
	return mockpay.Notification{
		ID: "evt_" + uuid.NewString(), Type: "payment.succeeded", PaymentID: app.Payment.ID, ApplicationID: app.ID,
		Status: notary.PaymentSucceeded, Amount: app.Quote.Amount.StringFixed(2), Currency: app.Quote.Currency, Time: at,
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}
