package notary_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

// principal kinds: which callers an action accepts.
type principalKind int

const (
	usersOnly principalKind = iota
	adminsOnly
	anyone
)

// who is one actor of the authorization table.
type who struct {
	name  string
	user  *notary.User
	admin *notary.Admin
	want  func(a authzAction) error // the error the actor gets (nil: allowed)
}

func (w who) principal() notary.Principal {
	if w.user != nil {
		return *w.user
	}
	return *w.admin
}

// target is the record an action works on.
type target struct {
	id       uuid.UUID
	version  int64 // the record's version as set up, which decisions name
	evidence []string
	other    uuid.UUID // a second record the action names (a kept transfer)
}

type authzAction struct {
	name  string
	kind  principalKind
	setup func(e *env) target
	run   func(e *env, w who, tg target) error
	// allowed is what an authorized actor gets: nil, or an error such as
	// ErrInvalidTransition when the record is in the wrong state.
	allowed error
	// duty restricts the action to admins whose role has it (notary.Role.May);
	// "" lets any admin of the office act.
	duty notary.Duty
	// other, when set, is what another user gets: self-service actions act
	// on the caller's own records instead of being refused.
	other  error
	selfOK bool // other user is allowed (self-service)
}

// actors logs in every kind of actor into e (after the fixture exists):
// the owner alice, another user bob, the office's reviewer and supervisor,
// a supervisor of another office (and the same claiming this office), a
// disabled admin, an admin whose session went idle, a principal without a
// session, a reviewer presenting the supervisor's session, and a reviewer
// claiming the supervisor role.
func actors(e *env) []who {
	e.t.Helper()
	ctx := e.ctx
	_, disabled := e.newAdmin("gone@office.example", notary.RoleReviewer)
	_, err := e.svc.Admins.Disable(ctx, e.supervisor, disabled.ID)
	require.NoError(e.t, err)
	_, idle := e.newAdmin("idle@office.example", notary.RoleReviewer)
	e.clock.Advance(e.svc.Admins.Policy().SessionIdle - time.Minute)
	for _, tok := range []string{e.reviewerToken, e.supervisorToken} { // keep these alive
		_, err := e.svc.Admins.Authenticate(ctx, tok)
		require.NoError(e.t, err)
	}
	e.clock.Advance(2 * time.Minute) // idle's session is now past the idle timeout
	_, finance := e.newAdmin("finance@office.example", notary.RoleFinance)
	_, foreign := e.otherOffice()
	claiming := foreign
	claiming.OfficeID = officeID
	noSession := e.reviewer
	noSession.SessionID = ""
	stolen := e.reviewer
	stolen.SessionID = e.supervisor.SessionID
	forged := e.reviewer
	forged.Role = notary.RoleSupervisor
	financeAsReviewer := finance
	financeAsReviewer.Role = notary.RoleReviewer
	reviewerAsFinance := e.reviewer
	reviewerAsFinance.Role = notary.RoleFinance

	owner, other := alice, bob
	ok := func(a authzAction) error { return a.allowed }
	// as is what an admin whose stored account has role gets: the role
	// the principal claims counts for nothing.
	as := func(role notary.Role) func(a authzAction) error {
		return func(a authzAction) error {
			if a.duty != "" && !role.May(a.duty) {
				return notary.ErrForbidden
			}
			return a.allowed
		}
	}
	forbidden := func(authzAction) error { return notary.ErrForbidden }
	unauth := func(authzAction) error { return notary.ErrUnauthenticated }
	admin := func(name string, a notary.Admin, want func(authzAction) error) who {
		return who{name: name, admin: &a, want: want}
	}
	return []who{
		{name: "owner", user: &owner, want: ok},
		{name: "other user", user: &other, want: func(a authzAction) error {
			if a.selfOK {
				return a.other
			}
			return notary.ErrForbidden
		}},
		admin("reviewer", e.reviewer, as(notary.RoleReviewer)),
		admin("supervisor", e.supervisor, as(notary.RoleSupervisor)),
		admin("finance", finance, as(notary.RoleFinance)),
		admin("reviewer claiming supervisor", forged, as(notary.RoleReviewer)),
		admin("reviewer claiming finance", reviewerAsFinance, as(notary.RoleReviewer)),
		admin("finance claiming reviewer", financeAsReviewer, as(notary.RoleFinance)),
		admin("other office admin", foreign, forbidden),
		admin("other office admin claiming this office", claiming, forbidden),
		admin("disabled admin", disabled, unauth),
		admin("idle session", idle, unauth),
		admin("no session", noSession, unauth),
		admin("stolen session", stolen, unauth),
	}
}

