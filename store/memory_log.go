package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/google/uuid"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/notarykit/notarykit/notary"
)

// memoryLog is the Memory store's part of notary.LogStore. The queue is
// guarded by Memory.mu, as it grows in the transactions that store events;
// the logs themselves by mu, which a sequencing batch holds throughout, so
// sequencers run one at a time without blocking commits.
type memoryLog struct {
	queue map[uuid.UUID][]notary.LogEntry // per office, oldest first; under Memory.mu

	mu      sync.RWMutex
	offices map[uuid.UUID]*officeLog
	records map[uuid.UUID][]notary.LogLeaf // per record, in seq order
}

type officeLog struct {
	hashes      []tlog.Hash
	leaves      []notary.LogLeaf
	checkpoints []notary.LogCheckpoint // by size ascending
}

// enqueue queues a stored event for the log; the caller holds Memory.mu.
func (l *memoryLog) enqueue(ev notary.Event) {
	if l.queue == nil {
		l.queue = map[uuid.UUID][]notary.LogEntry{}
	}
	l.queue[ev.OfficeID] = append(l.queue[ev.OfficeID], notary.LogEntry{OfficeID: ev.OfficeID, RecordID: ev.RecordID,
		RecordKind: ev.RecordKind, Seq: ev.Seq, EventID: ev.ID, EventHash: ev.Hash})
}

// office returns the office's log, creating it; the caller holds l.mu.
func (l *memoryLog) office(id uuid.UUID) *officeLog {
	if l.offices == nil {
		l.offices = map[uuid.UUID]*officeLog{}
		l.records = map[uuid.UUID][]notary.LogLeaf{}
	}
	o := l.offices[id]
	if o == nil {
		o = &officeLog{}
		l.offices[id] = o
	}
	return o
}

func (o *officeLog) read(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(o.hashes)) {
			return nil, fmt.Errorf("%w: stored hash %d of a log with %d", notary.ErrNotFound, x, len(o.hashes))
		}
		out[i] = o.hashes[x]
	}
	return out, nil
}

// SequenceLog moves up to limit queued events of the office into its log.
func (m *Memory) SequenceLog(ctx context.Context, officeID uuid.UUID, limit int, integrate notary.LogIntegrate) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if limit <= 0 {
		return 0, fmt.Errorf("%w: sequence limit %d", notary.ErrInvalidInput, limit)
	}
	l := &m.log
	l.mu.Lock()
	defer l.mu.Unlock()
	// Only sequencers, which l.mu serialises, remove from the queue, so the
	// head taken here is still the head when it is removed below.
	m.mu.RLock()
	batch := slices.Clone(l.queue[officeID][:min(limit, len(l.queue[officeID]))])
	m.mu.RUnlock()
	if len(batch) == 0 {
		return 0, nil
	}
	o := l.office(officeID)
	size := int64(len(o.leaves))
	added, err := integrate(size, slices.Clone(batch), o.read)
	if err != nil {
		return 0, err
	}
	if want := tlog.StoredHashCount(size+int64(len(batch))) - int64(len(o.hashes)); int64(len(added)) != want {
		return 0, fmt.Errorf("%w: integrate returned %d hashes, want %d", notary.ErrInvalidInput, len(added), want)
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	o.hashes = append(o.hashes, added...)
	for i, e := range batch {
		leaf := notary.LogLeaf{Index: size + int64(i), RecordID: e.RecordID, Seq: e.Seq}
		o.leaves = append(o.leaves, leaf)
		l.records[e.RecordID] = append(l.records[e.RecordID], leaf)
	}
	m.mu.Lock()
	l.queue[officeID] = slices.Delete(l.queue[officeID], 0, len(batch))
	m.mu.Unlock()
	return len(batch), nil
}

// LogSize returns the number of leaves in the office's log.
func (m *Memory) LogSize(ctx context.Context, officeID uuid.UUID) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m.log.mu.RLock()
	defer m.log.mu.RUnlock()
	if o := m.log.offices[officeID]; o != nil {
		return int64(len(o.leaves)), nil
	}
	return 0, nil
}

// LogHashes returns stored hashes of the office's log.
func (m *Memory) LogHashes(ctx context.Context, officeID uuid.UUID, indexes []int64) ([]tlog.Hash, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.log.mu.RLock()
	defer m.log.mu.RUnlock()
	o := m.log.offices[officeID]
	if o == nil {
		o = &officeLog{}
	}
	return o.read(indexes)
}

// RecordLeaves returns the leaves of the record's logged events.
func (m *Memory) RecordLeaves(ctx context.Context, recordID uuid.UUID) ([]notary.LogLeaf, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.log.mu.RLock()
	defer m.log.mu.RUnlock()
	return slices.Clone(m.log.records[recordID]), nil
}

// LogLeaves returns leaves of the office's log from index start on.
func (m *Memory) LogLeaves(ctx context.Context, officeID uuid.UUID, start int64, limit int) ([]notary.LogLeaf, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = defaultLimit
	}
	m.log.mu.RLock()
	defer m.log.mu.RUnlock()
	o := m.log.offices[officeID]
	if o == nil || start < 0 || start >= int64(len(o.leaves)) {
		return nil, nil
	}
	return slices.Clone(o.leaves[start:min(int64(len(o.leaves)), start+int64(limit))]), nil
}

// AddCheckpoint stores a checkpoint unless one of its size exists.
func (m *Memory) AddCheckpoint(ctx context.Context, c notary.LogCheckpoint) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.log.mu.Lock()
	defer m.log.mu.Unlock()
	o := m.log.office(c.OfficeID)
	i, found := sort.Find(len(o.checkpoints), func(i int) int { return cmp.Compare(c.Size, o.checkpoints[i].Size) })
	if found {
		return nil
	}
	c.Note = slices.Clone(c.Note)
	c.CreatedAt = c.CreatedAt.UTC()
	o.checkpoints = slices.Insert(o.checkpoints, i, c)
	return nil
}

// Checkpoints lists the office's checkpoints, largest first.
func (m *Memory) Checkpoints(ctx context.Context, officeID uuid.UUID, beforeSize int64, limit int) ([]notary.LogCheckpoint, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = defaultLimit
	}
	m.log.mu.RLock()
	defer m.log.mu.RUnlock()
	o := m.log.offices[officeID]
	if o == nil {
		return nil, nil
	}
	var out []notary.LogCheckpoint
	for i := len(o.checkpoints) - 1; i >= 0 && len(out) < limit; i-- {
		if c := o.checkpoints[i]; beforeSize <= 0 || c.Size < beforeSize {
			c.Note = slices.Clone(c.Note)
			out = append(out, c)
		}
	}
	return out, nil
}

// CheckpointAt returns the office's checkpoint of that size.
func (m *Memory) CheckpointAt(ctx context.Context, officeID uuid.UUID, size int64) (notary.LogCheckpoint, error) {
	if err := ctx.Err(); err != nil {
		return notary.LogCheckpoint{}, err
	}
	m.log.mu.RLock()
	defer m.log.mu.RUnlock()
	if o := m.log.offices[officeID]; o != nil {
		if i, ok := sort.Find(len(o.checkpoints), func(i int) int { return cmp.Compare(size, o.checkpoints[i].Size) }); ok {
			c := o.checkpoints[i]
			c.Note = slices.Clone(c.Note)
			return c, nil
		}
	}
	return notary.LogCheckpoint{}, fmt.Errorf("%w: checkpoint of size %d", notary.ErrNotFound, size)
}
