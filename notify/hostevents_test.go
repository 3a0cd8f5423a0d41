package notify_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notify"
	"github.com/notarykit/notarykit/store"
)

var hostOffice = uuid.MustParse("4f1c2d3e-0000-4000-8000-000000000001")

// hostEndpoint is the endpoint the host events of these tests go to.
const hostEndpoint = "app"

// hostRecord commits a filing's versions, each with its host event and the
// event's delivery to hostEndpoint, as transitions of a service with that
// endpoint in Config.HostEndpoints do.
type hostRecord struct {
	f      notary.Filing
	events []uuid.UUID
}

// hostEvent returns the audit event of version v of the filing f, with
// the ID id, and the host event's own notice recorded with it.
func hostEvent(f notary.Filing, id uuid.UUID, at time.Time) (notary.Event, notary.Notice) {
	doc := fmt.Sprintf(`{"id":%q,"type":"filing.amended","api_version":"1","record":{"kind":"filing","id":%q,"version":%d}}`,
		id, f.ID, f.Version)
	ev := notary.Event{ID: id, RecordID: f.ID, RecordKind: notary.KindFiling, OfficeID: f.OfficeID, Seq: f.Version,
		Trigger: "amend", At: at}
	n := notary.Notice{ID: id, OfficeID: f.OfficeID, RecordID: f.ID, RecordKind: notary.KindFiling,
		Kind: "filing.amended", Channel: notary.ChannelHost, Data: notary.NoticeData{RecordID: f.ID},
		Event: []byte(doc), CreatedAt: at, NextAttemptAt: at, Status: notary.NoticeDelivered, DeliveredAt: at}
	return ev, n
}

// delivery returns the notice that delivers the host event n to endpoint.
func delivery(n notary.Notice, endpoint string) notary.Notice {
	n.ID, n.To = notary.HostDeliveryID(n.ID, endpoint), notary.Recipient{Endpoint: endpoint}
	n.Status, n.DeliveredAt = notary.NoticePending, time.Time{}
	return n
}

func (r *hostRecord) step(t *testing.T, s *store.Memory, at time.Time) {
	t.Helper()
	expected := r.f.Version
	if r.f.ID == uuid.Nil {
		r.f = notary.Filing{ID: uuid.New(), OfficeID: hostOffice, Owner: notary.User{ID: "u-" + uuid.NewString()},
			State: notary.FilingPendingReview, Revision: 1, CreatedAt: at}
	}
	r.f.Version++
	r.f.UpdatedAt = at
	ev, n := hostEvent(r.f, uuid.New(), at)
	f := r.f
	require.NoError(t, s.Commit(t.Context(), notary.Change{Filing: &f, ExpectedVersion: expected, Events: []notary.Event{ev},
		Notices: []notary.Notice{n, delivery(n, hostEndpoint)}}))
	r.events = append(r.events, ev.ID)
}

// hostSink is an in-process host event handler that fails on demand.
type hostSink struct {
	mu    sync.Mutex
	got   []notary.HostEvent
	calls map[uuid.UUID]int
	fail  func(ev notary.HostEvent, call int) error
}

func (h *hostSink) handle(_ context.Context, ev notary.HostEvent) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.calls == nil {
		h.calls = map[uuid.UUID]int{}
	}
	h.calls[ev.ID]++
	if h.fail != nil {
		if err := h.fail(ev, h.calls[ev.ID]); err != nil {
			return err
		}
	}
	h.got = append(h.got, ev)
	return nil
}

func (h *hostSink) perRecord() map[uuid.UUID][]uuid.UUID {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := map[uuid.UUID][]uuid.UUID{}
	for _, ev := range h.got {
		out[ev.RecordID] = append(out[ev.RecordID], ev.ID)
	}
	return out
}

func hostRelay(s *store.Memory, clock notary.Clock, h notary.HostEventHandler) *notify.Relay {
	r, _ := notify.NewRenderer()
	return notify.NewRelay(s, clock, r, nil, notify.WithHostHandlers(map[string]notary.HostEventHandler{hostEndpoint: h}),
		notify.WithLogger(quietLogger()), notify.WithBackoff(time.Second, 4*time.Second))
}

// TestRelayDeliversHostEventsInOrderPerRecord: an event whose delivery
// fails holds back the later events of its record (not of others) until
// it goes through; in the end each is delivered once, in version order.
func TestRelayDeliversHostEventsInOrderPerRecord(t *testing.T) {
	s, clock := store.NewMemory(), newClock()
	a, b := &hostRecord{}, &hostRecord{}
	for i := range 4 {
		a.step(t, s, createdAt.Add(time.Duration(i)*time.Second))
		b.step(t, s, createdAt.Add(time.Duration(i)*time.Second))
	}
	sink := &hostSink{fail: func(ev notary.HostEvent, call int) error {
		if ev.ID == a.events[1] && call <= 2 {
			return errors.New("503 from the host")
		}
		return nil
	}}
	relay := hostRelay(s, clock, sink.handle)

	_, err := relay.Drain(t.Context())
	require.NoError(t, err)
	got := sink.perRecord()
	assert.Equal(t, b.events, got[b.f.ID], "the other record is not held back")
	assert.Equal(t, a.events[:1], got[a.f.ID], "a's later events wait for its second")

	for range 10 {
		clock.Advance(5 * time.Second)
		_, err := relay.Drain(t.Context())
		require.NoError(t, err)
	}
	got = sink.perRecord()
	assert.Equal(t, a.events, got[a.f.ID], "each once, in version order")
	assert.Equal(t, b.events, got[b.f.ID])
	assert.Zero(t, countStatus(t, s, notary.NoticePending))
	assert.Equal(t, 3, sink.calls[a.events[1]], "two failures, then delivered")
	assert.Equal(t, 1, sink.calls[a.events[2]], "a held event is not handed to the host")
	assert.Equal(t, 1, sink.calls[a.events[3]], "a held event is not handed to the host")
}

