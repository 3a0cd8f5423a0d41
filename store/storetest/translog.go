package storetest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/translog"
)

// logGroup is the conformance of notary.LogStore.
var logGroup = group{"Log", []test{
	{"SequencesInCommitOrderPerOffice", testLogOrder},
	{"BatchesUpToLimit", testLogBatches},
	{"CrashMidBatchChangesNothing", testLogCrashMidBatch},
	{"ConcurrentSequencersLogEachEventOnce", testLogConcurrentSequencers},
	{"UnknownHashNotFound", testLogUnknownHash},
	{"Checkpoints", testLogCheckpoints},
}}

// logHistory commits, at office, a filing with two events, an application
// with one and an admin account with two, interleaved, and returns the
// events in commit order.
func logHistory(t *testing.T, s notary.Store, office uuid.UUID) []notary.Event {
	t.Helper()
	ctx := t.Context()
	var out []notary.Event

	f := newFiling(office, "log-"+uuid.NewString(), at(0))
	c := createChange(f)
	commit(t, s, c)
	out = append(out, c.Events...)

	a := newAdmin(office, uuid.NewString()+"@example.com")
	ev := adminEvent(a, 1, "")
	require.NoError(t, s.CreateAdmin(ctx, a, ev))
	out = append(out, ev)

	app := newApplication(office, f.Owner.ID, 1, at(time.Minute))
	c = createAppChange(app)
	commit(t, s, c)
	out = append(out, c.Events...)

	f.Version, f.State, f.UpdatedAt = 2, notary.FilingApproved, at(2*time.Minute)
	fev := nextEvent(t, s, f.ID, notary.KindFiling, office, f.UpdatedAt)
	commit(t, s, notary.Change{Filing: &f, ExpectedVersion: 1, Events: []notary.Event{fev}})
	out = append(out, fev)

	a.Version, a.UpdatedAt = 2, at(3*time.Minute)
	ev2 := adminEvent(a, 2, ev.Hash)
	require.NoError(t, s.UpdateAdmin(ctx, a, 1, ev2))
	out = append(out, ev2)
	return out
}

// recorder is a notary.LogIntegrate (translog.Integrate) that remembers
// what it was given.
type recorder struct {
	mu      sync.Mutex
	entries []notary.LogEntry
	sizes   []int64
}

func (r *recorder) integrate(size int64, entries []notary.LogEntry, read func([]int64) ([]tlog.Hash, error)) ([]tlog.Hash, error) {
	r.mu.Lock()
	r.entries = append(r.entries, entries...)
	r.sizes = append(r.sizes, size)
	r.mu.Unlock()
	return translog.Integrate(size, entries, read)
}

func entries(evs []notary.Event) []notary.LogEntry {
	out := make([]notary.LogEntry, len(evs))
	for i, e := range evs {
		out[i] = translog.EntryOf(e)
	}
	return out
}

// requireLog checks that the office's log holds exactly want, in order:
// its size, its leaves, each record's leaves, and stored hashes that are
// those of the leaves (the root of the stored hashes is the root of want).
func requireLog(t *testing.T, s notary.Store, office uuid.UUID, want []notary.LogEntry) {
	t.Helper()
	ctx := t.Context()
	size, err := s.LogSize(ctx, office)
	require.NoError(t, err)
	require.Equal(t, int64(len(want)), size)

	var leaves []notary.LogLeaf
	for start := int64(0); ; {
		page, err := s.LogLeaves(ctx, office, start, 3)
		require.NoError(t, err)
		if len(page) == 0 {
			break
		}
		require.LessOrEqual(t, len(page), 3)
		leaves = append(leaves, page...)
		start += int64(len(page))
	}
	require.Len(t, leaves, len(want))
	perRecord := map[uuid.UUID][]notary.LogLeaf{}
	for i, l := range leaves {
		assert.Equal(t, notary.LogLeaf{Index: int64(i), RecordID: want[i].RecordID, Seq: want[i].Seq}, l)
		perRecord[l.RecordID] = append(perRecord[l.RecordID], l)
	}
	for rec, ls := range perRecord {
		got, err := s.RecordLeaves(ctx, rec)
		require.NoError(t, err)
		assert.Equal(t, ls, got, "leaves of record %s", rec)
	}

	var expect []tlog.Hash
	read := func(ix []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(ix))
		for i, x := range ix {
			out[i] = expect[x]
		}
		return out, nil
	}
	for i, e := range want {
		leaf, err := translog.LeafHash(e)
		require.NoError(t, err)
		hs, err := tlog.StoredHashesForRecordHash(int64(i), leaf, tlog.HashReaderFunc(read))
		require.NoError(t, err)
		expect = append(expect, hs...)
	}
	if len(expect) > 0 {
		all := make([]int64, len(expect))
		for i := range all {
			all[i] = int64(len(all) - 1 - i) // in reverse, to check the order
		}
		got, err := s.LogHashes(ctx, office, all)
		require.NoError(t, err)
		for i, x := range all {
			require.Equal(t, expect[x], got[i], "stored hash %d", x)
		}
	}
	root, err := tlog.TreeHash(size, tlog.HashReaderFunc(func(ix []int64) ([]tlog.Hash, error) { return s.LogHashes(ctx, office, ix) }))
	require.NoError(t, err)
	wantRoot, err := tlog.TreeHash(size, tlog.HashReaderFunc(read))
	require.NoError(t, err)
	assert.Equal(t, wantRoot, root)
}

