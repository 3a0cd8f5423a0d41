package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

// hostEventsGroup: host events (notices on notary.ChannelHost) listed in
// commit order, per record and after a cursor.
var hostEventsGroup = group{"HostEvents", []test{
	{"CommitOrderNotClockOrder", testHostEventsCommitOrder},
	{"CursorPages", testHostEventsCursorPages},
	{"PerRecordInVersionOrder", testHostEventsPerRecord},
	{"DeliveredStayListed", testHostEventsDelivered},
	{"FailedCommitEmitsNone", testHostEventsFailedCommit},
	{"UnknownCursorAndMissingOffice", testHostEventsBadQuery},
	{"ConcurrentCommitsKeepRecordOrder", testHostEventsConcurrent},
	{"EndpointDeliveries", testHostEventsEndpoints},
	{"ServiceDocumentsByteForByte", testHostEventsServiceDocuments},
}}

// testHostEventsServiceDocuments: documents written as the service writes
// them (notary.HostEventDocument of the audit event and its data, which a
// store may keep apart) come back byte for byte, with their type, beside
// one that only looks like one (a member after its data).
func testHostEventsServiceDocuments(t *testing.T, s notary.Store) {
	office := uuid.New()
	f := newFiling(office, uuid.NewString(), at(0))
	c := createChange(f)
	ev := c.Events[0]
	doc, err := notary.HostEventDocument(ev, []byte(`{"id":"`+f.ID.String()+`","state":"Pending","enterprise_name":"深圳\u003c某\u003e公司\n","revision":1}`))
	require.NoError(t, err)
	own := hostNotice(ev, f.Version)
	own.Kind, own.Event = notary.NoticeKind(notary.HostEventTypeOf(ev.RecordKind, ev.Trigger)), doc
	c.Notices = []notary.Notice{own, hostDelivery(own, "app")}
	commit(t, s, c)

	next := f
	next.Version++
	ev2 := nextEvent(t, s, f.ID, notary.KindFiling, office, at(time.Minute))
	doc2, err := notary.HostEventDocument(ev2, []byte(`{"id":"x"}`))
	require.NoError(t, err)
	own2 := hostNotice(ev2, next.Version)
	own2.Kind, own2.Event = notary.NoticeKind(notary.HostEventTypeOf(ev2.RecordKind, ev2.Trigger)), append(doc2[:len(doc2)-1:len(doc2)-1], `,"more":true}`...)
	commit(t, s, notary.Change{Filing: &next, ExpectedVersion: f.Version, Events: []notary.Event{ev2}, Notices: []notary.Notice{own2}})

	for _, q := range []notary.HostEventQuery{{OfficeID: office}, {OfficeID: office, RecordID: f.ID}} {
		got := listHost(t, s, q)
		require.Equal(t, []uuid.UUID{own.ID, c.Notices[1].ID, own2.ID}, noticeIDs(got))
		for i, want := range []notary.Notice{own, c.Notices[1], own2} {
			assert.Equal(t, string(want.Event), string(got[i].Event), "document %d", i)
			assert.Equal(t, want.Kind, got[i].Kind, "type %d", i)
			assert.True(t, want.CreatedAt.Equal(got[i].CreatedAt), "time %d", i)
		}
	}
}

// testHostEventsEndpoints: an event committed with deliveries to host
// endpoints (as a service with Config.HostEndpoints commits it): its own
// notice delivered, one pending per endpoint naming it. All are listed in
// commit order with their endpoint; only the deliveries are claimed.
func testHostEventsEndpoints(t *testing.T, s notary.Store) {
	office := uuid.New()
	f := newFiling(office, uuid.NewString(), at(0))
	c := createChange(f)
	ev := hostNotice(c.Events[0], f.Version)
	c.Notices = []notary.Notice{ev, hostDelivery(ev, "warehouse"), hostDelivery(ev, "app")}
	commit(t, s, c)

	got := listHost(t, s, notary.HostEventQuery{OfficeID: office, RecordID: f.ID})
	require.Equal(t, noticeIDs(c.Notices), noticeIDs(got))
	for i, n := range got {
		assert.Equal(t, c.Notices[i].To.Endpoint, n.To.Endpoint, "the endpoint is kept")
		assert.Equal(t, string(ev.Event), string(n.Event))
	}
	assert.Equal(t, notary.NoticeDelivered, got[0].Status)
	assert.Equal(t, notary.NoticePending, got[1].Status)

	claimed, err := s.ClaimNotices(t.Context(), at(time.Hour), time.Minute, 100)
	require.NoError(t, err)
	var mine []uuid.UUID
	for _, n := range claimed {
		if n.RecordID == f.ID {
			mine = append(mine, n.ID)
			assert.NotEmpty(t, n.To.Endpoint)
		}
	}
	assert.ElementsMatch(t, noticeIDs(c.Notices[1:]), mine, "the deliveries are due, the event itself is not")
}

