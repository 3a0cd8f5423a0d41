package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/notarykit/notarykit/notary"
)

// The transparency log's part of the store (notary.LogStore). Events are
// queued by the events_log_enqueue trigger in the transaction that stores
// them (migration 00004), so Commit and the admin writes send nothing more.

const (
	lockLogHeadSQL = `SELECT size FROM log_heads WHERE office_id = $1 FOR UPDATE`
	newLogHeadSQL  = `INSERT INTO log_heads (office_id, size) VALUES ($1, 0) ON CONFLICT DO NOTHING`

	queuedSQL = `SELECT q.id, e.record_id, e.record_kind, e.seq, e.id, e.hash
FROM log_queue q JOIN events e ON e.record_id = q.record_id AND e.seq = q.seq
WHERE q.office_id = $1 ORDER BY q.id LIMIT $2`

	insertLeavesSQL = `INSERT INTO log_leaves (office_id, idx, record_id, seq)
SELECT $1, $2 + u.ord - 1, u.r, u.s FROM unnest($3::uuid[], $4::bigint[]) WITH ORDINALITY AS u(r, s, ord)`
	insertHashesSQL = `INSERT INTO log_hashes (office_id, start, hashes) VALUES ($1, $2, $3)`
	dequeueSQL      = `DELETE FROM log_queue WHERE office_id = $1 AND id = ANY($2::bigint[])`
	setLogSizeSQL   = `UPDATE log_heads SET size = $2 WHERE office_id = $1`

	// logHashesSQL reads each stored hash from the batch row that holds
	// it: the row with the greatest start not after the index.
	logHashesSQL = `SELECT substring(h.hashes FROM ((u.i - h.start) * 32 + 1)::int FOR 32)
FROM unnest($2::bigint[]) WITH ORDINALITY AS u(i, ord)
LEFT JOIN LATERAL (
	SELECT start, hashes FROM log_hashes WHERE office_id = $1 AND start <= u.i ORDER BY start DESC LIMIT 1
) h ON true
ORDER BY u.ord`
)

// querier is what reads need of a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// SequenceLog moves up to limit queued events of the office into its log,
// as documented on [notary.LogStore]. The batch runs in one transaction
// that first locks the office's log_heads row, which serialises sequencers
// of the office across processes; a crash anywhere before the commit
// leaves the queue and the log as they were.
func (s *Store) SequenceLog(ctx context.Context, officeID uuid.UUID, limit int, integrate notary.LogIntegrate) (n int, err error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if limit <= 0 {
		return 0, invalid("sequence limit %d", limit)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return 0, dbError(err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	office := pgid(officeID)
	var size int64
	err = tx.QueryRow(ctx, lockLogHeadSQL, office).Scan(&size)
	if errors.Is(err, pgx.ErrNoRows) {
		if _, err = tx.Exec(ctx, newLogHeadSQL, office); err == nil {
			err = tx.QueryRow(ctx, lockLogHeadSQL, office).Scan(&size)
		}
	}
	if err != nil {
		return 0, dbError(err)
	}

	rows, err := tx.Query(ctx, queuedSQL, office, limit)
	if err != nil {
		return 0, dbError(err)
	}
	var (
		queueIDs []int64
		entries  []notary.LogEntry
	)
	for rows.Next() {
		var (
			qid  int64
			e    = notary.LogEntry{OfficeID: officeID}
			kind string
		)
		if err := rows.Scan(&qid, &e.RecordID, &kind, &e.Seq, &e.EventID, &e.EventHash); err != nil {
			rows.Close()
			return 0, dbError(err)
		}
		e.RecordKind = notary.RecordKind(kind)
		queueIDs = append(queueIDs, qid)
		entries = append(entries, e)
	}
	if err := rows.Err(); err != nil {
		return 0, dbError(err)
	}
	if len(entries) == 0 {
		return 0, tx.Rollback(ctx)
	}

	added, err := integrate(size, entries, func(indexes []int64) ([]tlog.Hash, error) {
		return readHashes(ctx, tx, officeID, indexes)
	})
	if err != nil {
		return 0, err
	}
	newSize := size + int64(len(entries))
	start := tlog.StoredHashCount(size)
	if want := tlog.StoredHashCount(newSize) - start; int64(len(added)) != want {
		return 0, invalid("integrate returned %d hashes, want %d", len(added), want)
	}
	recs := make([]uuid.UUID, len(entries))
	seqs := make([]int64, len(entries))
	for i, e := range entries {
		recs[i], seqs[i] = e.RecordID, e.Seq
	}
	blob := make([]byte, 0, len(added)*tlog.HashSize)
	for _, h := range added {
		blob = append(blob, h[:]...)
	}
	b := &pgx.Batch{}
	b.Queue(insertLeavesSQL, office, size, recs, seqs)
	b.Queue(insertHashesSQL, office, start, blob)
	b.Queue(dequeueSQL, office, queueIDs)
	b.Queue(setLogSizeSQL, office, newSize)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return 0, dbError(err)
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, dbError(err)
	}
	return len(entries), nil
}

// readHashes reads stored hashes of the office's log with q.
func readHashes(ctx context.Context, q querier, officeID uuid.UUID, indexes []int64) ([]tlog.Hash, error) {
	if len(indexes) == 0 {
		return []tlog.Hash{}, nil
	}
	rows, err := q.Query(ctx, logHashesSQL, pgid(officeID), indexes)
	if err != nil {
		return nil, dbError(err)
	}
	defer rows.Close()
	out := make([]tlog.Hash, 0, len(indexes))
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, dbError(err)
		}
		i := len(out)
		if len(b) != tlog.HashSize || indexes[i] < 0 {
			return nil, fmt.Errorf("%w: stored hash %d of the log of office %s", notary.ErrNotFound, indexes[i], officeID)
		}
		out = append(out, tlog.Hash(b))
	}
	if err := rows.Err(); err != nil {
		return nil, dbError(err)
	}
	return out, nil
}

