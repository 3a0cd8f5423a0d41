package notary

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// ReviewStats is the optional Store port behind the review console's
// dashboard charts: the review decisions of a period and the totals of
// the applications made in one. The stores of this module implement it
// (memory, SQLite, PostgreSQL); Reviews.Stats returns an error on a store
// that does not. Every query reads an index range of the period — the
// decisions by (office, time), the applications by (office, creation
// time) — so its cost follows the records of the period, not the table.
type ReviewStats interface {
	// Decisions returns the office's review decisions made in [from, to),
	// oldest first: the events of filings and applications whose trigger
	// is one of DecisionTriggers, each with when its record entered the
	// state the decision took it out of.
	Decisions(ctx context.Context, officeID uuid.UUID, from, to time.Time) ([]Decision, error)
	// ApplicationTotals returns, one entry per currency (ordered by
	// currency code), the office's applications made in [from, to): how
	// many, how many were paid, the sum of the paid ones' quotes and the
	// sum of their refunds. Sums are exact.
	ApplicationTotals(ctx context.Context, officeID uuid.UUID, from, to time.Time) ([]ApplicationTotal, error)
}

// DecisionTriggers are the triggers of review decisions: an admin taking
// a filing or an application out of a review queue. The SQL stores'
// partial indexes of decisions name the same list.
var DecisionTriggers = []string{
	string(FilingApprove), string(FilingReject),
	string(AppApprovePreliminary), string(AppRejectPreliminary),
	string(AppApproveFinal), string(AppRejectFinal),
}

// IsDecision reports whether the event of a filing or an application is
// a review decision (its trigger is one of DecisionTriggers).
func (e Event) IsDecision() bool {
	return (e.RecordKind == KindFiling || e.RecordKind == KindApplication) && slices.Contains(DecisionTriggers, e.Trigger)
}

// WaitingSince returns when the record whose trail is evs (in Seq order)
// entered the state the event at index i took it out of: the time of the
// latest earlier event that moved it into that state from another one.
// Zero when the trail has none. The SQL stores compute the same with one
// lookup on the trail's (record, seq) key.
func WaitingSince(evs []Event, i int) time.Time {
	for j := i - 1; j >= 0; j-- {
		if e := evs[j]; e.To == evs[i].From && e.From != e.To {
			return e.At
		}
	}
	return time.Time{}
}

// Decision is one review decision, as ReviewStats.Decisions reads it.
type Decision struct {
	RecordID uuid.UUID
	Kind     RecordKind
	Trigger  string
	// Queue is the state the record waited in: the event's From.
	Queue string
	// Since is when the record entered Queue (see WaitingSince); zero
	// when its trail does not say.
	Since time.Time
	// At is when the decision was made.
	At time.Time
}

// ApplicationTotal sums the applications of a period in one currency.
type ApplicationTotal struct {
	Currency     string
	Applications int // made in the period
	Paid         int // of those, paid (their payment has a paid time)
	// Fees is the sum of the paid applications' quotes.
	Fees decimal.Decimal
	// Refunded is the sum of the refunds of the period's applications.
	Refunded decimal.Decimal
}

// Stats is what the dashboard charts: review turnaround per week and
// applications and fees per month, in the office's time zone, oldest
// bucket first; the last bucket is the current one (so far).
type Stats struct {
	Weeks  []WeekStats
	Months []MonthStats
}

// WeekStats is the review turnaround of one week: how long the records
// decided in it had waited in their review queue (waiting → decided).
type WeekStats struct {
	// Start is the week's Monday, 00:00 in the office's time zone.
	Start time.Time
	// Decisions counts the decisions of the week whose waiting start is
	// known: the sample of Median and P90.
	Decisions int
	// Median and P90 are the 50th and 90th percentiles of the waits,
	// interpolated linearly between the nearest ranks (as PostgreSQL's
	// percentile_cont) and rounded to the second; zero without decisions.
	Median, P90 time.Duration
}

