package notify_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notify"
	"github.com/notarykit/notarykit/store"
)

func inboxMessage(t *testing.T, userID string, kind notary.NoticeKind) (notary.Notice, notary.Message) {
	t.Helper()
	n := fixture(kind, "zh-CN")
	n.ID = uuid.New()
	n.Channel = notary.ChannelInSite
	n.To.UserID = userID
	m, err := newRenderer(t).Render(n)
	require.NoError(t, err)
	return n, m
}

func TestInboxNotifierIsIdempotent(t *testing.T) {
	s := store.NewMemory()
	in := notify.NewInboxNotifier(s)
	n, m := inboxMessage(t, "user-1", notary.NoticeShipped)
	ctx := context.Background()

	for range 3 {
		require.NoError(t, in.Notify(ctx, m))
	}
	got, err := s.ListInbox(context.Background(), officeID, "user-1", nil, 10)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, notary.InboxMessage{
		ID: n.ID, OfficeID: officeID, UserID: "user-1", Kind: notary.NoticeShipped, RecordID: recordID,
		Subject: m.Subject, Body: m.Text, CreatedAt: createdAt,
	}, got[0])
	unread, err := s.UnreadCount(context.Background(), officeID, "user-1")
	require.NoError(t, err)
	assert.Equal(t, 1, unread)
}

func TestInboxNotifierUserSeesOnlyOwnMessages(t *testing.T) {
	s := store.NewMemory()
	in := notify.NewInboxNotifier(s)
	want := map[string][]uuid.UUID{}
	for _, u := range []struct {
		user string
		kind notary.NoticeKind
	}{
		{"alice", notary.NoticeFilingApproved}, {"bob", notary.NoticeFilingRejected},
		{"alice", notary.NoticeShipped}, {"bob", notary.NoticeCompleted}, {"carol", notary.NoticeRefunded},
	} {
		n, m := inboxMessage(t, u.user, u.kind)
		require.NoError(t, in.Notify(context.Background(), m))
		want[u.user] = append(want[u.user], n.ID)
	}
	for user, ids := range want {
		got, err := s.ListInbox(context.Background(), officeID, user, nil, 10)
		require.NoError(t, err)
		var gotIDs []uuid.UUID
		for _, m := range got {
			assert.Equal(t, user, m.UserID)
			gotIDs = append(gotIDs, m.ID)
		}
		assert.ElementsMatch(t, ids, gotIDs, user)
	}
	got, err := s.ListInbox(context.Background(), uuid.New(), "alice", nil, 10)
	require.NoError(t, err)
	assert.Empty(t, got, "another office's inbox is empty")
}

func TestInboxNotifierRejectsOfficeMessages(t *testing.T) {
	in := notify.NewInboxNotifier(store.NewMemory())
	_, m := inboxMessage(t, "", notary.NoticeFilingReview)
	err := in.Notify(context.Background(), m)
	assert.ErrorIs(t, err, notary.ErrPermanent)

	_, m = inboxMessage(t, "user-1", notary.NoticeShipped)
	m.NoticeID = uuid.Nil
	assert.ErrorIs(t, in.Notify(context.Background(), m), notary.ErrPermanent)
}
