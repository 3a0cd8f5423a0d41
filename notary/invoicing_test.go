package notary_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

// A credit code with a valid check character, and one with a wrong one.
const (
	validCredit = "91350100M000100Y43"
	wrongCheck  = "91350100M000100Y44"
)

// finance logs a finance admin of e's office in (once per env).
func (e *env) finance() notary.Admin {
	e.t.Helper()
	if a, err := e.store.AdminByEmail(e.ctx, officeID, "cash@office.example"); err == nil {
		_, admin := e.login(e.svc, a.Email, adminPassword)
		return admin
	}
	_, admin := e.newAdmin("cash@office.example", notary.RoleFinance)
	return admin
}

// issued is a valid invoice as finance records it, issued today.
func (e *env) issued(number string) notary.IssuedInvoice {
	return notary.IssuedInvoice{Number: number, IssuedOn: e.clock.Now(), PDFRef: "invoices/" + number + ".pdf",
		PDFSHA256: notarytest.Digest(number)}
}

// invoiceIn returns alice's application, paid and at state, with its
// invoice in inv.
func (e *env) invoiceIn(state notary.ApplicationState, inv notary.InvoiceState) notary.Application {
	e.t.Helper()
	app := e.appIn(state)
	if inv == notary.InvoiceNotRequested {
		return app
	}
	app, err := e.svc.Invoices.Request(e.ctx, alice, app.ID, notary.InvoiceRequest{Type: notary.InvoiceSpecial})
	require.NoError(e.t, err)
	fin := e.finance()
	switch inv {
	case notary.InvoiceRejected:
		app, err = e.svc.Invoices.Reject(e.ctx, fin, app.ID, app.Version, "wrong title")
	case notary.InvoiceIssued, notary.InvoiceReversed:
		app, err = e.svc.Invoices.Issue(e.ctx, fin, app.ID, app.Version, e.issued("12345678"))
		if err == nil && inv == notary.InvoiceReversed {
			app, err = e.svc.Invoices.Reverse(e.ctx, fin, app.ID, app.Version, e.issued("87654321"))
		}
	}
	require.NoError(e.t, err)
	require.Equal(e.t, inv, notary.InvoiceStateOf(app))
	return app
}

// TestInvoiceLifecycleTable pins the invoice's table: who moves it, from
// where to where.
func TestInvoiceLifecycleTable(t *testing.T) {
	ctx := t.Context()
	tests := []struct {
		from    notary.InvoiceState
		trigger notary.ApplicationTrigger
		party   notary.Party
		to      notary.InvoiceState
		err     error
	}{
		{notary.InvoiceNotRequested, notary.AppRequestInvoice, notary.PartyOwner, notary.InvoiceRequested, nil},
		{notary.InvoiceRequested, notary.AppIssueInvoice, notary.PartyFinance, notary.InvoiceIssued, nil},
		{notary.InvoiceRequested, notary.AppRejectInvoice, notary.PartyFinance, notary.InvoiceRejected, nil},
		{notary.InvoiceRejected, notary.AppRequestInvoice, notary.PartyOwner, notary.InvoiceRequested, nil},
		{notary.InvoiceIssued, notary.AppReverseInvoice, notary.PartyFinance, notary.InvoiceReversed, nil},
		{notary.InvoiceReversed, notary.AppRequestInvoice, notary.PartyOwner, notary.InvoiceRequested, nil},
		{notary.InvoiceRequested, notary.AppIssueInvoice, notary.PartyAdmin, notary.InvoiceRequested, notary.ErrForbidden},
		{notary.InvoiceRequested, notary.AppIssueInvoice, notary.PartyOwner, notary.InvoiceRequested, notary.ErrForbidden},
		{notary.InvoiceNotRequested, notary.AppRequestInvoice, notary.PartyFinance, notary.InvoiceNotRequested, notary.ErrForbidden},
		{notary.InvoiceRequested, notary.AppRequestInvoice, notary.PartyOwner, notary.InvoiceRequested, notary.ErrInvalidTransition},
		{notary.InvoiceIssued, notary.AppRequestInvoice, notary.PartyOwner, notary.InvoiceIssued, notary.ErrInvalidTransition},
		{notary.InvoiceIssued, notary.AppIssueInvoice, notary.PartyFinance, notary.InvoiceIssued, notary.ErrInvalidTransition},
		{notary.InvoiceRejected, notary.AppReverseInvoice, notary.PartyFinance, notary.InvoiceRejected, notary.ErrInvalidTransition},
	}
	for _, tt := range tests {
		t.Run(string(tt.from)+"/"+string(tt.trigger)+"/"+string(tt.party), func(t *testing.T) {
			to, err := notary.InvoiceLifecycle.Fire(ctx, tt.from, tt.trigger, tt.party)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.to, to)
		})
	}
	// Finance still fires no transition of the application itself.
	_, err := notary.ApplicationLifecycle.Fire(ctx, notary.PendingPreliminaryReview, notary.AppApprovePreliminary, notary.PartyFinance)
	require.ErrorIs(t, err, notary.ErrForbidden)
}

