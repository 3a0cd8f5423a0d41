package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/notarykit/notarykit/adapters/internal/recorddoc"
	"github.com/notarykit/notarykit/notary"
)

const (
	insertTransferSQL = `INSERT INTO bank_transfers (id, office_id, status, recorded_at, doc) VALUES ($1, $2, $3, $4, $5)`

	// matchTransferSQL marks the office's unmatched transfer $1 matched to
	// application $3, and otherwise aborts the transaction with NK409 (it
	// is not unmatched) or NK404 (no such transfer at the office).
	matchTransferSQL = `WITH u AS (
	UPDATE bank_transfers SET status = 'matched', application_id = $3::uuid,
		doc = doc || jsonb_build_object('status', 'matched', 'application_id', $3::uuid::text,
			'matched_at', $4::text, 'matched_by', $5::jsonb)
	WHERE id = $1::uuid AND office_id = $2::uuid AND status = 'unmatched'
	RETURNING 1
)
SELECT CASE
	WHEN EXISTS (SELECT FROM u) THEN 1
	WHEN EXISTS (SELECT FROM bank_transfers WHERE id = $1 AND office_id = $2) THEN notarykit_raise('NK409', 'the transfer is not unmatched')
	ELSE notarykit_raise('NK404', 'no such transfer')
END`
)

// KeepTransfer stores an unmatched transfer and its serial's dedup key in
// one transaction, as documented on [notary.Transfers].
func (s *Store) KeepTransfer(ctx context.Context, t notary.BankTransfer) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := t.Validate(); err != nil {
		return err
	}
	doc, err := recorddoc.EncodeTransfer(t)
	if err != nil {
		return invalid("%v", err)
	}
	return write(ctx, s, func() error {
		b := &pgx.Batch{}
		b.Queue(insertDedupSQL, notary.TransferDedupKey(t.Transfer.Serial))
		b.Queue(insertTransferSQL, pgid(t.ID), pgid(t.OfficeID), string(t.Status), utc(t.RecordedAt), doc)
		return s.send(ctx, b)
	})
}

// queueMatch queues a Change's match of a kept transfer to app.
func queueMatch(b *pgx.Batch, office, app uuid.UUID, m notary.TransferMatch) error {
	by, err := json.Marshal(m.By)
	if err != nil {
		return invalid("encode match: %v", err)
	}
	b.Queue(matchTransferSQL, pgid(m.TransferID), pgid(office), pgid(app), m.At.UTC().Format(time.RFC3339Nano), by)
	return nil
}

// Transfer returns the kept transfer with id, or ErrNotFound.
func (s *Store) Transfer(ctx context.Context, id uuid.UUID) (notary.BankTransfer, error) {
	return read(ctx, s, func() (notary.BankTransfer, error) {
		return scanDoc(s.pool.QueryRow(ctx, `SELECT doc FROM bank_transfers WHERE id = $1`, pgid(id)),
			recorddoc.DecodeTransfer, func() error { return notFound("transfer %s", id) })
	})
}

// ListTransfers returns the office's kept transfers selected by q, ordered
// by (RecordedAt, ID).
func (s *Store) ListTransfers(ctx context.Context, q notary.TransferQuery) ([]notary.BankTransfer, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := q.Validate(); err != nil {
		return nil, err
	}
	query := `SELECT doc FROM bank_transfers WHERE office_id = $1 AND ($2 = '' OR status = $2)`
	args := []any{pgid(q.OfficeID), string(q.Status)}
	if q.After != nil {
		query += ` AND (recorded_at, id) > ($4, $5)`
		args = append(args, q.PageSize(), utc(q.After.CreatedAt), pgid(q.After.ID))
	} else {
		args = append(args, q.PageSize())
	}
	query += ` ORDER BY recorded_at, id LIMIT $3`
	return queryDocs(ctx, s, query, args, recorddoc.DecodeTransfer)
}
