package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/notarykit/notarykit/notary"
)

// The transparency log's part of the store (notary.LogStore). Events are
// queued by the events_log_enqueue trigger in the transaction that stores
// them (schema version 2), so Commit and the admin writes do nothing more.

// logHashesSQL reads each stored hash (by the JSON array of indexes bound
// to it) from the batch row that holds it: the row with the greatest start
// not after the index. NULL when there is none.
const logHashesSQL = `SELECT (
	SELECT substr(h.hashes, (j.value - h.start) * 32 + 1, 32) FROM log_hashes h
	WHERE h.office_id = ?1 AND h.start <= j.value ORDER BY h.start DESC LIMIT 1)
FROM json_each(?2) AS j ORDER BY j.key`

// SequenceLog moves up to limit queued events of the office into its log,
// as documented on [notary.LogStore], in one write transaction: writers are
// serialised, so sequencers (in this or other processes) run one at a time,
// and a failure anywhere rolls the whole batch back.
func (s *Store) SequenceLog(ctx context.Context, officeID uuid.UUID, limit int, integrate notary.LogIntegrate) (int, error) {
	if limit <= 0 {
		return 0, fmt.Errorf("%w: sqlite: sequence limit %d", notary.ErrInvalidInput, limit)
	}
	office := uid(officeID)
	var n int
	err := s.write(ctx, func(tx *sql.Tx) error {
		var size int64
		err := tx.QueryRowContext(ctx, `SELECT size FROM log_heads WHERE office_id = ?`, office).Scan(&size)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return s.fail(ctx, "log size", err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT q.pos, e.record_id, e.record_kind, e.seq, e.id, e.hash
FROM log_queue q JOIN events e ON e.pos = q.pos WHERE q.office_id = ? ORDER BY q.pos LIMIT ?`, office, limit)
		if err != nil {
			return s.fail(ctx, "log queue", err)
		}
		var (
			positions []int64
			entries   []notary.LogEntry
		)
		for rows.Next() {
			var (
				pos       int64
				rec, id   sql.NullString
				kind, hex string
				seq       int64
			)
			if err := rows.Scan(&pos, &rec, &kind, &seq, &id, &hex); err != nil {
				rows.Close()
				return s.fail(ctx, "log queue", err)
			}
			e := notary.LogEntry{OfficeID: officeID, RecordKind: notary.RecordKind(kind), Seq: seq, EventHash: hex}
			if e.RecordID, err = parseUID(rec); err == nil {
				e.EventID, err = parseUID(id)
			}
			if err != nil {
				rows.Close()
				return err
			}
			positions = append(positions, pos)
			entries = append(entries, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return s.fail(ctx, "log queue", err)
		}
		if len(entries) == 0 {
			return nil
		}
		added, err := integrate(size, entries, func(indexes []int64) ([]tlog.Hash, error) {
			return s.readHashes(ctx, tx, officeID, indexes)
		})
		if err != nil {
			return err
		}
		newSize := size + int64(len(entries))
		start := tlog.StoredHashCount(size)
		if want := tlog.StoredHashCount(newSize) - start; int64(len(added)) != want {
			return fmt.Errorf("%w: sqlite: integrate returned %d hashes, want %d", notary.ErrInvalidInput, len(added), want)
		}
		blob := make([]byte, 0, len(added)*tlog.HashSize)
		for _, h := range added {
			blob = append(blob, h[:]...)
		}
		leaf, err := tx.PrepareContext(ctx, `INSERT INTO log_leaves (office_id, idx, record_id, seq) VALUES (?, ?, ?, ?)`)
		if err != nil {
			return s.fail(ctx, "log leaves", err)
		}
		defer leaf.Close()
		deq, err := tx.PrepareContext(ctx, `DELETE FROM log_queue WHERE office_id = ? AND pos = ?`)
		if err != nil {
			return s.fail(ctx, "log queue", err)
		}
		defer deq.Close()
		for i, e := range entries {
			if _, err := leaf.ExecContext(ctx, office, size+int64(i), uid(e.RecordID), e.Seq); err != nil {
				return s.fail(ctx, "log leaves", err)
			}
			if _, err := deq.ExecContext(ctx, office, positions[i]); err != nil {
				return s.fail(ctx, "log queue", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO log_hashes (office_id, start, hashes) VALUES (?, ?, ?)`, office, start, blob); err != nil {
			return s.fail(ctx, "log hashes", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO log_heads (office_id, size) VALUES (?, ?)
ON CONFLICT (office_id) DO UPDATE SET size = excluded.size`, office, newSize); err != nil {
			return s.fail(ctx, "log size", err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		n = len(entries)
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// queryer is what reading hashes needs of a connection pool or a
// transaction.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// readHashes reads stored hashes of the office's log with q.
func (s *Store) readHashes(ctx context.Context, q queryer, officeID uuid.UUID, indexes []int64) ([]tlog.Hash, error) {
	if len(indexes) == 0 {
		return []tlog.Hash{}, nil
	}
	arg, err := json.Marshal(indexes)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, logHashesSQL, uid(officeID), string(arg))
	if err != nil {
		return nil, s.fail(ctx, "log hashes", err)
	}
	defer rows.Close()
	out := make([]tlog.Hash, 0, len(indexes))
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, s.fail(ctx, "log hashes", err)
		}
		i := len(out)
		if len(b) != tlog.HashSize || indexes[i] < 0 {
			return nil, fmt.Errorf("%w: stored hash %d of the log of office %s", notary.ErrNotFound, indexes[i], officeID)
		}
		out = append(out, tlog.Hash(b))
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "log hashes", err)
	}
	return out, nil
}

// LogSize returns the number of leaves in the office's log.
func (s *Store) LogSize(ctx context.Context, officeID uuid.UUID) (int64, error) {
	var size int64
	err := s.r.QueryRowContext(ctx, `SELECT size FROM log_heads WHERE office_id = ?`, uid(officeID)).Scan(&size)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, s.fail(ctx, "log size", err)
	}
	return size, nil
}

// LogHashes returns stored hashes of the office's log.
func (s *Store) LogHashes(ctx context.Context, officeID uuid.UUID, indexes []int64) ([]tlog.Hash, error) {
	return s.readHashes(ctx, s.r, officeID, indexes)
}

// RecordLeaves returns the leaves of the record's logged events.
func (s *Store) RecordLeaves(ctx context.Context, recordID uuid.UUID) ([]notary.LogLeaf, error) {
	return s.leaves(ctx, `SELECT idx, record_id, seq FROM log_leaves WHERE record_id = ? ORDER BY seq`, uid(recordID))
}

// LogLeaves returns leaves of the office's log from index start on.
func (s *Store) LogLeaves(ctx context.Context, officeID uuid.UUID, start int64, limit int) ([]notary.LogLeaf, error) {
	if limit <= 0 {
		limit = 50
	}
	return s.leaves(ctx, `SELECT idx, record_id, seq FROM log_leaves WHERE office_id = ? AND idx >= ? ORDER BY idx LIMIT ?`,
		uid(officeID), start, limit)
}

func (s *Store) leaves(ctx context.Context, query string, args ...any) ([]notary.LogLeaf, error) {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, s.fail(ctx, "log leaves", err)
	}
	defer rows.Close()
	var out []notary.LogLeaf
	for rows.Next() {
		var (
			l   notary.LogLeaf
			rec sql.NullString
		)
		if err := rows.Scan(&l.Index, &rec, &l.Seq); err != nil {
			return nil, s.fail(ctx, "log leaves", err)
		}
		if l.RecordID, err = parseUID(rec); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "log leaves", err)
	}
	return out, nil
}

// AddCheckpoint stores a checkpoint unless one of its size exists.
func (s *Store) AddCheckpoint(ctx context.Context, c notary.LogCheckpoint) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO log_checkpoints (office_id, size, root, note, created_at)
VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, uid(c.OfficeID), c.Size, c.Root[:], c.Note, ts(c.CreatedAt))
		if err != nil {
			return s.fail(ctx, "add checkpoint", err)
		}
		return nil
	})
}

const checkpointColumns = `office_id, size, root, note, created_at`

func scanCheckpoint(row interface{ Scan(...any) error }) (notary.LogCheckpoint, error) {
	var (
		c           notary.LogCheckpoint
		office, at  sql.NullString
		root, noted []byte
	)
	if err := row.Scan(&office, &c.Size, &root, &noted, &at); err != nil {
		return c, err
	}
	if len(root) != tlog.HashSize {
		return c, fmt.Errorf("sqlite: checkpoint of size %d: root of %d bytes", c.Size, len(root))
	}
	var err error
	if c.OfficeID, err = parseUID(office); err != nil {
		return c, err
	}
	if c.CreatedAt, err = parseTS(at); err != nil {
		return c, err
	}
	c.Root, c.Note = tlog.Hash(root), noted
	return c, nil
}

// Checkpoints lists the office's checkpoints, largest first.
func (s *Store) Checkpoints(ctx context.Context, officeID uuid.UUID, beforeSize int64, limit int) ([]notary.LogCheckpoint, error) {
	if limit <= 0 {
		limit = 50
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+checkpointColumns+` FROM log_checkpoints
WHERE office_id = ? AND (? <= 0 OR size < ?) ORDER BY size DESC LIMIT ?`, uid(officeID), beforeSize, beforeSize, limit)
	if err != nil {
		return nil, s.fail(ctx, "checkpoints", err)
	}
	defer rows.Close()
	var out []notary.LogCheckpoint
	for rows.Next() {
		c, err := scanCheckpoint(rows)
		if err != nil {
			return nil, s.fail(ctx, "checkpoints", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "checkpoints", err)
	}
	return out, nil
}

// CheckpointAt returns the office's checkpoint of that size.
func (s *Store) CheckpointAt(ctx context.Context, officeID uuid.UUID, size int64) (notary.LogCheckpoint, error) {
	c, err := scanCheckpoint(s.r.QueryRowContext(ctx, `SELECT `+checkpointColumns+` FROM log_checkpoints
WHERE office_id = ? AND size = ?`, uid(officeID), size))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("%w: checkpoint of size %d", notary.ErrNotFound, size)
	}
	if err != nil {
		return c, s.fail(ctx, "checkpoint", err)
	}
	return c, nil
}
