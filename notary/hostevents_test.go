package notary_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

func withHostEvents(c *notary.Config) { c.HostEvents = true }

// TestEveryTransitionHasAHostEventType: each row of the notice matrix (every
// trigger of both lifecycles) names its host event type in the table.
func TestEveryTransitionHasAHostEventType(t *testing.T) {
	for _, r := range notary.Notices.Rules() {
		typ, ok := notary.HostEventTypes[r.Record][r.Trigger]
		assert.True(t, ok, "%s %s has no host event type", r.Record, r.Trigger)
		assert.Equal(t, typ, notary.HostEventTypeOf(r.Record, r.Trigger))
		assert.Regexp(t, `^(filing|application)\.[a-z_]+$`, string(typ))
	}
}

// TestHostEventsFollowAFullFlow: with host events on, every transition of
// a full flow commits exactly one host event, in order, whose document
// describes the record after it; catch-up lists them after a cursor.
func TestHostEventsFollowAFullFlow(t *testing.T) {
	e := newEnv(t, withHostEvents)
	app := e.appIn(notary.Completed)

	evs, err := e.svc.HostEvents(e.ctx, uuid.Nil, 100)
	require.NoError(t, err)
	var types []notary.HostEventType
	for _, ev := range evs {
		types = append(types, ev.Type)
	}
	assert.Equal(t, []notary.HostEventType{
		"filing.submitted", "filing.approved",
		"application.created", "application.paid", "application.preliminary_approved",
		"application.materials_submitted", "application.final_approved", "application.certificate_shipped",
		"application.completed",
	}, types)
	trail, err := e.store.Events(e.ctx, app.ID)
	require.NoError(t, err)
	appEvents := evs[2:]
	require.Len(t, appEvents, len(trail), "one host event per audited transition")
	for i, ev := range appEvents {
		assert.Equal(t, app.ID, ev.RecordID)
		assert.Equal(t, int64(i+1), ev.Version)
		assert.Equal(t, trail[i].At, ev.OccurredAt.UTC(), "occurred when the transition committed")
		assert.Equal(t, trail[i].ID, ev.ID, "the host event is its audit event's")
	}
	pending, err := e.store.ListNotices(e.ctx, notary.NoticePending, 1000)
	require.NoError(t, err)
	for _, n := range pending {
		assert.NotEqual(t, notary.ChannelHost, n.Channel, "without endpoints, nothing to deliver: %s", n.Kind)
	}

	last := appEvents[len(appEvents)-1]
	var doc struct {
		ID         string `json:"id"`
		Type       string `json:"type"`
		APIVersion string `json:"api_version"`
		OfficeID   string `json:"office_id"`
		Trigger    string `json:"trigger"`
		Record     struct {
			Kind    string `json:"kind"`
			ID      string `json:"id"`
			Version int64  `json:"version"`
		} `json:"record"`
		Data map[string]any `json:"data"`
	}
	require.NoError(t, json.Unmarshal(last.Body, &doc))
	assert.Equal(t, last.ID.String(), doc.ID)
	assert.Equal(t, "application.completed", doc.Type)
	assert.Equal(t, notary.HostEventVersion, doc.APIVersion)
	assert.Equal(t, officeID.String(), doc.OfficeID)
	assert.Equal(t, "confirm_receipt", doc.Trigger)
	assert.Equal(t, app.ID.String(), doc.Record.ID)
	assert.Equal(t, app.Version, doc.Record.Version)
	assert.Equal(t, string(notary.Completed), doc.Data["state"])
	assert.Equal(t, app.Quote.Amount.StringFixed(2), doc.Data["amount"], "money as a string")
	assert.Equal(t, "(2026)深证字第00001号", doc.Data["certificate_number"])
	assert.Equal(t, "EMS", doc.Data["certificate"].(map[string]any)["carrier"])

	after, err := e.svc.HostEvents(e.ctx, evs[4].ID, 2)
	require.NoError(t, err)
	require.Len(t, after, 2)
	assert.Equal(t, evs[5].ID, after[0].ID)
	assert.Equal(t, evs[6].ID, after[1].ID)
	_, err = e.svc.HostEvents(e.ctx, uuid.New(), 2)
	assert.ErrorIs(t, err, notary.ErrNotFound)
}

