package sqlite

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/notarykit/notarykit/notary"
)

var _ notary.ReviewStats = (*Store)(nil)

// decisionsSQL reads a period's decisions from events_decisions (migration
// 00006, whose predicate it repeats), and the start of each one's wait
// with one backward step on the trail's (record_id, seq) key.
const decisionsSQL = `SELECT d.record_id, d.record_kind, d.trigger_name, d.from_state,
	(SELECT e.at FROM events e
		WHERE e.record_id = d.record_id AND e.seq < d.seq AND e.to_state = d.from_state AND e.from_state <> e.to_state
		ORDER BY e.seq DESC LIMIT 1),
	d.at
FROM events d INDEXED BY events_decisions
WHERE d.office_id = ? AND d.at >= ? AND d.at < ?
	AND d.trigger_name IN ('approve', 'reject', 'approve_preliminary', 'reject_preliminary', 'approve_final', 'reject_final')
	AND d.record_kind IN ('filing', 'application')
ORDER BY d.at, d.record_id, d.seq`

// totalsSQL reads a period's applications from applications_office_created;
// the amounts are decimal text, summed exactly in Go.
const totalsSQL = `SELECT quote_currency, quote_amount,
	json_extract(doc, '$.payment.paid_at') IS NOT NULL,
	json_extract(doc, '$.refund.amount')
FROM applications INDEXED BY applications_office_created
WHERE office_id = ? AND created_at >= ? AND created_at < ?`

// Decisions returns the office's review decisions made in [from, to),
// oldest first.
func (s *Store) Decisions(ctx context.Context, officeID uuid.UUID, from, to time.Time) ([]notary.Decision, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, decisionsSQL, uid(officeID), ts(from), ts(to))
	if err != nil {
		return nil, s.fail(ctx, "decisions", err)
	}
	defer rows.Close()
	var out []notary.Decision
	for rows.Next() {
		var id, kind, since, when sql.NullString
		var d notary.Decision
		if err := rows.Scan(&id, &kind, &d.Trigger, &d.Queue, &since, &when); err != nil {
			return nil, s.fail(ctx, "decisions", err)
		}
		if d.RecordID, err = parseUID(id); err != nil {
			return nil, err
		}
		d.Kind = notary.RecordKind(kind.String)
		if d.Since, err = parseTS(since); err != nil {
			return nil, err
		}
		if d.At, err = parseTS(when); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "decisions", err)
	}
	return out, nil
}

// ApplicationTotals returns per currency the office's applications made
// in [from, to).
func (s *Store) ApplicationTotals(ctx context.Context, officeID uuid.UUID, from, to time.Time) ([]notary.ApplicationTotal, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, totalsSQL, uid(officeID), ts(from), ts(to))
	if err != nil {
		return nil, s.fail(ctx, "application totals", err)
	}
	defer rows.Close()
	sums := map[string]*notary.ApplicationTotal{}
	for rows.Next() {
		var currency, amount string
		var paid bool
		var refund sql.NullString
		if err := rows.Scan(&currency, &amount, &paid, &refund); err != nil {
			return nil, s.fail(ctx, "application totals", err)
		}
		t := sums[currency]
		if t == nil {
			t = &notary.ApplicationTotal{Currency: currency, Fees: decimal.Zero, Refunded: decimal.Zero}
			sums[currency] = t
		}
		t.Applications++
		if paid {
			fee, err := decimal.NewFromString(amount)
			if err != nil {
				return nil, s.fail(ctx, "application totals", err)
			}
			t.Paid++
			t.Fees = t.Fees.Add(fee)
		}
		if refund.Valid {
			r, err := decimal.NewFromString(refund.String)
			if err != nil {
				return nil, s.fail(ctx, "application totals", err)
			}
			t.Refunded = t.Refunded.Add(r)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "application totals", err)
	}
	out := make([]notary.ApplicationTotal, 0, len(sums))
	for _, t := range sums {
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b notary.ApplicationTotal) int { return strings.Compare(a.Currency, b.Currency) })
	return out, nil
}
