package notary_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

func TestApplyRequiresApprovedFiling(t *testing.T) {
	e := newEnv(t)
	_, err := e.svc.Applications.Apply(e.ctx, alice, notary.ApplyRequest{Evidence: notarytest.Evidence("x")})
	require.ErrorIs(t, err, notary.ErrFilingRequired)
	f, err := e.svc.Filings.Submit(e.ctx, alice, notarytest.FilingContent())
	require.NoError(t, err)
	_, err = e.svc.Applications.Apply(e.ctx, alice, notary.ApplyRequest{Evidence: notarytest.Evidence("x")})
	require.ErrorIs(t, err, notary.ErrFilingRequired, "a filing under review is not enough")
	_, err = e.svc.Reviews.ApproveFiling(e.ctx, e.reviewer, f.ID, f.Version)
	require.NoError(t, err)
	app, err := e.svc.Applications.Apply(e.ctx, alice, notary.ApplyRequest{Evidence: notarytest.Evidence("x")})
	require.NoError(t, err)
	assert.Equal(t, notary.AwaitingPayment, app.State)
	assert.Equal(t, "300.00", app.Quote.Amount.StringFixed(2), "default pricing's minimum charge")
	assert.Equal(t, e.pay.Payment(app.Payment.ID).Amount, app.Quote.Amount)
}

func TestApplyQuotesByEvidenceCount(t *testing.T) {
	e := newEnv(t)
	e.approvedFiling(alice)
	ids := make([]string, 12)
	for i := range ids {
		ids[i] = fmt.Sprintf("q-%d", i)
	}
	app, err := e.svc.Applications.Apply(e.ctx, alice, notary.ApplyRequest{Evidence: notarytest.Evidence(ids...)})
	require.NoError(t, err)
	// 10 × 200 + 2 × 150
	assert.True(t, app.Quote.Amount.Equal(decimal.RequireFromString("2300")), app.Quote.Amount.String())
	assert.Equal(t, 12, app.Quote.Records)
}

func TestApplyIdempotencyKey(t *testing.T) {
	e := newEnv(t)
	e.approvedFiling(alice)
	req := notary.ApplyRequest{Evidence: notarytest.Evidence("k1", "k2"), IdempotencyKey: "click-1"}
	const n = 12
	results := make([]notary.Application, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { results[i], errs[i] = e.svc.Applications.Apply(e.ctx, alice, req) })
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
		assert.Equal(t, results[0].ID, results[i].ID)
		assert.Equal(t, results[0].Payment.ID, results[i].Payment.ID)
	}
	apps, err := e.svc.Applications.Mine(e.ctx, alice, nil, 0)
	require.NoError(t, err)
	assert.Len(t, apps, 1)
	// The same key for other evidence is a conflict; another user may use it.
	_, err = e.svc.Applications.Apply(e.ctx, alice, notary.ApplyRequest{Evidence: notarytest.Evidence("k3"), IdempotencyKey: "click-1"})
	require.ErrorIs(t, err, notary.ErrConflict)
	e.approvedFiling(bob)
	other, err := e.svc.Applications.Apply(e.ctx, bob, notary.ApplyRequest{Evidence: notarytest.Evidence("b1"), IdempotencyKey: "click-1"})
	require.NoError(t, err)
	assert.NotEqual(t, results[0].ID, other.ID)
}

func TestEvidenceReservedUntilReleased(t *testing.T) {
	e := newEnv(t)
	e.approvedFiling(alice)
	e.approvedFiling(bob)
	a, err := e.svc.Applications.Apply(e.ctx, alice, notary.ApplyRequest{Evidence: notarytest.Evidence("shared", "a-only")})
	require.NoError(t, err)
	_, err = e.svc.Applications.Apply(e.ctx, bob, notary.ApplyRequest{Evidence: notarytest.Evidence("shared")})
	require.ErrorIs(t, err, notary.ErrEvidenceReserved)
	assert.Contains(t, err.Error(), "shared")

	// Unpaid past the deadline: the sweep asks the provider, then cancels.
	e.clock.Advance(29 * time.Minute)
	res, err := e.svc.Applications.Sweep(e.ctx)
	require.NoError(t, err)
	assert.Zero(t, res.Expired)
	e.clock.Advance(2 * time.Minute)
	res, err = e.svc.Applications.Sweep(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, res.Expired)
	a, err = e.svc.Applications.Get(e.ctx, alice, a.ID)
	require.NoError(t, err)
	assert.Equal(t, notary.Cancelled, a.State)
	_, err = e.svc.Applications.Apply(e.ctx, bob, notary.ApplyRequest{Evidence: notarytest.Evidence("shared")})
	require.NoError(t, err, "released evidence can be selected again")
}