// TestInvoiceFlow: request with the filing's defaults, issue, the user is
// told, the audit trail records each step and the application's state
// and deadlines stay.
func TestInvoiceFlow(t *testing.T) {
	e := newEnv(t)
	app := e.appIn(notary.AwaitingMaterials)
	before := app
	e.clock.Advance(time.Hour)

	app, err := e.svc.Invoices.Request(e.ctx, alice, app.ID, notary.InvoiceRequest{Type: notary.InvoiceOrdinary})
	require.NoError(t, err)
	inv := app.Invoice
	require.NotNil(t, inv)
	assert.Equal(t, notary.InvoiceRequested, inv.State)
	content := notarytest.FilingContent()
	assert.Equal(t, notary.InvoiceRequest{Type: notary.InvoiceOrdinary, Title: content.EnterpriseName,
		TaxpayerID: content.CreditCode, Email: content.ContactEmail}, inv.Request, "defaults from the filing in force")
	assert.Equal(t, "CNY", inv.Currency)
	assert.True(t, inv.Amount.Equal(app.Quote.Amount), "the fee paid")
	assert.Equal(t, e.clock.Now(), inv.RequestedAt)
	assert.Equal(t, before.State, app.State)
	assert.Equal(t, before.UpdatedAt, app.UpdatedAt, "no window of the application moves")
	assert.Equal(t, before.Version+1, app.Version)
	assert.ElementsMatch(t, []string{
		"email invoice.requested desk@office.example", "email invoice.requested chief@office.example",
	}, e.notices(app.ID)[len(e.notices(before.ID))-2:])

	// The same request again (a retry) changes nothing.
	again, err := e.svc.Invoices.Request(e.ctx, alice, app.ID, notary.InvoiceRequest{Type: notary.InvoiceOrdinary, Title: "  " + content.EnterpriseName})
	require.NoError(t, err)
	assert.Equal(t, app, again)
	// Another request while one waits is refused.
	_, err = e.svc.Invoices.Request(e.ctx, alice, app.ID, notary.InvoiceRequest{Type: notary.InvoiceSpecial})
	require.ErrorIs(t, err, notary.ErrInvalidTransition)

	fin := e.finance()
	queue, err := e.svc.Invoices.Queue(e.ctx, fin, notary.InvoiceRequested, nil, 10)
	require.NoError(t, err)
	require.Len(t, queue, 1)
	assert.Equal(t, app.ID, queue[0].ID)

	n := len(e.notices(app.ID))
	issued, err := e.svc.Invoices.Issue(e.ctx, fin, app.ID, app.Version, e.issued("25312000000012345678"))
	require.NoError(t, err)
	require.NotNil(t, issued.Invoice.Issued)
	assert.Equal(t, notary.InvoiceIssued, issued.Invoice.State)
	assert.Equal(t, "25312000000012345678", issued.Invoice.Issued.Number)
	y, m, d := e.clock.Now().Date()
	assert.Equal(t, time.Date(y, m, d, 0, 0, 0, 0, time.UTC), issued.Invoice.Issued.IssuedOn, "stored as a date")
	assert.Equal(t, []string{"insite invoice.issued alice@example.com", "email invoice.issued alice@example.com"}, e.notices(app.ID)[n:])
	stored, err := e.store.Application(e.ctx, app.ID)
	require.NoError(t, err)
	assert.Equal(t, issued, stored)

	// Issued again (a retry after a lost answer): nothing changes.
	again, err = e.svc.Invoices.Issue(e.ctx, fin, app.ID, app.Version, e.issued("25312000000012345678"))
	require.NoError(t, err)
	assert.Equal(t, issued, again)
	// Another invoice on the stale version: a conflict.
	_, err = e.svc.Invoices.Issue(e.ctx, fin, app.ID, app.Version, e.issued("25312000000099999999"))
	require.ErrorIs(t, err, notary.ErrConflict)

	evs, err := e.store.Events(e.ctx, app.ID)
	require.NoError(t, err)
	last := evs[len(evs)-2:]
	assert.Equal(t, string(notary.AppRequestInvoice), last[0].Trigger)
	assert.Equal(t, string(notary.AppIssueInvoice), last[1].Trigger)
	assert.Equal(t, notary.Actor{Kind: notary.ActorAdmin, ID: fin.ID.String(), Name: fin.Email}.Kind, last[1].Actor.Kind)
	assert.Contains(t, last[1].Reason, "25312000000012345678")
	assert.Equal(t, string(before.State), last[1].From)
	assert.Equal(t, string(before.State), last[1].To)
	require.NoError(t, e.svc.Audit.Verify(e.ctx, alice, app.ID))
}

