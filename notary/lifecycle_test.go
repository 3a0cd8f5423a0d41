package notary_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

// TestFilingRows exercises each row of SPEC's filing table: new state,
// audit event and who is told.
func TestFilingRows(t *testing.T) {
	office := []string{"email filing.review_requested desk@office.example", "email filing.review_requested chief@office.example"}
	tests := []struct {
		name    string
		run     func(e *env) (notary.Filing, error)
		want    notary.FilingState
		notices []string
	}{
		{"submit", func(e *env) (notary.Filing, error) {
			return e.svc.Filings.Submit(e.ctx, alice, notarytest.FilingContent())
		}, notary.FilingPendingReview, office},
		{"approve", func(e *env) (notary.Filing, error) {
			f, _ := e.svc.Filings.Submit(e.ctx, alice, notarytest.FilingContent())
			return e.svc.Reviews.ApproveFiling(e.ctx, e.reviewer, f.ID, f.Version)
		}, notary.FilingApproved, append(office, "insite filing.approved alice@example.com", "email filing.approved alice@example.com")},
		{"reject", func(e *env) (notary.Filing, error) {
			f, _ := e.svc.Filings.Submit(e.ctx, alice, notarytest.FilingContent())
			return e.svc.Reviews.RejectFiling(e.ctx, e.reviewer, f.ID, f.Version, "licence scan unreadable")
		}, notary.FilingRejected, append(office, "insite filing.rejected alice@example.com", "email filing.rejected alice@example.com")},
		{"resubmit", func(e *env) (notary.Filing, error) {
			f, _ := e.svc.Filings.Submit(e.ctx, alice, notarytest.FilingContent())
			f, _ = e.svc.Reviews.RejectFiling(e.ctx, e.reviewer, f.ID, f.Version, "licence scan unreadable")
			return e.svc.Filings.Resubmit(e.ctx, alice, f.ID, notarytest.FilingContent())
		}, notary.FilingPendingReview, append(append(office, "insite filing.rejected alice@example.com", "email filing.rejected alice@example.com"), office...)},
		{"amend", func(e *env) (notary.Filing, error) {
			e.approvedFiling(alice)
			f, _ := e.svc.Filings.Mine(e.ctx, alice)
			c := notarytest.FilingContent()
			c.ContactAddress = "9 New Address Road, Futian, Shenzhen"
			return e.svc.Filings.Amend(e.ctx, alice, f.ID, c)
		}, notary.FilingPendingReview, append(append(office, "insite filing.approved alice@example.com", "email filing.approved alice@example.com"), office...)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			f, err := tc.run(e)
			require.NoError(t, err)
			assert.Equal(t, tc.want, f.State)
			stored, err := e.store.Filing(e.ctx, f.ID)
			require.NoError(t, err)
			assert.Equal(t, f.Version, stored.Version)
			assert.Equal(t, f.AuditHead, stored.AuditHead)
			assert.True(t, notary.IsSealed(stored.Content.LegalRep.IDNumber), "the store holds the ID number sealed")
			got, err := e.svc.Filings.Get(e.ctx, e.reviewer, f.ID)
			require.NoError(t, err)
			assert.Equal(t, f, got, "a transition answers what Get shows: the masked filing")
			assert.Equal(t, "1101**********002X", got.Content.LegalRep.IDNumber)
			evs, err := e.store.Events(e.ctx, f.ID)
			require.NoError(t, err)
			require.Len(t, evs, int(f.Version))
			last := evs[len(evs)-1]
			assert.Equal(t, string(tc.want), last.To)
			assert.Equal(t, f.AuditHead, last.Hash)
			assert.Equal(t, tc.notices, e.notices(f.ID))
			require.NoError(t, e.svc.Audit.Verify(e.ctx, e.reviewer, f.ID))
		})
	}
}

