package notary_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/adapters/banktransfer"
	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
	"github.com/notarykit/notarykit/store"
)

// officeAccount is the office's account in the bank transfer tests.
var officeAccount = notary.BankAccount{Name: "深圳市示例公证处", Bank: "中国工商银行深圳分行营业部", Number: "4000 0210 0901 2345 678"}

// withBankTransfer offers bank transfers with the office's account.
func withBankTransfer(c *notary.Config) {
	c.BankTransfer = banktransfer.New()
	c.Office.BankAccount = officeAccount
}

// financeEnv is an env offering bank transfers, with a finance admin.
type financeEnv struct {
	*env
	finance notary.Admin
}

func newFinanceEnv(t testing.TB, mutate ...func(*notary.Config)) *financeEnv {
	e := newEnv(t, append([]func(*notary.Config){withBankTransfer}, mutate...)...)
	_, fin := e.newAdmin("cash@office.example", notary.RoleFinance)
	e.approvedFiling(alice)
	return &financeEnv{env: e, finance: fin}
}

// transferApp is a new application of alice's paid by bank transfer.
func (e *financeEnv) transferApp() notary.Application {
	e.t.Helper()
	evidenceSeq++
	app, err := e.svc.Applications.Apply(e.ctx, alice, notary.ApplyRequest{
		Evidence: notarytest.Evidence(fmt.Sprintf("bt-%d", evidenceSeq)), Method: notary.MethodBankTransfer})
	require.NoError(e.t, err)
	return app
}

var serialSeq int

// transferFor is the transfer that pays app exactly, with a fresh serial.
func (e *financeEnv) transferFor(app notary.Application) notary.ReceivedTransfer {
	serialSeq++
	return notary.ReceivedTransfer{Serial: fmt.Sprintf("ICBC2026%08d", serialSeq), Reference: notary.TransferReference(app.ID),
		PayerName: "示例科技有限公司", Amount: app.Quote.Amount, Date: e.clock.Now().Add(-time.Hour)}
}

// field returns the field a *FieldError in err names, or "".
func field(err error) string {
	var fe *notary.FieldError
	if errors.As(err, &fe) {
		return fe.Field
	}
	return ""
}

func TestApplyByBankTransfer(t *testing.T) {
	e := newFinanceEnv(t)
	app := e.transferApp()
	assert.Equal(t, notary.AwaitingPayment, app.State)
	assert.Equal(t, notary.MethodBankTransfer, app.Payment.Method)
	assert.Equal(t, banktransfer.Provider, app.Payment.Provider)
	require.NotNil(t, app.Payment.Transfer)
	assert.Equal(t, officeAccount, app.Payment.Transfer.Account)
	assert.Equal(t, notary.TransferReference(app.ID), app.Payment.Transfer.Reference)
	assert.Equal(t, t0.Add(7*24*time.Hour), app.ExpiresAt, "a transfer waits Office.TransferDays, not PaymentTTL")
	assert.ElementsMatch(t, []string{"insite payment.transfer_instructions alice@example.com",
		"email payment.transfer_instructions alice@example.com"}, e.notices(app.ID), "the user is told where to transfer")
	ns, err := e.store.ListNotices(e.ctx, notary.NoticePending, 1000)
	require.NoError(t, err)
	for _, n := range ns {
		if n.RecordID == app.ID {
			assert.Equal(t, officeAccount.Number, n.Data.PayeeAccount)
			assert.Equal(t, officeAccount.Bank, n.Data.PayeeBank)
			assert.Equal(t, notary.TransferReference(app.ID), n.Data.TransferReference)
			assert.Equal(t, app.ExpiresAt, n.Data.PayBy)
			assert.Equal(t, "300.00", n.Data.Amount)
		}
	}
	trail, err := e.svc.Audit.Trail(e.ctx, alice, app.ID)
	require.NoError(t, err)
	assert.Equal(t, string(notary.AppApplyByTransfer), trail[0].Trigger)

	stored, err := e.svc.Applications.Get(e.ctx, alice, app.ID)
	require.NoError(t, err)
	assert.Equal(t, app.Payment, stored.Payment, "the instructions are stored with the application")

	wallet := e.env.appIn(notary.AwaitingPayment)
	assert.Equal(t, notary.MethodWallet, wallet.Payment.Method)
	assert.Nil(t, wallet.Payment.Transfer)
	assert.Equal(t, t0.Add(30*time.Minute), wallet.ExpiresAt)
}