func TestConcurrentAppliesReserveOnce(t *testing.T) {
	e := newEnv(t)
	users := make([]notary.User, 8)
	for i := range users {
		users[i] = notary.User{ID: fmt.Sprintf("u-%d", i), Email: fmt.Sprintf("u%d@example.com", i)}
		e.approvedFiling(users[i])
	}
	var wg sync.WaitGroup
	errs := make([]error, len(users))
	for i, u := range users {
		wg.Go(func() {
			_, errs[i] = e.svc.Applications.Apply(e.ctx, u, notary.ApplyRequest{Evidence: notarytest.Evidence("contested")})
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
		} else {
			require.ErrorIs(t, err, notary.ErrEvidenceReserved)
		}
	}
	assert.Equal(t, 1, won)
}

func TestConcurrentReviewersOneWins(t *testing.T) {
	e := newEnv(t)
	app := e.appIn(notary.PendingPreliminaryReview)
	before := len(e.notices(app.ID))
	const n = 10
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if i%2 == 0 {
				_, errs[i] = e.svc.Reviews.ApprovePreliminary(e.ctx, e.reviewer, app.ID, app.Version)
			} else {
				_, errs[i] = e.svc.Reviews.RejectPreliminary(e.ctx, e.reviewer, app.ID, app.Version, "no")
			}
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
			continue
		}
		require.ErrorIs(t, err, notary.ErrConflict)
	}
	require.Equal(t, 1, won)
	got, err := e.store.Application(e.ctx, app.ID)
	require.NoError(t, err)
	wantVersion := app.Version + 1
	if got.State == notary.PreliminaryRejected {
		wantVersion++ // the refund follows the rejection
	}
	assert.Equal(t, wantVersion, got.Version)
	evs, err := e.store.Events(e.ctx, app.ID)
	require.NoError(t, err)
	assert.Len(t, evs, int(got.Version))
	added := len(e.notices(app.ID)) - before
	assert.True(t, added == 2 || added == 4, "one decision's notices, got %d", added) // reject adds the refund notices too
}

func TestPaymentEvents(t *testing.T) {
	tests := []struct {
		name    string
		events  func(e *env, a notary.Application) []notary.PaymentEvent
		want    notary.ApplicationState
		wantErr error
	}{
		{"delivered ten times", func(e *env, a notary.Application) []notary.PaymentEvent {
			ev := e.pay.Settle(a.Payment.ID, e.clock.Now())
			out := make([]notary.PaymentEvent, 10)
			for i := range out {
				out[i] = ev
			}
			return out
		}, notary.PendingPreliminaryReview, nil},
		{"failure after success is ignored", func(e *env, a notary.Application) []notary.PaymentEvent {
			ok := e.pay.Settle(a.Payment.ID, e.clock.Now())
			return []notary.PaymentEvent{ok, e.pay.Fail(a.Payment.ID, e.clock.Now())}
		}, notary.PendingPreliminaryReview, nil},
		{"tampered amount", func(e *env, a notary.Application) []notary.PaymentEvent {
			ev := e.pay.Settle(a.Payment.ID, e.clock.Now())
			ev.Amount = ev.Amount.Sub(decimal.NewFromInt(1))
			return []notary.PaymentEvent{ev}
		}, notary.AwaitingPayment, notary.ErrInvalidInput},
		{"wrong currency", func(e *env, a notary.Application) []notary.PaymentEvent {
			ev := e.pay.Settle(a.Payment.ID, e.clock.Now())
			ev.Currency = "USD"
			return []notary.PaymentEvent{ev}
		}, notary.AwaitingPayment, notary.ErrInvalidInput},
		{"payment of another application", func(e *env, a notary.Application) []notary.PaymentEvent {
			ev := e.pay.Settle(a.Payment.ID, e.clock.Now())
			ev.PaymentID = "pay_999"
			return []notary.PaymentEvent{ev}
		}, notary.AwaitingPayment, notary.ErrInvalidInput},
		{"unknown application", func(e *env, a notary.Application) []notary.PaymentEvent {
			ev := e.pay.Settle(a.Payment.ID, e.clock.Now())
			ev.ApplicationID = (&notarytest.IDs{}).NewID()
			return []notary.PaymentEvent{ev}
		}, notary.AwaitingPayment, notary.ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			a := e.appIn(notary.AwaitingPayment)
			var last error
			for _, ev := range tc.events(e, a) {
				_, last = e.svc.Applications.HandlePaymentEvent(e.ctx, ev)
				if tc.wantErr == nil {
					require.NoError(t, last)
				}
			}
			if tc.wantErr != nil {
				require.ErrorIs(t, last, tc.wantErr)
			}
			got, err := e.store.Application(e.ctx, a.ID)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got.State)
			evs, err := e.store.Events(e.ctx, a.ID)
			require.NoError(t, err)
			if tc.want == notary.PendingPreliminaryReview {
				assert.Len(t, evs, 2, "paid exactly once")
				assert.Len(t, e.notices(a.ID), 4, "told exactly once")
			}
		})
	}
}