// TestHostEventDocumentIsItsEventAndData: the service writes each host
// event's document as HostEventDocument of its audit event and data, so a
// store may keep the data alone; any other document is refused whole.
func TestHostEventDocumentIsItsEventAndData(t *testing.T) {
	e := newEnv(t, withHostEvents)
	app := e.appIn(notary.Completed)
	evs, err := e.svc.HostEvents(e.ctx, uuid.Nil, 100)
	require.NoError(t, err)
	trail, err := e.store.Events(e.ctx, app.ID)
	require.NoError(t, err)
	appEvents := evs[len(evs)-len(trail):]
	for i, ev := range appEvents {
		data, ok := notary.HostEventData(trail[i], ev.Body)
		require.True(t, ok, "%s", ev.Type)
		var whole struct{ Data json.RawMessage }
		require.NoError(t, json.Unmarshal(ev.Body, &whole))
		assert.Equal(t, string(whole.Data), string(data))
		doc, err := notary.HostEventDocument(trail[i], data)
		require.NoError(t, err)
		assert.Equal(t, string(ev.Body), string(doc))
	}

	ev, body := trail[0], appEvents[0].Body
	other := func(f func(*notary.Event)) notary.Event { e := ev; f(&e); return e }
	for name, c := range map[string]struct {
		ev  notary.Event
		doc string
	}{
		"another event":          {other(func(e *notary.Event) { e.ID = uuid.New() }), string(body)},
		"another trigger":        {other(func(e *notary.Event) { e.Trigger = string(notary.AppCancel) }), string(body)},
		"another version":        {other(func(e *notary.Event) { e.Seq++ }), string(body)},
		"a finer time":           {other(func(e *notary.Event) { e.At = e.At.Add(time.Nanosecond) }), string(body)},
		"a member after data":    {ev, strings.TrimSuffix(string(body), "}") + `,"extra":1}`},
		"trailing space":         {ev, string(body) + " "},
		"no data":                {ev, string(body[:bytes.Index(body, []byte(`"data":`))+len(`"data":`)])},
		"another document shape": {ev, `{"id":"` + ev.ID.String() + `"}`},
	} {
		_, ok := notary.HostEventData(c.ev, json.RawMessage(c.doc))
		assert.False(t, ok, name)
	}
	_, err = notary.HostEventDocument(other(func(e *notary.Event) { e.At = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }), []byte(`{}`))
	assert.Error(t, err, "a year past 9999 has no RFC 3339 form")
}

// TestHostEventsOffByDefault: without Config.HostEvents the outbox holds
// only notices to people.
func TestHostEventsOffByDefault(t *testing.T) {
	e := newEnv(t)
	e.appIn(notary.PendingPreliminaryReview)
	evs, err := e.svc.HostEvents(e.ctx, uuid.Nil, 100)
	require.NoError(t, err)
	assert.Empty(t, evs)
	ns, err := e.store.ListNotices(e.ctx, notary.NoticePending, 1000)
	require.NoError(t, err)
	for _, n := range ns {
		assert.NotEqual(t, notary.ChannelHost, n.Channel)
	}
}

// failingStore refuses every commit, as a store that lost its database.
type failingStore struct{ notary.Store }

var errDown = errors.New("database down")

func (failingStore) Commit(ctx context.Context, c notary.Change) error { return errDown }

// TestHostEventNotEmittedWithoutCommit: a transition whose commit fails
// leaves no host event behind.
func TestHostEventNotEmittedWithoutCommit(t *testing.T) {
	e := newEnv(t, withHostEvents)
	f := e.approvedFiling(alice)
	before, err := e.svc.HostEvents(e.ctx, uuid.Nil, 100)
	require.NoError(t, err)
	require.Len(t, before, 2)

	cfg := e.cfg
	cfg.Store = failingStore{e.store}
	svc, err := notary.New(cfg)
	require.NoError(t, err)
	_, err = svc.Filings.Amend(e.ctx, alice, f.ID, notarytest.FilingContent())
	require.ErrorIs(t, err, errDown)
	after, err := e.svc.HostEvents(e.ctx, uuid.Nil, 100)
	require.NoError(t, err)
	assert.Equal(t, before, after)
}

func TestHostEventOfRefusesOtherChannels(t *testing.T) {
	_, err := notary.HostEventOf(notary.Notice{Channel: notary.ChannelEmail})
	assert.ErrorIs(t, err, notary.ErrInvalidInput)
	_, err = notary.HostEventOf(notary.Notice{Channel: notary.ChannelHost, Event: []byte("{")})
	assert.ErrorIs(t, err, notary.ErrInvalidInput)
}

