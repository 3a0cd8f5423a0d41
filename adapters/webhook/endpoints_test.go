package webhook_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/adapters/webhook"
	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
	"github.com/notarykit/notarykit/notify"
	pwebhook "github.com/notarykit/notarykit/payment/webhook"
	"github.com/notarykit/notarykit/store"
)

// endpointReceiver is a host's receiver on 127.0.0.1 that verifies every
// delivery, answers 503 while down, and keeps what it accepted in order.
type endpointReceiver struct {
	mu       sync.Mutex
	v        *pwebhook.Verifier
	down     bool
	refused  int
	accepted []webhook.Event  // every accepted delivery, duplicates too
	seen     map[string]bool  // event IDs processed
	applied  []webhook.Event  // first deliveries only: what the host acted on
	byRecord map[string]int64 // record → last version applied
	outOfOrd []string
	srv      *httptest.Server
}

func newEndpointReceiver(t *testing.T, clock notary.Clock, secret string) *endpointReceiver {
	r := &endpointReceiver{seen: map[string]bool{}, byRecord: map[string]int64{},
		v: pwebhook.NewVerifier(pwebhook.Options{Secrets: [][]byte{[]byte(secret)}, Clock: clock.Now, Scope: "hooks"})}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.down {
			r.refused++
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		ev, err := webhook.Verify(req.Context(), r.v, req.Header, body)
		if err != nil {
			t.Errorf("receiver: %v", err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		r.accepted = append(r.accepted, ev)
		if !r.seen[ev.ID] { // duplicates are absorbed by event ID
			r.seen[ev.ID] = true
			r.applied = append(r.applied, ev)
			if ev.Record.Version <= r.byRecord[ev.Record.ID] {
				r.outOfOrd = append(r.outOfOrd, fmt.Sprintf("%s v%d after v%d", ev.Record.ID, ev.Record.Version, r.byRecord[ev.Record.ID]))
			}
			r.byRecord[ev.Record.ID] = ev.Record.Version
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *endpointReceiver) setDown(down bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.down = down
}

// snapshot returns the IDs of the accepted deliveries, of the applied
// events, and the order violations.
func (r *endpointReceiver) snapshot() (accepted, applied []string, outOfOrder []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, ev := range r.accepted {
		accepted = append(accepted, ev.ID)
	}
	for _, ev := range r.applied {
		applied = append(applied, ev.ID)
	}
	return accepted, applied, append([]string(nil), r.outOfOrd...)
}

type nopNotifier struct{}

func (nopNotifier) Notify(context.Context, notary.Message) error { return nil }

// hooksWorld is a service with two webhook endpoints, "warehouse" (every
// type) and "app" (every type), and "audit", subscribed to
// filing.approved only, all on 127.0.0.1, drained by one relay.
type hooksWorld struct {
	clock                 *notarytest.Clock
	svc                   *notary.Service
	relay                 *notify.Relay
	warehouse, app, audit *endpointReceiver
	reviewer              notary.Admin
	filings               map[string]notary.Filing
}

func newHooksWorld(t *testing.T) *hooksWorld {
	clock := notarytest.NewClock(t0)
	w := &hooksWorld{clock: clock, filings: map[string]notary.Filing{},
		warehouse: newEndpointReceiver(t, clock, "wh-secret"),
		app:       newEndpointReceiver(t, clock, "app-secret"),
		audit:     newEndpointReceiver(t, clock, "audit-secret")}
	endpoints := []webhook.Endpoint{
		{Name: "warehouse", URL: w.warehouse.srv.URL, Secrets: [][]byte{[]byte("wh-secret")}},
		{Name: "app", URL: w.app.srv.URL, Secrets: [][]byte{[]byte("app-secret")}},
		{Name: "audit", URL: w.audit.srv.URL, Secrets: [][]byte{[]byte("audit-secret")}, Types: []notary.HostEventType{"filing.approved"}},
	}
	st := store.NewMemory()
	var err error
	w.svc, err = notary.New(notary.Config{InsecureDevKeys: true, Store: st, Payments: notarytest.NewPayments(), Clock: clock,
		Logger: slog.New(slog.DiscardHandler), HostEndpoints: webhook.HostEndpoints(endpoints),
		Office: notary.Office{ID: uuid.MustParse("0f0e0d0c-0000-4000-8000-000000000001"), Name: "Hooks Office",
			AdminEmails: []string{"desk@office.example"}, MailingAddress: "1 Hook Road"}})
	require.NoError(t, err)
	sender, err := webhook.New(webhook.Config{Clock: w.svc.Clock(), Endpoints: endpoints})
	require.NoError(t, err)
	_, err = w.svc.Admins.Bootstrap(t.Context(), "chief@office.example", "Chief", "hooks password 1")
	require.NoError(t, err)
	_, w.reviewer, err = w.svc.Admins.Login(t.Context(), "chief@office.example", "hooks password 1")
	require.NoError(t, err)
	renderer, err := notify.NewRenderer()
	require.NoError(t, err)
	sink := nopNotifier{}
	w.relay = notify.NewRelay(st, clock, renderer, map[notary.Channel]notary.Notifier{
		notary.ChannelEmail: sink, notary.ChannelInSite: sink,
	}, notify.WithHostHandlers(sender.Handlers()), notify.WithBackoff(time.Second, 4*time.Second),
		notify.WithRetryBudget(time.Hour), notify.WithLogger(slog.New(slog.DiscardHandler)))
	return w
}

// step takes user i's filing one transition further: submit, reject,
// resubmit, approve, then amendments.
func (w *hooksWorld) step(t *testing.T, i int) {
	ctx, user := t.Context(), notary.User{ID: fmt.Sprintf("u%d", i), Email: fmt.Sprintf("u%d@example.com", i), Name: "User"}
	f, ok := w.filings[user.ID]
	var err error
	switch {
	case !ok:
		f, err = w.svc.Filings.Submit(ctx, user, notarytest.FilingContent())
	case f.State == notary.FilingPendingReview && f.Revision == 1:
		f, err = w.svc.Reviews.RejectFiling(ctx, w.reviewer, f.ID, f.Version, "the licence is unreadable")
	case f.State == notary.FilingRejected:
		f, err = w.svc.Filings.Resubmit(ctx, user, f.ID, notarytest.FilingContent())
	case f.State == notary.FilingPendingReview:
		f, err = w.svc.Reviews.ApproveFiling(ctx, w.reviewer, f.ID, f.Version)
	default:
		c := notarytest.FilingContent()
		c.ContactAddress = fmt.Sprintf("%d Amended Road", f.Version)
		f, err = w.svc.Filings.Amend(ctx, user, f.ID, c)
	}
	require.NoError(t, err)
	w.filings[user.ID] = f
}

// drain delivers what is due, then lets the clock run past the backoff.
func (w *hooksWorld) drain(t *testing.T) {
	_, err := w.relay.Drain(t.Context())
	require.NoError(t, err)
	w.clock.Advance(5 * time.Second)
}

// events lists every host event committed, through the catch-up listing.
func (w *hooksWorld) events(t *testing.T) []notary.HostEvent {
	var out []notary.HostEvent
	after := uuid.Nil
	for {
		page, err := w.svc.HostEvents(t.Context(), after, 7)
		require.NoError(t, err)
		out = append(out, page...)
		if len(page) < 7 {
			return out
		}
		after = page[len(page)-1].ID
	}
}

func ids(evs []notary.HostEvent, keep func(notary.HostEvent) bool) []string {
	var out []string
	for _, ev := range evs {
		if keep == nil || keep(ev) {
			out = append(out, ev.ID.String())
		}
	}
	return out
}

// TestEndpointsDeliverIndependently: "app" is down for a while. The
// healthy "warehouse" gets every event exactly once, in order, while it
// is down; "app" gets every event after it recovers, in order per record;
// "audit" gets only its type. No endpoint's failure re-delivers to
// another.
func TestEndpointsDeliverIndependently(t *testing.T) {
	w := newHooksWorld(t)
	w.app.setDown(true)
	for round := range 6 {
		for i := range 3 {
			w.step(t, i)
		}
		w.drain(t)
		if round <= 3 {
			accepted, _, _ := w.warehouse.snapshot()
			require.Len(t, accepted, 3*(round+1), "round %d: the warehouse is not held back by the app being down", round)
		}
		if round == 3 {
			w.app.setDown(false)
		}
	}
	for range 20 {
		w.drain(t)
	}
	all := w.events(t)
	require.Len(t, all, 18, "six transitions of three filings, each listed once")

	accepted, applied, disorder := w.warehouse.snapshot()
	assert.ElementsMatch(t, ids(all, nil), accepted, "the healthy endpoint: each event exactly once")
	assert.Equal(t, accepted, applied, "no duplicate")
	assert.Empty(t, disorder, "in order per record")

	_, applied, disorder = w.app.snapshot()
	assert.ElementsMatch(t, ids(all, nil), applied, "the endpoint that was down: every event after it recovered")
	assert.Empty(t, disorder, "in order per record")
	assert.Positive(t, w.app.refused, "it was tried while down")

	accepted, _, _ = w.audit.snapshot()
	assert.ElementsMatch(t, ids(all, func(ev notary.HostEvent) bool { return ev.Type == "filing.approved" }), accepted,
		"an endpoint subscribed to one type gets that type only")

	dead, err := w.relay.DeadLetters(t.Context(), 100)
	require.NoError(t, err)
	assert.Empty(t, dead)
}

// TestEndpointDeadLetterIsRetriedForItsEndpointOnly: deliveries to an
// endpoint that stays down past the retry budget die as dead letters
// naming it; the healthy endpoint got them once; retrying a dead letter
// delivers to that endpoint only.
func TestEndpointDeadLetterIsRetriedForItsEndpointOnly(t *testing.T) {
	w := newHooksWorld(t)
	w.app.setDown(true)
	w.step(t, 0) // filing.submitted
	for range 30 {
		w.drain(t)
		w.clock.Advance(3 * time.Minute)
	}
	all := w.events(t)
	require.Len(t, all, 1)
	ev := all[0]

	dead, err := w.relay.DeadLetters(t.Context(), 100)
	require.NoError(t, err)
	require.Len(t, dead, 1, "the app's delivery is dead, the warehouse's is not")
	assert.Equal(t, "app", dead[0].To.Endpoint, "the dead letter names its endpoint")
	assert.Equal(t, notary.HostDeliveryID(ev.ID, "app"), dead[0].ID)
	assert.Contains(t, dead[0].LastError, "503")
	got, err := notary.HostEventOf(dead[0])
	require.NoError(t, err)
	assert.Equal(t, ev.ID, got.ID, "the dead letter carries the event, under its own ID")
	assert.Equal(t, "app", got.Endpoint)

	accepted, _, _ := w.warehouse.snapshot()
	assert.Equal(t, []string{ev.ID.String()}, accepted)

	w.app.setDown(false)
	require.NoError(t, w.relay.Retry(t.Context(), dead[0].ID))
	w.drain(t)
	accepted, _, _ = w.app.snapshot()
	assert.Equal(t, []string{ev.ID.String()}, accepted, "the retried dead letter reaches its endpoint")
	accepted, _, _ = w.warehouse.snapshot()
	assert.Equal(t, []string{ev.ID.String()}, accepted, "and nobody else")
	dead, err = w.relay.DeadLetters(t.Context(), 100)
	require.NoError(t, err)
	assert.Empty(t, dead)
}
