package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
)

// AddInboxMessage stores m; a message whose ID is already stored is left
// as it is, so redelivery never duplicates a message.
func (s *Store) AddInboxMessage(ctx context.Context, m notary.InboxMessage) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if m.ID == uuid.Nil {
		return invalid("inbox message without ID")
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO inbox (id, office_id, user_id, kind, record_id, subject, body, created_at, read_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO NOTHING`,
			uid(m.ID), uid(m.OfficeID), m.UserID, string(m.Kind), uid(m.RecordID), m.Subject, m.Body,
			ts(m.CreatedAt), tsNull(m.ReadAt))
		if err != nil {
			return fmt.Errorf("sqlite: add inbox message: %w", err)
		}
		return nil
	})
}

// ListInbox returns up to limit of the user's messages at the office,
// newest (CreatedAt, ID) first, only those before the cursor when it is
// non-nil. A limit that is not positive means 50.
func (s *Store) ListInbox(ctx context.Context, officeID uuid.UUID, userID string, before *notary.Cursor, limit int) ([]notary.InboxMessage, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = defaultLimit
	}
	q := `SELECT id, office_id, user_id, kind, record_id, subject, body, created_at, read_at
		FROM inbox WHERE office_id = ? AND user_id = ?`
	args := []any{uid(officeID), userID}
	if before != nil {
		q += ` AND (created_at, id) < (?, ?)`
		args = append(args, ts(before.CreatedAt), uid(before.ID))
	}
	q += ` ORDER BY created_at DESC, id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, s.fail(ctx, "list inbox", err)
	}
	defer rows.Close()
	var out []notary.InboxMessage
	for rows.Next() {
		var (
			m               notary.InboxMessage
			id, office, rec sql.NullString
			created, read   sql.NullString
			kind            string
		)
		if err := rows.Scan(&id, &office, &m.UserID, &kind, &rec, &m.Subject, &m.Body, &created, &read); err != nil {
			return nil, s.fail(ctx, "list inbox", err)
		}
		m.Kind = notary.NoticeKind(kind)
		if m.ID, err = parseUID(id); err != nil {
			return nil, err
		}
		if m.OfficeID, err = parseUID(office); err != nil {
			return nil, err
		}
		if m.RecordID, err = parseUID(rec); err != nil {
			return nil, err
		}
		if m.CreatedAt, err = parseTS(created); err != nil {
			return nil, err
		}
		if m.ReadAt, err = parseTS(read); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "list inbox", err)
	}
	return out, nil
}

// UnreadCount counts the user's unread messages at the office.
func (s *Store) UnreadCount(ctx context.Context, officeID uuid.UUID, userID string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var n int
	if err := s.r.QueryRowContext(ctx,
		`SELECT count(*) FROM inbox WHERE office_id = ? AND user_id = ? AND read_at IS NULL`,
		uid(officeID), userID).Scan(&n); err != nil {
		return 0, s.fail(ctx, "unread count", err)
	}
	return n, nil
}

// MarkRead sets ReadAt to at on the user's unread messages at the office
// with the given IDs, or on all of them when ids is empty. Messages already
// read keep their first ReadAt; IDs of other users' messages are ignored.
func (s *Store) MarkRead(ctx context.Context, officeID uuid.UUID, userID string, at time.Time, ids ...uuid.UUID) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		q := `UPDATE inbox SET read_at = ? WHERE office_id = ? AND user_id = ? AND read_at IS NULL`
		base := []any{tsNull(at), uid(officeID), userID}
		if len(ids) == 0 {
			if _, err := tx.ExecContext(ctx, q, base...); err != nil {
				return fmt.Errorf("sqlite: mark read: %w", err)
			}
			return nil
		}
		for start := 0; start < len(ids); start += reservationBatch {
			batch := ids[start:min(start+reservationBatch, len(ids))]
			args := append([]any(nil), base...)
			for _, id := range batch {
				args = append(args, uid(id))
			}
			if _, err := tx.ExecContext(ctx,
				q+` AND id IN (?`+strings.Repeat(`, ?`, len(batch)-1)+`)`, args...); err != nil {
				return fmt.Errorf("sqlite: mark read: %w", err)
			}
		}
		return nil
	})
}
