package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/store"
	"github.com/notarykit/notarykit/store/storetest"
)

func TestMemoryConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) notary.Store { return store.NewMemory() })
}

var base = time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)

func filing(office uuid.UUID, owner string) notary.Filing {
	return notary.Filing{
		ID: uuid.New(), OfficeID: office, Owner: notary.User{ID: owner},
		State: notary.FilingPendingReview, Version: 1, Revision: 1,
		CreatedAt: base, UpdatedAt: base,
	}
}

func event(f notary.Filing, seq int64) notary.Event {
	return notary.Event{ID: uuid.New(), RecordID: f.ID, RecordKind: notary.KindFiling, OfficeID: f.OfficeID, Seq: seq, At: base}
}

func TestMemoryAuditTrailNeverForks(t *testing.T) {
	ctx := t.Context()
	s := store.NewMemory()
	f := filing(uuid.New(), "alice")
	first := event(f, 1)
	require.NoError(t, s.Commit(ctx, notary.Change{Filing: &f, Events: []notary.Event{first}}))

	g := f
	g.Version = 2
	// Same Seq again, or an event ID already stored, or a Seq twice in one
	// change: all refused, nothing stored.
	for _, evs := range [][]notary.Event{
		{event(f, 1)},
		{first},
		{event(f, 2), event(f, 2)},
	} {
		err := s.Commit(ctx, notary.Change{Filing: &g, ExpectedVersion: 1, Events: evs})
		require.ErrorIs(t, err, notary.ErrConflict)
	}
	got, err := s.Filing(ctx, f.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(1), got.Version)
	evs, err := s.Events(ctx, f.ID)
	require.NoError(t, err)
	assert.Len(t, evs, 1)
}

func TestMemoryDuplicateNoticeID(t *testing.T) {
	ctx := t.Context()
	s := store.NewMemory()
	n := notary.Notice{ID: uuid.New(), CreatedAt: base}
	f := filing(uuid.New(), "alice")
	require.NoError(t, s.Commit(ctx, notary.Change{Filing: &f, Notices: []notary.Notice{n}}))
	g := filing(f.OfficeID, "bob")
	require.ErrorIs(t, s.Commit(ctx, notary.Change{Filing: &g, Notices: []notary.Notice{n}}), notary.ErrConflict)
	_, err := s.Filing(ctx, g.ID)
	require.ErrorIs(t, err, notary.ErrNotFound)
}

func TestMemoryFilingChangeCannotReserve(t *testing.T) {
	s := store.NewMemory()
	f := filing(uuid.New(), "alice")
	err := s.Commit(t.Context(), notary.Change{Filing: &f, Reserve: []string{"ev-1"}})
	require.ErrorIs(t, err, notary.ErrInvalidInput)
}

func TestMemoryClaimNothingWithoutLimit(t *testing.T) {
	ctx := t.Context()
	s := store.NewMemory()
	f := filing(uuid.New(), "alice")
	require.NoError(t, s.Commit(ctx, notary.Change{Filing: &f, Notices: []notary.Notice{{ID: uuid.New(), CreatedAt: base}}}))
	ns, err := s.ClaimNotices(ctx, base, time.Minute, 0)
	require.NoError(t, err)
	assert.Empty(t, ns)
	ns, err = s.ClaimNotices(ctx, base, time.Minute, 1)
	require.NoError(t, err)
	assert.Len(t, ns, 1)
}

func TestMemoryCanceledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	s := store.NewMemory()
	f := filing(uuid.New(), "alice")
	require.ErrorIs(t, s.Commit(ctx, notary.Change{Filing: &f}), context.Canceled)
	_, err := s.Filing(ctx, f.ID)
	require.ErrorIs(t, err, context.Canceled)
}

// TestMemoryMixedLoad runs readers and writers together for the race
// detector.
func TestMemoryMixedLoad(t *testing.T) {
	s := store.NewMemory()
	office := uuid.New()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			ctx := context.Background()
			for i := range 50 {
				f := filing(office, fmt.Sprintf("w%d-%d", w, i))
				n := notary.Notice{ID: uuid.New(), OfficeID: office, CreatedAt: base.Add(time.Duration(i) * time.Millisecond)}
				assert.NoError(t, s.Commit(ctx, notary.Change{Filing: &f, Events: []notary.Event{event(f, 1)}, Notices: []notary.Notice{n}}))
				_, err := s.ListFilings(ctx, notary.ListQuery{OfficeID: office, Limit: 5})
				assert.NoError(t, err)
				claimed, err := s.ClaimNotices(ctx, base.Add(time.Hour), time.Minute, 3)
				assert.NoError(t, err)
				results := make([]notary.NoticeResult, len(claimed))
				for i, c := range claimed {
					results[i] = notary.NoticeResult{ID: c.ID, Claim: c.Claim, Outcome: notary.NoticeOutcome{Status: notary.NoticeDelivered, At: base}}
				}
				stale, err := s.FinishNotices(ctx, results)
				assert.NoError(t, err)
				assert.Empty(t, stale)
			}
		})
	}
	wg.Wait()
	fs, err := s.ListFilings(t.Context(), notary.ListQuery{OfficeID: office, Limit: 1000})
	require.NoError(t, err)
	assert.Len(t, fs, 400)
}
