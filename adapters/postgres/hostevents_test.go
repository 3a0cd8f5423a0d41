package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/adapters/internal/recorddoc"
	"github.com/notarykit/notarykit/notary"
)

// withHostEvent adds the host event of c's application to c, as a service
// commits it: the ID and time of c's event, delivered.
func withHostEvent(c notary.Change) (notary.Change, notary.Notice) {
	a, ev := c.Application, c.Events[0]
	n := notary.Notice{ID: ev.ID, OfficeID: a.OfficeID, RecordID: a.ID, RecordKind: notary.KindApplication,
		Kind: "application.paid", Channel: notary.ChannelHost, Data: notary.NoticeData{RecordID: a.ID},
		Event:     fmt.Appendf(nil, `{"id":"%s","type":"application.paid","record":{"id":"%s","version":%d}}`, ev.ID, a.ID, a.Version),
		CreatedAt: ev.At, Status: notary.NoticeDelivered, NextAttemptAt: ev.At, DeliveredAt: ev.At}
	c.Notices = append(c.Notices, n)
	return c, n
}

// Two transactions commit host events: the one that took the earlier place
// commits last. A reader at the head, paging by the last ID it got, gets
// both, once each, in the order of their places. (When places were taken
// from a sequence and read as final once visible, the reader moved past
// the later one while the earlier one was still running, and never saw
// the earlier one.)
func TestHostEventsLateCommitNotSkipped(t *testing.T) {
	t.Parallel()
	st, pool, schema := namedStore(t)
	st.SetHostEventWait(100 * time.Millisecond)
	ctx := t.Context()
	office := uuid.New()
	a, b := testApplication(office, "a", 1), testApplication(office, "b", 1)
	ca, _ := withHostEvent(createChange(a))
	cb, _ := withHostEvent(createChange(b))
	require.NoError(t, st.Commit(ctx, ca))
	require.NoError(t, st.Commit(ctx, cb))
	head, err := st.ListHostEvents(ctx, notary.HostEventQuery{OfficeID: office})
	require.NoError(t, err)
	require.Len(t, head, 2)

	var seen []uuid.UUID
	after := head[1].ID
	page := func() {
		got, err := st.ListHostEvents(ctx, notary.HostEventQuery{OfficeID: office, After: after})
		require.NoError(t, err)
		for _, n := range got {
			seen = append(seen, n.ID)
			after = n.ID
		}
	}
	late, lateEvent := withHostEvent(nextChange(a, "late-"+uuid.NewString()))
	release, done := heldCommit(t, st, pool, schema, late)
	early, earlyEvent := withHostEvent(nextChange(b, ""))
	require.NoError(t, st.Commit(ctx, early))
	page() // the late commit is still running
	assert.Empty(t, seen, "an event committed behind a running transaction waits for it")
	release()
	require.NoError(t, <-done)
	page()
	assert.Equal(t, []uuid.UUID{lateEvent.ID, earlyEvent.ID}, seen, "both, once, in the order of their places")

	// A record's listing does not wait: it has its events in order.
	release, done = heldCommit(t, st, pool, schema, func() notary.Change {
		c, _ := withHostEvent(nextChange(*late.Application, "held-"+uuid.NewString()))
		return c
	}())
	got, err := st.ListHostEvents(ctx, notary.HostEventQuery{OfficeID: office, RecordID: b.ID})
	require.NoError(t, err)
	assert.Equal(t, []uuid.UUID{cb.Notices[len(cb.Notices)-1].ID, earlyEvent.ID}, noticeIDs(got))
	release()
	require.NoError(t, <-done)
}

func noticeIDs(ns []notary.Notice) []uuid.UUID {
	out := make([]uuid.UUID, len(ns))
	for i, n := range ns {
		out[i] = n.ID
	}
	return out
}

// Migrations 00015 and 00016 list the host events stored before them
// first, in their order, and roll back and forth keeping every event
// listed once.
func TestHostEventsMigrationKeepsOrder(t *testing.T) {
	t.Parallel()
	url, schema := freshSchema(t)
	st := openStore(t, url, schema)
	ctx := t.Context()
	require.NoError(t, st.MigrateTo(ctx, 14))
	office := uuid.New()
	a, b := testApplication(office, "a", 1), testApplication(office, "b", 1)
	var want []uuid.UUID
	// Before it, host events took only a seq (as that store wrote them).
	pool := schemaPool(t, url, schema)
	for _, app := range []notary.Application{b, a} {
		_, n := withHostEvent(createChange(app))
		_, err := pool.Exec(ctx, `INSERT INTO outbox (id, office_id, record_id, kind, channel, status, next_attempt_at,
	created_at, notice, seq) VALUES ($1, $2, $3, $4, 'host', 'pending', $5, $5, $6, nextval('outbox_host_seq'))`,
			n.ID, n.OfficeID, n.RecordID, string(n.Kind), n.CreatedAt, recorddoc.EncodeNotice(n))
		require.NoError(t, err)
		want = append(want, n.ID)
	}
	require.NoError(t, st.Migrate(ctx))
	// 00016: the pending own notices are their events' records now.
	claimed, err := st.ClaimNotices(ctx, base.Add(365*24*time.Hour), time.Minute, 100) // after every fixture time
	require.NoError(t, err)
	assert.Empty(t, claimed, "no delivery is left of the events stored before")
	commit := func(c notary.Change) {
		c, n := withHostEvent(c)
		require.NoError(t, st.Commit(ctx, c))
		want = append(want, n.ID)
	}
	require.NoError(t, st.Commit(ctx, createChange(b)))
	require.NoError(t, st.Commit(ctx, createChange(a)))
	commit(nextChange(b, ""))
	list := func() []uuid.UUID {
		got, err := st.ListHostEvents(ctx, notary.HostEventQuery{OfficeID: office})
		require.NoError(t, err)
		return noticeIDs(got)
	}
	assert.Equal(t, want, list())
	require.NoError(t, st.MigrateDownTo(ctx, 14))
	require.NoError(t, st.Migrate(ctx))
	commit(nextChange(a, ""))
	assert.Equal(t, want, list())
}