// MonthStats is the applications made in one month, per currency.
type MonthStats struct {
	// Start is the first of the month, 00:00 in the office's time zone.
	Start  time.Time
	Totals []ApplicationTotal
}

// Applications counts the month's applications in every currency.
func (m MonthStats) Applications() int {
	n := 0
	for _, t := range m.Totals {
		n += t.Applications
	}
	return n
}

// Bounds of Reviews.Stats.
const (
	MaxStatsWeeks  = 53
	MaxStatsMonths = 24
)

// errNoStats reports a store without the ReviewStats port.
var errNoStats = errors.New("notary: the store does not implement notary.ReviewStats")

// Stats returns the review turnaround of the last weeks weeks (median and
// 90th percentile of waiting → decided, by the week of the decision) and
// the applications and fees of the last months months (by the month the
// application was made), bucketed in the office's time zone (weeks start
// on Monday) and ending with the current week and month of the service's
// clock. Errors: ErrInvalidInput (weeks outside 1..MaxStatsWeeks, months
// outside 1..MaxStatsMonths), ErrForbidden, ErrUnauthenticated, and a
// plain error on a store without ReviewStats.
func (r *Reviews) Stats(ctx context.Context, admin Admin, weeks, months int) (Stats, error) {
	if err := r.s.checkAdmin(ctx, admin); err != nil {
		return Stats{}, err
	}
	if weeks < 1 || weeks > MaxStatsWeeks {
		return Stats{}, invalid("weeks", "must be between 1 and %d", MaxStatsWeeks)
	}
	if months < 1 || months > MaxStatsMonths {
		return Stats{}, invalid("months", "must be between 1 and %d", MaxStatsMonths)
	}
	st, ok := r.s.store.(ReviewStats)
	if !ok {
		return Stats{}, errNoStats
	}
	office, loc := r.s.office.ID, r.s.office.TimeZone
	now := r.s.clock.Now().In(loc)

	// Weeks: Monday 00:00 in the office's zone.
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	monday := day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	out := Stats{Weeks: make([]WeekStats, weeks), Months: make([]MonthStats, months)}
	for i := range weeks {
		out.Weeks[i].Start = monday.AddDate(0, 0, -7*(weeks-1-i))
	}
	decisions, err := st.Decisions(ctx, office, out.Weeks[0].Start, monday.AddDate(0, 0, 7))
	if err != nil {
		return Stats{}, err
	}
	waits := make([][]time.Duration, weeks)
	for _, d := range decisions {
		if d.Since.IsZero() || d.At.Before(d.Since) {
			continue
		}
		i, _ := slices.BinarySearchFunc(out.Weeks, d.At, func(w WeekStats, at time.Time) int { return w.Start.Compare(at) })
		if i < len(out.Weeks) && out.Weeks[i].Start.Equal(d.At) {
			i++
		}
		if i == 0 {
			continue // before the first week: not asked for
		}
		waits[i-1] = append(waits[i-1], d.At.Sub(d.Since))
	}
	for i, w := range waits {
		out.Weeks[i].Decisions = len(w)
		out.Weeks[i].Median, out.Weeks[i].P90 = percentile(w, 0.5), percentile(w, 0.9)
	}

	// Months: the first, 00:00 in the office's zone.
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
	for i := range months {
		m := &out.Months[i]
		m.Start = first.AddDate(0, -(months - 1 - i), 0)
		if m.Totals, err = st.ApplicationTotals(ctx, office, m.Start, m.Start.AddDate(0, 1, 0)); err != nil {
			return Stats{}, err
		}
	}
	return out, nil
}

// percentile is the p-th percentile of ds, interpolated linearly between
// the nearest ranks (PostgreSQL's percentile_cont), rounded to the second.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	ds = slices.Clone(ds)
	slices.SortFunc(ds, cmp.Compare)
	pos := p * float64(len(ds)-1)
	lo := int(pos)
	d := ds[lo]
	if lo+1 < len(ds) {
		d += time.Duration((pos - float64(lo)) * float64(ds[lo+1]-ds[lo]))
	}
	return d.Round(time.Second)
}
