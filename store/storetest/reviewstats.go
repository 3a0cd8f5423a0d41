package storetest

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/payment"
)

// reviewStatsGroup checks the optional notary.ReviewStats behind the
// review console's dashboard charts; stores without it skip the group.
var reviewStatsGroup = group{"ReviewStats", []test{
	{"ReadsDecisionsWithTheirWait", testDecisions},
	{"SumsApplicationsExactly", testApplicationTotals},
}}

func reviewStats(t *testing.T, s notary.Store) notary.ReviewStats {
	t.Helper()
	st, ok := s.(notary.ReviewStats)
	if !ok {
		t.Skip("the store does not implement the optional notary.ReviewStats")
	}
	return st
}

// step is one transition of a fixture trail: trigger, from, to, when.
type step struct {
	trigger, from, to string
	at                time.Time
}

// trail commits a filing (or an application) and one change per step,
// each carrying the step's event.
func trail(t *testing.T, s notary.Store, kind notary.RecordKind, office uuid.UUID, steps ...step) uuid.UUID {
	t.Helper()
	var f notary.Filing
	var a notary.Application
	var id uuid.UUID
	if kind == notary.KindFiling {
		f = newFiling(office, uuid.NewString(), steps[0].at)
		id = f.ID
	} else {
		a = newApplication(office, uuid.NewString(), 1, steps[0].at)
		id = a.ID
	}
	for i, st := range steps {
		e := nextEvent(t, s, id, kind, office, st.at)
		e.Trigger, e.From, e.To = st.trigger, st.from, st.to
		c := notary.Change{Events: []notary.Event{e}}
		if kind == notary.KindFiling {
			f.State, f.UpdatedAt = notary.FilingState(st.to), st.at
			c.ExpectedVersion = f.Version
			if i > 0 {
				f.Version++
			} else {
				c.ExpectedVersion = 0
			}
			next := f
			c.Filing = &next
		} else {
			prev := a.Version
			if i > 0 {
				a = advance(a, notary.ApplicationState(st.to), st.at)
				c.ExpectedVersion = prev
			} else {
				a.State = notary.ApplicationState(st.to)
				c.Reserve = a.EvidenceIDs()
			}
			next := a
			c.Application = &next
		}
		commit(t, s, c)
	}
	return id
}

func testDecisions(t *testing.T, s notary.Store) {
	st := reviewStats(t, s)
	ctx := t.Context()
	office, other := uuid.New(), uuid.New()
	h := time.Hour
	filing := trail(t, s, notary.KindFiling, office,
		step{"submit", "New", "PendingReview", at(0)},
		step{"reject", "PendingReview", "Rejected", at(2 * h)},
		step{"resubmit", "Rejected", "PendingReview", at(3 * h)},
		step{"approve", "PendingReview", "Approved", at(10 * h)})
	app := trail(t, s, notary.KindApplication, office,
		step{"apply", "New", "AwaitingPayment", at(0)},
		step{"payment_succeeded", "AwaitingPayment", "PendingPreliminaryReview", at(h)},
		step{"approve_preliminary", "PendingPreliminaryReview", "AwaitingMaterials", at(4 * h)},
		step{"submit_materials", "AwaitingMaterials", "PendingFinalReview", at(5 * h)},
		// A tracking event in the queue does not restart the wait.
		step{"materials_delivered", "PendingFinalReview", "PendingFinalReview", at(6 * h)},
		step{"reject_final", "PendingFinalReview", "MaterialsRejected", at(9 * h)})
	// Another office's decision, and one after the period.
	trail(t, s, notary.KindFiling, other,
		step{"submit", "New", "PendingReview", at(0)},
		step{"approve", "PendingReview", "Approved", at(5 * h)})
	late := trail(t, s, notary.KindFiling, office,
		step{"submit", "New", "PendingReview", at(0)},
		step{"approve", "PendingReview", "Approved", at(12 * h)})

	got, err := st.Decisions(ctx, office, at(2*h), at(12*h))
	require.NoError(t, err)
	for i := range got {
		got[i].Since, got[i].At = nt(got[i].Since), nt(got[i].At)
	}
	assert.Equal(t, []notary.Decision{
		{RecordID: filing, Kind: notary.KindFiling, Trigger: "reject", Queue: "PendingReview", Since: nt(at(0)), At: nt(at(2 * h))},
		{RecordID: app, Kind: notary.KindApplication, Trigger: "approve_preliminary", Queue: "PendingPreliminaryReview", Since: nt(at(h)), At: nt(at(4 * h))},
		{RecordID: app, Kind: notary.KindApplication, Trigger: "reject_final", Queue: "PendingFinalReview", Since: nt(at(5 * h)), At: nt(at(9 * h))},
		{RecordID: filing, Kind: notary.KindFiling, Trigger: "approve", Queue: "PendingReview", Since: nt(at(3 * h)), At: nt(at(10 * h))},
	}, got, "from inclusive, to exclusive, the office only, oldest first; the wait starts on entering the queue")

	got, err = st.Decisions(ctx, office, at(12*h), at(13*h))
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, late, got[0].RecordID)
	got, err = st.Decisions(ctx, uuid.New(), at(0), at(24*h))
	require.NoError(t, err)
	assert.Empty(t, got, "an unknown office")
}