// A host event's own notice is kept in its audit event's row, byte for
// byte, and writes no outbox row; its deliveries are outbox rows. Both are
// listed, the event first.
func TestHostEventKeptWithItsAuditEvent(t *testing.T) {
	t.Parallel()
	st, pool, _ := namedStore(t)
	ctx := t.Context()
	a := testApplication(uuid.New(), "a", 1)
	c, own := withHostEvent(createChange(a))
	d := own
	d.ID, d.To, d.Status, d.DeliveredAt = notary.HostDeliveryID(own.ID, "app"), notary.Recipient{Endpoint: "app"}, notary.NoticePending, time.Time{}
	c.Notices = append(c.Notices, d)
	require.NoError(t, st.Commit(ctx, c))

	var host string
	require.NoError(t, pool.QueryRow(ctx, `SELECT host FROM events WHERE id = $1`, own.ID).Scan(&host))
	assert.Equal(t, string(own.Event), host)
	var rows []uuid.UUID
	r, err := pool.Query(ctx, `SELECT id FROM outbox WHERE channel = 'host'`)
	require.NoError(t, err)
	for r.Next() {
		var id uuid.UUID
		require.NoError(t, r.Scan(&id))
		rows = append(rows, id)
	}
	require.NoError(t, r.Err())
	assert.Equal(t, []uuid.UUID{d.ID}, rows, "the delivery alone is an outbox row")

	got, err := st.ListHostEvents(ctx, notary.HostEventQuery{OfficeID: a.OfficeID})
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{own.ID, d.ID}, noticeIDs(got))
	assert.Equal(t, own.Kind, got[0].Kind)
	assert.Equal(t, notary.NoticeDelivered, got[0].Status)
	assert.True(t, own.CreatedAt.Equal(got[0].CreatedAt))
	assert.Equal(t, "app", got[1].To.Endpoint)
	assert.Equal(t, notary.NoticePending, got[1].Status)
}

// A host event whose document is the service's (notary.HostEventDocument)
// is kept as its data alone, and listed byte for byte; migration 18's Down
// writes such documents whole, for the code before it, and Up keeps them.
func TestHostEventKeptAsItsData(t *testing.T) {
	t.Parallel()
	st, pool, _ := namedStore(t)
	ctx := t.Context()
	a := testApplication(uuid.New(), "a", 1)
	var want []notary.Notice
	commit := func(c notary.Change) (data string) {
		c, own := withHostEvent(c)
		ev := c.Events[0]
		data = `{"id":"` + a.ID.String() + `","state":"` + ev.To + `","owner_id":"a","evidence_ids":["<1>"]}`
		doc, err := notary.HostEventDocument(ev, []byte(data))
		require.NoError(t, err)
		own.Kind, own.Event = notary.NoticeKind(notary.HostEventTypeOf(ev.RecordKind, ev.Trigger)), doc
		c.Notices[len(c.Notices)-1] = own
		require.NoError(t, st.Commit(ctx, c))
		want = append(want, own)
		return data
	}
	list := func() {
		t.Helper()
		got, err := st.ListHostEvents(ctx, notary.HostEventQuery{OfficeID: a.OfficeID})
		require.NoError(t, err)
		require.Equal(t, noticeIDs(want), noticeIDs(got))
		for i, n := range got {
			assert.Equal(t, string(want[i].Event), string(n.Event))
			assert.Equal(t, want[i].Kind, n.Kind)
		}
	}
	stored := func(id uuid.UUID) (host, data *string) {
		t.Helper()
		require.NoError(t, pool.QueryRow(ctx, `SELECT host, host_data FROM events WHERE id = $1`, id).Scan(&host, &data))
		return host, data
	}

	data := commit(createChange(a))
	host, kept := stored(want[0].ID)
	assert.Nil(t, host, "nothing kept whole")
	require.NotNil(t, kept)
	assert.Equal(t, data, *kept, "the data alone")
	list()

	require.NoError(t, st.MigrateDownTo(ctx, 17))
	var whole string
	require.NoError(t, pool.QueryRow(ctx, `SELECT host FROM events WHERE id = $1`, want[0].ID).Scan(&whole))
	assert.Equal(t, string(want[0].Event), whole, "Down writes the document whole")
	require.NoError(t, st.Migrate(ctx))
	list()
	stored2 := a
	stored2.Version = 1
	commit(nextChange(stored2, ""))
	_, kept = stored(want[1].ID)
	assert.NotNil(t, kept)
	list()
}
