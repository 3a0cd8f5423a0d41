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
			status, attempts, next_attempt_at, claim, lease_until, last_error, delivered_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		uid(n.ID), uid(n.OfficeID), uid(n.RecordID), string(n.RecordKind), string(n.Kind), string(n.Channel),
		r.recipient, r.data, ts(n.CreatedAt), string(n.Status), n.Attempts, ts(n.NextAttemptAt),
		uidNull(n.Claim), tsNull(n.LeaseUntil), n.LastError, tsNull(n.DeliveredAt))
	switch {
	case isUnique(err, "outbox.id"):
		return conflict("notice %s already exists", n.ID)
	case err != nil:
		return fmt.Errorf("sqlite: insert notice: %w", err)
	}
	return nil
}

const noticeColumns = `id, office_id, record_id, record_kind, kind, channel, recipient, data, created_at,
	status, attempts, next_attempt_at, claim, lease_until, last_error, delivered_at`

func scanNotice(sc interface{ Scan(...any) error }) (notary.Notice, error) {
	var (
		n                               notary.Notice
		id, office, rec, claim          sql.NullString
		created, next, lease, delivered sql.NullString
		recKind, kind, channel, status  string
		recipient, data                 string
		err                             error
	)
	if err = sc.Scan(&id, &office, &rec, &recKind, &kind, &channel, &recipient, &data, &created,
		&status, &n.Attempts, &next, &claim, &lease, &n.LastError, &delivered); err != nil {
		return n, err
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

// FinishNotice records the outcome of a delivery attempt and releases the
// claim (Claim and LeaseUntil are cleared). A retry (pending) outcome with a
// zero NextAttemptAt is due at outcome.At; delivered and dead outcomes keep
// NextAttemptAt. LastError is set to outcome.Error and, when delivered,
// DeliveredAt to outcome.At. ErrConflict when the notice is not claimed with
// claim, ErrNotFound when it does not exist.
func (s *Store) FinishNotice(ctx context.Context, id, claim uuid.UUID, outcome notary.NoticeOutcome) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	switch outcome.Status {
	case notary.NoticePending, notary.NoticeDelivered, notary.NoticeDead:
	default:
		return invalid("notice outcome status %q", outcome.Status)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		var held sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT claim FROM outbox WHERE id = ?`, uid(id)).Scan(&held)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return notFound("notice %s", id)
		case err != nil:
			return fmt.Errorf("sqlite: finish notice: %w", err)
		}
		if claim == uuid.Nil || !held.Valid || held.String != uid(claim) {
			return conflict("notice %s is not claimed with %s", id, claim)
		}
		var q string
		args := []any{string(outcome.Status), outcome.Error}
		switch outcome.Status {
		case notary.NoticePending:
			next := outcome.NextAttemptAt
			if next.IsZero() {
				next = outcome.At
			}
			q = `UPDATE outbox SET status = ?, last_error = ?, claim = NULL, lease_until = NULL,
				next_attempt_at = ? WHERE id = ? AND claim = ?`
			args = append(args, ts(next))
		case notary.NoticeDelivered:
			q = `UPDATE outbox SET status = ?, last_error = ?, claim = NULL, lease_until = NULL,
				delivered_at = ? WHERE id = ? AND claim = ?`
			args = append(args, tsNull(outcome.At))
		default:
			q = `UPDATE outbox SET status = ?, last_error = ?, claim = NULL, lease_until = NULL
				WHERE id = ? AND claim = ?`
		}
		args = append(args, uid(id), uid(claim))
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("sqlite: finish notice: %w", err)
		}
		return nil
	})
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
