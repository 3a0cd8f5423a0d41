package store

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/notarykit/notarykit/notary"
)

var _ notary.ReviewStats = (*Memory)(nil)

// Decisions returns the office's review decisions made in [from, to),
// oldest first.
func (m *Memory) Decisions(ctx context.Context, officeID uuid.UUID, from, to time.Time) ([]notary.Decision, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []notary.Decision
	for _, trail := range m.events {
		evs := slices.Clone(trail)
		slices.SortStableFunc(evs, func(a, b notary.Event) int { return cmp.Compare(a.Seq, b.Seq) })
		for i, e := range evs {
			if e.OfficeID != officeID || !e.IsDecision() || e.At.Before(from) || !e.At.Before(to) {
				continue
			}
			out = append(out, notary.Decision{RecordID: e.RecordID, Kind: e.RecordKind, Trigger: e.Trigger, Queue: e.From,
				Since: notary.WaitingSince(evs, i), At: e.At})
		}
	}
	slices.SortFunc(out, func(a, b notary.Decision) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return slices.Compare(a.RecordID[:], b.RecordID[:])
	})
	return out, nil
}

// ApplicationTotals returns per currency the office's applications made
// in [from, to).
func (m *Memory) ApplicationTotals(ctx context.Context, officeID uuid.UUID, from, to time.Time) ([]notary.ApplicationTotal, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	sums := map[string]*notary.ApplicationTotal{}
	for _, a := range m.apps {
		if a.OfficeID != officeID || a.CreatedAt.Before(from) || !a.CreatedAt.Before(to) {
			continue
		}
		t := sums[a.Quote.Currency]
		if t == nil {
			t = &notary.ApplicationTotal{Currency: a.Quote.Currency, Fees: decimal.Zero, Refunded: decimal.Zero}
			sums[a.Quote.Currency] = t
		}
		t.Applications++
		if !a.Payment.PaidAt.IsZero() {
			t.Paid++
			t.Fees = t.Fees.Add(a.Quote.Amount)
		}
		if a.Refund != nil {
			t.Refunded = t.Refunded.Add(a.Refund.Amount)
		}
	}
	out := make([]notary.ApplicationTotal, 0, len(sums))
	for _, t := range sums {
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b notary.ApplicationTotal) int { return strings.Compare(a.Currency, b.Currency) })
	return out, nil
}