func TestApplyMethodRefused(t *testing.T) {
	e := newEnv(t) // no bank transfers offered
	e.approvedFiling(alice)
	for _, m := range []notary.PaymentMethod{notary.MethodBankTransfer, "cash"} {
		_, err := e.svc.Applications.Apply(e.ctx, alice, notary.ApplyRequest{Evidence: notarytest.Evidence("x-" + string(m)), Method: m})
		require.ErrorIs(t, err, notary.ErrInvalidInput, "%s", m)
		assert.Equal(t, "method", field(err))
	}
}

func TestNewChecksTransferConfig(t *testing.T) {
	for name, c := range map[string]struct {
		mutate func(*notary.Config)
		field  string
	}{
		"no account":     {func(c *notary.Config) { c.BankTransfer = banktransfer.New() }, "office.bank_account.name"},
		"bad number":     {func(c *notary.Config) { withBankTransfer(c); c.Office.BankAccount.Number = "12ab" }, "office.bank_account.number"},
		"negative days":  {func(c *notary.Config) { c.Office.TransferDays = -1 }, "office.transfer_days"},
		"too many days":  {func(c *notary.Config) { c.Office.TransferDays = 91 }, "office.transfer_days"},
		"account unused": {func(c *notary.Config) { c.Office.BankAccount = notary.BankAccount{Number: "x"} }, ""},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := notary.Config{InsecureDevKeys: true, Office: notary.Office{ID: officeID, Name: "O", AdminEmails: []string{"a@o.example"},
				MailingAddress: "1 Road"}, Store: store.NewMemory(), Payments: notarytest.NewPayments(), Clock: notarytest.NewClock(t0)}
			c.mutate(&cfg)
			_, err := notary.New(cfg)
			if c.field == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, notary.ErrInvalidInput)
			assert.Equal(t, c.field, field(err))
		})
	}
}

func TestRecordTransferPays(t *testing.T) {
	e := newFinanceEnv(t)
	app := e.transferApp()
	tr := e.transferFor(app)
	tr.Serial = " icbc-2026-0001 " // normalized
	res, err := e.svc.Finance.RecordTransfer(e.ctx, e.finance, tr)
	require.NoError(t, err)
	require.NotNil(t, res.Application)
	assert.Nil(t, res.Kept)
	paid := *res.Application
	assert.Equal(t, notary.PendingPreliminaryReview, paid.State)
	assert.Equal(t, notary.PaymentSucceeded, paid.Payment.Status)
	assert.Equal(t, "ICBC-2026-0001", paid.Payment.Serial)
	assert.Equal(t, tr.Date.UTC(), paid.Payment.PaidAt, "paid on the bank's value date")

	trail, err := e.svc.Audit.Trail(e.ctx, alice, app.ID)
	require.NoError(t, err)
	last := trail[len(trail)-1]
	assert.Equal(t, string(notary.AppTransferReceived), last.Trigger)
	assert.Equal(t, notary.ActorAdmin, last.Actor.Kind)
	assert.Equal(t, e.finance.ID.String(), last.Actor.ID)
	assert.Contains(t, last.Reason, "ICBC-2026-0001")
	assert.ElementsMatch(t, []string{
		"insite payment.transfer_instructions alice@example.com", "email payment.transfer_instructions alice@example.com",
		"insite application.paid alice@example.com", "email application.paid alice@example.com",
		"email application.review_requested desk@office.example", "email application.review_requested chief@office.example",
	}, e.notices(app.ID))

	// The same bank line typed in again is the same transfer: a replay.
	before := e.snapshot(app.ID, nil)
	res, err = e.svc.Finance.RecordTransfer(e.ctx, e.finance, tr)
	require.NoError(t, err)
	assert.True(t, res.Replayed)
	assert.Equal(t, before, e.snapshot(app.ID, nil))
}

