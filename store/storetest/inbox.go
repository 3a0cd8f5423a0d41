package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

// inboxGroup: the users' in-site inbox.
var inboxGroup = group{"Inbox", []test{
	{"AddIsIdempotent", testInboxAddIdempotent},
	{"ListNewestFirstPaginated", testInboxList},
	{"UnreadCountAndMarkRead", testInboxMarkRead},
	{"UsersAreIsolated", testInboxIsolation},
}}

func newMessage(office uuid.UUID, userID string, created time.Time) notary.InboxMessage {
	id := uuid.New()
	return notary.InboxMessage{
		ID:        id,
		OfficeID:  office,
		UserID:    userID,
		Kind:      notary.NoticeFilingApproved,
		RecordID:  uuid.New(),
		Subject:   "备案已通过 " + id.String()[:8],
		Body:      "您的企业备案已通过审核。",
		CreatedAt: created,
	}
}

func inbox(t *testing.T, s notary.Store, office uuid.UUID, userID string, before *notary.Cursor, limit int) []notary.InboxMessage {
	t.Helper()
	ms, err := s.ListInbox(t.Context(), office, userID, before, limit)
	require.NoError(t, err)
	return ms
}

func unread(t *testing.T, s notary.Store, office uuid.UUID, userID string) int {
	t.Helper()
	n, err := s.UnreadCount(t.Context(), office, userID)
	require.NoError(t, err)
	return n
}

func messageIDs(ms []notary.InboxMessage) []uuid.UUID {
	out := make([]uuid.UUID, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

func testInboxAddIdempotent(t *testing.T, s notary.Store) {
	ctx := t.Context()
	office := uuid.New()
	m := newMessage(office, "alice", base)
	require.NoError(t, s.AddInboxMessage(ctx, m))
	again := m
	again.Subject = "changed"
	require.NoError(t, s.AddInboxMessage(ctx, again))
	require.NoError(t, s.AddInboxMessage(ctx, m))

	got := inbox(t, s, office, "alice", nil, 10)
	require.Len(t, got, 1)
	assert.Equal(t, normInbox(m), normInbox(got[0]))
	assert.Equal(t, 1, unread(t, s, office, "alice"))
}

func testInboxList(t *testing.T, s notary.Store) {
	ctx := t.Context()
	office := uuid.New()
	var want []notary.Cursor
	byID := map[uuid.UUID]notary.InboxMessage{}
	for k := range 12 {
		i := (k * 5) % 12
		m := newMessage(office, "alice", at(time.Duration(i/2)*time.Second))
		require.NoError(t, s.AddInboxMessage(ctx, m))
		want = append(want, pos(m.CreatedAt, m.ID))
		byID[m.ID] = m
	}
	require.NoError(t, s.AddInboxMessage(ctx, newMessage(office, "bob", at(time.Hour))))
	sortCursors(want)
	slices.Reverse(want)

	var got []notary.Cursor
	var before *notary.Cursor
	var sizes []int
	for range 10 {
		page := inbox(t, s, office, "alice", before, 5)
		sizes = append(sizes, len(page))
		if len(page) == 0 {
			break
		}
		for _, m := range page {
			assert.Equal(t, normInbox(byID[m.ID]), normInbox(m))
			got = append(got, pos(m.CreatedAt, m.ID))
		}
		last := got[len(got)-1]
		before = &last
	}
	assert.Equal(t, []int{5, 5, 2, 0}, sizes)
	assert.Equal(t, cursorIDs(want), cursorIDs(got))
	assert.Equal(t, cursorIDs(want), messageIDs(inbox(t, s, office, "alice", nil, 0)), "limit 0 means the default")
}

func testInboxMarkRead(t *testing.T, s notary.Store) {
	ctx := t.Context()
	office := uuid.New()
	var ms []notary.InboxMessage
	for i := range 5 {
		m := newMessage(office, "alice", at(time.Duration(i)*time.Second))
		require.NoError(t, s.AddInboxMessage(ctx, m))
		ms = append(ms, m)
	}
	assert.Equal(t, 5, unread(t, s, office, "alice"))

	t1 := at(time.Hour)
	require.NoError(t, s.MarkRead(ctx, office, "alice", t1, ms[0].ID, ms[1].ID, uuid.New()))
	assert.Equal(t, 3, unread(t, s, office, "alice"))
	readAt := map[uuid.UUID]time.Time{}
	for _, m := range inbox(t, s, office, "alice", nil, 10) {
		readAt[m.ID] = m.ReadAt
	}
	assert.Equal(t, nt(t1), nt(readAt[ms[0].ID]))
	assert.Equal(t, nt(t1), nt(readAt[ms[1].ID]))
	assert.True(t, readAt[ms[2].ID].IsZero())

	t2 := at(2 * time.Hour)
	require.NoError(t, s.MarkRead(ctx, office, "alice", t2))
	assert.Equal(t, 0, unread(t, s, office, "alice"))
	for _, m := range inbox(t, s, office, "alice", nil, 10) {
		assert.False(t, m.ReadAt.IsZero())
		if m.ID != ms[0].ID && m.ID != ms[1].ID {
			assert.Equal(t, nt(t2), nt(m.ReadAt))
		}
	}
}

func testInboxIsolation(t *testing.T, s notary.Store) {
	ctx := t.Context()
	office, other := uuid.New(), uuid.New()
	alice := newMessage(office, "alice", base)
	bob := newMessage(office, "bob", at(time.Second))
	aliceElsewhere := newMessage(other, "alice", at(2*time.Second))
	for _, m := range []notary.InboxMessage{alice, bob, aliceElsewhere} {
		require.NoError(t, s.AddInboxMessage(ctx, m))
	}

	assert.Equal(t, ids(alice.ID), messageIDs(inbox(t, s, office, "alice", nil, 10)))
	assert.Equal(t, ids(bob.ID), messageIDs(inbox(t, s, office, "bob", nil, 10)))
	assert.Equal(t, ids(aliceElsewhere.ID), messageIDs(inbox(t, s, other, "alice", nil, 10)))
	assert.Empty(t, inbox(t, s, office, "carol", nil, 10))
	assert.Equal(t, 0, unread(t, s, office, "carol"))

	// Alice cannot mark Bob's message, nor her own at another office.
	require.NoError(t, s.MarkRead(ctx, office, "alice", at(time.Hour), bob.ID, aliceElsewhere.ID))
	assert.Equal(t, 1, unread(t, s, office, "bob"))
	assert.Equal(t, 1, unread(t, s, other, "alice"))
	assert.Equal(t, 1, unread(t, s, office, "alice"))

	require.NoError(t, s.MarkRead(ctx, office, "alice", at(time.Hour)))
	assert.Equal(t, 0, unread(t, s, office, "alice"))
	assert.Equal(t, 1, unread(t, s, office, "bob"))
	assert.Equal(t, 1, unread(t, s, other, "alice"))
	assert.True(t, inbox(t, s, office, "bob", nil, 10)[0].ReadAt.IsZero())
}
