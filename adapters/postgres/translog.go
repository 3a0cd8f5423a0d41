package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/notarykit/notarykit/notary"
)

// The transparency log's part of the store (notary.LogStore). Commit and
// the admin writes send nothing for the log: every event row records the
// ID of the transaction that wrote it (the xid column's default, migration
// 00013), and the sequencer finds committed events by transaction
// snapshots kept in the office's log_heads row:
//
//   - done: every event whose transaction is visible in this snapshot is in
//     the log;
//   - target: the snapshot the current run of batches drains, the events
//     visible in it and not in done; NULL between runs;
//   - last_xid, last_record, last_seq: where the previous batch of the
//     run, cut by its limit, stopped in (xid, record_id, seq) order.
//
// A transaction that started before a later one but commits after it is
// in progress in the snapshot that logs the later one, so its events are
// taken by a later run rather than skipped: a position in commit-ID order
// is never final before every transaction that could still take a lower
// one has ended, and the snapshots say exactly which have. A record's
// events are logged in seq order, because a transaction that appends to a
// record read the record after the previous append committed, so it took
// its transaction ID later and is visible in no snapshot that misses the
// previous one.
//
// Events stored before migration 00013 have no xid; those not logged then
// wait in log_queue, which the sequencer empties first.
//
// Leaves: a batch of queued events stores a log_leaves row per event; a
// batch found by the snapshots stores one log_batches row (migration
// 00017) with its events in leaf order, its done and target snapshots and
// its first event's position. A record's leaves are those of its events in
// log_leaves, and for each of its events with an xid, its place in the
// batch that logged it: of the batches of the run whose target sees the
// event's transaction and whose done does not (exactly one run: targets
// only ever see more), the one with the greatest first position not after
// the event's, since a run's batches split its events in position order.
// The runs are found in the order of their targets' xmax, which never
// decreases from one run to the next; each run before the event's with an
// xmax above its xid had the event's transaction in progress.