func TestSweepReconcilesLostNotice(t *testing.T) {
	e := newEnv(t)
	a := e.appIn(notary.AwaitingPayment)
	e.pay.Settle(a.Payment.ID, e.clock.Now()) // the notice never arrives
	e.clock.Advance(time.Hour)
	res, err := e.svc.Applications.Sweep(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, notary.SweepResult{Reconciled: 1}, res)
	got, err := e.store.Application(e.ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, notary.PendingPreliminaryReview, got.State)

	// A provider that cannot close the order: the application expires all
	// the same, and a later sweep closes the order.
	b := e.appIn(notary.AwaitingPayment)
	e.clock.Advance(time.Hour)
	e.pay.FailClose = errors.New("provider down")
	res, err = e.svc.Applications.Sweep(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, res.Expired)
	assert.Equal(t, map[string]int{notary.SweepCloseOrder: 1}, res.Failed, "closing again right away failed too")
	got, err = e.store.Application(e.ctx, b.ID)
	require.NoError(t, err)
	assert.Equal(t, notary.Cancelled, got.State)
	assert.Equal(t, notary.ReasonPaymentDeadlinePassed, got.Reason)
	assert.Equal(t, notary.PaymentPending, got.Payment.Status, "the order is still open")
	e.pay.FailClose = nil
	e.clock.Advance(time.Minute) // the close backs off for a minute after failing once
	res, err = e.svc.Applications.Sweep(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, notary.SweepResult{Closed: 1}, res)
	got, err = e.store.Application(e.ctx, b.ID)
	require.NoError(t, err)
	assert.Equal(t, notary.PaymentCancelled, got.Payment.Status)
	assert.Equal(t, notary.PaymentCancelled, e.pay.Payment(b.Payment.ID).Status)
	res, err = e.svc.Applications.Sweep(e.ctx)
	require.NoError(t, err)
	assert.Zero(t, res, "nothing left to do")
}

func TestRefundPolicies(t *testing.T) {
	for _, tc := range []struct {
		policy notary.RefundPolicy
		want   string // refunded amount of the 300.00 fee; "" for none
	}{
		{notary.RefundPolicy{}, "300.00"},
		{notary.RefundPolicy{Mode: notary.RefundNone}, ""},
		{notary.RefundPolicy{Mode: notary.RefundPercent, Percent: decimal.NewFromInt(50)}, "150.00"},
	} {
		t.Run(string(tc.policy.Mode), func(t *testing.T) {
			e := newEnv(t, func(c *notary.Config) { c.Office.Refund = tc.policy })
			a := e.appIn(notary.PreliminaryRejected)
			if tc.want == "" {
				assert.Nil(t, a.Refund)
				assert.Empty(t, e.pay.Refunds())
				return
			}
			require.NotNil(t, a.Refund)
			assert.Equal(t, tc.want, a.Refund.Amount.StringFixed(2))
			require.Len(t, e.pay.Refunds(), 1)
		})
	}
}

func TestRefundRetriedBySweep(t *testing.T) {
	e := newEnv(t)
	e.pay.FailRefund = errors.New("provider down")
	a := e.appIn(notary.PreliminaryRejected)
	assert.Nil(t, a.Refund, "the rejection stands while the refund fails")
	e.pay.FailRefund = nil
	res, err := e.svc.Applications.Sweep(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, res.Refunded)
	res, err = e.svc.Applications.Sweep(e.ctx)
	require.NoError(t, err)
	assert.Zero(t, res.Refunded, "refunded once")
}