// LogSize returns the number of leaves in the office's log.
func (s *Store) LogSize(ctx context.Context, officeID uuid.UUID) (int64, error) {
	var size int64
	err := s.pool.QueryRow(ctx, `SELECT size FROM log_heads WHERE office_id = $1`, pgid(officeID)).Scan(&size)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return size, dbError(err)
}

// LogHashes returns stored hashes of the office's log.
func (s *Store) LogHashes(ctx context.Context, officeID uuid.UUID, indexes []int64) ([]tlog.Hash, error) {
	return readHashes(ctx, s.pool, officeID, indexes)
}

// RecordLeaves returns the leaves of the record's logged events.
func (s *Store) RecordLeaves(ctx context.Context, recordID uuid.UUID) ([]notary.LogLeaf, error) {
	rows, err := s.pool.Query(ctx, `SELECT idx, record_id, seq FROM log_leaves WHERE record_id = $1 ORDER BY seq`, pgid(recordID))
	return collect(rows, err, scanLeaf)
}

// LogLeaves returns leaves of the office's log from index start on.
func (s *Store) LogLeaves(ctx context.Context, officeID uuid.UUID, start int64, limit int) ([]notary.LogLeaf, error) {
	if limit <= 0 {
		limit = 50
	}
	rows, err := s.pool.Query(ctx, `SELECT idx, record_id, seq FROM log_leaves
WHERE office_id = $1 AND idx >= $2 ORDER BY idx LIMIT $3`, pgid(officeID), start, limit)
	return collect(rows, err, scanLeaf)
}

func scanLeaf(row pgx.Row) (notary.LogLeaf, error) {
	var l notary.LogLeaf
	err := row.Scan(&l.Index, &l.RecordID, &l.Seq)
	return l, err
}

// AddCheckpoint stores a checkpoint unless one of its size exists.
func (s *Store) AddCheckpoint(ctx context.Context, c notary.LogCheckpoint) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO log_checkpoints (office_id, size, root, note, created_at)
VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, pgid(c.OfficeID), c.Size, c.Root[:], c.Note, utc(c.CreatedAt))
	return dbError(err)
}

const checkpointColumns = `office_id, size, root, note, created_at`

func scanCheckpoint(row pgx.Row) (notary.LogCheckpoint, error) {
	var (
		c    notary.LogCheckpoint
		root []byte
		at   time.Time
	)
	if err := row.Scan(&c.OfficeID, &c.Size, &root, &c.Note, &at); err != nil {
		return c, err
	}
	if len(root) != tlog.HashSize {
		return c, fmt.Errorf("checkpoint of size %d: root of %d bytes", c.Size, len(root))
	}
	c.Root, c.CreatedAt = tlog.Hash(root), utc(at)
	return c, nil
}

// Checkpoints lists the office's checkpoints, largest first.
func (s *Store) Checkpoints(ctx context.Context, officeID uuid.UUID, beforeSize int64, limit int) ([]notary.LogCheckpoint, error) {
	if limit <= 0 {
		limit = 50
	}
	rows, err := s.pool.Query(ctx, `SELECT `+checkpointColumns+` FROM log_checkpoints
WHERE office_id = $1 AND ($2 <= 0 OR size < $2) ORDER BY size DESC LIMIT $3`, pgid(officeID), beforeSize, limit)
	return collect(rows, err, scanCheckpoint)
}

// CheckpointAt returns the office's checkpoint of that size.
func (s *Store) CheckpointAt(ctx context.Context, officeID uuid.UUID, size int64) (notary.LogCheckpoint, error) {
	c, err := scanCheckpoint(s.pool.QueryRow(ctx, `SELECT `+checkpointColumns+` FROM log_checkpoints
WHERE office_id = $1 AND size = $2`, pgid(officeID), size))
	if errors.Is(err, pgx.ErrNoRows) {
		return c, fmt.Errorf("%w: checkpoint of size %d", notary.ErrNotFound, size)
	}
	return c, dbError(err)
}
