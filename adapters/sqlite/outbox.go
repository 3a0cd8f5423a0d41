package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
)

// noticeRow is a notice encoded for the outbox table.
type noticeRow struct {
	n         notary.Notice
	recipient string
	data      string
}

// encodeNotice prepares n for insertion: an empty Status is pending and a
// zero NextAttemptAt is CreatedAt, as in the in-memory store.
func encodeNotice(n notary.Notice) (noticeRow, error) {
	if n.Status == "" {
		n.Status = notary.NoticePending
	}
	if n.NextAttemptAt.IsZero() {
		n.NextAttemptAt = n.CreatedAt
	}
	to, err := jsonText(n.To)
	if err != nil {
		return noticeRow{}, err
	}
	data, err := jsonText(n.Data)
	if err != nil {
		return noticeRow{}, err
	}
	return noticeRow{n: n, recipient: to, data: data}, nil
}

func insertNotice(ctx context.Context, tx *sql.Tx, r noticeRow) error {
	n := r.n
	_, err := tx.ExecContext(ctx, `
		INSERT INTO outbox (id, office_id, record_id, record_kind, kind, channel, recipient, data, created_at,
			status, attempts, next_attempt_at, claim, lease_until, last_error, delivered_at, event, seq)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
			CASE WHEN ? THEN (SELECT COALESCE(MAX(seq), 0) + 1 FROM outbox WHERE seq IS NOT NULL) END)`,
		uid(n.ID), uid(n.OfficeID), uid(n.RecordID), string(n.RecordKind), string(n.Kind), string(n.Channel),
		r.recipient, r.data, ts(n.CreatedAt), string(n.Status), n.Attempts, ts(n.NextAttemptAt),
		uidNull(n.Claim), tsNull(n.LeaseUntil), n.LastError, tsNull(n.DeliveredAt), eventNull(n.Event),
		n.Channel == notary.ChannelHost)
	switch {
	case isUnique(err, "outbox.id"):
		return conflict("notice %s already exists", n.ID)
	case err != nil:
		return fmt.Errorf("sqlite: insert notice: %w", err)
	}
	return nil
}

const noticeColumns = `id, office_id, record_id, record_kind, kind, channel, recipient, data, created_at,
	status, attempts, next_attempt_at, claim, lease_until, last_error, delivered_at, event`

// eventNull is a host event document as a column value: NULL when absent.
func eventNull(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}

func scanNotice(sc interface{ Scan(...any) error }) (notary.Notice, error) {
	var (
		n                               notary.Notice
		id, office, rec, claim          sql.NullString
		created, next, lease, delivered sql.NullString
		recKind, kind, channel, status  string
		recipient, data                 string
		event                           sql.NullString
		err                             error
	)
	if err = sc.Scan(&id, &office, &rec, &recKind, &kind, &channel, &recipient, &data, &created,
		&status, &n.Attempts, &next, &claim, &lease, &n.LastError, &delivered, &event); err != nil {
		return n, err
	}
	if event.Valid {
		n.Event = []byte(event.String)
	}
	n.RecordKind, n.Kind, n.Channel, n.Status = notary.RecordKind(recKind), notary.NoticeKind(kind),
		notary.Channel(channel), notary.NoticeStatus(status)
	for _, f := range []struct {
		dst *uuid.UUID
		src sql.NullString
	}{{&n.ID, id}, {&n.OfficeID, office}, {&n.RecordID, rec}, {&n.Claim, claim}} {
		if *f.dst, err = parseUID(f.src); err != nil {
			return n, err
		}
	}
	for _, f := range []struct {
		dst *time.Time
		src sql.NullString
	}{{&n.CreatedAt, created}, {&n.NextAttemptAt, next}, {&n.LeaseUntil, lease}, {&n.DeliveredAt, delivered}} {
		if *f.dst, err = parseTS(f.src); err != nil {
			return n, err
		}
	}
	if err := json.Unmarshal([]byte(recipient), &n.To); err != nil {
		return n, fmt.Errorf("sqlite: decode notice recipient: %w", err)
	}
	if err := json.Unmarshal([]byte(data), &n.Data); err != nil {
		return n, fmt.Errorf("sqlite: decode notice data: %w", err)
	}
	return n, nil
}

