package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
)

// revisionContent encodes a revision's content for the content column.
func revisionContent(c notary.FilingContent) (string, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("%w: sqlite: encode revision content: %v", notary.ErrInvalidInput, err)
	}
	return string(b), nil
}

// putRevisions applies a Change's Revision (a new row: the primary key
// refuses a number already stored) and Rewrites (the content of stored
// rows; a row not stored is ErrNotFound) inside Commit's transaction.
func putRevisions(ctx context.Context, tx *sql.Tx, c notary.Change) error {
	if r := c.Revision; r != nil {
		content, err := revisionContent(r.Content)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO filing_revisions (filing_id, number, office_id, trigger_name, submitted_at,
				actor_kind, actor_id, actor_name, content)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			uid(r.FilingID), r.Number, uid(r.OfficeID), string(r.Trigger), ts(r.SubmittedAt),
			string(r.SubmittedBy.Kind), r.SubmittedBy.ID, r.SubmittedBy.Name, content)
		switch {
		case isUnique(err, "filing_revisions.filing_id", "filing_revisions.number"):
			return conflict("filing %s already has revision %d", r.FilingID, r.Number)
		case err != nil:
			return fmt.Errorf("sqlite: file revision: %w", err)
		}
	}
	for _, r := range c.Rewrites {
		content, err := revisionContent(r.Content)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE filing_revisions SET content = ? WHERE filing_id = ? AND number = ?`,
			content, uid(r.FilingID), r.Number)
		if err != nil {
			return fmt.Errorf("sqlite: rewrite revision: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("sqlite: rewrite revision: %w", err)
		} else if n == 0 {
			return notFound("revision %d of filing %s", r.Number, r.FilingID)
		}
	}
	return nil
}

const revisionColumns = `filing_id, number, office_id, trigger_name, submitted_at, actor_kind, actor_id, actor_name, content`

func scanRevision(sc interface{ Scan(...any) error }) (notary.FilingRevision, error) {
	var (
		r                  notary.FilingRevision
		filing, office, at sql.NullString
		trigger, actorKind string
		content            []byte
		err                error
	)
	if err = sc.Scan(&filing, &r.Number, &office, &trigger, &at, &actorKind, &r.SubmittedBy.ID, &r.SubmittedBy.Name, &content); err != nil {
		return r, err
	}
	r.Trigger, r.SubmittedBy.Kind = notary.FilingTrigger(trigger), notary.ActorKind(actorKind)
	if r.FilingID, err = parseUID(filing); err != nil {
		return r, err
	}
	if r.OfficeID, err = parseUID(office); err != nil {
		return r, err
	}
	if r.SubmittedAt, err = parseTS(at); err != nil {
		return r, err
	}
	if err = json.Unmarshal(content, &r.Content); err != nil {
		return r, fmt.Errorf("decode revision content: %w", err)
	}
	return r, nil
}

// FilingRevisions returns the filing's revisions, Number ascending, or an
// error wrapping ErrNotFound when no filing has id.
func (s *Store) FilingRevisions(ctx context.Context, filingID uuid.UUID) ([]notary.FilingRevision, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx,
		`SELECT `+revisionColumns+` FROM filing_revisions WHERE filing_id = ? ORDER BY number`, uid(filingID))
	if err != nil {
		return nil, s.fail(ctx, "filing revisions", err)
	}
	defer rows.Close()
	var out []notary.FilingRevision
	for rows.Next() {
		r, err := scanRevision(rows)
		if err != nil {
			return nil, s.fail(ctx, "filing revisions", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "filing revisions", err)
	}
	if len(out) == 0 {
		// Revisions are never deleted, so a filing without any is one
		// stored before they were kept, or none at all.
		var one int
		switch err := s.r.QueryRowContext(ctx, `SELECT 1 FROM filings WHERE id = ?`, uid(filingID)).Scan(&one); {
		case errors.Is(err, sql.ErrNoRows):
			return nil, notFound("filing %s", filingID)
		case err != nil:
			return nil, s.fail(ctx, "filing revisions", err)
		}
	}
	return out, nil
}

// FilingRevision returns revision n of the filing, or an error wrapping
// ErrNotFound.
func (s *Store) FilingRevision(ctx context.Context, filingID uuid.UUID, n int) (notary.FilingRevision, error) {
	if err := ctx.Err(); err != nil {
		return notary.FilingRevision{}, err
	}
	r, err := scanRevision(s.r.QueryRowContext(ctx,
		`SELECT `+revisionColumns+` FROM filing_revisions WHERE filing_id = ? AND number = ?`, uid(filingID), n))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return notary.FilingRevision{}, notFound("revision %d of filing %s", n, filingID)
	case err != nil:
		return notary.FilingRevision{}, s.fail(ctx, "filing revision", err)
	}
	return r, nil
}