// TestRecordTransferRefusals: bad input and a wrong amount change nothing
// and name the field.
func TestRecordTransferRefusals(t *testing.T) {
	e := newFinanceEnv(t)
	app := e.transferApp()
	fen := decimal.RequireFromString("0.01")
	for _, c := range []struct {
		name   string
		mutate func(*notary.ReceivedTransfer)
		field  string
	}{
		{"serial too short", func(r *notary.ReceivedTransfer) { r.Serial = "1234" }, "serial"},
		{"serial with spaces", func(r *notary.ReceivedTransfer) { r.Serial = "ICBC 2026 0001" }, "serial"},
		{"no payer", func(r *notary.ReceivedTransfer) { r.PayerName = " " }, "payer_name"},
		{"no date", func(r *notary.ReceivedTransfer) { r.Date = time.Time{} }, "date"},
		{"future date", func(r *notary.ReceivedTransfer) { r.Date = e.clock.Now().Add(48 * time.Hour) }, "date"},
		{"a fen short", func(r *notary.ReceivedTransfer) { r.Amount = r.Amount.Sub(fen) }, "amount"},
		{"a fen over", func(r *notary.ReceivedTransfer) { r.Amount = r.Amount.Add(fen) }, "amount"},
		{"half a fen", func(r *notary.ReceivedTransfer) { r.Amount = r.Amount.Add(decimal.RequireFromString("0.005")) }, "amount"},
		{"other currency", func(r *notary.ReceivedTransfer) { r.Currency = "USD" }, "currency"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr := e.transferFor(app)
			c.mutate(&tr)
			before := e.snapshot(app.ID, nil)
			_, err := e.svc.Finance.RecordTransfer(e.ctx, e.finance, tr)
			require.ErrorIs(t, err, notary.ErrInvalidInput)
			assert.Equal(t, c.field, field(err), "%v", err)
			assert.Equal(t, before, e.snapshot(app.ID, nil))
			kept, err := e.svc.Finance.Unmatched(e.ctx, e.finance, nil, 0)
			require.NoError(t, err)
			assert.Empty(t, kept)
		})
	}
	tr := e.transferFor(app)
	tr.Amount = tr.Amount.Sub(fen)
	_, err := e.svc.Finance.RecordTransfer(e.ctx, e.finance, tr)
	assert.ErrorContains(t, err, "short by 0.01 CNY")
}

// TestTransferOnlyByFinance: the duty table decides; reviewers and
// supervisors touch no money.
func TestTransferOnlyByFinance(t *testing.T) {
	e := newFinanceEnv(t)
	app := e.transferApp()
	for _, a := range []struct {
		name  string
		admin notary.Admin
	}{{"reviewer", e.reviewer}, {"supervisor", e.supervisor}} {
		t.Run(a.name, func(t *testing.T) {
			require.False(t, a.admin.Role.May(notary.DutyMoney), "the duty table gives %s no money", a.admin.Role)
			_, err := e.svc.Finance.RecordTransfer(e.ctx, a.admin, e.transferFor(app))
			assert.ErrorIs(t, err, notary.ErrForbidden)
			_, err = e.svc.Finance.Keep(e.ctx, a.admin, e.transferFor(app))
			assert.ErrorIs(t, err, notary.ErrForbidden)
			_, err = e.svc.Finance.Unmatched(e.ctx, a.admin, nil, 0)
			assert.ErrorIs(t, err, notary.ErrForbidden)
			_, err = e.svc.Finance.AwaitingTransfer(e.ctx, a.admin, nil, 0)
			assert.ErrorIs(t, err, notary.ErrForbidden)
			_, err = e.svc.Finance.Match(e.ctx, a.admin, uuid.New(), app.ID)
			assert.ErrorIs(t, err, notary.ErrForbidden)
		})
	}
	// Finance decides no review.
	paid, err := e.svc.Finance.RecordTransfer(e.ctx, e.finance, e.transferFor(app))
	require.NoError(t, err)
	_, err = e.svc.Reviews.ApprovePreliminary(e.ctx, e.finance, app.ID, paid.Application.Version)
	assert.ErrorIs(t, err, notary.ErrForbidden)
	// A wallet payment's step is the system's, never finance's.
	actions, err := e.svc.Applications.Actions(e.ctx, e.finance, e.transferApp().ID)
	require.NoError(t, err)
	assert.Equal(t, []notary.ApplicationTrigger{notary.AppTransferReceived}, actions)
}