func TestBadInputNeverChangesState(t *testing.T) {
	e := newEnv(t)
	long := strings.Repeat("长", notary.MaxReasonLen+1)
	mutate := func(f func(*notary.FilingContent)) notary.FilingContent {
		c := notarytest.FilingContent()
		f(&c)
		return c
	}
	filings := []struct {
		field   string
		content notary.FilingContent
	}{
		{"enterprise_name", mutate(func(c *notary.FilingContent) { c.EnterpriseName = "" })},
		{"credit_code", mutate(func(c *notary.FilingContent) { c.CreditCode = "91350100M000100Y44" })},
		{"business_license.sha256", mutate(func(c *notary.FilingContent) { c.BusinessLicense.SHA256 = "abc" })},
		{"business_license.size", mutate(func(c *notary.FilingContent) { c.BusinessLicense.Size = 0 })},
		{"business_license.media_type", mutate(func(c *notary.FilingContent) { c.BusinessLicense.MediaType = "pdf" })},
		{"legal_rep.id_number", mutate(func(c *notary.FilingContent) { c.LegalRep.IDNumber = "110105194912310021" })},
		{"legal_rep.id_type", mutate(func(c *notary.FilingContent) { c.LegalRep.IDType = "card" })},
		{"contact_email", mutate(func(c *notary.FilingContent) { c.ContactEmail = "not-an-email" })},
		{"contact_phone", mutate(func(c *notary.FilingContent) { c.ContactPhone = "12345" })},
		{"agent.power_of_attorney.uri", mutate(func(c *notary.FilingContent) {
			c.Agent = &notary.Agent{Person: notary.Person{Name: "Li Si", IDType: notary.IDPassport, IDNumber: "E12345678"}, IDDocument: notarytest.Document("agent-id.pdf")}
		})},
		{"agent.id_document.uri", mutate(func(c *notary.FilingContent) {
			c.Agent = &notary.Agent{Person: notary.Person{Name: "Li Si", IDType: notary.IDPassport, IDNumber: "E12345678"}, PowerOfAttorney: notarytest.Document("poa.pdf")}
		})},
	}
	for _, tc := range filings {
		t.Run(tc.field, func(t *testing.T) {
			_, err := e.svc.Filings.Submit(e.ctx, alice, tc.content)
			var fe *notary.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tc.field, fe.Field)
			require.ErrorIs(t, err, notary.ErrInvalidInput)
			_, err = e.svc.Filings.Mine(e.ctx, alice)
			require.ErrorIs(t, err, notary.ErrNotFound, "nothing stored")
		})
	}
	agent := notarytest.FilingContent()
	agent.Agent = &notary.Agent{Person: notary.Person{Name: "Li Si", IDType: notary.IDPassport, IDNumber: "E12345678"},
		PowerOfAttorney: notarytest.Document("poa.pdf"), IDDocument: notarytest.Document("agent-id.pdf")}
	_, err := e.svc.Filings.Submit(e.ctx, notary.User{ID: "u-carol", Email: "carol@example.com"}, agent)
	require.NoError(t, err, "an agent filing with both documents is accepted")

	app := e.appIn(notary.PendingFinalReview)
	before := e.snapshot(app.ID, app.EvidenceIDs())
	calls := map[string]error{}
	_, calls["reason empty"] = e.svc.Reviews.RejectFinal(e.ctx, e.reviewer, app.ID, app.Version, "  ")
	_, calls["reason too long"] = e.svc.Reviews.RejectFinal(e.ctx, e.reviewer, app.ID, app.Version, long)
	_, calls["certificate number"] = e.svc.Reviews.ApproveFinal(e.ctx, e.reviewer, app.ID, app.Version, "")
	_, calls["control characters"] = e.svc.Reviews.RejectFinal(e.ctx, e.reviewer, app.ID, app.Version, "bad\x00reason")
	for name, err := range calls {
		require.ErrorIs(t, err, notary.ErrInvalidInput, name)
	}
	_, err = e.svc.Reviews.ApproveFinal(e.ctx, e.reviewer, app.ID, app.Version-1, "(2026)深证字第9号")
	require.ErrorIs(t, err, notary.ErrConflict, "stale version")
	require.Equal(t, before, e.snapshot(app.ID, app.EvidenceIDs()))

	for name, ev := range map[string][]notary.Evidence{
		"none":       nil,
		"duplicate":  append(notarytest.Evidence("d"), notarytest.Evidence("d")...),
		"bad digest": {{ID: "x", Title: "x", SHA256: "zz"}},
		"no title":   {{ID: "x", SHA256: notarytest.Digest("x")}},
	} {
		_, err := e.svc.Applications.Apply(e.ctx, alice, notary.ApplyRequest{Evidence: ev})
		require.ErrorIs(t, err, notary.ErrInvalidInput, name)
	}
	_, err = e.svc.Applications.SubmitMaterials(e.ctx, alice, app.ID, "SF", "!!")
	require.ErrorIs(t, err, notary.ErrInvalidInput)
	_, err = e.svc.Applications.Get(e.ctx, alice, (&notarytest.IDs{}).NewID())
	require.ErrorIs(t, err, notary.ErrNotFound)
	_, err = e.svc.Applications.Get(e.ctx, bob, app.ID)
	require.ErrorIs(t, err, notary.ErrForbidden)
	_, err = e.svc.Applications.Get(e.ctx, notary.User{}, app.ID)
	require.ErrorIs(t, err, notary.ErrForbidden)
}

