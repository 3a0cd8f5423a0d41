package storetest

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

// statsGroup checks the optional notary.OutboxStatser; stores without it
// skip the group.
var statsGroup = group{"OutboxStats", []test{
	{"CountsByStatus", testOutboxStats},
}}

func testOutboxStats(t *testing.T, s notary.Store) {
	st, ok := s.(notary.OutboxStatser)
	if !ok {
		t.Skip("the store does not implement notary.OutboxStatser")
	}
	got, err := st.OutboxStats(t.Context())
	require.NoError(t, err)
	assert.Equal(t, notary.OutboxStats{}, got, "an empty outbox")

	office := uuid.New()
	oldest := newNotice(office, uuid.New(), notary.KindFiling, at(time.Minute))
	dead := newNotice(office, uuid.New(), notary.KindFiling, base)
	newer := newNotice(office, uuid.New(), notary.KindFiling, at(time.Hour))
	done := newNotice(office, uuid.New(), notary.KindFiling, at(2*time.Hour))
	enqueue(t, s, oldest, dead, newer, done)
	now := at(3 * time.Hour)
	c := claim(t, s, now, time.Minute, 10)
	require.Len(t, c, 4)
	for _, n := range c {
		o := notary.NoticeOutcome{Status: notary.NoticePending, At: now}
		switch n.ID {
		case dead.ID:
			o.Status = notary.NoticeDead
		case done.ID:
			o.Status = notary.NoticeDelivered
		}
		finishOne(t, s, n.ID, n.Claim, o)
	}
	got, err = st.OutboxStats(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 2, got.Pending)
	assert.Equal(t, 1, got.Dead)
	assert.Equal(t, nt(oldest.CreatedAt), nt(got.OldestPending), "the oldest pending, not the older dead one")
}