// TestUnmatchedTransfers: transfers that pay no application are kept,
// listed and matched by hand; a serial is recorded once.
func TestUnmatchedTransfers(t *testing.T) {
	e := newFinanceEnv(t)
	app := e.transferApp()
	cancelled := e.transferApp()
	_, err := e.svc.Applications.Cancel(e.ctx, alice, cancelled.ID)
	require.NoError(t, err)
	wallet := e.env.appIn(notary.AwaitingPayment)

	ref := notary.TransferReference(app.ID)
	mistyped := ref[:10] + map[bool]string{true: "1", false: "0"}[ref[10] == '0'] + ref[11:]
	cases := []struct {
		name      string
		reference string
		amountOf  notary.Application
		problem   notary.TransferProblem
	}{
		{"no reference", "", app, notary.ProblemNoReference},
		{"mistyped reference", mistyped, app, notary.ProblemBadReference},
		{"unknown application", notary.TransferReference(uuid.New()), app, notary.ProblemUnknownApplication},
		{"cancelled application", notary.TransferReference(cancelled.ID), cancelled, notary.ProblemNotAwaiting},
		{"wallet application", notary.TransferReference(wallet.ID), wallet, notary.ProblemNotBankTransfer},
	}
	var kept []notary.BankTransfer
	for _, c := range cases {
		tr := e.transferFor(c.amountOf)
		tr.Reference = c.reference
		res, err := e.svc.Finance.RecordTransfer(e.ctx, e.finance, tr)
		require.NoError(t, err, c.name)
		require.NotNil(t, res.Kept, c.name)
		assert.Nil(t, res.Application, c.name)
		assert.Equal(t, c.problem, res.Kept.Problem, c.name)
		assert.Equal(t, notary.TransferUnmatched, res.Kept.Status)
		assert.Equal(t, e.finance.ID.String(), res.Kept.RecordedBy.ID)
		kept = append(kept, *res.Kept)

		_, err = e.svc.Finance.RecordTransfer(e.ctx, e.finance, tr)
		assert.ErrorIs(t, err, notary.ErrConflict, "%s: a serial is recorded once", c.name)
		e.clock.Advance(time.Second)
	}
	got, err := e.svc.Finance.Unmatched(e.ctx, e.finance, nil, 0)
	require.NoError(t, err)
	assert.Equal(t, kept, got, "listed oldest first")
	page, err := e.svc.Finance.Unmatched(e.ctx, e.finance, &notary.Cursor{CreatedAt: got[1].RecordedAt, ID: got[1].ID}, 2)
	require.NoError(t, err)
	assert.Equal(t, kept[2:4], page)

	// The transfer without a reference is app's: finance matches it.
	waiting, err := e.svc.Finance.AwaitingTransfer(e.ctx, e.finance, nil, 0)
	require.NoError(t, err)
	require.Len(t, waiting, 1)
	assert.Equal(t, app.ID, waiting[0].ID, "only bank transfer applications awaiting payment")

	_, err = e.svc.Finance.Match(e.ctx, e.finance, kept[0].ID, wallet.ID)
	assert.Equal(t, "application_id", field(err), "a wallet application takes no transfer")
	_, err = e.svc.Finance.Match(e.ctx, e.finance, kept[0].ID, cancelled.ID)
	assert.ErrorIs(t, err, notary.ErrInvalidTransition)
	_, err = e.svc.Finance.Match(e.ctx, e.finance, uuid.New(), app.ID)
	assert.ErrorIs(t, err, notary.ErrNotFound)

	paid, err := e.svc.Finance.Match(e.ctx, e.finance, kept[0].ID, app.ID)
	require.NoError(t, err)
	assert.Equal(t, notary.PendingPreliminaryReview, paid.State)
	assert.Equal(t, kept[0].Transfer.Serial, paid.Payment.Serial)
	matched, err := e.store.Transfer(e.ctx, kept[0].ID)
	require.NoError(t, err)
	assert.Equal(t, notary.TransferMatched, matched.Status)
	assert.Equal(t, app.ID, matched.ApplicationID)
	assert.Equal(t, e.finance.ID.String(), matched.MatchedBy.ID)
	assert.Equal(t, e.clock.Now(), matched.MatchedAt)

	_, err = e.svc.Finance.Match(e.ctx, e.finance, kept[0].ID, app.ID)
	assert.ErrorIs(t, err, notary.ErrConflict, "matched once")
	got, err = e.svc.Finance.Unmatched(e.ctx, e.finance, nil, 0)
	require.NoError(t, err)
	assert.Equal(t, kept[1:], got)

	// A transfer for the application already paid is kept: money to return.
	res, err := e.svc.Finance.RecordTransfer(e.ctx, e.finance, e.transferFor(app))
	require.NoError(t, err)
	require.NotNil(t, res.Kept)
	assert.Equal(t, notary.ProblemNotAwaiting, res.Kept.Problem)
}