func filingIn(e *env, state notary.FilingState) target {
	e.t.Helper()
	f, err := e.svc.Filings.Submit(e.ctx, alice, notarytest.FilingContent())
	require.NoError(e.t, err)
	switch state {
	case notary.FilingApproved:
		f, err = e.svc.Reviews.ApproveFiling(e.ctx, e.reviewer, f.ID, f.Version)
	case notary.FilingRejected:
		f, err = e.svc.Reviews.RejectFiling(e.ctx, e.reviewer, f.ID, f.Version, "blurred licence")
	}
	require.NoError(e.t, err)
	require.Equal(e.t, state, f.State)
	return target{id: f.ID, version: f.Version}
}

func appTarget(state notary.ApplicationState) func(e *env) target {
	return func(e *env) target {
		a := e.appIn(state)
		return target{id: a.ID, version: a.Version, evidence: a.EvidenceIDs()}
	}
}

func adminTarget(disabled bool) func(e *env) target {
	return func(e *env) target {
		e.t.Helper()
		_, a := e.newAdmin("target@office.example", notary.RoleReviewer)
		if disabled {
			_, err := e.svc.Admins.Disable(e.ctx, e.supervisor, a.ID)
			require.NoError(e.t, err)
		}
		return target{id: a.ID}
	}
}

func invoiceTarget(state notary.InvoiceState) func(e *env) target {
	return func(e *env) target {
		a := e.invoiceIn(notary.PendingPreliminaryReview, state)
		return target{id: a.ID, version: a.Version, evidence: a.EvidenceIDs()}
	}
}

func filingTarget(state notary.FilingState) func(e *env) target {
	return func(e *env) target { return filingIn(e, state) }
}

func noTarget(*env) target { return target{} }

// transferTarget is alice's application paying by bank transfer, awaiting
// it; with kept, also a transfer for it kept unmatched (no reference).
func transferTarget(kept bool) func(e *env) target {
	return func(e *env) target {
		e.t.Helper()
		if _, err := e.svc.Filings.Mine(e.ctx, alice); err != nil {
			e.approvedFiling(alice)
		}
		app, err := e.svc.Applications.Apply(e.ctx, alice, notary.ApplyRequest{Evidence: notarytest.Evidence("authz-bt"), Method: notary.MethodBankTransfer})
		require.NoError(e.t, err)
		tg := target{id: app.ID, version: app.Version, evidence: app.EvidenceIDs()}
		if kept {
			_, cash := e.newAdmin("setup-cash@office.example", notary.RoleFinance)
			tr := authzTransfer(e, app.ID)
			tr.Reference = ""
			res, err := e.svc.Finance.RecordTransfer(e.ctx, cash, tr)
			require.NoError(e.t, err)
			tg.other = res.Kept.ID
		}
		return tg
	}
}

// refundTarget is alice's application paid by bank transfer and rejected:
// its refund waits for finance.
func refundTarget(e *env) target {
	e.t.Helper()
	tg := transferTarget(false)(e)
	_, cash := e.newAdmin("setup-cash@office.example", notary.RoleFinance)
	res, err := e.svc.Finance.RecordTransfer(e.ctx, cash, authzTransfer(e, tg.id))
	require.NoError(e.t, err)
	app, err := e.svc.Reviews.RejectPreliminary(e.ctx, e.reviewer, tg.id, res.Application.Version, "blurred scan")
	require.NoError(e.t, err)
	tg.version = app.Version
	return tg
}