// TestInvoiceRequestErrors: each bad field is named; a request before the
// fee is paid, or by someone else, is refused without a change.
func TestInvoiceRequestErrors(t *testing.T) {
	e := newEnv(t)
	paid := e.appIn(notary.PendingPreliminaryReview)
	unpaid := e.appIn(notary.AwaitingPayment)
	tests := []struct {
		name  string
		user  notary.User
		app   notary.Application
		req   notary.InvoiceRequest
		err   error
		field string
	}{
		{"no type", alice, paid, notary.InvoiceRequest{}, notary.ErrInvalidInput, "invoice.type"},
		{"unknown type", alice, paid, notary.InvoiceRequest{Type: "vat"}, notary.ErrInvalidInput, "invoice.type"},
		{"wrong check character", alice, paid, notary.InvoiceRequest{Type: notary.InvoiceSpecial, TaxpayerID: wrongCheck}, notary.ErrInvalidInput, "invoice.taxpayer_id"},
		{"short title", alice, paid, notary.InvoiceRequest{Type: notary.InvoiceSpecial, Title: "X"}, notary.ErrInvalidInput, "invoice.title"},
		{"bad email", alice, paid, notary.InvoiceRequest{Type: notary.InvoiceSpecial, Email: "not-an-email"}, notary.ErrInvalidInput, "invoice.email"},
		{"not paid", alice, unpaid, notary.InvoiceRequest{Type: notary.InvoiceSpecial}, notary.ErrInvalidTransition, ""},
		{"not the owner", bob, paid, notary.InvoiceRequest{Type: notary.InvoiceSpecial}, notary.ErrForbidden, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.snapshot(tt.app.ID, tt.app.EvidenceIDs())
			_, err := e.svc.Invoices.Request(e.ctx, tt.user, tt.app.ID, tt.req)
			require.ErrorIs(t, err, tt.err)
			if tt.field != "" {
				var fe *notary.FieldError
				require.True(t, errors.As(err, &fe), "%v", err)
				assert.Equal(t, tt.field, fe.Field)
			}
			assert.Equal(t, before, e.snapshot(tt.app.ID, tt.app.EvidenceIDs()))
		})
	}
	ok, err := e.svc.Invoices.Request(e.ctx, alice, paid.ID, notary.InvoiceRequest{Type: notary.InvoiceSpecial, TaxpayerID: strings.ToLower(validCredit)})
	require.NoError(t, err)
	assert.Equal(t, validCredit, ok.Invoice.Request.TaxpayerID)
}

