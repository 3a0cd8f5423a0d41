package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/notarykit/notarykit/notary"
)

// AddInboxMessage stores m; a message whose ID is already stored is left as
// it is, so redelivery never duplicates a message. A message without ID
// fails with ErrInvalidInput.
func (s *Store) AddInboxMessage(ctx context.Context, m notary.InboxMessage) error {
	if m.ID == uuid.Nil {
		return invalid("inbox message without ID")
	}
	// Idempotent by ID, so retried like a read.
	_, err := read(ctx, s, func() (struct{}, error) {
		_, err := s.pool.Exec(ctx, `INSERT INTO inbox (id, office_id, user_id, kind, record_id, subject, body, created_at, read_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (id) DO NOTHING`,
			m.ID, m.OfficeID, m.UserID, string(m.Kind), m.RecordID, m.Subject, m.Body, utc(m.CreatedAt), tz(m.ReadAt))
		return struct{}{}, dbError(err)
	})
	return err
}

const inboxColumns = `id, office_id, user_id, kind, record_id, subject, body, created_at, read_at`

// ListInbox returns up to limit of the user's messages at the office,
// newest (CreatedAt, ID) first; with before, only those older than that
// position. A limit that is not positive means 50.
func (s *Store) ListInbox(ctx context.Context, officeID uuid.UUID, userID string, before *notary.Cursor, limit int) ([]notary.InboxMessage, error) {
	if limit <= 0 {
		limit = defaultLimit
	}
	query := `SELECT ` + inboxColumns + ` FROM inbox WHERE office_id = $1 AND user_id = $2
ORDER BY created_at DESC, id DESC LIMIT $3`
	args := []any{officeID, userID, limit}
	if before != nil {
		query = `SELECT ` + inboxColumns + ` FROM inbox WHERE office_id = $1 AND user_id = $2
	AND (created_at, id) < ($4, $5::uuid)
ORDER BY created_at DESC, id DESC LIMIT $3`
		args = append(args, utc(before.CreatedAt), before.ID)
	}
	return read(ctx, s, func() ([]notary.InboxMessage, error) {
		rows, err := s.pool.Query(ctx, query, args...)
		return collect(rows, err, func(row pgx.Row) (notary.InboxMessage, error) {
			var (
				m       notary.InboxMessage
				kind    string
				created time.Time
				readAt  pgtype.Timestamptz
			)
			err := row.Scan(&m.ID, &m.OfficeID, &m.UserID, &kind, &m.RecordID, &m.Subject, &m.Body, &created, &readAt)
			m.Kind, m.CreatedAt, m.ReadAt = notary.NoticeKind(kind), utc(created), fromTZ(readAt)
			return m, err
		})
	})
}

// UnreadCount counts the user's unread messages at the office.
func (s *Store) UnreadCount(ctx context.Context, officeID uuid.UUID, userID string) (int, error) {
	return read(ctx, s, func() (n int, err error) {
		err = s.pool.QueryRow(ctx, `SELECT count(*) FROM inbox WHERE office_id = $1 AND user_id = $2 AND read_at IS NULL`,
			officeID, userID).Scan(&n)
		return n, dbError(err)
	})
}

// MarkRead sets ReadAt to at on the user's unread messages at the office
// with the given IDs, or on all of them when ids is empty. Messages already
// read keep their first ReadAt; IDs of other users' messages are ignored.
func (s *Store) MarkRead(ctx context.Context, officeID uuid.UUID, userID string, at time.Time, ids ...uuid.UUID) error {
	var err error
	if len(ids) == 0 {
		_, err = s.pool.Exec(ctx, `UPDATE inbox SET read_at = $3 WHERE office_id = $1 AND user_id = $2 AND read_at IS NULL`,
			officeID, userID, tz(at))
	} else {
		_, err = s.pool.Exec(ctx, `UPDATE inbox SET read_at = $3
WHERE office_id = $1 AND user_id = $2 AND read_at IS NULL AND id = ANY($4::uuid[])`,
			officeID, userID, tz(at), ids)
	}
	return dbError(err)
}