func testLogOrder(t *testing.T, s notary.Store) {
	ctx := t.Context()
	office, other := uuid.New(), uuid.New()
	mine := logHistory(t, s, office)
	theirs := logHistory(t, s, other)
	mine = append(mine, logHistory(t, s, office)...)
	requireLog(t, s, office, nil)

	var r recorder
	n, err := s.SequenceLog(ctx, office, 1000, r.integrate)
	require.NoError(t, err)
	require.Equal(t, len(mine), n)
	assert.Equal(t, entries(mine), r.entries, "the office's events, in commit order")
	assert.Equal(t, []int64{0}, r.sizes)
	requireLog(t, s, office, entries(mine))
	requireLog(t, s, other, nil)

	// Nothing left: integrate is not called.
	n, err = s.SequenceLog(ctx, office, 1000, func(int64, []notary.LogEntry, func([]int64) ([]tlog.Hash, error)) ([]tlog.Hash, error) {
		t.Error("integrate called on an empty queue")
		return nil, nil
	})
	require.NoError(t, err)
	assert.Zero(t, n)

	// Events committed later follow, and the other office's log is its own.
	later := logHistory(t, s, office)
	n, err = s.SequenceLog(ctx, office, 1000, r.integrate)
	require.NoError(t, err)
	require.Equal(t, len(later), n)
	assert.Equal(t, int64(len(mine)), r.sizes[1])
	requireLog(t, s, office, entries(append(mine, later...)))
	_, err = s.SequenceLog(ctx, other, 1000, r.integrate)
	require.NoError(t, err)
	requireLog(t, s, other, entries(theirs))
}

func testLogBatches(t *testing.T, s notary.Store) {
	ctx := t.Context()
	office := uuid.New()
	evs := logHistory(t, s, office)
	var r recorder
	var got []int
	for {
		n, err := s.SequenceLog(ctx, office, 2, r.integrate)
		require.NoError(t, err)
		if n == 0 {
			break
		}
		got = append(got, n)
	}
	assert.Equal(t, []int{2, 2, 1}, got)
	assert.Equal(t, []int64{0, 2, 4}, r.sizes)
	requireLog(t, s, office, entries(evs))

	_, err := s.SequenceLog(ctx, office, 0, r.integrate)
	requireIs(t, err, notary.ErrInvalidInput, "limit 0")
}

func testLogCrashMidBatch(t *testing.T, s notary.Store) {
	office := uuid.New()
	evs := logHistory(t, s, office)
	boom := errors.New("sequencer crashed")

	// integrate fails after reading.
	n, err := s.SequenceLog(t.Context(), office, 3, func(size int64, es []notary.LogEntry, read func([]int64) ([]tlog.Hash, error)) ([]tlog.Hash, error) {
		if _, err := translog.Integrate(size, es, read); err != nil {
			return nil, err
		}
		return nil, boom
	})
	require.ErrorIs(t, err, boom)
	assert.Zero(t, n)
	requireLog(t, s, office, nil)

	// The context ends while the batch is being integrated.
	ctx, cancel := context.WithCancel(t.Context())
	_, err = s.SequenceLog(ctx, office, 3, func(size int64, es []notary.LogEntry, read func([]int64) ([]tlog.Hash, error)) ([]tlog.Hash, error) {
		hs, err := translog.Integrate(size, es, read)
		cancel()
		return hs, err
	})
	require.Error(t, err)
	requireLog(t, s, office, nil)

	// integrate returns too few hashes.
	_, err = s.SequenceLog(t.Context(), office, 3, func(size int64, es []notary.LogEntry, read func([]int64) ([]tlog.Hash, error)) ([]tlog.Hash, error) {
		hs, err := translog.Integrate(size, es, read)
		return hs[:len(hs)-1], err
	})
	requireIs(t, err, notary.ErrInvalidInput)
	requireLog(t, s, office, nil)

	// A second batch fails after a first one succeeded: the first stays.
	var r recorder
	n, err = s.SequenceLog(t.Context(), office, 2, r.integrate)
	require.NoError(t, err)
	require.Equal(t, 2, n)
	_, err = s.SequenceLog(t.Context(), office, 2, func(int64, []notary.LogEntry, func([]int64) ([]tlog.Hash, error)) ([]tlog.Hash, error) {
		return nil, boom
	})
	require.ErrorIs(t, err, boom)
	requireLog(t, s, office, entries(evs[:2]))

	// Nothing was lost: the next run logs the rest, once.
	n, err = s.SequenceLog(t.Context(), office, 100, r.integrate)
	require.NoError(t, err)
	assert.Equal(t, len(evs)-2, n)
	requireLog(t, s, office, entries(evs))
}