const (
	lockLogHeadSQL = `SELECT size, done::text, target::text, last_xid::text, last_record, last_seq
FROM log_heads WHERE office_id = $1 FOR UPDATE`
	newLogHeadSQL = `INSERT INTO log_heads (office_id, size) VALUES ($1, 0) ON CONFLICT DO NOTHING`

	queuedSQL = `SELECT q.id, e.record_id, e.record_kind, e.seq, e.id, e.hash
FROM log_queue q JOIN events e ON e.record_id = q.record_id AND e.seq = q.seq
WHERE q.office_id = $1 ORDER BY q.id LIMIT $2`

	// lateEventsSQL selects the events of transactions in progress in
	// done (their IDs, $2) and visible in target ($3), after the place
	// $4-$6 (a filter, IS TRUE keeps it out of the index scan, which
	// looks the IDs up); nextEventsSQL those of transactions that started
	// after done, up to target. Every xid of the first is below every xid
	// of the second.
	lateEventsSQL = `SELECT e.xid::text, e.record_id, e.record_kind, e.seq, e.id, e.hash FROM events e
WHERE e.office_id = $1 AND e.xid = ANY($2::text[]::xid8[])
	AND pg_visible_in_snapshot(e.xid, $3::text::pg_snapshot)
	AND ((e.xid, e.record_id, e.seq) > ($4::text::xid8, $5::uuid, $6::bigint)) IS TRUE
ORDER BY e.xid, e.record_id, e.seq LIMIT $7`
	//
	// nextEventsSQL has one lower bound, the row comparison (see
	// logPlace.nextStart), so that the index scan starts there: with a
	// second one on xid alone, a batch would read the run's events from
	// its start again.
	nextEventsSQL = `SELECT e.xid::text, e.record_id, e.record_kind, e.seq, e.id, e.hash FROM events e
WHERE e.office_id = $1 AND (e.xid, e.record_id, e.seq) > ($2::text::xid8, $3::uuid, $4::bigint)
	AND e.xid < pg_snapshot_xmax($5::text::pg_snapshot) AND pg_visible_in_snapshot(e.xid, $5::text::pg_snapshot)
ORDER BY e.xid, e.record_id, e.seq LIMIT $6`

	// insertLeavesSQL stores the leaves of a batch of queued events (see
	// above), one row each; insertBatchSQL those of a batch found by the
	// snapshots, in one row (migration 00017).
	insertLeavesSQL = `INSERT INTO log_leaves (office_id, idx, record_id, seq)
SELECT $1, $2 + u.ord - 1, u.r, u.s FROM unnest($3::uuid[], $4::bigint[]) WITH ORDINALITY AS u(r, s, ord)`
	insertBatchSQL = `INSERT INTO log_batches (office_id, start, done, target, target_xmax, first_xid, first_record, first_seq,
	records, seqs)
VALUES ($1, $2, $3::text::pg_snapshot, $4::text::pg_snapshot, pg_snapshot_xmax($4::text::pg_snapshot), $5::text::xid8,
	$6, $7, $8, $9)`
	insertHashesSQL = `INSERT INTO log_hashes (office_id, start, hashes) VALUES ($1, $2, $3)`
	dequeueSQL      = `DELETE FROM log_queue WHERE office_id = $1 AND id = ANY($2::bigint[])`
	setLogSizeSQL   = `UPDATE log_heads SET size = $2 WHERE office_id = $1`
	setLogPlaceSQL  = `UPDATE log_heads SET size = $2, done = $3::text::pg_snapshot, target = $4::text::pg_snapshot,
	last_xid = $5::text::xid8, last_record = $6, last_seq = $7 WHERE office_id = $1`

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

// logPlace is the sequencer's place in an office's events (see above).
type logPlace struct {
	done, target pgtype.Text
	lastXID      pgtype.Text
	lastRecord   pgtype.UUID
	lastSeq      pgtype.Int8
}

// after returns the place a batch starts after: the start of every
// position when the run has none.
func (p logPlace) after() (xid string, record pgtype.UUID, seq int64) {
	if !p.lastXID.Valid {
		return "0", pgtype.UUID{Valid: true}, 0
	}
	return p.lastXID.String, p.lastRecord, p.lastSeq.Int64
}

// nextStart returns the place the events of transactions that started
// after done are read from: the run's place once it is past done's xmax,
// else just before (xmax, nil UUID, seq 1).
func (p logPlace) nextStart() (xid string, record pgtype.UUID, seq int64, err error) {
	parts := strings.Split(p.done.String, ":")
	if len(parts) != 3 {
		return "", record, 0, fmt.Errorf("postgres: log place: snapshot %q", p.done.String)
	}
	xmax, err := strconv.ParseUint(parts[1], 10, 64)
	if err != nil {
		return "", record, 0, fmt.Errorf("postgres: log place: snapshot %q: %w", p.done.String, err)
	}
	if p.lastXID.Valid {
		last, err := strconv.ParseUint(p.lastXID.String, 10, 64)
		if err != nil {
			return "", record, 0, fmt.Errorf("postgres: log place: xid %q: %w", p.lastXID.String, err)
		}
		if last >= xmax {
			xid, record, seq := p.after()
			return xid, record, seq, nil
		}
	}
	return parts[1], pgtype.UUID{Valid: true}, 0, nil
}

// late returns the IDs of the transactions in progress in done (its
// xip list), whose events later batches still take.
func (p logPlace) late() []string {
	parts := strings.Split(p.done.String, ":")
	if len(parts) != 3 || parts[2] == "" {
		return nil
	}
	return strings.Split(parts[2], ",")
}

// SequenceLog moves up to limit committed events of the office that are
// not in its log yet into it, as documented on [notary.LogStore]. The
// batch runs in one transaction that first locks the office's log_heads
// row, which serialises sequencers of the office across processes; a crash
// anywhere before the commit leaves the log and the sequencer's place as
// they were.
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
	var (
		size  int64
		place logPlace
	)
	lock := func() error {
		return tx.QueryRow(ctx, lockLogHeadSQL, office).Scan(&size, &place.done, &place.target, &place.lastXID,
			&place.lastRecord, &place.lastSeq)
	}
	err = lock()
	if errors.Is(err, pgx.ErrNoRows) {
		if _, err = tx.Exec(ctx, newLogHeadSQL, office); err == nil {
			err = lock()
		}
	}
	if err != nil {
		return 0, dbError(err)
	}

	// Events queued before migration 00013 come first.
	var queueIDs []int64
	entries, err := queryEntries(ctx, tx, queuedSQL, func(row pgx.Row, e *notary.LogEntry, kind *string) error {
		var qid int64
		err := row.Scan(&qid, &e.RecordID, kind, &e.Seq, &e.EventID, &e.EventHash)
		queueIDs = append(queueIDs, qid)
		return err
	}, officeID, office, limit)
	if err != nil {
		return 0, err
	}
	var first, last string // the xids of the first and the last entry
	if len(entries) == 0 {
		entries, first, last, err = s.nextEntries(ctx, tx, officeID, limit, &place)
		if err != nil {
			return 0, err
		}
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
	// pgtype.UUID, not uuid.UUID: pgx encodes the latter as a
	// driver.Valuer, through its text.
	recs := make([]pgtype.UUID, len(entries))
	seqs := make([]int64, len(entries))
	for i, e := range entries {
		recs[i], seqs[i] = pgid(e.RecordID), e.Seq
	}
	blob := make([]byte, 0, len(added)*tlog.HashSize)
	for _, h := range added {
		blob = append(blob, h[:]...)
	}
	b := &pgx.Batch{}
	b.Queue(insertHashesSQL, office, start, blob)
	if queueIDs != nil {
		b.Queue(insertLeavesSQL, office, size, recs, seqs)
		b.Queue(dequeueSQL, office, queueIDs)
		b.Queue(setLogSizeSQL, office, newSize)
	} else {
		b.Queue(insertBatchSQL, office, size, place.done, place.target, first, recs[0], seqs[0], recs, seqs)
		// A batch that did not fill its limit drained its target.
		lastXID, lastRecord, lastSeq := pgtype.Text{}, pgtype.UUID{}, pgtype.Int8{}
		done, target := place.done, place.target
		if len(entries) < limit {
			done, target = target, pgtype.Text{}
		} else {
			e := entries[len(entries)-1]
			lastXID, lastRecord, lastSeq = pgtype.Text{String: last, Valid: true}, pgid(e.RecordID), pgtype.Int8{Int64: e.Seq, Valid: true}
		}
		b.Queue(setLogPlaceSQL, office, newSize, done, target, lastXID, lastRecord, lastSeq)
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return 0, dbError(err)
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, dbError(err)
	}
	return len(entries), nil
}

// nextEntries reads up to limit events of the office after place, from
// the transactions visible in place's target and not in its done, and
// returns them with the xids of the first and the last one. When place
// has no target, or its target is drained, it takes the current snapshot
// as the target (updating place; a drained target becomes done).
func (s *Store) nextEntries(ctx context.Context, tx pgx.Tx, officeID uuid.UUID, limit int, place *logPlace) (entries []notary.LogEntry, first, last string, err error) {
	for fresh := false; ; {
		if !place.target.Valid {
			if err := tx.QueryRow(ctx, `SELECT pg_current_snapshot()::text`).Scan(&place.target); err != nil {
				return nil, "", "", dbError(err)
			}
			fresh = true
		}
		first, last = "", ""
		scan := func(row pgx.Row, e *notary.LogEntry, kind *string) error {
			var rec, ev pgtype.UUID
			if err := row.Scan(&last, &rec, kind, &e.Seq, &ev, &e.EventHash); err != nil {
				return err
			}
			if first == "" {
				first = last
			}
			e.RecordID, e.EventID = rec.Bytes, ev.Bytes
			return nil
		}
		entries = nil
		if late := place.late(); len(late) > 0 {
			xid, record, seq := place.after()
			entries, err = queryEntries(ctx, tx, lateEventsSQL, scan, officeID, pgid(officeID), late, place.target,
				xid, record, seq, limit)
			if err != nil {
				return nil, "", "", err
			}
		}
		if len(entries) < limit {
			xid, record, seq, err := place.nextStart()
			if err != nil {
				return nil, "", "", err
			}
			more, err := queryEntries(ctx, tx, nextEventsSQL, scan, officeID, pgid(officeID), xid, record, seq,
				place.target, limit-len(entries))
			if err != nil {
				return nil, "", "", err
			}
			entries = append(entries, more...)
		}
		if len(entries) > 0 || fresh {
			return entries, first, last, nil
		}
		// The target was drained by a batch that filled its limit exactly.
		place.done, place.target = place.target, pgtype.Text{}
		place.lastXID, place.lastRecord, place.lastSeq = pgtype.Text{}, pgtype.UUID{}, pgtype.Int8{}
	}
}

// queryEntries reads log entries of the office with scan.
func queryEntries(ctx context.Context, tx pgx.Tx, sql string, scan func(pgx.Row, *notary.LogEntry, *string) error,
	officeID uuid.UUID, args ...any) ([]notary.LogEntry, error) {
	rows, err := tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, dbError(err)
	}
	defer rows.Close()
	var out []notary.LogEntry
	for rows.Next() {
		e := notary.LogEntry{OfficeID: officeID}
		var kind string
		if err := scan(rows, &e, &kind); err != nil {
			return nil, dbError(err)
		}
		e.RecordKind = notary.RecordKind(kind)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError(err)
	}
	return out, nil
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

// RecordLeaves returns the leaves of the record's logged events: those in
// log_leaves, and those of its events in the batches that logged them (see
// above).
func (s *Store) RecordLeaves(ctx context.Context, recordID uuid.UUID) ([]notary.LogLeaf, error) {
	rows, err := s.pool.Query(ctx, recordLeavesSQL, pgid(recordID))
	return collect(rows, err, scanLeaf)
}

// LogLeaves returns leaves of the office's log from index start on.
func (s *Store) LogLeaves(ctx context.Context, officeID uuid.UUID, start int64, limit int) ([]notary.LogLeaf, error) {
	if limit <= 0 {
		limit = 50
	}
	rows, err := s.pool.Query(ctx, logLeavesSQL, pgid(officeID), start, limit)
	return collect(rows, err, scanLeaf)
}

const (
	recordLeavesSQL = `SELECT idx, record_id, seq FROM log_leaves WHERE record_id = $1
UNION ALL
SELECT b.start + u.ord - 1, e.record_id, e.seq
FROM events e
CROSS JOIN LATERAL (
	SELECT b.start, b.records, b.seqs FROM log_batches b
	WHERE b.office_id = e.office_id AND b.target_xmax > e.xid
		AND pg_visible_in_snapshot(e.xid, b.target) AND NOT pg_visible_in_snapshot(e.xid, b.done)
		AND (b.first_xid, b.first_record, b.first_seq) <= (e.xid, e.record_id, e.seq)
	ORDER BY b.target_xmax, b.first_xid DESC, b.first_record DESC, b.first_seq DESC LIMIT 1
) b
CROSS JOIN LATERAL unnest(b.records, b.seqs) WITH ORDINALITY AS u(r, s, ord)
WHERE e.record_id = $1 AND e.xid IS NOT NULL AND u.r = e.record_id AND u.s = e.seq
ORDER BY seq`

	// logLeavesSQL reads the leaves from start on in log_leaves and in
	// the batches from the one that holds start.
	logLeavesSQL = `SELECT idx, record_id, seq FROM (
	(SELECT idx, record_id, seq FROM log_leaves WHERE office_id = $1 AND idx >= $2 ORDER BY idx LIMIT $3)
	UNION ALL
	SELECT b.start + u.ord - 1, u.r, u.s
	FROM log_batches b, unnest(b.records, b.seqs) WITH ORDINALITY AS u(r, s, ord)
	WHERE b.office_id = $1 AND b.start < $2 + $3
		AND b.start >= coalesce((SELECT max(start) FROM log_batches WHERE office_id = $1 AND start <= $2), $2)
		AND b.start + u.ord - 1 >= $2
) l ORDER BY idx LIMIT $3`
)

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