// authzTransfer is a transfer paying application id exactly.
func authzTransfer(e *env, id uuid.UUID) notary.ReceivedTransfer {
	e.t.Helper()
	app, err := e.store.Application(e.ctx, id)
	require.NoError(e.t, err)
	return notary.ReceivedTransfer{Serial: "AUTHZ-" + id.String()[:8], Reference: notary.TransferReference(id), PayerName: "Payer Ltd",
		Amount: app.Quote.Amount, Date: e.clock.Now()}
}

func errOnly[T any](_ T, err error) error { return err }

// authzActions is every service action a principal can call.
func authzActions() []authzAction {
	return []authzAction{
		// Filings.
		{name: "Filings.Submit", kind: usersOnly, setup: noTarget, selfOK: true,
			run: func(e *env, w who, _ target) error {
				return errOnly(e.svc.Filings.Submit(e.ctx, *w.user, notarytest.FilingContent()))
			}},
		{name: "Filings.Resubmit", kind: usersOnly, setup: filingTarget(notary.FilingRejected),
			run: func(e *env, w who, tg target) error {
				return errOnly(e.svc.Filings.Resubmit(e.ctx, *w.user, tg.id, notarytest.FilingContent()))
			}},
		{name: "Filings.Resubmit pending", kind: usersOnly, setup: filingTarget(notary.FilingPendingReview), allowed: notary.ErrInvalidTransition,
			run: func(e *env, w who, tg target) error {
				return errOnly(e.svc.Filings.Resubmit(e.ctx, *w.user, tg.id, notarytest.FilingContent()))
			}},
		{name: "Filings.Amend", kind: usersOnly, setup: filingTarget(notary.FilingApproved),
			run: func(e *env, w who, tg target) error {
				return errOnly(e.svc.Filings.Amend(e.ctx, *w.user, tg.id, notarytest.FilingContent()))
			}},
		{name: "Filings.Get", kind: anyone, setup: filingTarget(notary.FilingPendingReview),
			run: func(e *env, w who, tg target) error { return errOnly(e.svc.Filings.Get(e.ctx, w.principal(), tg.id)) }},
		{name: "Filings.Actions", kind: anyone, setup: filingTarget(notary.FilingPendingReview),
			run: func(e *env, w who, tg target) error {
				return errOnly(e.svc.Filings.Actions(e.ctx, w.principal(), tg.id))
			}},
		{name: "Filings.Inspect", kind: anyone, setup: filingTarget(notary.FilingPendingReview),
			run: func(e *env, w who, tg target) error {
				_, _, err := e.svc.Filings.Inspect(e.ctx, w.principal(), tg.id)
				return err
			}},
		{name: "Filings.Mine", kind: usersOnly, setup: filingTarget(notary.FilingApproved), selfOK: true, other: notary.ErrNotFound,
			run: func(e *env, w who, _ target) error {
				f, err := e.svc.Filings.Mine(e.ctx, *w.user)
				if err == nil && f.Owner.ID != w.user.ID {
					return fmt.Errorf("%s sees %s's filing", w.user.ID, f.Owner.ID)
				}
				return err
			}},

		// Applications.
		{name: "Applications.Apply", kind: usersOnly, setup: filingTarget(notary.FilingApproved), selfOK: true, other: notary.ErrFilingRequired,
			run: func(e *env, w who, _ target) error {
				return errOnly(e.svc.Applications.Apply(e.ctx, *w.user, notary.ApplyRequest{Evidence: notarytest.Evidence("authz-1")}))
			}},
		{name: "Applications.Get", kind: anyone, setup: appTarget(notary.AwaitingPayment),
			run: func(e *env, w who, tg target) error {
				return errOnly(e.svc.Applications.Get(e.ctx, w.principal(), tg.id))
			}},
		{name: "Applications.Actions", kind: anyone, setup: appTarget(notary.PendingFinalReview),
			run: func(e *env, w who, tg target) error {
				return errOnly(e.svc.Applications.Actions(e.ctx, w.principal(), tg.id))
			}},
		{name: "Applications.Inspect", kind: anyone, setup: appTarget(notary.PendingFinalReview),
			run: func(e *env, w who, tg target) error {
				_, _, err := e.svc.Applications.Inspect(e.ctx, w.principal(), tg.id)
				return err
			}},
		{name: "Applications.Cancel", kind: usersOnly, setup: appTarget(notary.AwaitingPayment),
			run: func(e *env, w who, tg target) error {
				return errOnly(e.svc.Applications.Cancel(e.ctx, *w.user, tg.id))
			}},
		{name: "Applications.Cancel paid", kind: usersOnly, setup: appTarget(notary.PendingPreliminaryReview), allowed: notary.ErrInvalidTransition,
			run: func(e *env, w who, tg target) error {
				return errOnly(e.svc.Applications.Cancel(e.ctx, *w.user, tg.id))
			}},
		{name: "Applications.SubmitMaterials", kind: usersOnly, setup: appTarget(notary.AwaitingMaterials),
			run: func(e *env, w who, tg target) error {
				return errOnly(e.svc.Applications.SubmitMaterials(e.ctx, *w.user, tg.id, "SF", "SF1234567890123"))
			}},
		{name: "Applications.SubmitMaterials in production", kind: usersOnly, setup: appTarget(notary.CertificateInProduction), allowed: notary.ErrInvalidTransition,
			run: func(e *env, w who, tg target) error {
				return errOnly(e.svc.Applications.SubmitMaterials(e.ctx, *w.user, tg.id, "SF", "SF1234567890123"))
			}},
		{name: "Applications.ConfirmReceipt", kind: usersOnly, setup: appTarget(notary.CertificateShipped),
			run: func(e *env, w who, tg target) error {
				return errOnly(e.svc.Applications.ConfirmReceipt(e.ctx, *w.user, tg.id))
			}},
		{name: "Applications.ConfirmReceipt unshipped", kind: usersOnly, setup: appTarget(notary.CertificateInProduction), allowed: notary.ErrInvalidTransition,
			run: func(e *env, w who, tg target) error {
				return errOnly(e.svc.Applications.ConfirmReceipt(e.ctx, *w.user, tg.id))
			}},
		{name: "Applications.Mine", kind: usersOnly, setup: appTarget(notary.AwaitingPayment), selfOK: true,
			run: func(e *env, w who, _ target) error {
				apps, err := e.svc.Applications.Mine(e.ctx, *w.user, nil, 0)
				for _, a := range apps {
					if a.Owner.ID != w.user.ID {
						return fmt.Errorf("%s sees %s's application", w.user.ID, a.Owner.ID)
					}
				}
				return err
			}},

		// Reviews.
		{name: "Reviews.FilingQueue", kind: adminsOnly, setup: filingTarget(notary.FilingPendingReview),
			run: func(e *env, w who, _ target) error {
				return errOnly(e.svc.Reviews.FilingQueue(e.ctx, *w.admin, notary.FilingPendingReview, nil, 0))
			}},
		{name: "Reviews.ApplicationQueue", kind: adminsOnly, setup: appTarget(notary.PendingPreliminaryReview),
			run: func(e *env, w who, _ target) error {
				return errOnly(e.svc.Reviews.ApplicationQueue(e.ctx, *w.admin, notary.PendingPreliminaryReview, nil, 0))
			}},
		{name: "Reviews.ApproveFiling", kind: adminsOnly, duty: notary.DutyReview, setup: filingTarget(notary.FilingPendingReview),
			run: func(e *env, w who, tg target) error {
				return errOnly(e.svc.Reviews.ApproveFiling(e.ctx, *w.admin, tg.id, tg.version))
			}},
		{name: "Reviews.ApproveFiling approved", kind: adminsOnly, duty: notary.DutyReview, setup: filingTarget(notary.FilingApproved), allowed: notary.ErrInvalidTransition,
			run: func(e *env, w who, tg target) error {
				return errOnly(e.svc.Reviews.ApproveFiling(e.ctx, *w.admin, tg.id, tg.version))
			}},
		{name: "Reviews.RejectFiling", kind: adminsOnly, duty: notary.DutyReview, setup: filingTarget(notary.FilingPendingReview),
			run: func(e *env, w who, tg target) error {
				return errOnly(e.svc.Reviews.RejectFiling(e.ctx, *w.admin, tg.id, tg.version, "no"))
			}},
		{name: "Reviews.ApprovePreliminary", kind: adminsOnly, duty: notary.DutyReview, setup: appTarget(notary.PendingPreliminaryReview),
			run: func(e *env, w who, tg target) error {
				return errOnly(e.svc.Reviews.ApprovePreliminary(e.ctx, *w.admin, tg.id, tg.version))
			}},
		{name: "Reviews.ApprovePreliminary unpaid", kind: adminsOnly, duty: notary.DutyReview, setup: appTarget(notary.AwaitingPayment), allowed: notary.ErrInvalidTransition,
			run: func(e *env, w who, tg target) error {
				return errOnly(e.svc.Reviews.ApprovePreliminary(e.ctx, *w.admin, tg.id, tg.version))
			}},
		{name: "Reviews.RejectPreliminary", kind: adminsOnly, duty: notary.DutyReview, setup: appTarget(notary.PendingPreliminaryReview),
			run: func(e *env, w who, tg target) error {
				return errOnly(e.svc.Reviews.RejectPreliminary(e.ctx, *w.admin, tg.id, tg.version, "no"))
			}},
		{name: "Reviews.ApproveFinal", kind: adminsOnly, duty: notary.DutyReview, setup: appTarget(notary.PendingFinalReview),
			run: func(e *env, w who, tg target) error {
				return errOnly(e.svc.Reviews.ApproveFinal(e.ctx, *w.admin, tg.id, tg.version, "(2026)深证字第00009号"))
			}},
		{name: "Reviews.RejectFinal", kind: adminsOnly, duty: notary.DutyReview, setup: appTarget(notary.PendingFinalReview),
			run: func(e *env, w who, tg target) error {
				return errOnly(e.svc.Reviews.RejectFinal(e.ctx, *w.admin, tg.id, tg.version, "no"))
			}},
		{name: "Reviews.Ship", kind: adminsOnly, duty: notary.DutyReview, setup: appTarget(notary.CertificateInProduction),
			run: func(e *env, w who, tg target) error {
				return errOnly(e.svc.Reviews.Ship(e.ctx, *w.admin, tg.id, tg.version, "EMS", "EE123456785CN"))
			}},
		{name: "Reviews.Ship unapproved", kind: adminsOnly, duty: notary.DutyReview, setup: appTarget(notary.PendingFinalReview), allowed: notary.ErrInvalidTransition,
			run: func(e *env, w who, tg target) error {
				return errOnly(e.svc.Reviews.Ship(e.ctx, *w.admin, tg.id, tg.version, "EMS", "EE123456785CN"))
			}},

		// Audit.
		{name: "Audit.Trail filing", kind: anyone, setup: filingTarget(notary.FilingApproved),
			run: func(e *env, w who, tg target) error { return errOnly(e.svc.Audit.Trail(e.ctx, w.principal(), tg.id)) }},
		{name: "Audit.Trail application", kind: anyone, setup: appTarget(notary.PendingFinalReview),
			run: func(e *env, w who, tg target) error { return errOnly(e.svc.Audit.Trail(e.ctx, w.principal(), tg.id)) }},
		{name: "Audit.Report application", kind: anyone, setup: appTarget(notary.PendingFinalReview),
			run: func(e *env, w who, tg target) error { return errOnly(e.svc.Audit.Report(e.ctx, w.principal(), tg.id)) }},

		// Finance.
		{name: "Finance.RecordTransfer", kind: adminsOnly, duty: notary.DutyMoney, setup: transferTarget(false),
			run: func(e *env, w who, tg target) error {
				return errOnly(e.svc.Finance.RecordTransfer(e.ctx, *w.admin, authzTransfer(e, tg.id)))
			}},
		{name: "Finance.Keep", kind: adminsOnly, duty: notary.DutyMoney, setup: transferTarget(false),
			run: func(e *env, w who, tg target) error {
				tr := authzTransfer(e, tg.id)
				tr.Amount = tr.Amount.Add(tr.Amount)
				return errOnly(e.svc.Finance.Keep(e.ctx, *w.admin, tr))
			}},
		{name: "Finance.Match", kind: adminsOnly, duty: notary.DutyMoney, setup: transferTarget(true),
			run: func(e *env, w who, tg target) error {
				return errOnly(e.svc.Finance.Match(e.ctx, *w.admin, tg.other, tg.id))
			}},
		{name: "Finance.Unmatched", kind: adminsOnly, duty: notary.DutyMoney, setup: transferTarget(true),
			run: func(e *env, w who, _ target) error { return errOnly(e.svc.Finance.Unmatched(e.ctx, *w.admin, nil, 0)) }},
		{name: "Finance.RecordRefund", kind: adminsOnly, duty: notary.DutyMoney, setup: refundTarget,
			run: func(e *env, w who, tg target) error {
				return errOnly(e.svc.Finance.RecordRefund(e.ctx, *w.admin, tg.id, notary.OutgoingRefund{Serial: "OUT-00000001", Date: e.clock.Now()}))
			}},
		{name: "Finance.RefundsDue", kind: adminsOnly, duty: notary.DutyMoney, setup: refundTarget,
			run: func(e *env, w who, _ target) error { return errOnly(e.svc.Finance.RefundsDue(e.ctx, *w.admin, nil, 0)) }},
		{name: "Finance.AwaitingTransfer", kind: adminsOnly, duty: notary.DutyMoney, setup: transferTarget(false),
			run: func(e *env, w who, _ target) error {
				return errOnly(e.svc.Finance.AwaitingTransfer(e.ctx, *w.admin, nil, 0))
			}},

		// Invoices.
		{name: "Invoices.Request", kind: usersOnly, setup: appTarget(notary.PendingPreliminaryReview),
			run: func(e *env, w who, tg target) error {
				return errOnly(e.svc.Invoices.Request(e.ctx, *w.user, tg.id, notary.InvoiceRequest{Type: notary.InvoiceSpecial}))
			}},
		{name: "Invoices.Request unpaid", kind: usersOnly, setup: appTarget(notary.AwaitingPayment), allowed: notary.ErrInvalidTransition,
			run: func(e *env, w who, tg target) error {
				return errOnly(e.svc.Invoices.Request(e.ctx, *w.user, tg.id, notary.InvoiceRequest{Type: notary.InvoiceSpecial}))
			}},
		{name: "Invoices.Issue", kind: adminsOnly, duty: notary.DutyMoney, setup: invoiceTarget(notary.InvoiceRequested),
			run: func(e *env, w who, tg target) error {
				return errOnly(e.svc.Invoices.Issue(e.ctx, *w.admin, tg.id, tg.version, e.issued("24242424")))
			}},
		{name: "Invoices.Issue unrequested", kind: adminsOnly, duty: notary.DutyMoney, setup: appTarget(notary.PendingPreliminaryReview), allowed: notary.ErrInvalidTransition,
			run: func(e *env, w who, tg target) error {
				return errOnly(e.svc.Invoices.Issue(e.ctx, *w.admin, tg.id, tg.version, e.issued("24242424")))
			}},
		{name: "Invoices.Reject", kind: adminsOnly, duty: notary.DutyMoney, setup: invoiceTarget(notary.InvoiceRequested),
			run: func(e *env, w who, tg target) error {
				return errOnly(e.svc.Invoices.Reject(e.ctx, *w.admin, tg.id, tg.version, "wrong title"))
			}},
		{name: "Invoices.Reverse", kind: adminsOnly, duty: notary.DutyMoney, setup: invoiceTarget(notary.InvoiceIssued),
			run: func(e *env, w who, tg target) error {
				return errOnly(e.svc.Invoices.Reverse(e.ctx, *w.admin, tg.id, tg.version, e.issued("42424242")))
			}},
		{name: "Invoices.Queue", kind: adminsOnly, duty: notary.DutyMoney, setup: invoiceTarget(notary.InvoiceRequested),
			run: func(e *env, w who, _ target) error {
				return errOnly(e.svc.Invoices.Queue(e.ctx, *w.admin, notary.InvoiceRequested, nil, 10))
			}},

		// Admins.
		{name: "Admins.Create", kind: adminsOnly, setup: noTarget, duty: notary.DutyStaff,
			run: func(e *env, w who, _ target) error {
				return errOnly(e.svc.Admins.Create(e.ctx, *w.admin, "new@office.example", "New", notary.RoleReviewer, adminPassword))
			}},
		{name: "Admins.List", kind: adminsOnly, setup: noTarget, duty: notary.DutyStaff,
			run: func(e *env, w who, _ target) error { return errOnly(e.svc.Admins.List(e.ctx, *w.admin)) }},
		{name: "Admins.Disable", kind: adminsOnly, setup: adminTarget(false), duty: notary.DutyStaff,
			run: func(e *env, w who, tg target) error { return errOnly(e.svc.Admins.Disable(e.ctx, *w.admin, tg.id)) }},
		{name: "Admins.Disable disabled", kind: adminsOnly, setup: adminTarget(true), duty: notary.DutyStaff, allowed: notary.ErrInvalidTransition,
			run: func(e *env, w who, tg target) error { return errOnly(e.svc.Admins.Disable(e.ctx, *w.admin, tg.id)) }},
		{name: "Admins.Enable", kind: adminsOnly, setup: adminTarget(true), duty: notary.DutyStaff,
			run: func(e *env, w who, tg target) error { return errOnly(e.svc.Admins.Enable(e.ctx, *w.admin, tg.id)) }},
		{name: "Admins.ResetPassword", kind: adminsOnly, setup: adminTarget(false), duty: notary.DutyStaff,
			run: func(e *env, w who, tg target) error {
				return e.svc.Admins.ResetPassword(e.ctx, *w.admin, tg.id, "a brand new passphrase")
			}},
		{name: "Admins.ChangePassword", kind: adminsOnly, setup: noTarget,
			run: func(e *env, w who, _ target) error {
				return e.svc.Admins.ChangePassword(e.ctx, *w.admin, adminPassword, "a brand new passphrase")
			}},
	}
}