// TestHostEndpointsEachGetTheirOwnNotice: with host endpoints, a
// transition commits its event once (delivered: the entry the catch-up
// listing shows) and, in the same commit, one pending notice per endpoint
// that wants its type, carrying the same document under an ID derived
// from the event and the endpoint.
func TestHostEndpointsEachGetTheirOwnNotice(t *testing.T) {
	e := newEnv(t, func(c *notary.Config) {
		c.HostEndpoints = []notary.HostEndpoint{{Name: "warehouse"}, {Name: "app", Types: []notary.HostEventType{"filing.approved"}}}
	})
	e.approvedFiling(alice)

	evs, err := e.svc.HostEvents(e.ctx, uuid.Nil, 100)
	require.NoError(t, err)
	require.Len(t, evs, 2, "each event listed once, whatever its endpoints")
	assert.Equal(t, notary.HostEventType("filing.submitted"), evs[0].Type)
	assert.Equal(t, notary.HostEventType("filing.approved"), evs[1].Type)

	pending, err := e.store.ListNotices(e.ctx, notary.NoticePending, 1000)
	require.NoError(t, err)
	got := map[uuid.UUID]notary.Notice{}
	for _, n := range pending {
		if n.Channel == notary.ChannelHost {
			got[n.ID] = n
		}
	}
	want := map[uuid.UUID]string{
		notary.HostDeliveryID(evs[0].ID, "warehouse"): "warehouse",
		notary.HostDeliveryID(evs[1].ID, "warehouse"): "warehouse",
		notary.HostDeliveryID(evs[1].ID, "app"):       "app",
	}
	require.Len(t, got, len(want), "filing.submitted is not for the app")
	for id, endpoint := range want {
		n, ok := got[id]
		require.True(t, ok, "the %s delivery %s", endpoint, id)
		assert.Equal(t, endpoint, n.To.Endpoint)
		ev, err := notary.HostEventOf(n)
		require.NoError(t, err)
		assert.Equal(t, endpoint, ev.Endpoint)
		assert.Contains(t, []uuid.UUID{evs[0].ID, evs[1].ID}, ev.ID, "the event's ID, not the notice's")
	}
	dn := got[notary.HostDeliveryID(evs[1].ID, "app")]
	assert.JSONEq(t, string(evs[1].Body), string(dn.Event), "the same document")

	delivered, err := e.store.ListNotices(e.ctx, notary.NoticeDelivered, 1000)
	require.NoError(t, err)
	var own []uuid.UUID
	for _, n := range delivered {
		if n.Channel == notary.ChannelHost {
			own = append(own, n.ID)
		}
	}
	assert.ElementsMatch(t, []uuid.UUID{evs[0].ID, evs[1].ID}, own, "the events' own notices need no delivery")

	page, err := e.svc.HostEvents(e.ctx, uuid.Nil, 1)
	require.NoError(t, err)
	require.Len(t, page, 1)
	page, err = e.svc.HostEvents(e.ctx, page[0].ID, 1)
	require.NoError(t, err)
	require.Len(t, page, 1, "paging skips the endpoints' notices")
	assert.Equal(t, evs[1].ID, page[0].ID)
	assert.Equal(t, []notary.HostEndpoint{{Name: "warehouse"}, {Name: "app", Types: []notary.HostEventType{"filing.approved"}}},
		e.svc.HostEndpoints())
}

func TestHostEndpointsAreChecked(t *testing.T) {
	for _, tc := range []struct {
		name      string
		endpoints []notary.HostEndpoint
		field     string
	}{
		{"no name", []notary.HostEndpoint{{}}, "host_endpoints[0].name"},
		{"a space", []notary.HostEndpoint{{Name: "my app"}}, "host_endpoints[0].name"},
		{"too long", []notary.HostEndpoint{{Name: string(make([]byte, 65))}}, "host_endpoints[0].name"},
		{"twice", []notary.HostEndpoint{{Name: "a"}, {Name: "a"}}, "host_endpoints[1].name"},
		{"unknown type", []notary.HostEndpoint{{Name: "a", Types: []notary.HostEventType{"filing.approved", "filing.aproved"}}}, "host_endpoints[0].types[1]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			cfg := e.cfg
			cfg.HostEndpoints = tc.endpoints
			_, err := notary.New(cfg)
			require.ErrorIs(t, err, notary.ErrInvalidInput)
			var fe *notary.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tc.field, fe.Field)
		})
	}
}

// TestChangeHostEvent: a change's host event is its notice on ChannelHost
// for no endpoint, not a delivery to one nor a notice to a person.
func TestChangeHostEvent(t *testing.T) {
	own := notary.Notice{ID: uuid.New(), Channel: notary.ChannelHost, Event: []byte(`{}`)}
	delivery := own
	delivery.ID, delivery.To = notary.HostDeliveryID(own.ID, "app"), notary.Recipient{Endpoint: "app"}
	email := notary.Notice{ID: uuid.New(), Channel: notary.ChannelEmail}

	c := notary.Change{Notices: []notary.Notice{email, delivery, own}}
	require.NotNil(t, c.HostEvent())
	assert.Equal(t, own.ID, c.HostEvent().ID)
	assert.Same(t, &c.Notices[2], c.HostEvent(), "the change's own notice, not a copy")
	assert.Nil(t, notary.Change{Notices: []notary.Notice{email, delivery}}.HostEvent())
}