func TestAmendKeepsApprovedRevisionInForce(t *testing.T) {
	e := newEnv(t)
	f := e.approvedFiling(alice)
	c := notarytest.FilingContent()
	c.EnterpriseName = "Renamed Technology Co., Ltd."
	f, err := e.svc.Filings.Amend(e.ctx, alice, f.ID, c)
	require.NoError(t, err)
	assert.Equal(t, 2, f.Revision)
	assert.Equal(t, 1, f.ApprovedRevision)
	assert.Equal(t, notarytest.FilingContent().EnterpriseName, f.Approved.EnterpriseName)
	// The old revision still lets the user apply while the amendment waits.
	_, err = e.svc.Applications.Apply(e.ctx, alice, notary.ApplyRequest{Evidence: notarytest.Evidence("amend-1")})
	require.NoError(t, err)
	f, err = e.svc.Reviews.RejectFiling(e.ctx, e.reviewer, f.ID, f.Version, "name change not registered")
	require.NoError(t, err)
	assert.True(t, f.InForce(), "a rejected amendment leaves the approved revision in force")
	f, err = e.svc.Filings.Resubmit(e.ctx, alice, f.ID, c)
	require.NoError(t, err)
	assert.Equal(t, 3, f.Revision, "a resubmission files a new revision; the rejected one is kept")
	f, err = e.svc.Reviews.ApproveFiling(e.ctx, e.reviewer, f.ID, f.Version)
	require.NoError(t, err)
	assert.Equal(t, 3, f.ApprovedRevision)
	assert.Equal(t, "Renamed Technology Co., Ltd.", f.Approved.EnterpriseName)
}