// hostNotice is the host event's own notice of the filing's event ev,
// which takes the filing to version v, as a service commits it: the ID and
// time of ev, delivered. The document is kept byte for byte, so it has odd
// spacing and escapes on purpose.
func hostNotice(ev notary.Event, v int64) notary.Notice {
	return notary.Notice{ID: ev.ID, OfficeID: ev.OfficeID, RecordID: ev.RecordID, RecordKind: notary.KindFiling,
		Kind: "filing.approved", Channel: notary.ChannelHost, Data: notary.NoticeData{RecordID: ev.RecordID},
		Event: fmt.Appendf(nil, `{"id":"%s", "type":"filing.approved","record":{"id":"%s","version":%d},"data":{"amount":"300.00","note":"\u00e9"}}`,
			ev.ID, ev.RecordID, v),
		CreatedAt: ev.At, Status: notary.NoticeDelivered, NextAttemptAt: ev.At, DeliveredAt: ev.At}
}

// hostDelivery is the pending notice that delivers the host event ev to
// the endpoint named endpoint.
func hostDelivery(ev notary.Notice, endpoint string) notary.Notice {
	d := ev
	d.ID, d.To = notary.HostDeliveryID(ev.ID, endpoint), notary.Recipient{Endpoint: endpoint}
	d.Status, d.DeliveredAt = notary.NoticePending, time.Time{}
	return d
}

// hostRecord is a filing whose versions are each committed with their
// host event, and with its delivery to each of endpoints.
type hostRecord struct {
	f          notary.Filing
	endpoints  []string
	events     []notary.Notice
	deliveries []notary.Notice
}

// newHostRecord commits a filing, created at created, with its host event
// and the event's deliveries to endpoints.
func newHostRecord(t *testing.T, s notary.Store, office uuid.UUID, created time.Time, endpoints ...string) *hostRecord {
	t.Helper()
	r := &hostRecord{f: newFiling(office, uuid.NewString(), created), endpoints: endpoints}
	c := createChange(r.f)
	c.Notices = r.notices(hostNotice(c.Events[0], r.f.Version))
	commit(t, s, c)
	return r
}

// notices records the host event n and returns it with its deliveries.
func (r *hostRecord) notices(n notary.Notice) []notary.Notice {
	out := []notary.Notice{n}
	for _, e := range r.endpoints {
		out = append(out, hostDelivery(n, e))
	}
	r.events, r.deliveries = append(r.events, n), append(r.deliveries, out[1:]...)
	return out
}

// step commits the record's next version with its host event, stamped when.
func (r *hostRecord) step(t *testing.T, s notary.Store, when time.Time) notary.Notice {
	t.Helper()
	next := r.f
	next.Version++
	next.UpdatedAt = when
	ev := nextEvent(t, s, r.f.ID, notary.KindFiling, r.f.OfficeID, when)
	notices := r.notices(hostNotice(ev, next.Version))
	commit(t, s, notary.Change{Filing: &next, ExpectedVersion: r.f.Version, Events: []notary.Event{ev}, Notices: notices})
	r.f = next
	return notices[0]
}

func listHost(t *testing.T, s notary.Store, q notary.HostEventQuery) []notary.Notice {
	t.Helper()
	got, err := s.ListHostEvents(t.Context(), q)
	require.NoError(t, err)
	return got
}