// TestKeepWrongAmount: a transfer that is really short is kept on
// finance's word and cannot be matched for less than the quote.
func TestKeepWrongAmount(t *testing.T) {
	e := newFinanceEnv(t)
	app := e.transferApp()
	exact := e.transferFor(app)
	_, err := e.svc.Finance.Keep(e.ctx, e.finance, exact)
	assert.ErrorIs(t, err, notary.ErrConflict, "a transfer that pays is recorded, not kept")

	short := e.transferFor(app)
	short.Amount = short.Amount.Sub(decimal.RequireFromString("0.01"))
	bt, err := e.svc.Finance.Keep(e.ctx, e.finance, short)
	require.NoError(t, err)
	assert.Equal(t, notary.ProblemAmount, bt.Problem)
	_, err = e.svc.Finance.Match(e.ctx, e.finance, bt.ID, app.ID)
	require.ErrorIs(t, err, notary.ErrInvalidInput)
	assert.Equal(t, "amount", field(err))

	res, err := e.svc.Finance.RecordTransfer(e.ctx, e.finance, exact)
	require.NoError(t, err)
	assert.Equal(t, notary.PendingPreliminaryReview, res.Application.State)
}

// TestTransferDeadline: the sweep cancels a wallet application after
// PaymentTTL and a bank transfer's after TransferDays.
func TestTransferDeadline(t *testing.T) {
	e := newFinanceEnv(t, func(c *notary.Config) { c.Office.TransferDays = 3 })
	bt := e.transferApp()
	wallet := e.env.appIn(notary.AwaitingPayment)

	e.clock.Advance(31 * time.Minute)
	res, err := e.svc.Applications.Sweep(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, res.Expired)
	got, err := e.store.Application(e.ctx, wallet.ID)
	require.NoError(t, err)
	assert.Equal(t, notary.Cancelled, got.State)
	got, err = e.store.Application(e.ctx, bt.ID)
	require.NoError(t, err)
	assert.Equal(t, notary.AwaitingPayment, got.State, "a transfer takes days")

	e.clock.Advance(3*24*time.Hour - 31*time.Minute - time.Second)
	res, err = e.svc.Applications.Sweep(e.ctx)
	require.NoError(t, err)
	assert.Zero(t, res.Expired)
	e.clock.Advance(time.Second)
	res, err = e.svc.Applications.Sweep(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, res.Expired)
	got, err = e.store.Application(e.ctx, bt.ID)
	require.NoError(t, err)
	assert.Equal(t, notary.Cancelled, got.State)
	assert.Equal(t, notary.PaymentCancelled, got.Payment.Status, "closed locally")

	// The transfer that comes after all is kept for finance.
	res2, err := e.svc.Finance.RecordTransfer(e.ctx, e.finance, e.transferFor(bt))
	require.NoError(t, err)
	require.NotNil(t, res2.Kept)
	assert.Equal(t, notary.ProblemNotAwaiting, res2.Kept.Problem)
}