// TestAuthorization tries every service action as every kind of actor and
// checks the outcome: allowed, or refused with the right error and
// nothing changed (record, audit trail, pending notices, reservations and
// admin accounts). It runs on a store that reads a reviewed record and the
// admin's session together (notary.ReviewReader) and on one that reads
// them separately, so both authorization paths are held to one table.
func TestAuthorization(t *testing.T) {
	defaults := func(c *notary.Config) { c.Admin = notary.AdminPolicy{} }            // real session timeouts
	separate := func(c *notary.Config) { c.Store = struct{ notary.Store }{c.Store} } // hides ReviewReader
	for _, reads := range []struct {
		name   string
		mutate []func(*notary.Config)
	}{
		{"joint reads", []func(*notary.Config){defaults, withBankTransfer}},
		{"separate reads", []func(*notary.Config){defaults, withBankTransfer, separate}},
	} {
		t.Run(reads.name, func(t *testing.T) {
			everyone := actors(newEnv(t, reads.mutate...))
			names := map[string]bool{}
			for _, a := range authzActions() {
				require.False(t, names[a.name], "duplicate action %s", a.name)
				names[a.name] = true
				for _, w := range everyone {
					if a.kind == usersOnly && w.user == nil || a.kind == adminsOnly && w.admin == nil {
						continue // the method's signature does not accept this principal
					}
					t.Run(a.name+"/"+w.name, func(t *testing.T) {
						e := newEnv(t, reads.mutate...)
						tg := a.setup(e)
						actor := actorNamed(actors(e), w.name)
						before := e.snapshot(tg.id, tg.evidence)
						err := a.run(e, actor, tg)
						want := actor.want(a)
						if want == nil {
							require.NoError(t, err)
							return
						}
						require.ErrorIs(t, err, want)
						require.Equal(t, before, e.snapshot(tg.id, tg.evidence), "a refused action changed state")
					})
				}
			}
		})
	}
}

func actorNamed(ws []who, name string) who {
	for _, w := range ws {
		if w.name == name {
			return w
		}
	}
	panic("no actor " + name)
}
