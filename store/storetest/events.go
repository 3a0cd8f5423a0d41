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

// eventsGroup: audit trails read back in order.
var eventsGroup = group{"Events", []test{
	{"AppendedInSeqOrder", testEventsInOrder},
}}

func testEventsInOrder(t *testing.T, s notary.Store) {
	office := uuid.New()
	f := newFiling(office, "alice", base)
	c := createChange(f)
	want := slices.Clone(c.Events)
	commit(t, s, c)

	cur := f
	for i := 1; i <= 3; i++ {
		next := cur
		next.Version++
		next.UpdatedAt = at(time.Duration(i) * time.Hour)
		// Two events in one change, the second chained to the first.
		e1 := nextEvent(t, s, f.ID, notary.KindFiling, office, next.UpdatedAt)
		e2 := newEvent(f.ID, notary.KindFiling, office, e1.Seq+1, e1.Hash, next.UpdatedAt.Add(time.Microsecond))
		commit(t, s, notary.Change{Filing: &next, ExpectedVersion: cur.Version, Events: []notary.Event{e1, e2}})
		want = append(want, e1, e2)
		cur = next
	}

	got := events(t, s, f.ID)
	require.Len(t, got, 7)
	for i, e := range got {
		assert.Equal(t, int64(i+1), e.Seq)
		if i > 0 {
			assert.Equal(t, got[i-1].Hash, e.PrevHash)
		}
	}
	assert.Equal(t, normEvents(want), normEvents(got))
	assert.Empty(t, events(t, s, uuid.New()))
}