// TestTransferRefundRecordedByFinance: rejecting a paid bank transfer
// application asks no provider for a refund; it waits for finance, and is
// done when finance records the transfer back.
func TestTransferRefundRecordedByFinance(t *testing.T) {
	e := newFinanceEnv(t, func(c *notary.Config) {
		c.Office.Refund = notary.RefundPolicy{Mode: notary.RefundPercent, Percent: decimal.NewFromInt(80)}
	})
	paidApp := func() notary.Application {
		app := e.transferApp()
		res, err := e.svc.Finance.RecordTransfer(e.ctx, e.finance, e.transferFor(app))
		require.NoError(t, err)
		return *res.Application
	}
	app := paidApp()
	out := notary.OutgoingRefund{Serial: "icbc-out-0001", Date: e.clock.Now()}
	_, err := e.svc.Finance.RecordRefund(e.ctx, e.finance, app.ID, out)
	assert.ErrorIs(t, err, notary.ErrInvalidTransition, "no refund is due before a rejection")

	rejected, err := e.svc.Reviews.RejectPreliminary(e.ctx, e.reviewer, app.ID, app.Version, "blurred scan")
	require.NoError(t, err)
	assert.Nil(t, rejected.Refund, "no provider refunds a transfer")
	sw, err := e.svc.Applications.Sweep(e.ctx)
	require.NoError(t, err)
	assert.Empty(t, sw.Failed)
	assert.Equal(t, 1, sw.AwaitingFinance)
	assert.Empty(t, e.pay.Refunds())
	due, err := e.svc.Finance.RefundsDue(e.ctx, e.finance, nil, 0)
	require.NoError(t, err)
	require.Len(t, due, 1)
	assert.Equal(t, app.ID, due[0].ID)

	for _, c := range []struct {
		name  string
		admin notary.Admin
		out   notary.OutgoingRefund
		want  error
		field string
	}{
		{"reviewer", e.reviewer, out, notary.ErrForbidden, ""},
		{"supervisor", e.supervisor, out, notary.ErrForbidden, ""},
		{"bad serial", e.finance, notary.OutgoingRefund{Serial: "out 1", Date: out.Date}, notary.ErrInvalidInput, "serial"},
		{"no date", e.finance, notary.OutgoingRefund{Serial: out.Serial}, notary.ErrInvalidInput, "date"},
		{"future date", e.finance, notary.OutgoingRefund{Serial: out.Serial, Date: out.Date.Add(48 * time.Hour)}, notary.ErrInvalidInput, "date"},
	} {
		before := e.snapshot(app.ID, nil)
		_, err := e.svc.Finance.RecordRefund(e.ctx, c.admin, app.ID, c.out)
		require.ErrorIs(t, err, c.want, c.name)
		assert.Equal(t, c.field, field(err), c.name)
		assert.Equal(t, before, e.snapshot(app.ID, nil), c.name)
	}

	done, err := e.svc.Finance.RecordRefund(e.ctx, e.finance, app.ID, out)
	require.NoError(t, err)
	require.NotNil(t, done.Refund)
	assert.Equal(t, "ICBC-OUT-0001", done.Refund.ID)
	assert.Equal(t, "240.00", done.Refund.Amount.StringFixed(2), "80%% of 300")
	assert.Equal(t, out.Date.UTC(), done.Refund.At)
	assert.Equal(t, notary.PreliminaryRejected, done.State)
	trail, err := e.svc.Audit.Trail(e.ctx, alice, app.ID)
	require.NoError(t, err)
	last := trail[len(trail)-1]
	assert.Equal(t, string(notary.AppRefund), last.Trigger)
	assert.Equal(t, e.finance.ID.String(), last.Actor.ID)
	assert.Contains(t, e.notices(app.ID), "email payment.refunded alice@example.com")

	_, err = e.svc.Finance.RecordRefund(e.ctx, e.finance, app.ID, out)
	assert.ErrorIs(t, err, notary.ErrInvalidTransition, "refunded once")
	due, err = e.svc.Finance.RefundsDue(e.ctx, e.finance, nil, 0)
	require.NoError(t, err)
	assert.Empty(t, due)

	// An outgoing serial pays one refund back.
	other := paidApp()
	other, err = e.svc.Reviews.RejectPreliminary(e.ctx, e.reviewer, other.ID, other.Version, "blurred scan")
	require.NoError(t, err)
	_, err = e.svc.Finance.RecordRefund(e.ctx, e.finance, other.ID, out)
	assert.ErrorIs(t, err, notary.ErrConflict)

	// A wallet fee is its provider's to refund.
	wallet := e.env.appIn(notary.PreliminaryRejected)
	_, err = e.svc.Finance.RecordRefund(e.ctx, e.finance, wallet.ID, notary.OutgoingRefund{Serial: "ICBC-OUT-0002", Date: out.Date})
	assert.Equal(t, "application_id", field(err))
}