// TestRelayHostEventsWaitBehindADeadOne: a dead event keeps its record's
// later events from the host until an operator retries it; then all go,
// in order.
func TestRelayHostEventsWaitBehindADeadOne(t *testing.T) {
	s, clock := store.NewMemory(), newClock()
	a := &hostRecord{}
	for i := range 3 {
		a.step(t, s, createdAt.Add(time.Duration(i)*time.Second))
	}
	gone := true
	sink := &hostSink{fail: func(ev notary.HostEvent, _ int) error {
		if ev.ID == a.events[0] && gone {
			return fmt.Errorf("410 gone: %w", notary.ErrPermanent)
		}
		return nil
	}}
	relay := hostRelay(s, clock, sink.handle)
	_, err := relay.Drain(t.Context())
	require.NoError(t, err)
	assert.Empty(t, sink.perRecord())
	dead, err := relay.DeadLetters(t.Context(), 10)
	require.NoError(t, err)
	require.Len(t, dead, 1)
	first := notary.HostDeliveryID(a.events[0], hostEndpoint)
	assert.Equal(t, first, dead[0].ID)

	gone = false
	require.NoError(t, relay.Retry(t.Context(), first))
	for range 10 {
		clock.Advance(5 * time.Second)
		_, err := relay.Drain(t.Context())
		require.NoError(t, err)
	}
	assert.Equal(t, a.events, sink.perRecord()[a.f.ID])
}

// TestRelayHostEventsNeedAHandler: without a handler for its endpoint, a
// host event's delivery is dead at once, listed for operators, never
// silently dropped.
func TestRelayHostEventsNeedAHandler(t *testing.T) {
	s, clock := store.NewMemory(), newClock()
	a := &hostRecord{}
	a.step(t, s, createdAt)
	r, err := notify.NewRenderer()
	require.NoError(t, err)
	relay := notify.NewRelay(s, clock, r, nil, notify.WithLogger(quietLogger()))
	_, err = relay.Drain(t.Context())
	require.NoError(t, err)
	n := stored(t, s, notary.HostDeliveryID(a.events[0], hostEndpoint))
	assert.Equal(t, notary.NoticeDead, n.Status)
	assert.Contains(t, n.LastError, `no handler for host endpoint "app"`)
}

// TestRelayHostEventDecoded: the handler gets the event's facts and its
// document verbatim.
func TestRelayHostEventDecoded(t *testing.T) {
	s, clock := store.NewMemory(), newClock()
	a := &hostRecord{}
	a.step(t, s, createdAt)
	a.step(t, s, createdAt.Add(time.Second))
	sink := &hostSink{}
	_, err := hostRelay(s, clock, sink.handle).Drain(t.Context())
	require.NoError(t, err)
	require.Len(t, sink.got, 2)
	ev := sink.got[1]
	assert.Equal(t, a.events[1], ev.ID)
	assert.Equal(t, notary.HostEventType("filing.amended"), ev.Type)
	assert.Equal(t, a.f.ID, ev.RecordID)
	assert.Equal(t, int64(2), ev.Version)
	assert.Equal(t, string(stored(t, s, ev.ID).Event), string(ev.Body))
}

// TestRelayHostEndpointLanesIgnoreBatchOrder: a batch follows due times
// and IDs, not commits. When a record's later event comes first in the
// batch, it waits without holding back the earlier one behind it; both
// arrive, in commit order. Each endpoint has its own lane.
func TestRelayHostEndpointLanesIgnoreBatchOrder(t *testing.T) {
	s, clock := store.NewMemory(), newClock()
	f := notary.Filing{ID: uuid.New(), OfficeID: hostOffice, Owner: notary.User{ID: "u-lanes"},
		State: notary.FilingPendingReview, Revision: 1, CreatedAt: createdAt}
	var events []uuid.UUID
	for v := range int64(2) {
		next := f
		next.Version = v + 1
		// Same instant; the later event's notices sort first by ID.
		id := uuid.MustParse(fmt.Sprintf("00000000-0000-7000-8000-00000000000%d", 2-v))
		ev, own := hostEvent(next, id, createdAt)
		ns := []notary.Notice{own}
		for _, to := range []string{"a", "b"} {
			n := delivery(own, to)
			n.ID = uuid.MustParse(fmt.Sprintf("00000000-0000-7000-8000-0000000000%s%d", to, 2-v))
			ns = append(ns, n)
		}
		c := notary.Change{Filing: &next, ExpectedVersion: f.Version, Events: []notary.Event{ev}, Notices: ns}
		require.NoError(t, s.Commit(t.Context(), c))
		f = next
		events = append(events, id)
	}
	a, b := &hostSink{}, &hostSink{fail: func(notary.HostEvent, int) error { return errors.New("b is down") }}
	r, _ := notify.NewRenderer()
	relay := notify.NewRelay(s, clock, r, nil, notify.WithLogger(quietLogger()), notify.WithBackoff(time.Second, 4*time.Second),
		notify.WithHostHandlers(map[string]notary.HostEventHandler{"a": a.handle, "b": b.handle}))
	for range 5 {
		_, err := relay.Drain(t.Context())
		require.NoError(t, err)
		clock.Advance(5 * time.Second)
	}
	assert.Equal(t, events, a.perRecord()[f.ID], "each once, in commit order, whatever the batch order")
	for _, ev := range a.got {
		assert.Equal(t, "a", ev.Endpoint)
	}
	b.mu.Lock()
	assert.Equal(t, map[uuid.UUID]int{events[0]: 5}, b.calls, "b fails its first event on its own; its second waits")
	b.mu.Unlock()
}
