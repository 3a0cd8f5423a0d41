package main

import (
	"errors"
	"io"
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
	pwebhook "github.com/notarykit/notarykit/payment/webhook"
)

// hookReceiver is the host's own webhook receiver in the end-to-end test:
// it verifies each delivery with adapters/webhook.Verify, absorbs
// duplicates by event ID and, to make the relay retry, answers 503 to the
// first delivery of every third event after processing it (as a receiver
// whose answer was lost would).
type hookReceiver struct {
	mu      sync.Mutex
	clock   func() time.Time
	seen    map[string]bool
	events  []webhook.Event // processed, in arrival order, once each
	dupes   int
	refused []error
	srv     *httptest.Server
}

const hookSecret = "host webhook secret"

func newHookReceiver(t *testing.T) *hookReceiver {
	r := &hookReceiver{seen: map[string]bool{}}
	// The flow moves the app's clock by minutes and days while deliveries
	// may be in flight, so a message signed just before a jump arrives
	// "late" by the jump. The tolerance covers the jumps; signatures and
	// replays are still checked, and payment/webhook's own tests cover
	// the stale-timestamp refusal.
	v := pwebhook.NewVerifier(pwebhook.Options{Secrets: [][]byte{[]byte(hookSecret)}, Scope: "hostapp-test",
		Clock: func() time.Time { return r.now() }, Tolerance: 60 * 24 * time.Hour})
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		ev, err := webhook.Verify(req.Context(), v, req.Header, body)
		r.mu.Lock()
		defer r.mu.Unlock()
		if err != nil {
			r.refused = append(r.refused, err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.seen[ev.ID] {
			r.dupes++
			w.WriteHeader(http.StatusOK)
			return
		}
		r.seen[ev.ID] = true
		r.events = append(r.events, ev)
		if len(r.events)%3 == 0 {
			w.WriteHeader(http.StatusServiceUnavailable) // processed, but the answer says otherwise
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *hookReceiver) now() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.clock == nil {
		return time.Now()
	}
	return r.clock()
}

// setClock makes the receiver verify timestamps with the app's clock.
func (r *hookReceiver) setClock(now func() time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.clock = now
}

// register subscribes the receiver to every host event of the app.
func (r *hookReceiver) register(cfg *Config) {
	cfg.Webhooks = append(cfg.Webhooks, webhook.Endpoint{Name: "receiver", URL: r.srv.URL, Secrets: [][]byte{[]byte(hookSecret)}})
}

// checkAllArrived waits until every host event the app committed has
// reached the receiver (advancing the clock so retries come due), then
// checks each record's transitions arrived exactly once, in order.
func (r *hookReceiver) checkAllArrived(t *testing.T, h *harness) {
	t.Helper()
	var committed []notary.HostEvent
	require.Eventually(t, func() bool {
		// Retries come due as the clock moves; ten seconds a look stays
		// well inside the receiver's five-minute signature tolerance.
		h.clock.Advance(10 * time.Second)
		var err error
		if committed, err = h.app.svc.HostEvents(t.Context(), uuid.Nil, 1000); err != nil {
			return false
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		return len(committed) > 0 && len(r.events) == len(committed)
	}, 30*time.Second, 5*time.Millisecond, "every committed host event reached the receiver")

	r.mu.Lock()
	defer r.mu.Unlock()
	assert.Empty(t, r.refused, "every delivery verified")
	assert.Positive(t, r.dupes, "the relay redelivered events answered 503, and the receiver absorbed them")
	got := map[string][]webhook.Event{}
	for _, ev := range r.events {
		got[ev.Record.ID] = append(got[ev.Record.ID], ev)
	}
	want := map[uuid.UUID][]notary.HostEvent{}
	for _, ev := range committed {
		want[ev.RecordID] = append(want[ev.RecordID], ev)
	}
	for id, evs := range want {
		trail, err := h.app.store.Events(t.Context(), id)
		require.NoError(t, err)
		require.Len(t, evs, len(trail), "record %s: one host event per audited transition", id)
		arrived := got[id.String()]
		require.Len(t, arrived, len(evs), "record %s", id)
		for i, ev := range evs {
			assert.Equal(t, ev.ID.String(), arrived[i].ID, "record %s, event %d in order", id, i)
			assert.Equal(t, int64(i+1), arrived[i].Record.Version, "record %s: versions without a gap", id)
			assert.Equal(t, string(ev.Type), arrived[i].Type)
			assert.Equal(t, trail[i].Trigger, arrived[i].Trigger)
		}
	}
	var types []string
	for _, ev := range r.events {
		types = append(types, ev.Type)
	}
	for _, typ := range []string{"filing.submitted", "filing.approved", "application.created", "application.paid",
		"application.completed", "application.refunded", "application.expired", "application.cancelled"} {
		assert.Contains(t, types, typ)
	}
}

func TestWebhooksNeedValidEndpoints(t *testing.T) {
	_, err := New(t.Context(), Config{SQLitePath: t.TempDir() + "/x.db", Clock: notarytest.NewClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)),
		Webhooks: []webhook.Endpoint{{Name: "receiver", URL: "not a url"}}})
	require.Error(t, err)
	assert.True(t, errors.Is(err, notary.ErrInvalidInput), "%v", err)
}