// TestTransferRefundWaitsForReversal: finance records the refund of an
// invoiced bank transfer only after the reversing (红字) invoice.
func TestTransferRefundWaitsForReversal(t *testing.T) {
	e := newFinanceEnv(t)
	app := e.transferApp()
	res, err := e.svc.Finance.RecordTransfer(e.ctx, e.finance, e.transferFor(app))
	require.NoError(t, err)
	paid, err := e.svc.Invoices.Request(e.ctx, alice, app.ID, notary.InvoiceRequest{Type: notary.InvoiceOrdinary})
	require.NoError(t, err)
	require.Equal(t, res.Application.ID, paid.ID)
	paid, err = e.svc.Invoices.Issue(e.ctx, e.finance, app.ID, paid.Version, e.issued("12345678"))
	require.NoError(t, err)
	rejected, err := e.svc.Reviews.RejectPreliminary(e.ctx, e.reviewer, app.ID, paid.Version, "blurred scan")
	require.NoError(t, err)

	out := notary.OutgoingRefund{Serial: "BOC-OUT-0001", Date: e.clock.Now()}
	before := e.snapshot(app.ID, nil)
	_, err = e.svc.Finance.RecordRefund(e.ctx, e.finance, app.ID, out)
	require.ErrorIs(t, err, notary.ErrInvalidTransition)
	assert.ErrorContains(t, err, "红字")
	assert.Equal(t, before, e.snapshot(app.ID, nil))

	reversed, err := e.svc.Invoices.Reverse(e.ctx, e.finance, app.ID, rejected.Version, e.issued("87654321"))
	require.NoError(t, err)
	assert.Nil(t, reversed.Refund, "the reversal refunds no bank transfer by itself")
	done, err := e.svc.Finance.RecordRefund(e.ctx, e.finance, app.ID, out)
	require.NoError(t, err)
	require.NotNil(t, done.Refund)
	assert.Equal(t, "BOC-OUT-0001", done.Refund.ID)
}

// TestTransferHostEvents: finance's steps tell the host as the wallet's
// do (application.paid, application.refunded), with the transfer's
// reference and bank serial.
func TestTransferHostEvents(t *testing.T) {
	e := newFinanceEnv(t, withHostEvents)
	app := e.transferApp()
	_, err := e.svc.Finance.RecordTransfer(e.ctx, e.finance, e.transferFor(app))
	require.NoError(t, err)
	evs, err := e.svc.HostEvents(e.ctx, uuid.Nil, 100)
	require.NoError(t, err)
	var paid *notary.HostEvent
	for i := range evs {
		if evs[i].RecordID == app.ID && evs[i].Type == "application.paid" {
			paid = &evs[i]
		}
	}
	require.NotNil(t, paid, "the transfer's payment is an application.paid event")
	var doc struct {
		Trigger string `json:"trigger"`
		Data    struct {
			PaymentMethod    string `json:"payment_method"`
			PaymentReference string `json:"payment_reference"`
			PaymentSerial    string `json:"payment_serial"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(paid.Body, &doc))
	assert.Equal(t, string(notary.AppTransferReceived), doc.Trigger)
	assert.Equal(t, string(notary.MethodBankTransfer), doc.Data.PaymentMethod)
	assert.Equal(t, notary.TransferReference(app.ID), doc.Data.PaymentReference)
	assert.Equal(t, fmt.Sprintf("ICBC2026%08d", serialSeq), doc.Data.PaymentSerial)
}