// testHostEventsCommitOrder: the listing follows commits, not CreatedAt
// (clocks of two instances disagree), and leaves other channels and
// offices out; documents come back byte for byte.
func testHostEventsCommitOrder(t *testing.T, s notary.Store) {
	office := uuid.New()
	a := newHostRecord(t, s, office, at(time.Hour))
	other := newHostRecord(t, s, uuid.New(), at(2*time.Hour)) // another office
	b := newHostRecord(t, s, office, at(time.Minute))         // stamped earlier, committed later
	email := newNotice(office, uuid.New(), notary.KindFiling, at(0))
	enqueue(t, s, email)
	a2 := a.step(t, s, at(3*time.Hour))
	other.step(t, s, at(4*time.Hour))

	got := listHost(t, s, notary.HostEventQuery{OfficeID: office})
	want := []notary.Notice{a.events[0], b.events[0], a2}
	require.Equal(t, noticeIDs(want), noticeIDs(got))
	for i, n := range got {
		assert.Equal(t, string(want[i].Event), string(n.Event), "the document byte for byte")
		assert.Equal(t, notary.ChannelHost, n.Channel)
		assert.Equal(t, want[i].Kind, n.Kind)
		assert.Equal(t, want[i].RecordID, n.RecordID)
		assert.Equal(t, want[i].RecordKind, n.RecordKind)
		assert.True(t, want[i].CreatedAt.Equal(n.CreatedAt), "created at %s, listed %s", want[i].CreatedAt, n.CreatedAt)
		assert.Equal(t, notary.NoticeDelivered, n.Status, "an event's own notice is its record, not a delivery")
	}
}

// testHostEventsCursorPages: paging with the last ID as cursor returns
// every event once, in order, and the end is an empty page.
func testHostEventsCursorPages(t *testing.T, s notary.Store) {
	office := uuid.New()
	var all []notary.Notice
	recs := []*hostRecord{newHostRecord(t, s, office, at(0)), newHostRecord(t, s, office, at(time.Second))}
	all = append(all, recs[0].events[0], recs[1].events[0])
	for i := range 5 {
		all = append(all, recs[i%2].step(t, s, at(time.Duration(10+i)*time.Second)))
	}
	var paged []notary.Notice
	after := uuid.Nil
	for range 10 {
		page := listHost(t, s, notary.HostEventQuery{OfficeID: office, After: after, Limit: 3})
		assert.LessOrEqual(t, len(page), 3)
		if len(page) == 0 {
			break
		}
		paged = append(paged, page...)
		after = page[len(page)-1].ID
	}
	assert.Equal(t, noticeIDs(all), noticeIDs(paged))
	assert.Empty(t, listHost(t, s, notary.HostEventQuery{OfficeID: office, After: all[len(all)-1].ID}))
	assert.Equal(t, noticeIDs(all[3:]), noticeIDs(listHost(t, s, notary.HostEventQuery{OfficeID: office, After: all[2].ID})))
}

// testHostEventsPerRecord: filtered by record, a record's events come in
// version order, after a cursor too.
func testHostEventsPerRecord(t *testing.T, s notary.Store) {
	office := uuid.New()
	a, b := newHostRecord(t, s, office, at(0)), newHostRecord(t, s, office, at(0))
	for i := range 3 {
		a.step(t, s, at(time.Duration(3-i)*time.Minute)) // the clock goes backwards
		b.step(t, s, at(time.Duration(i)*time.Minute))
	}
	got := listHost(t, s, notary.HostEventQuery{OfficeID: office, RecordID: a.f.ID})
	assert.Equal(t, noticeIDs(a.events), noticeIDs(got))
	got = listHost(t, s, notary.HostEventQuery{OfficeID: office, RecordID: b.f.ID, After: b.events[1].ID})
	assert.Equal(t, noticeIDs(b.events[2:]), noticeIDs(got))
	got = listHost(t, s, notary.HostEventQuery{OfficeID: office, RecordID: b.f.ID, After: a.events[3].ID})
	assert.Equal(t, noticeIDs(b.events[3:]), noticeIDs(got), "a cursor of another record bounds by commit order too")
	assert.Len(t, listHost(t, s, notary.HostEventQuery{OfficeID: office, RecordID: a.f.ID, Limit: 2}), 2)
}