func TestPaymentAfterExpiryIsRefunded(t *testing.T) {
	e := newEnv(t)
	a := e.appIn(notary.AwaitingPayment)
	e.clock.Advance(time.Hour)
	_, err := e.svc.Applications.Sweep(e.ctx)
	require.NoError(t, err)
	late := e.pay.Settle(a.Payment.ID, e.clock.Now())
	for range 3 {
		got, err := e.svc.Applications.HandlePaymentEvent(e.ctx, late)
		require.NoError(t, err)
		assert.Equal(t, notary.Cancelled, got.State)
		require.NotNil(t, got.Refund)
		assert.Equal(t, "300.00", got.Refund.Amount.StringFixed(2))
	}
	assert.Len(t, e.pay.Refunds(), 1, "refunded once")
	n := 0
	for _, s := range e.notices(a.ID) {
		if strings.Contains(s, string(notary.NoticeRefunded)) {
			n++
		}
	}
	assert.Equal(t, 2, n, "the user is told once, in-site and by email")
}

func TestConcurrentDuplicatePaymentEvents(t *testing.T) {
	e := newEnv(t)
	a := e.appIn(notary.AwaitingPayment)
	ev := e.pay.Settle(a.Payment.ID, e.clock.Now())
	var wg sync.WaitGroup
	errs := make([]error, 10)
	for i := range errs {
		wg.Go(func() { _, errs[i] = e.svc.Applications.HandlePaymentEvent(e.ctx, ev) })
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err, "every copy is acknowledged")
	}
	evs, err := e.store.Events(e.ctx, a.ID)
	require.NoError(t, err)
	assert.Len(t, evs, 2, "applied once")
	assert.Len(t, e.notices(a.ID), 4, "told once")
}

func TestAuditNeedsAReader(t *testing.T) {
	e := newEnv(t)
	app := e.appIn(notary.AwaitingPayment)
	require.NoError(t, e.svc.Audit.Verify(e.ctx, alice, app.ID), "the owner")
	require.NoError(t, e.svc.Audit.Verify(e.ctx, e.reviewer, app.ID), "an admin of the office")
	require.ErrorIs(t, e.svc.Audit.Verify(e.ctx, bob, app.ID), notary.ErrForbidden)
	require.ErrorIs(t, e.svc.Audit.Verify(e.ctx, nil, app.ID), notary.ErrForbidden)
	_, err := e.svc.Audit.Trail(e.ctx, alice, e.reviewer.ID)
	require.ErrorIs(t, err, notary.ErrForbidden, "users never read admin accounts' trails")
	trail, err := e.svc.Audit.Trail(e.ctx, e.supervisor, e.reviewer.ID)
	require.NoError(t, err)
	assert.NotEmpty(t, trail)
}

// TestUserContactCheckedWhereStored checks that a user's contact details
// are validated by the calls that store them, while every other call goes
// by the user's ID: a transition's notices use the owner as stored.
func TestUserContactCheckedWhereStored(t *testing.T) {
	e := newEnv(t)
	app := e.appIn(notary.AwaitingMaterials)
	typo := alice
	typo.Email = "alice-at-example.com"

	_, err := e.svc.Applications.Apply(e.ctx, typo, notary.ApplyRequest{Evidence: notarytest.Evidence("typo-1")})
	var fe *notary.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "user.email", fe.Field)
	_, err = e.svc.Filings.Submit(e.ctx, notary.User{ID: "u-new", Email: "nope"}, notarytest.FilingContent())
	require.ErrorIs(t, err, notary.ErrInvalidInput)

	got, err := e.svc.Applications.SubmitMaterials(e.ctx, typo, app.ID, "SF", "SF1234567890123")
	require.NoError(t, err, "the owner acts by ID")
	assert.Equal(t, alice.Email, got.Owner.Email, "the stored owner is unchanged")
	assert.Contains(t, e.notices(app.ID), "email materials.registered "+alice.Email, "notices go to the owner as stored")

	// Reads by the same caller go by ID as well.
	_, err = e.svc.Filings.Mine(e.ctx, typo)
	require.NoError(t, err)
	mine, err := e.svc.Applications.Mine(e.ctx, typo, nil, 10)
	require.NoError(t, err)
	assert.NotEmpty(t, mine)
	_, err = e.svc.Inbox.UnreadCount(e.ctx, typo)
	require.NoError(t, err)
}
