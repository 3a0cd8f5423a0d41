package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"github.com/notarykit/notarykit/notary"
)

var _ notary.ReviewStats = (*Store)(nil)

// decisionsSQL reads a period's decisions from events_decisions_idx
// (migration 00009, whose predicate it repeats), and the start of each
// one's wait with one backward step on the trail's primary key.
const decisionsSQL = `SELECT d.record_id, d.record_kind, d.trigger, d.from_state, w.at, d.at
FROM events d
LEFT JOIN LATERAL (
	SELECT e.at FROM events e
	WHERE e.record_id = d.record_id AND e.seq < d.seq AND e.to_state = d.from_state AND e.from_state <> e.to_state
	ORDER BY e.seq DESC LIMIT 1) w ON true
WHERE d.office_id = $1 AND d.at >= $2 AND d.at < $3
	AND d.trigger IN ('approve', 'reject', 'approve_preliminary', 'reject_preliminary', 'approve_final', 'reject_final')
	AND d.record_kind IN ('filing', 'application')
ORDER BY d.at, d.record_id, d.seq`

// totalsSQL sums a period's applications from applications_office_idx;
// numeric sums are exact and read as text.
const totalsSQL = `SELECT currency, count(*),
	count(*) FILTER (WHERE doc->'payment'->>'paid_at' IS NOT NULL),
	coalesce(sum(quote_amount) FILTER (WHERE doc->'payment'->>'paid_at' IS NOT NULL), 0)::text,
	coalesce(sum((doc->'refund'->>'amount')::numeric), 0)::text
FROM applications
WHERE office_id = $1 AND created_at >= $2 AND created_at < $3
GROUP BY currency ORDER BY currency COLLATE "C"`

// Decisions returns the office's review decisions made in [from, to),
// oldest first.
func (s *Store) Decisions(ctx context.Context, officeID uuid.UUID, from, to time.Time) ([]notary.Decision, error) {
	return read(ctx, s, func() ([]notary.Decision, error) {
		rows, err := s.pool.Query(ctx, decisionsSQL, pgid(officeID), from, to)
		return collect(rows, err, func(row pgx.Row) (notary.Decision, error) {
			var d notary.Decision
			var id pgtype.UUID
			var kind string
			var since pgtype.Timestamptz
			if err := row.Scan(&id, &kind, &d.Trigger, &d.Queue, &since, &d.At); err != nil {
				return d, err
			}
			d.RecordID, d.Kind = uuid.UUID(id.Bytes), notary.RecordKind(kind)
			if since.Valid {
				d.Since = since.Time.UTC()
			}
			d.At = d.At.UTC()
			return d, nil
		})
	})
}

// ApplicationTotals returns per currency the office's applications made
// in [from, to).
func (s *Store) ApplicationTotals(ctx context.Context, officeID uuid.UUID, from, to time.Time) ([]notary.ApplicationTotal, error) {
	return read(ctx, s, func() ([]notary.ApplicationTotal, error) {
		rows, err := s.pool.Query(ctx, totalsSQL, pgid(officeID), from, to)
		return collect(rows, err, func(row pgx.Row) (notary.ApplicationTotal, error) {
			var t notary.ApplicationTotal
			var fees, refunded string
			if err := row.Scan(&t.Currency, &t.Applications, &t.Paid, &fees, &refunded); err != nil {
				return t, err
			}
			var err error
			if t.Fees, err = decimal.NewFromString(fees); err != nil {
				return t, err
			}
			t.Refunded, err = decimal.NewFromString(refunded)
			return t, err
		})
	})
}
