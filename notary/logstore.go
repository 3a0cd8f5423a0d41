package notary

import (
	"context"
	"time"

	"github.com/google/uuid"
	"golang.org/x/mod/sumdb/tlog"
)

// LogEntry is an audit event as the office's transparency log sees it:
// what its leaf commits to (see package notary/translog).
type LogEntry struct {
	OfficeID   uuid.UUID
	RecordID   uuid.UUID
	RecordKind RecordKind
	Seq        int64
	EventID    uuid.UUID
	EventHash  string // hex SHA-256 of the event (Event.Hash)
}

// LogLeaf is the place of an audit event in its office's log.
type LogLeaf struct {
	Index    int64 // 0-based leaf index
	RecordID uuid.UUID
	Seq      int64
}

// LogIntegrate computes the hashes that appending entries (in order) to a
// log of size leaves adds to the log's stored hashes: tlog's stored
// hashes, StoredHashCount(size+len(entries)) - StoredHashCount(size) of
// them. read returns stored hashes already in the log, by stored-hash
// index, within the same transaction.
type LogIntegrate func(size int64, entries []LogEntry, read func(indexes []int64) ([]tlog.Hash, error)) ([]tlog.Hash, error)

// LogCheckpoint is a signed checkpoint of an office's log.
type LogCheckpoint struct {
	OfficeID  uuid.UUID
	Size      int64
	Root      tlog.Hash
	Note      []byte // the signed note (C2SP checkpoint)
	CreatedAt time.Time
}

// LogStore keeps each office's append-only transparency log of audit
// events: the queue of committed events not yet in the log, the log's
// leaves and stored hashes, and its signed checkpoints. Every audit event a
// Records or AdminStore call stores is due for the log once that call
// commits, without more work in its transaction than a queue entry (or, in
// PostgreSQL, the transaction ID the event row records); the sequencer
// moves due events into the log in batches with SequenceLog. The store decides nothing: the
// hashes come from the caller (package notary/translog).
type LogStore interface {
	// SequenceLog moves up to limit of the office's queued events into its
	// log, in one transaction that holds the office's sequencing lock (so
	// concurrent callers, in any process, sequence one at a time and never
	// log an event twice). It calls integrate with the log's size and the
	// queued entries, oldest enqueued first (an event's record
	// predecessors come before it), gives the entries the next indexes in
	// that order, appends the hashes integrate returns and removes the
	// entries from the queue. If integrate fails, the context ends or the
	// store fails, nothing changes; a limit below 1, or integrate
	// returning a number of hashes other than tlog.StoredHashCount(size+n)
	// - tlog.StoredHashCount(size) for n entries, is an error wrapping
	// ErrInvalidInput that changes nothing either. It returns how many entries it logged
	// (0 when the queue is empty, without calling integrate).
	SequenceLog(ctx context.Context, officeID uuid.UUID, limit int, integrate LogIntegrate) (int, error)
	// LogSize returns the number of leaves in the office's log.
	LogSize(ctx context.Context, officeID uuid.UUID) (int64, error)
	// LogHashes returns the office log's stored hashes at the given
	// stored-hash indexes, in order. An index not stored is an error
	// wrapping ErrNotFound.
	LogHashes(ctx context.Context, officeID uuid.UUID, indexes []int64) ([]tlog.Hash, error)
	// RecordLeaves returns the leaves of a record's logged events in Seq
	// order (empty for a record with none logged).
	RecordLeaves(ctx context.Context, recordID uuid.UUID) ([]LogLeaf, error)
	// LogLeaves returns up to limit leaves of the office's log from index
	// start on, in index order.
	LogLeaves(ctx context.Context, officeID uuid.UUID, start int64, limit int) ([]LogLeaf, error)
	// AddCheckpoint stores a signed checkpoint. A checkpoint of a size the
	// office already has is not stored again (the first one stays), and
	// that is not an error.
	AddCheckpoint(ctx context.Context, c LogCheckpoint) error
	// Checkpoints returns up to limit of the office's checkpoints, largest
	// first, smaller than beforeSize (every one when beforeSize <= 0).
	Checkpoints(ctx context.Context, officeID uuid.UUID, beforeSize int64, limit int) ([]LogCheckpoint, error)
	// CheckpointAt returns the office's checkpoint of that size, or
	// ErrNotFound.
	CheckpointAt(ctx context.Context, officeID uuid.UUID, size int64) (LogCheckpoint, error)
}