// TestApplicationRows exercises each row of SPEC's application table.
func TestApplicationRows(t *testing.T) {
	u := func(kind string) []string {
		return []string{"insite " + kind + " alice@example.com", "email " + kind + " alice@example.com"}
	}
	office := func(kind string) []string {
		return []string{"email " + kind + " desk@office.example", "email " + kind + " chief@office.example"}
	}
	cat := func(parts ...[]string) []string {
		var out []string
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	tests := []struct {
		from    notary.ApplicationState
		act     func(e *env, a notary.Application) (notary.Application, error)
		want    notary.ApplicationState
		notices []string // notices the transition adds
		holds   bool     // evidence reserved afterwards
	}{
		{notary.ApplicationNew, nil, notary.AwaitingPayment, nil, true},
		{notary.AwaitingPayment, func(e *env, a notary.Application) (notary.Application, error) {
			return e.svc.Applications.HandlePaymentEvent(e.ctx, e.pay.Settle(a.Payment.ID, e.clock.Now()))
		}, notary.PendingPreliminaryReview, cat(u("application.paid"), office("application.review_requested")), true},
		{notary.AwaitingPayment, func(e *env, a notary.Application) (notary.Application, error) {
			return e.svc.Applications.HandlePaymentEvent(e.ctx, e.pay.Fail(a.Payment.ID, e.clock.Now()))
		}, notary.AwaitingPayment, u("payment.failed"), true},
		{notary.AwaitingPayment, func(e *env, a notary.Application) (notary.Application, error) {
			return e.svc.Applications.HandlePaymentEvent(e.ctx, e.pay.ClosedByProvider(a.Payment.ID, e.clock.Now()))
		}, notary.Cancelled, u("application.cancelled"), false},
		{notary.AwaitingPayment, func(e *env, a notary.Application) (notary.Application, error) {
			return e.svc.Applications.HandlePaymentEvent(e.ctx, e.pay.Expire(a.Payment.ID, e.clock.Now()))
		}, notary.Cancelled, u("application.cancelled"), false},
		{notary.AwaitingPayment, func(e *env, a notary.Application) (notary.Application, error) {
			e.clock.Advance(31 * time.Minute)
			_, err := e.svc.Applications.Sweep(e.ctx)
			require.NoError(e.t, err)
			return e.svc.Applications.Get(e.ctx, alice, a.ID)
		}, notary.Cancelled, u("application.cancelled"), false},
		{notary.AwaitingPayment, func(e *env, a notary.Application) (notary.Application, error) {
			return e.svc.Applications.Cancel(e.ctx, alice, a.ID)
		}, notary.Cancelled, u("application.cancelled"), false},
		{notary.PendingPreliminaryReview, func(e *env, a notary.Application) (notary.Application, error) {
			return e.svc.Reviews.ApprovePreliminary(e.ctx, e.reviewer, a.ID, a.Version)
		}, notary.AwaitingMaterials, u("preliminary.approved"), true},
		{notary.PendingPreliminaryReview, func(e *env, a notary.Application) (notary.Application, error) {
			return e.svc.Reviews.RejectPreliminary(e.ctx, e.reviewer, a.ID, a.Version, "evidence unrelated to the matter")
		}, notary.PreliminaryRejected, cat(u("preliminary.rejected"), u("payment.refunded")), false},
		{notary.AwaitingMaterials, func(e *env, a notary.Application) (notary.Application, error) {
			return e.svc.Applications.SubmitMaterials(e.ctx, alice, a.ID, "SF", "SF1234567890123")
		}, notary.PendingFinalReview, cat(u("materials.registered"), office("materials.review_requested")), true},
		{notary.MaterialsRejected, func(e *env, a notary.Application) (notary.Application, error) {
			return e.svc.Applications.SubmitMaterials(e.ctx, alice, a.ID, "SF", "SF1234567890999")
		}, notary.PendingFinalReview, cat(u("materials.registered"), office("materials.review_requested")), true},
		{notary.PendingFinalReview, func(e *env, a notary.Application) (notary.Application, error) {
			return e.svc.Reviews.RejectFinal(e.ctx, e.reviewer, a.ID, a.Version, "power of attorney unsigned")
		}, notary.MaterialsRejected, u("final.rejected"), true},
		{notary.PendingFinalReview, func(e *env, a notary.Application) (notary.Application, error) {
			return e.svc.Reviews.ApproveFinal(e.ctx, e.reviewer, a.ID, a.Version, "(2026)深证字第00002号")
		}, notary.CertificateInProduction, u("certificate.in_production"), true},
		{notary.CertificateInProduction, func(e *env, a notary.Application) (notary.Application, error) {
			return e.svc.Reviews.Ship(e.ctx, e.reviewer, a.ID, a.Version, "EMS", "EE123456785CN")
		}, notary.CertificateShipped, u("certificate.shipped"), true},
		{notary.CertificateShipped, func(e *env, a notary.Application) (notary.Application, error) {
			return e.svc.Applications.ConfirmReceipt(e.ctx, alice, a.ID)
		}, notary.Completed, cat(u("application.completed"), office("certificate.receipt_confirmed")), false},
		{notary.CertificateShipped, func(e *env, a notary.Application) (notary.Application, error) {
			e.clock.Advance(11 * 24 * time.Hour)
			res, err := e.svc.Applications.Sweep(e.ctx)
			require.NoError(e.t, err)
			assert.Equal(e.t, 1, res.AutoConfirmed)
			return e.svc.Applications.Get(e.ctx, alice, a.ID)
		}, notary.Completed, cat(u("application.completed"), office("certificate.receipt_confirmed")), false},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s->%s", tc.from, tc.want), func(t *testing.T) {
			e := newEnv(t)
			var a notary.Application
			var before []string
			if tc.act == nil {
				e.approvedFiling(alice)
				var err error
				a, err = e.svc.Applications.Apply(e.ctx, alice, notary.ApplyRequest{Evidence: notarytest.Evidence("new-1", "new-2")})
				require.NoError(t, err)
			} else {
				a = e.appIn(tc.from)
				before = e.notices(a.ID)
				var err error
				a, err = tc.act(e, a)
				require.NoError(t, err)
			}
			assert.Equal(t, tc.want, a.State)
			stored, err := e.store.Application(e.ctx, a.ID)
			require.NoError(t, err)
			assert.Equal(t, a, stored)
			assert.Equal(t, tc.notices, e.notices(a.ID)[len(before):])
			held, err := e.store.Reservations(e.ctx, a.EvidenceIDs())
			require.NoError(t, err)
			if tc.holds {
				assert.Len(t, held, len(a.Evidence))
			} else {
				assert.Empty(t, held)
			}
			require.NoError(t, e.svc.Audit.Verify(e.ctx, e.reviewer, a.ID))
		})
	}
}