// TestInvoiceIssueErrors: finance's input is checked field by field, and
// an invoice number is recorded once in the office.
func TestInvoiceIssueErrors(t *testing.T) {
	e := newEnv(t)
	app := e.invoiceIn(notary.PendingPreliminaryReview, notary.InvoiceRequested)
	fin := e.finance()
	good := e.issued("12345678")
	mod := func(f func(*notary.IssuedInvoice)) notary.IssuedInvoice {
		i := good
		f(&i)
		return i
	}
	tests := []struct {
		name    string
		version int64
		inv     notary.IssuedInvoice
		err     error
		field   string
	}{
		{"no version", 0, good, notary.ErrInvalidInput, "version"},
		{"short number", app.Version, mod(func(i *notary.IssuedInvoice) { i.Number = "1234567" }), notary.ErrInvalidInput, "invoice.number"},
		{"no date", app.Version, mod(func(i *notary.IssuedInvoice) { i.IssuedOn = time.Time{} }), notary.ErrInvalidInput, "invoice.issued_on"},
		{"future date", app.Version, mod(func(i *notary.IssuedInvoice) { i.IssuedOn = e.clock.Now().Add(48 * time.Hour) }), notary.ErrInvalidInput, "invoice.issued_on"},
		{"before payment", app.Version, mod(func(i *notary.IssuedInvoice) { i.IssuedOn = e.clock.Now().Add(-72 * time.Hour) }), notary.ErrInvalidInput, "invoice.issued_on"},
		{"no pdf", app.Version, mod(func(i *notary.IssuedInvoice) { i.PDFRef = " " }), notary.ErrInvalidInput, "invoice.pdf_ref"},
		{"bad digest", app.Version, mod(func(i *notary.IssuedInvoice) { i.PDFSHA256 = "abc" }), notary.ErrInvalidInput, "invoice.pdf_sha256"},
		{"stale version", app.Version - 1, good, notary.ErrConflict, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.snapshot(app.ID, app.EvidenceIDs())
			_, err := e.svc.Invoices.Issue(e.ctx, fin, app.ID, tt.version, tt.inv)
			require.ErrorIs(t, err, tt.err)
			if tt.field != "" {
				var fe *notary.FieldError
				require.True(t, errors.As(err, &fe), "%v", err)
				assert.Equal(t, tt.field, fe.Field)
			}
			assert.Equal(t, before, e.snapshot(app.ID, app.EvidenceIDs()))
		})
	}
	// A reviewer may not issue, even with good input.
	_, err := e.svc.Invoices.Issue(e.ctx, e.reviewer, app.ID, app.Version, good)
	require.ErrorIs(t, err, notary.ErrForbidden)
	_, err = e.svc.Invoices.Queue(e.ctx, e.reviewer, notary.InvoiceRequested, nil, 10)
	require.ErrorIs(t, err, notary.ErrForbidden)
	_, err = e.svc.Invoices.Queue(e.ctx, fin, notary.InvoiceNotRequested, nil, 10)
	require.ErrorIs(t, err, notary.ErrInvalidInput)

	_, err = e.svc.Invoices.Issue(e.ctx, fin, app.ID, app.Version, good)
	require.NoError(t, err)
	// The same number on another application is refused, naming the field.
	other := e.invoiceIn(notary.PendingPreliminaryReview, notary.InvoiceRequested)
	before := e.snapshot(other.ID, other.EvidenceIDs())
	_, err = e.svc.Invoices.Issue(e.ctx, fin, other.ID, other.Version, good)
	var fe *notary.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "invoice.number", fe.Field)
	assert.Equal(t, before, e.snapshot(other.ID, other.EvidenceIDs()))
}

