package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/notarykit/notarykit/notary"
)

const (
	revisionColumns = `filing_id, number, office_id, trigger, submitted_at, actor_kind, actor_id, actor_name, content`

	// insertRevisionSQL files a revision; the primary key refuses a number
	// already stored (ErrConflict).
	insertRevisionSQL = `INSERT INTO filing_revisions (` + revisionColumns + `)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`

	// rewriteRevisionSQL replaces a stored revision's content, or aborts
	// the transaction with NK404 when it is not stored. The table's
	// trigger refuses a change beyond the personal fields (NK405).
	rewriteRevisionSQL = `WITH u AS (
	UPDATE filing_revisions SET content = $3 WHERE filing_id = $1 AND number = $2
	RETURNING 1
)
SELECT CASE
	WHEN EXISTS (SELECT FROM u) THEN 1
	ELSE notarykit_raise('NK404', 'no such filing revision')
END`

	// selectRevisionsSQL reads a filing's revisions, one row with a NULL
	// number for a filing without any, and no row for no filing.
	selectRevisionsSQL = `SELECT f.id, r.number, r.office_id, r.trigger, r.submitted_at, r.actor_kind, r.actor_id,
	r.actor_name, r.content
FROM filings f LEFT JOIN filing_revisions r ON r.filing_id = f.id
WHERE f.id = $1 ORDER BY r.number`
)

// queueRevisions queues a Change's Revision and Rewrites after its filing.
func queueRevisions(b *pgx.Batch, c notary.Change) error {
	if r := c.Revision; r != nil {
		content, err := json.Marshal(r.Content)
		if err != nil {
			return invalid("encode revision content: %v", err)
		}
		b.Queue(insertRevisionSQL, pgid(r.FilingID), r.Number, pgid(r.OfficeID), string(r.Trigger), utc(r.SubmittedAt),
			string(r.SubmittedBy.Kind), r.SubmittedBy.ID, r.SubmittedBy.Name, content)
	}
	for _, r := range c.Rewrites {
		content, err := json.Marshal(r.Content)
		if err != nil {
			return invalid("encode revision content: %v", err)
		}
		b.Queue(rewriteRevisionSQL, pgid(r.FilingID), r.Number, content)
	}
	return nil
}

// revisionRow is a row of selectRevisionsSQL or of filing_revisions.
type revisionRow struct {
	filingID           uuid.UUID
	number             *int32
	officeID           *uuid.UUID
	trigger, actorKind *string
	actorID, actorName *string
	at                 *time.Time
	content            []byte
}

func (r *revisionRow) scan(row pgx.Row) error {
	return row.Scan(&r.filingID, &r.number, &r.officeID, &r.trigger, &r.at, &r.actorKind, &r.actorID, &r.actorName, &r.content)
}

func (r *revisionRow) revision() (notary.FilingRevision, error) {
	out := notary.FilingRevision{FilingID: r.filingID, Number: int(*r.number), OfficeID: *r.officeID,
		Trigger: notary.FilingTrigger(*r.trigger), SubmittedAt: utc(*r.at),
		SubmittedBy: notary.Actor{Kind: notary.ActorKind(*r.actorKind), ID: *r.actorID, Name: *r.actorName}}
	if err := json.Unmarshal(r.content, &out.Content); err != nil {
		return out, errors.New("postgres: decode revision content: " + err.Error())
	}
	return out, nil
}

// FilingRevisions returns the filing's revisions, Number ascending, or an
// error wrapping ErrNotFound when no filing has id.
func (s *Store) FilingRevisions(ctx context.Context, filingID uuid.UUID) ([]notary.FilingRevision, error) {
	return read(ctx, s, func() ([]notary.FilingRevision, error) {
		rows, err := s.pool.Query(ctx, selectRevisionsSQL, filingID)
		raw, err := collect(rows, err, func(row pgx.Row) (revisionRow, error) {
			var r revisionRow
			return r, r.scan(row)
		})
		if err != nil {
			return nil, err
		}
		if len(raw) == 0 {
			return nil, notFound("filing %s", filingID)
		}
		out := make([]notary.FilingRevision, 0, len(raw))
		for _, r := range raw {
			if r.number == nil {
				continue // a filing stored without revisions
			}
			rev, err := r.revision()
			if err != nil {
				return nil, err
			}
			out = append(out, rev)
		}
		return out, nil
	})
}

// FilingRevision returns revision n of the filing, or an error wrapping
// ErrNotFound.
func (s *Store) FilingRevision(ctx context.Context, filingID uuid.UUID, n int) (notary.FilingRevision, error) {
	return read(ctx, s, func() (notary.FilingRevision, error) {
		var r revisionRow
		err := r.scan(s.pool.QueryRow(ctx, `SELECT `+revisionColumns+` FROM filing_revisions WHERE filing_id = $1 AND number = $2`,
			filingID, n))
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return notary.FilingRevision{}, notFound("revision %d of filing %s", n, filingID)
		case err != nil:
			return notary.FilingRevision{}, dbError(err)
		}
		return r.revision()
	})
}
