package notary_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

func TestInboxIsPerUser(t *testing.T) {
	e := newEnv(t)
	for i, u := range []notary.User{alice, alice, bob} {
		require.NoError(t, e.store.AddInboxMessage(e.ctx, notary.InboxMessage{
			ID: uuid.New(), OfficeID: officeID, UserID: u.ID, Kind: notary.NoticeShipped,
			Subject: "s", Body: "b", CreatedAt: t0.Add(time.Duration(i) * time.Minute),
		}))
	}
	mine, err := e.svc.Inbox.List(e.ctx, alice, nil, 0)
	require.NoError(t, err)
	require.Len(t, mine, 2)
	assert.True(t, mine[0].CreatedAt.After(mine[1].CreatedAt), "newest first")
	n, err := e.svc.Inbox.UnreadCount(e.ctx, bob)
	require.NoError(t, err)
	assert.Equal(t, 1, n)

	// Alice cannot mark Bob's message read.
	bobs, err := e.svc.Inbox.List(e.ctx, bob, nil, 10)
	require.NoError(t, err)
	require.NoError(t, e.svc.Inbox.MarkRead(e.ctx, alice, bobs[0].ID))
	n, err = e.svc.Inbox.UnreadCount(e.ctx, bob)
	require.NoError(t, err)
	assert.Equal(t, 1, n)

	require.NoError(t, e.svc.Inbox.MarkRead(e.ctx, alice))
	n, err = e.svc.Inbox.UnreadCount(e.ctx, alice)
	require.NoError(t, err)
	assert.Zero(t, n)

	_, err = e.svc.Inbox.List(e.ctx, notary.User{}, nil, 10)
	assert.ErrorIs(t, err, notary.ErrForbidden)
}