func testApplicationTotals(t *testing.T, s notary.Store) {
	st := reviewStats(t, s)
	ctx := t.Context()
	office := uuid.New()
	mk := func(created time.Time, currency, amount string, paid bool, refund string) {
		a := newApplication(office, uuid.NewString(), 1, created)
		a.Quote.Currency, a.Quote.Amount = currency, decimal.RequireFromString(amount)
		if paid {
			a.State = notary.PendingPreliminaryReview
			a.Payment.Status, a.Payment.PaidAt = notary.PaymentSucceeded, created.Add(time.Minute)
		}
		if refund != "" {
			a.State = notary.PreliminaryRejected
			a.Refund = &notary.Refund{ID: "r-" + a.ID.String(), Amount: decimal.RequireFromString(refund), Currency: currency, Reason: "驳回", At: created.Add(time.Hour)}
		}
		commit(t, s, createAppChange(a))
	}
	// Amounts whose float sum is not exact.
	mk(at(0), payment.CNY, "0.10", true, "")
	mk(at(time.Minute), payment.CNY, "0.20", true, "0.05")
	mk(at(2*time.Minute), payment.CNY, "12345678901234.01", true, "")
	mk(at(3*time.Minute), payment.CNY, "320.00", false, "")
	mk(at(4*time.Minute), "USD", "19.99", true, "")
	mk(at(time.Hour), payment.CNY, "1.00", true, "")    // after the period
	mk(at(-time.Minute), payment.CNY, "1.00", true, "") // before it
	other := newApplication(uuid.New(), "stranger", 1, at(0))
	commit(t, s, createAppChange(other))

	got, err := st.ApplicationTotals(ctx, office, at(0), at(time.Hour))
	require.NoError(t, err)
	require.Len(t, got, 2)
	for i := range got {
		got[i].Fees, got[i].Refunded = nd(got[i].Fees), nd(got[i].Refunded)
	}
	assert.Equal(t, []notary.ApplicationTotal{
		{Currency: payment.CNY, Applications: 4, Paid: 3, Fees: nd(decimal.RequireFromString("12345678901234.31")), Refunded: nd(decimal.RequireFromString("0.05"))},
		{Currency: "USD", Applications: 1, Paid: 1, Fees: nd(decimal.RequireFromString("19.99")), Refunded: nd(decimal.Zero)},
	}, got)

	got, err = st.ApplicationTotals(ctx, office, at(2*time.Hour), at(3*time.Hour))
	require.NoError(t, err)
	assert.Empty(t, got, "a period without applications")
}