// testHostEventsDelivered: the outcome of a delivery shows in the
// listing, which keeps every event and delivery whatever happened to it;
// only deliveries are claimed.
func testHostEventsDelivered(t *testing.T, s notary.Store) {
	office := uuid.New()
	r := newHostRecord(t, s, office, at(0), "app")
	r.step(t, s, at(time.Second))
	var cl []notary.Notice
	for _, n := range claim(t, s, at(time.Minute), time.Minute, 100) {
		if n.OfficeID == office {
			cl = append(cl, n)
		}
	}
	require.Equal(t, noticeIDs(r.deliveries), noticeIDs(cl), "the deliveries alone are due")
	finishOne(t, s, cl[0].ID, cl[0].Claim, notary.NoticeOutcome{Status: notary.NoticeDelivered, At: at(time.Minute)})
	finishOne(t, s, cl[1].ID, cl[1].Claim, notary.NoticeOutcome{Status: notary.NoticeDead, Error: "410 gone", At: at(time.Minute)})
	got := listHost(t, s, notary.HostEventQuery{OfficeID: office})
	want := []notary.Notice{r.events[0], r.deliveries[0], r.events[1], r.deliveries[1]}
	require.Equal(t, noticeIDs(want), noticeIDs(got), "each event, then its delivery")
	statuses := map[uuid.UUID]notary.NoticeStatus{}
	for _, n := range got {
		statuses[n.ID] = n.Status
	}
	assert.Equal(t, notary.NoticeDelivered, statuses[r.events[0].ID])
	assert.Equal(t, notary.NoticeDelivered, statuses[cl[0].ID])
	assert.Equal(t, notary.NoticeDead, statuses[cl[1].ID])
	assert.Equal(t, "app", got[1].To.Endpoint)
	got = listHost(t, s, notary.HostEventQuery{OfficeID: office, After: r.deliveries[0].ID})
	assert.Equal(t, noticeIDs(want[2:]), noticeIDs(got), "a delivery is a cursor too")
}

// testHostEventsFailedCommit: a commit refused for a stale version stores
// no host event, and the next one takes its place.
func testHostEventsFailedCommit(t *testing.T, s notary.Store) {
	office := uuid.New()
	r := newHostRecord(t, s, office, at(0))
	stale := r.f
	stale.Version = 5
	ev := nextEvent(t, s, r.f.ID, notary.KindFiling, office, at(time.Second))
	err := s.Commit(t.Context(), notary.Change{Filing: &stale, ExpectedVersion: 4,
		Events: []notary.Event{ev}, Notices: []notary.Notice{hostNotice(ev, 5)}})
	requireIs(t, err, notary.ErrConflict)
	n := r.step(t, s, at(2*time.Second))
	assert.Equal(t, noticeIDs([]notary.Notice{r.events[0], n}), noticeIDs(listHost(t, s, notary.HostEventQuery{OfficeID: office})))
}

func testHostEventsBadQuery(t *testing.T, s notary.Store) {
	office := uuid.New()
	r := newHostRecord(t, s, office, at(0))
	_, err := s.ListHostEvents(t.Context(), notary.HostEventQuery{OfficeID: office, After: uuid.New()})
	requireIs(t, err, notary.ErrNotFound)
	_, err = s.ListHostEvents(t.Context(), notary.HostEventQuery{OfficeID: uuid.New(), After: r.events[0].ID})
	requireIs(t, err, notary.ErrNotFound, "another office's event is no cursor")
	email := newNotice(office, uuid.New(), notary.KindFiling, at(0))
	enqueue(t, s, email)
	_, err = s.ListHostEvents(t.Context(), notary.HostEventQuery{OfficeID: office, After: email.ID})
	requireIs(t, err, notary.ErrNotFound, "an email notice is no cursor")
	_, err = s.ListHostEvents(t.Context(), notary.HostEventQuery{})
	requireIs(t, err, notary.ErrInvalidInput)
}

// testHostEventsConcurrent: records stepping concurrently each list in
// version order, and every committed event is listed once.
func testHostEventsConcurrent(t *testing.T, s notary.Store) {
	office := uuid.New()
	const records, steps = 4, 5
	recs := make([]*hostRecord, records)
	for i := range recs {
		recs[i] = newHostRecord(t, s, office, at(0))
	}
	var wg sync.WaitGroup
	for _, r := range recs {
		wg.Go(func() {
			for k := range steps {
				r.step(t, s, at(time.Duration(k)*time.Second))
			}
		})
	}
	wg.Wait()
	all := listHost(t, s, notary.HostEventQuery{OfficeID: office, Limit: 1000})
	require.Len(t, all, records*(steps+1))
	for _, r := range recs {
		var mine []uuid.UUID
		for _, n := range all {
			if n.RecordID == r.f.ID {
				mine = append(mine, n.ID)
			}
		}
		assert.Equal(t, noticeIDs(r.events), mine, "record %s in version order", r.f.ID)
	}
}