// TestEveryForbiddenTransition fires every trigger in every state where the
// table does not permit it, for every party, and checks that it fails with
// ErrInvalidTransition (no rule) or ErrForbidden (a rule for another
// party) and that nothing changed.
func TestEveryForbiddenTransition(t *testing.T) {
	e := newEnv(t)
	_, finance := e.newAdmin("cash@office.example", notary.RoleFinance)
	actors := map[notary.Party]notary.Principal{notary.PartyOwner: alice, notary.PartyAdmin: e.reviewer, notary.PartySystem: notary.SystemActor,
		notary.PartyFinance: finance}
	financeFires := map[notary.ApplicationTrigger]bool{}
	for _, r := range notary.ApplicationLifecycle.Rules() {
		financeFires[r.Trigger] = financeFires[r.Trigger] || r.By == notary.PartyFinance
	}
	rules := ApplicationRules()
	for _, state := range notary.ApplicationLifecycle.States() {
		if state == notary.ApplicationNew {
			continue
		}
		app := e.appIn(state)
		for _, trig := range notary.ApplicationLifecycle.Triggers() {
			for party, actor := range actors {
				allowed, other := rules[state][trig][party], len(rules[state][trig]) > 0
				if party == notary.PartyFinance && !financeFires[trig] {
					other = true // finance is forbidden what is never its to do
				}
				if allowed {
					continue
				}
				before := e.snapshot(app.ID, app.EvidenceIDs())
				_, err := e.svc.FireApplication(e.ctx, actor, app, trig)
				if other {
					require.ErrorIs(t, err, notary.ErrForbidden, "%s %s by %s", state, trig, party)
				} else {
					require.ErrorIs(t, err, notary.ErrInvalidTransition, "%s %s by %s", state, trig, party)
				}
				require.Equal(t, before, e.snapshot(app.ID, app.EvidenceIDs()), "%s %s by %s changed the record", state, trig, party)
			}
		}
	}
}

// ApplicationRules indexes the application table: state → trigger → party.
func ApplicationRules() map[notary.ApplicationState]map[notary.ApplicationTrigger]map[notary.Party]bool {
	out := map[notary.ApplicationState]map[notary.ApplicationTrigger]map[notary.Party]bool{}
	for _, r := range notary.ApplicationLifecycle.Rules() {
		if out[r.From] == nil {
			out[r.From] = map[notary.ApplicationTrigger]map[notary.Party]bool{}
		}
		if out[r.From][r.Trigger] == nil {
			out[r.From][r.Trigger] = map[notary.Party]bool{}
		}
		out[r.From][r.Trigger][r.By] = true
	}
	return out
}

func TestEveryForbiddenFilingAction(t *testing.T) {
	e := newEnv(t)
	pending, err := e.svc.Filings.Submit(e.ctx, alice, notarytest.FilingContent())
	require.NoError(t, err)
	approved := e.approvedFiling(bob)
	carol := notary.User{ID: "u-carol", Email: "carol@example.com"}
	rejected, err := e.svc.Filings.Submit(e.ctx, carol, notarytest.FilingContent())
	require.NoError(t, err)
	rejected, err = e.svc.Reviews.RejectFiling(e.ctx, e.reviewer, rejected.ID, rejected.Version, "wrong licence")
	require.NoError(t, err)
	owner := map[notary.FilingState]notary.User{notary.FilingPendingReview: alice, notary.FilingApproved: bob, notary.FilingRejected: carol}
	actions := map[notary.FilingTrigger]func(f notary.Filing) error{
		notary.FilingApprove: func(f notary.Filing) error {
			_, err := e.svc.Reviews.ApproveFiling(e.ctx, e.reviewer, f.ID, f.Version)
			return err
		},
		notary.FilingReject: func(f notary.Filing) error {
			_, err := e.svc.Reviews.RejectFiling(e.ctx, e.reviewer, f.ID, f.Version, "no")
			return err
		},
		notary.FilingResubmit: func(f notary.Filing) error {
			_, err := e.svc.Filings.Resubmit(e.ctx, owner[f.State], f.ID, notarytest.FilingContent())
			return err
		},
		notary.FilingAmend: func(f notary.Filing) error {
			_, err := e.svc.Filings.Amend(e.ctx, owner[f.State], f.ID, notarytest.FilingContent())
			return err
		},
	}
	for _, f := range []notary.Filing{pending, approved, rejected} {
		for trig, act := range actions {
			if len(notary.FilingLifecycle.Permitted(e.ctx, f.State, notary.PartyOwner))+len(notary.FilingLifecycle.Permitted(e.ctx, f.State, notary.PartyAdmin)) > 0 &&
				permitted(f.State, trig) {
				continue
			}
			before := e.snapshot(f.ID, nil)
			require.ErrorIs(t, act(f), notary.ErrInvalidTransition, "%s in %s", trig, f.State)
			require.Equal(t, before, e.snapshot(f.ID, nil))
		}
	}
	// Submitting twice is a conflict, not a second filing.
	_, err = e.svc.Filings.Submit(e.ctx, alice, notarytest.FilingContent())
	require.ErrorIs(t, err, notary.ErrConflict)
}