// TestInvoiceRejectAndAskAgain: a rejected request tells the user why; the
// user asks again with corrected details.
func TestInvoiceRejectAndAskAgain(t *testing.T) {
	e := newEnv(t)
	app := e.invoiceIn(notary.PendingPreliminaryReview, notary.InvoiceRequested)
	fin := e.finance()
	_, err := e.svc.Invoices.Reject(e.ctx, fin, app.ID, app.Version, " ")
	require.ErrorIs(t, err, notary.ErrInvalidInput)
	n := len(e.notices(app.ID))
	rej, err := e.svc.Invoices.Reject(e.ctx, fin, app.ID, app.Version, "the title must be the registered name")
	require.NoError(t, err)
	assert.Equal(t, notary.InvoiceRejected, rej.Invoice.State)
	assert.Equal(t, "the title must be the registered name", rej.Invoice.Reason)
	assert.Equal(t, []string{"insite invoice.rejected alice@example.com", "email invoice.rejected alice@example.com"}, e.notices(app.ID)[n:])
	ns, err := e.store.ListNotices(e.ctx, notary.NoticePending, 1000)
	require.NoError(t, err)
	assert.Equal(t, "the title must be the registered name", ns[len(ns)-1].Data.Reason)
	assert.Equal(t, notary.InvoiceSpecial, ns[len(ns)-1].Data.InvoiceType)

	again, err := e.svc.Invoices.Reject(e.ctx, fin, app.ID, app.Version, "the title must be the registered name")
	require.NoError(t, err, "a retried rejection")
	assert.Equal(t, rej, again)

	req, err := e.svc.Invoices.Request(e.ctx, alice, app.ID, notary.InvoiceRequest{Type: notary.InvoiceOrdinary, Title: "Example Tech"})
	require.NoError(t, err)
	assert.Equal(t, notary.InvoiceRequested, req.Invoice.State)
	assert.Empty(t, req.Invoice.Reason)
	assert.Equal(t, "Example Tech", req.Invoice.Request.Title)
}

// TestRefundWaitsForReversal: the refund of an invoiced fee is not made
// until finance records the reversing invoice; then it is, and the fee's
// rest may be invoiced again.
func TestRefundWaitsForReversal(t *testing.T) {
	e := newEnv(t, func(c *notary.Config) { c.Office.Refund = notary.RefundPolicy{Mode: notary.RefundFull} })
	app := e.invoiceIn(notary.PendingPreliminaryReview, notary.InvoiceIssued)
	fin := e.finance()

	rej, err := e.svc.Reviews.RejectPreliminary(e.ctx, e.reviewer, app.ID, app.Version, "evidence does not match")
	require.NoError(t, err)
	assert.Nil(t, rej.Refund, "no refund before the reversing invoice")
	assert.Empty(t, e.pay.Refunds())
	require.ErrorIs(t, notary.RefundBlockedByInvoice(rej), notary.ErrInvalidTransition)

	// The sweep leaves it too, without counting a failure.
	e.clock.Advance(time.Hour)
	res, err := e.svc.Applications.Sweep(e.ctx)
	require.NoError(t, err)
	assert.Zero(t, res.Refunded)
	assert.Empty(t, res.Failed)
	assert.Empty(t, e.pay.Refunds())

	// Reversing before the original's date is refused.
	red := e.issued("87654321")
	early := red
	early.IssuedOn = e.clock.Now().Add(-48 * time.Hour)
	_, err = e.svc.Invoices.Reverse(e.ctx, fin, rej.ID, rej.Version, early)
	var fe *notary.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "invoice.issued_on", fe.Field)
	// Reusing the original's number is refused.
	_, err = e.svc.Invoices.Reverse(e.ctx, fin, rej.ID, rej.Version, e.issued("12345678"))
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "invoice.number", fe.Field)

	done, err := e.svc.Invoices.Reverse(e.ctx, fin, rej.ID, rej.Version, red)
	require.NoError(t, err)
	assert.Equal(t, notary.InvoiceReversed, done.Invoice.State)
	require.NotNil(t, done.Refund, "the refund follows the reversal")
	assert.Len(t, e.pay.Refunds(), 1)
	evs, err := e.store.Events(e.ctx, app.ID)
	require.NoError(t, err)
	assert.Equal(t, string(notary.AppReverseInvoice), evs[len(evs)-2].Trigger, "the reversal is audited before the refund")
	assert.Equal(t, string(notary.AppRefund), evs[len(evs)-1].Trigger)

	// Fully refunded: nothing is left to invoice.
	_, err = e.svc.Invoices.Request(e.ctx, alice, app.ID, notary.InvoiceRequest{Type: notary.InvoiceSpecial})
	require.ErrorIs(t, err, notary.ErrInvalidTransition)
}