// ClaimNotices leases up to limit due pending notices, oldest CreatedAt
// first (ties by ID), in one write transaction: each gets a fresh Claim,
// LeaseUntil = now+lease and one more Attempt. A notice is due when its
// NextAttemptAt is not after now and it is unclaimed or its lease is not
// after now. A limit that is not positive claims nothing. Because writers
// are serialised, concurrent claimers (in this process or others sharing
// the file) never receive the same notice while its lease holds.
func (s *Store) ClaimNotices(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]notary.Notice, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		return nil, nil
	}
	var out []notary.Notice
	err := s.write(ctx, func(tx *sql.Tx) error {
		out = nil
		rows, err := tx.QueryContext(ctx, `
			SELECT id FROM outbox
			WHERE status = ? AND next_attempt_at <= ?
				AND (claim IS NULL OR lease_until IS NULL OR lease_until <= ?)
			ORDER BY created_at, id
			LIMIT ?`,
			string(notary.NoticePending), ts(now), ts(now), limit)
		if err != nil {
			return fmt.Errorf("sqlite: claim notices: %w", err)
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("sqlite: claim notices: %w", err)
			}
			ids = append(ids, id)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("sqlite: claim notices: %w", err)
		}
		until := ts(now.Add(lease))
		for _, id := range ids {
			n, err := scanNotice(tx.QueryRowContext(ctx, `
				UPDATE outbox SET claim = ?, lease_until = ?, attempts = attempts + 1
				WHERE id = ?
				RETURNING `+noticeColumns,
				uid(uuid.New()), until, id))
			if err != nil {
				return fmt.Errorf("sqlite: claim notice %s: %w", id, err)
			}
			out = append(out, n)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// finishSQL applies one outcome if the notice is claimed with the claim
// given. A NULL next_attempt_at or delivered_at leaves the column as it is.
const finishSQL = `UPDATE outbox SET status = ?, last_error = ?, claim = NULL, lease_until = NULL,
	next_attempt_at = COALESCE(?, next_attempt_at), delivered_at = COALESCE(?, delivered_at)
	WHERE id = ? AND claim = ?`

// FinishNotices records the outcomes of delivery attempts in one write
// transaction, one UPDATE per result, and releases the claims (Claim and
// LeaseUntil are cleared). A result whose notice is unknown or not claimed
// with its Claim updates nothing and its ID is returned in stale. Of an
// applied result, a retry (pending) outcome with a zero NextAttemptAt is
// due at Outcome.At; delivered and dead outcomes keep NextAttemptAt.
// LastError is set to Outcome.Error and, when delivered, DeliveredAt to
// Outcome.At. An invalid outcome status or a repeated ID fails with
// ErrInvalidInput; on any error nothing is applied.
func (s *Store) FinishNotices(ctx context.Context, results []notary.NoticeResult) ([]uuid.UUID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(results) == 0 {
		return nil, nil
	}
	type row struct {
		id, claim       string
		status, lastErr string
		next, delivered any
	}
	rows := make([]row, len(results))
	seen := make(map[uuid.UUID]struct{}, len(results))
	for i, r := range results {
		o := r.Outcome
		rw := row{id: uid(r.ID), claim: uid(r.Claim), status: string(o.Status), lastErr: o.Error}
		switch o.Status {
		case notary.NoticePending:
			next := o.NextAttemptAt
			if next.IsZero() {
				next = o.At
			}
			rw.next = ts(next)
		case notary.NoticeDelivered:
			rw.delivered = tsNull(o.At)
		case notary.NoticeDead:
		default:
			return nil, invalid("notice %s: outcome status %q", r.ID, o.Status)
		}
		if _, dup := seen[r.ID]; dup {
			return nil, invalid("notice %s finished twice in one call", r.ID)
		}
		seen[r.ID] = struct{}{}
		rows[i] = rw
	}
	var stale []uuid.UUID
	err := s.write(ctx, func(tx *sql.Tx) error {
		stale = nil
		stmt, err := tx.PrepareContext(ctx, finishSQL)
		if err != nil {
			return fmt.Errorf("sqlite: finish notices: %w", err)
		}
		defer stmt.Close()
		for i, rw := range rows {
			if results[i].Claim == uuid.Nil {
				stale = append(stale, results[i].ID)
				continue
			}
			res, err := stmt.ExecContext(ctx, rw.status, rw.lastErr, rw.next, rw.delivered, rw.id, rw.claim)
			if err != nil {
				return fmt.Errorf("sqlite: finish notice %s: %w", rw.id, err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("sqlite: finish notice %s: %w", rw.id, err)
			}
			if n == 0 {
				stale = append(stale, results[i].ID)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return stale, nil
}

// ListNotices returns up to limit notices in the given status, oldest
// CreatedAt first (ties by ID). A limit that is not positive means 50.
func (s *Store) ListNotices(ctx context.Context, status notary.NoticeStatus, limit int) ([]notary.Notice, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = defaultLimit
	}
	rows, err := s.r.QueryContext(ctx, `
		SELECT `+noticeColumns+` FROM outbox
		WHERE status = ?
		ORDER BY created_at, id
		LIMIT ?`, string(status), limit)
	if err != nil {
		return nil, s.fail(ctx, "list notices", err)
	}
	defer rows.Close()
	var out []notary.Notice
	for rows.Next() {
		n, err := scanNotice(rows)
		if err != nil {
			return nil, s.fail(ctx, "list notices", err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "list notices", err)
	}
	return out, nil
}

// RequeueNotice makes a dead notice pending again, due at now, with its
// Attempts reset to zero and no claim. ErrNotFound for an unknown ID,
// ErrInvalidTransition if the notice is not dead.
func (s *Store) RequeueNotice(ctx context.Context, id uuid.UUID, now time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM outbox WHERE id = ?`, uid(id)).Scan(&status)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return notFound("notice %s", id)
		case err != nil:
			return fmt.Errorf("sqlite: requeue notice: %w", err)
		}
		if status != string(notary.NoticeDead) {
			return fmt.Errorf("%w: notice %s is %s, not dead", notary.ErrInvalidTransition, id, status)
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE outbox SET status = ?, attempts = 0, next_attempt_at = ?, claim = NULL, lease_until = NULL
			WHERE id = ?`, string(notary.NoticePending), ts(now), uid(id)); err != nil {
			return fmt.Errorf("sqlite: requeue notice: %w", err)
		}
		return nil
	})
}

// OutboxStats counts the pending and dead notices and finds the oldest
// pending one, in one query (notary.OutboxStatser).
func (s *Store) OutboxStats(ctx context.Context) (notary.OutboxStats, error) {
	if err := ctx.Err(); err != nil {
		return notary.OutboxStats{}, err
	}
	var (
		st            notary.OutboxStats
		pending, dead sql.NullInt64
		oldest        sql.NullString
	)
	err := s.r.QueryRowContext(ctx, `SELECT
		SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END),
		MIN(CASE WHEN status = 'pending' THEN created_at END),
		SUM(CASE WHEN status = 'dead' THEN 1 ELSE 0 END)
		FROM outbox`).Scan(&pending, &oldest, &dead)
	if err != nil {
		return st, s.fail(ctx, "outbox stats", err)
	}
	if st.OldestPending, err = parseTS(oldest); err != nil {
		return st, err
	}
	st.Pending, st.Dead = int(pending.Int64), int(dead.Int64)
	return st, nil
}

// ListHostEvents returns the host events selected by q in commit order
// (their seq). An unknown q.After is ErrNotFound.
func (s *Store) ListHostEvents(ctx context.Context, q notary.HostEventQuery) ([]notary.Notice, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := q.Validate(); err != nil {
		return nil, err
	}
	var after int64
	if q.After != uuid.Nil {
		err := s.r.QueryRowContext(ctx, `SELECT seq FROM outbox WHERE id = ? AND seq IS NOT NULL AND office_id = ?`,
			uid(q.After), uid(q.OfficeID)).Scan(&after)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return nil, notFound("host event %s", q.After)
		case err != nil:
			return nil, s.fail(ctx, "list host events", err)
		}
	}
	query := `SELECT ` + noticeColumns + ` FROM outbox WHERE seq > ? AND office_id = ?`
	args := []any{after, uid(q.OfficeID)}
	if q.RecordID != uuid.Nil {
		query += ` AND record_id = ?`
		args = append(args, uid(q.RecordID))
	}
	query += ` ORDER BY seq LIMIT ?`
	args = append(args, q.PageSize())
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, s.fail(ctx, "list host events", err)
	}
	defer rows.Close()
	var out []notary.Notice
	for rows.Next() {
		n, err := scanNotice(rows)
		if err != nil {
			return nil, s.fail(ctx, "list host events", err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "list host events", err)
	}
	return out, nil
}