func testLogConcurrentSequencers(t *testing.T, s notary.Store) {
	ctx := t.Context()
	office := uuid.New()
	var (
		mu        sync.Mutex
		committed []notary.Event
		done      atomic.Bool
		wg        sync.WaitGroup
	)
	// Two committers keep adding events while three sequencers run.
	for range 2 {
		wg.Go(func() {
			for range 3 {
				evs := logHistory(t, s, office)
				mu.Lock()
				committed = append(committed, evs...)
				mu.Unlock()
			}
		})
	}
	var seq sync.WaitGroup
	var r recorder
	for range 3 {
		seq.Go(func() {
			for {
				last := done.Load()
				n, err := s.SequenceLog(ctx, office, 4, r.integrate)
				if !assert.NoError(t, err) {
					return
				}
				if n == 0 && last {
					return
				}
			}
		})
	}
	wg.Wait()
	done.Store(true)
	seq.Wait()

	// Every event once; each record's events in seq order; the leaves in
	// the order the sequencers were given them.
	require.Len(t, r.entries, len(committed))
	seen := map[uuid.UUID]int64{}
	for _, e := range r.entries {
		require.Equal(t, seen[e.EventID], int64(0), "event %s logged twice", e.EventID)
		seen[e.EventID] = e.Seq
	}
	for _, e := range committed {
		assert.Equal(t, e.Seq, seen[e.ID], "event %s logged", e.ID)
	}
	last := map[uuid.UUID]int64{}
	for _, e := range r.entries {
		assert.Greater(t, e.Seq, last[e.RecordID], "record %s in seq order", e.RecordID)
		last[e.RecordID] = e.Seq
	}
	requireLog(t, s, office, r.entries)
}

func testLogUnknownHash(t *testing.T, s notary.Store) {
	ctx := t.Context()
	office := uuid.New()
	_, err := s.LogHashes(ctx, office, []int64{0})
	requireIs(t, err, notary.ErrNotFound)
	logHistory(t, s, office)
	var r recorder
	_, err = s.SequenceLog(ctx, office, 100, r.integrate)
	require.NoError(t, err)
	n := tlog.StoredHashCount(5)
	_, err = s.LogHashes(ctx, office, []int64{0, n})
	requireIs(t, err, notary.ErrNotFound)
	got, err := s.LogHashes(ctx, office, nil)
	require.NoError(t, err)
	assert.Empty(t, got)
	leaves, err := s.RecordLeaves(ctx, uuid.New())
	require.NoError(t, err)
	assert.Empty(t, leaves)
	leaves, err = s.LogLeaves(ctx, office, 5, 10)
	require.NoError(t, err)
	assert.Empty(t, leaves)
}

func testLogCheckpoints(t *testing.T, s notary.Store) {
	ctx := t.Context()
	office, other := uuid.New(), uuid.New()
	cp := func(o uuid.UUID, size int64, text string, when time.Duration) notary.LogCheckpoint {
		return notary.LogCheckpoint{OfficeID: o, Size: size, Root: tlog.RecordHash([]byte(text)),
			Note: []byte("notary.example/log\n" + text + "\n"), CreatedAt: at(when)}
	}
	_, err := s.CheckpointAt(ctx, office, 0)
	requireIs(t, err, notary.ErrNotFound)
	none, err := s.Checkpoints(ctx, office, 0, 10)
	require.NoError(t, err)
	assert.Empty(t, none)

	for i, size := range []int64{3, 1, 8, 5} {
		require.NoError(t, s.AddCheckpoint(ctx, cp(office, size, "first", time.Duration(i)*time.Second)))
	}
	require.NoError(t, s.AddCheckpoint(ctx, cp(other, 4, "other", 0)))
	// The same size again keeps the first.
	require.NoError(t, s.AddCheckpoint(ctx, cp(office, 5, "second", time.Hour)))

	got, err := s.CheckpointAt(ctx, office, 5)
	require.NoError(t, err)
	want := cp(office, 5, "first", 3*time.Second)
	assert.Equal(t, want.Root, got.Root)
	assert.Equal(t, want.Note, got.Note)
	assert.Equal(t, want.CreatedAt, got.CreatedAt.UTC())
	assert.Equal(t, office, got.OfficeID)

	sizes := func(cs []notary.LogCheckpoint) []int64 {
		var out []int64
		for _, c := range cs {
			out = append(out, c.Size)
		}
		return out
	}
	all, err := s.Checkpoints(ctx, office, 0, 10)
	require.NoError(t, err)
	assert.Equal(t, []int64{8, 5, 3, 1}, sizes(all))
	page, err := s.Checkpoints(ctx, office, 8, 2)
	require.NoError(t, err)
	assert.Equal(t, []int64{5, 3}, sizes(page))
	page, err = s.Checkpoints(ctx, office, 1, 2)
	require.NoError(t, err)
	assert.Empty(t, page)
	theirs, err := s.Checkpoints(ctx, other, 0, 10)
	require.NoError(t, err)
	assert.Equal(t, []int64{4}, sizes(theirs))
}
