package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/adapters/internal/recorddoc"
	"github.com/notarykit/notarykit/notary"
)

// KeepTransfer stores an unmatched transfer and its serial's dedup key in
// one write transaction, as documented on [notary.Transfers].
func (s *Store) KeepTransfer(ctx context.Context, t notary.BankTransfer) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := t.Validate(); err != nil {
		return err
	}
	doc, err := recorddoc.EncodeTransfer(t)
	if err != nil {
		return fmt.Errorf("%w: sqlite: %v", notary.ErrInvalidInput, err)
	}
	key := notary.TransferDedupKey(t.Transfer.Serial)
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO dedup_keys (dedup_key) VALUES (?)`, key); err != nil {
			if isUnique(err, "dedup_keys.dedup_key") {
				return duplicate("dedup key %q already used", key)
			}
			return fmt.Errorf("sqlite: record dedup key: %w", err)
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO bank_transfers (id, office_id, status, recorded_at, doc) VALUES (?, ?, ?, ?, ?)`,
			uid(t.ID), uid(t.OfficeID), string(t.Status), ts(t.RecordedAt), string(doc))
		switch {
		case isUnique(err, "bank_transfers.id"):
			return conflict("transfer %s already exists", t.ID)
		case err != nil:
			return fmt.Errorf("sqlite: keep transfer: %w", err)
		}
		return nil
	})
}

// matchTransfer marks the office's unmatched transfer matched to app
// within a Commit's transaction: ErrNotFound when there is no such
// transfer, ErrConflict when it is not unmatched.
func matchTransfer(ctx context.Context, tx *sql.Tx, office, app uuid.UUID, m notary.TransferMatch) error {
	var doc []byte
	err := tx.QueryRowContext(ctx, `SELECT doc FROM bank_transfers WHERE id = ? AND office_id = ?`,
		uid(m.TransferID), uid(office)).Scan(&doc)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return notFound("transfer %s", m.TransferID)
	case err != nil:
		return fmt.Errorf("sqlite: read transfer: %w", err)
	}
	t, err := recorddoc.DecodeTransfer(doc)
	if err != nil {
		return err
	}
	if t.Status != notary.TransferUnmatched {
		return conflict("transfer %s is %s", t.ID, t.Status)
	}
	t.Status, t.ApplicationID, t.MatchedAt, t.MatchedBy = notary.TransferMatched, app, m.At, m.By
	if doc, err = recorddoc.EncodeTransfer(t); err != nil {
		return fmt.Errorf("%w: sqlite: %v", notary.ErrInvalidInput, err)
	}
	res, err := tx.ExecContext(ctx, `UPDATE bank_transfers SET status = ?, doc = ? WHERE id = ? AND status = ?`,
		string(t.Status), string(doc), uid(t.ID), string(notary.TransferUnmatched))
	if err != nil {
		return fmt.Errorf("sqlite: match transfer: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: match transfer: %w", err)
	} else if n != 1 {
		return conflict("transfer %s changed meanwhile", t.ID)
	}
	return nil
}

// Transfer returns the kept transfer with id, or ErrNotFound.
func (s *Store) Transfer(ctx context.Context, id uuid.UUID) (notary.BankTransfer, error) {
	if err := ctx.Err(); err != nil {
		return notary.BankTransfer{}, err
	}
	var doc []byte
	err := s.r.QueryRowContext(ctx, `SELECT doc FROM bank_transfers WHERE id = ?`, uid(id)).Scan(&doc)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return notary.BankTransfer{}, notFound("transfer %s", id)
	case err != nil:
		return notary.BankTransfer{}, s.fail(ctx, "transfer", err)
	}
	return recorddoc.DecodeTransfer(doc)
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
	query := `SELECT doc FROM bank_transfers WHERE office_id = ?`
	args := []any{uid(q.OfficeID)}
	if q.Status != "" {
		query += ` AND status = ?`
		args = append(args, string(q.Status))
	}
	if q.After != nil {
		query += ` AND (recorded_at, id) > (?, ?)`
		args = append(args, ts(q.After.CreatedAt), uid(q.After.ID))
	}
	query += ` ORDER BY recorded_at, id LIMIT ?`
	args = append(args, q.PageSize())
	return findDocs(ctx, s, "bank_transfers", query, args, recorddoc.DecodeTransfer)
}