func permitted(s notary.FilingState, t notary.FilingTrigger) bool {
	for _, r := range notary.FilingLifecycle.Rules() {
		if r.From == s && r.Trigger == t {
			return true
		}
	}
	return false
}

func TestPermittedActions(t *testing.T) {
	e := newEnv(t)
	app := e.appIn(notary.PendingFinalReview)
	got, err := e.svc.Applications.Actions(e.ctx, e.reviewer, app.ID)
	require.NoError(t, err)
	assert.Equal(t, []notary.ApplicationTrigger{notary.AppRejectFinal, notary.AppApproveFinal}, got)
	got, err = e.svc.Applications.Actions(e.ctx, alice, app.ID)
	require.NoError(t, err)
	assert.Equal(t, []notary.ApplicationTrigger{notary.AppRequestInvoice}, got, "the fee is paid: an invoice may be asked for")
	_, err = e.svc.Applications.Actions(e.ctx, bob, app.ID)
	assert.ErrorIs(t, err, notary.ErrForbidden)

	app = e.appIn(notary.AwaitingMaterials)
	got, err = e.svc.Applications.Actions(e.ctx, alice, app.ID)
	require.NoError(t, err)
	assert.Equal(t, []notary.ApplicationTrigger{notary.AppSubmitMaterials, notary.AppRequestInvoice}, got)

	// Unpaid, nothing to invoice; once asked for, the invoice is finance's.
	unpaid := e.appIn(notary.AwaitingPayment)
	got, err = e.svc.Applications.Actions(e.ctx, alice, unpaid.ID)
	require.NoError(t, err)
	assert.Equal(t, []notary.ApplicationTrigger{notary.AppCancel}, got)
	app, err = e.svc.Invoices.Request(e.ctx, alice, app.ID, notary.InvoiceRequest{Type: notary.InvoiceOrdinary})
	require.NoError(t, err)
	got, err = e.svc.Applications.Actions(e.ctx, alice, app.ID)
	require.NoError(t, err)
	assert.Equal(t, []notary.ApplicationTrigger{notary.AppSubmitMaterials}, got)
	fin := e.finance()
	got, err = e.svc.Applications.Actions(e.ctx, fin, app.ID)
	require.NoError(t, err)
	assert.Equal(t, []notary.ApplicationTrigger{notary.AppIssueInvoice, notary.AppRejectInvoice}, got)
	assert.Equal(t, got, e.svc.Applications.ActionsAfter(app, fin))

	f, err := e.svc.Filings.Mine(e.ctx, alice)
	require.NoError(t, err)
	fa, err := e.svc.Filings.Actions(e.ctx, alice, f.ID)
	require.NoError(t, err)
	assert.Equal(t, []notary.FilingTrigger{notary.FilingAmend}, fa)
	fa, err = e.svc.Filings.Actions(e.ctx, e.reviewer, f.ID)
	require.NoError(t, err)
	assert.Empty(t, fa)
}

func TestErrorsAreTyped(t *testing.T) {
	for _, err := range []error{notary.ErrInvalidInput, notary.ErrNotFound, notary.ErrForbidden, notary.ErrConflict,
		notary.ErrFilingRequired, notary.ErrInvalidTransition, notary.ErrEvidenceReserved} {
		assert.True(t, errors.Is(fmt.Errorf("ctx: %w", err), err))
	}
	var fe *notary.FieldError
	_, err := notary.New(notary.Config{InsecureDevKeys: true}) // clockguard: real clock: an empty Config fails before any clock is read
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "office.id", fe.Field)
	assert.ErrorIs(t, err, notary.ErrInvalidInput)
}
