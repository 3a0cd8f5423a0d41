package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

const testHostKey = "host-api-key-for-tests-0123456789"

// hostEventDoc is the part of an event document the tests read.
type hostEventDoc struct {
	ID     string `json:"id"`
	Type   string `json:"type"`
	Record struct {
		ID      string `json:"id"`
		Version int64  `json:"version"`
	} `json:"record"`
}

func decodeEvents(t *testing.T, res hostEventsResponse) []hostEventDoc {
	out := make([]hostEventDoc, len(res.Events))
	for i, raw := range res.Events {
		require.NoError(t, json.Unmarshal(raw, &out[i]))
	}
	return out
}

// startWithHostEvents runs the app with the host API key (which turns
// host events on) and commits n filings' submissions.
func startWithHostEvents(t *testing.T, n int, change ...func(*Config)) (*harness, *client) {
	h := start(t, append([]func(*Config){func(c *Config) { c.HostAPIKey = testHostKey }}, change...)...)
	for i := range n {
		_, err := h.app.svc.Filings.Submit(t.Context(), notary.User{ID: fmt.Sprintf("acct-%d", i),
			Email: fmt.Sprintf("u%d@example.com", i), Name: "User"}, notarytest.FilingContent())
		require.NoError(t, err)
	}
	return h, &client{h: h, hdr: http.Header{"Authorization": {"Bearer " + testHostKey}}}
}

// TestHostEventsCatchUp: the host pages through every event with the
// cursor, in commit order, each once, and polls at the end with the last
// cursor for what came since.
func TestHostEventsCatchUp(t *testing.T) {
	h, host := startWithHostEvents(t, 5)
	committed, err := h.app.svc.HostEvents(t.Context(), uuid.Nil, 100)
	require.NoError(t, err)
	require.Len(t, committed, 5)

	var (
		got  []string
		res  hostEventsResponse
		path = "/api/host/events?limit=2"
	)
	for range 10 {
		host.call("GET", path, nil, 200, &res)
		for _, ev := range decodeEvents(t, res) {
			got = append(got, ev.ID)
			assert.Equal(t, "filing.submitted", ev.Type)
		}
		require.NotEmpty(t, res.Next)
		path = "/api/host/events?limit=2&after=" + url.QueryEscape(res.Next)
		if !res.HasMore {
			break
		}
	}
	var want []string
	for _, ev := range committed {
		want = append(want, ev.ID.String())
	}
	assert.Equal(t, want, got, "every event once, in commit order")

	last := res.Next
	host.call("GET", path, nil, 200, &res)
	assert.Empty(t, res.Events)
	assert.False(t, res.HasMore)
	assert.Equal(t, last, res.Next, "at the head, next stays the cursor given")

	_, err = h.app.svc.Filings.Submit(t.Context(), notary.User{ID: "acct-late", Email: "late@example.com", Name: "Late"}, notarytest.FilingContent())
	require.NoError(t, err)
	host.call("GET", path, nil, 200, &res)
	evs := decodeEvents(t, res)
	require.Len(t, evs, 1, "what came since the last poll")
	assert.Equal(t, "filing.submitted", evs[0].Type)

	host.call("GET", "/api/host/events", nil, 200, &res)
	assert.Len(t, res.Events, 6, "the default page holds them all")
	assert.False(t, res.HasMore)
	host.call("GET", "/api/host/events?limit=6", nil, 200, &res)
	assert.False(t, res.HasMore, "a page holding exactly the rest")
	host.call("GET", "/api/host/events?limit=5", nil, 200, &res)
	assert.True(t, res.HasMore)
}

// TestHostEventsWithAnEndpoint: with an in-process endpoint too, each
// event is listed once (its delivery is not), and the endpoint gets it.
func TestHostEventsWithAnEndpoint(t *testing.T) {
	got := make(chan notary.HostEvent, 10)
	h, host := startWithHostEvents(t, 2, func(c *Config) {
		c.OnHostEvent = func(_ context.Context, ev notary.HostEvent) error { got <- ev; return nil }
	})
	var res hostEventsResponse
	host.call("GET", "/api/host/events", nil, 200, &res)
	evs := decodeEvents(t, res)
	require.Len(t, evs, 2)
	var want, arrived []string
	for _, ev := range evs {
		want = append(want, ev.ID)
		in := <-got
		arrived = append(arrived, in.ID.String())
		assert.Equal(t, InProcessEndpoint, in.Endpoint)
	}
	assert.ElementsMatch(t, want, arrived)
	dead, err := h.app.relay.DeadLetters(t.Context(), 10)
	require.NoError(t, err)
	assert.Empty(t, dead)
}

// TestHostEventsListedOnly: with the host API alone, events are committed
// for listing and nothing is left pending or dead in the outbox.
func TestHostEventsListedOnly(t *testing.T) {
	h, host := startWithHostEvents(t, 2)
	var res hostEventsResponse
	host.call("GET", "/api/host/events", nil, 200, &res)
	require.Len(t, res.Events, 2)
	h.eventually(func() bool {
		evs, err := h.app.store.ListHostEvents(t.Context(), notary.HostEventQuery{OfficeID: h.app.svc.Office().ID})
		if err != nil {
			return false
		}
		for _, n := range evs {
			if n.Status != notary.NoticeDelivered {
				return false
			}
		}
		return true
	}, "the relay is done with events nobody is pushed to")
}

func TestHostEventsRefusals(t *testing.T) {
	h, host := startWithHostEvents(t, 1)
	user := h.user("acct-1", "u1@example.com", "User")
	unknown, err := notary.Cursor{ID: uuid.New()}.MarshalText()
	require.NoError(t, err)

	for _, tc := range []struct {
		name   string
		c      *client
		query  string
		status int
		code   string
		field  string
	}{
		{"no key", &client{h: h, hdr: http.Header{}}, "", 401, "unauthenticated", ""},
		{"an end user", user, "", 401, "unauthenticated", ""},
		{"a wrong key", host.with("Authorization", "Bearer "+testHostKey+"x"), "", 401, "unauthenticated", ""},
		{"not a bearer", host.with("Authorization", testHostKey), "", 401, "unauthenticated", ""},
		{"malformed cursor", host, "?after=not-a-cursor", 400, "invalid_input", "after"},
		{"unknown cursor", host, "?after=" + string(unknown), 400, "invalid_input", "after"},
		{"limit zero", host, "?limit=0", 400, "invalid_input", "limit"},
		{"limit too big", host, "?limit=101", 400, "invalid_input", "limit"},
		{"limit not a number", host, "?limit=ten", 400, "invalid_input", "limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := tc.c.fail("GET", "/api/host/events"+tc.query, nil, tc.status, tc.code)
			assert.Equal(t, tc.field, e.Field)
		})
	}
	var res hostEventsResponse
	host.call("GET", "/api/host/events?limit=100", nil, 200, &res)
	assert.Len(t, res.Events, 1)
}

func TestHostAPIOffWithoutKey(t *testing.T) {
	h := start(t)
	e := (&client{h: h, hdr: http.Header{"Authorization": {"Bearer anything-at-all-0123456789"}}}).
		fail("GET", "/api/host/events", nil, 401, "unauthenticated")
	assert.Contains(t, e.Message, "host API is off")
}

func TestHostAPIKeyTooShort(t *testing.T) {
	_, err := New(t.Context(), Config{SQLitePath: t.TempDir() + "/x.db", Clock: notarytest.NewClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)), HostAPIKey: "short"})
	require.ErrorIs(t, err, notary.ErrInvalidInput)
}