// TestReverseRetryAndPartialRefund: a retried reversal changes nothing;
// after a partial refund the rest of the fee may be invoiced again.
func TestReverseRetryAndPartialRefund(t *testing.T) {
	e := newEnv(t, func(c *notary.Config) {
		c.Office.Refund = notary.RefundPolicy{Mode: notary.RefundPercent, Percent: decimal.NewFromInt(50)}
	})
	app := e.invoiceIn(notary.PendingPreliminaryReview, notary.InvoiceIssued)
	fin := e.finance()
	rej, err := e.svc.Reviews.RejectPreliminary(e.ctx, e.reviewer, app.ID, app.Version, "evidence does not match")
	require.NoError(t, err)
	done, err := e.svc.Invoices.Reverse(e.ctx, fin, rej.ID, rej.Version, e.issued("87654321"))
	require.NoError(t, err)
	require.NotNil(t, done.Refund)
	again, err := e.svc.Invoices.Reverse(e.ctx, fin, rej.ID, rej.Version, e.issued("87654321"))
	require.NoError(t, err)
	assert.Equal(t, done, again)

	req, err := e.svc.Invoices.Request(e.ctx, alice, app.ID, notary.InvoiceRequest{Type: notary.InvoiceOrdinary})
	require.NoError(t, err)
	assert.True(t, req.Invoice.Amount.Equal(app.Quote.Amount.Sub(done.Refund.Amount)), "the rest: %s", req.Invoice.Amount)
	assert.Nil(t, req.Invoice.Issued)
	assert.Nil(t, req.Invoice.Reversal)
	iss, err := e.svc.Invoices.Issue(e.ctx, fin, app.ID, req.Version, e.issued("11112222"))
	require.NoError(t, err)
	assert.True(t, iss.Invoice.Amount.Equal(req.Invoice.Amount))
}

// TestInvoiceHostEvent: each step emits its host event with the invoice.
func TestInvoiceHostEvent(t *testing.T) {
	e := newEnv(t, func(c *notary.Config) { c.HostEvents = true })
	app := e.invoiceIn(notary.PendingPreliminaryReview, notary.InvoiceIssued)
	evs, err := e.svc.HostEvents(e.ctx, [16]byte{}, 1000)
	require.NoError(t, err)
	var types []notary.HostEventType
	var body string
	for _, ev := range evs {
		if ev.RecordID == app.ID {
			types = append(types, ev.Type)
			body = string(ev.Body)
		}
	}
	assert.Equal(t, []notary.HostEventType{"application.created", "application.paid", "application.invoice_requested", "application.invoice_issued"}, types)
	assert.Contains(t, body, `"invoice":{"state":"Issued","type":"special"`)
	assert.Contains(t, body, `"issued":{"number":"12345678"`)
}
