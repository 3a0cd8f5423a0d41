package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

// TestFinanceInvoicesOverHTTP: finance works the invoice queue over JSON:
// lists the requests (paged), issues one the user then reads, rejects one
// with a reason, and records the reversing (红字) invoice of one whose fee
// is due back, which makes the refund. Refusals are typed: a reviewer
// 403, bad fields 400 naming the body's field, a stale version 409, an
// unknown application 404.
func TestFinanceInvoicesOverHTTP(t *testing.T) {
	h := start(t)
	user := h.user("acct-42", "legal@acme.example", "王经理")
	admin := h.admin(testAdminEmail, testAdminPassword)
	filing, evidence := approvedFiling(user, admin)
	require.GreaterOrEqual(t, len(evidence), 3)

	// Three paid applications, each with an invoice asked for.
	apps := make([]applicationView, 3)
	for i := range apps {
		user.call("POST", "/api/applications", applyRequest{EvidenceIDs: []string{evidence[i].ID}}, 201, &apps[i])
		h.clock.Advance(3 * time.Minute)
		h.pay(apps[i].Payment.CheckoutURL, apps[i].Quote.Amount+" CNY")
		user.waitState(apps[i].ID, notary.PendingPreliminaryReview)
		user.call("POST", "/api/applications/"+apps[i].ID.String()+"/invoice", invoiceRequest{Type: notary.InvoiceSpecial}, 200, &apps[i])
	}

	svc := h.app.svc
	token, _, err := svc.Admins.Login(t.Context(), testAdminEmail, testAdminPassword)
	require.NoError(t, err)
	chief, err := svc.Admins.Authenticate(t.Context(), token)
	require.NoError(t, err)
	_, err = svc.Admins.Create(t.Context(), chief, "cash@notary.example", "赵会计", notary.RoleFinance, "a long finance passphrase")
	require.NoError(t, err)
	fin := h.admin("cash@notary.example", "a long finance passphrase")

	// The queue, a page at a time, oldest first.
	var queue page[applicationView]
	fin.call("GET", "/api/admin/finance/invoices?limit=2", nil, 200, &queue)
	require.Len(t, queue.Items, 2)
	assert.Equal(t, apps[0].ID, queue.Items[0].ID)
	assert.Equal(t, apps[1].ID, queue.Items[1].ID)
	require.NotEmpty(t, queue.NextCursor)
	var rest page[applicationView]
	fin.call("GET", "/api/admin/finance/invoices?limit=2&after="+queue.NextCursor, nil, 200, &rest)
	require.Len(t, rest.Items, 1)
	assert.Equal(t, apps[2].ID, rest.Items[0].ID)
	fin.call("GET", "/api/admin/finance/invoices?state=Issued", nil, 200, &queue)
	assert.Empty(t, queue.Items)
	e := fin.fail("GET", "/api/admin/finance/invoices?state=NotRequested", nil, 400, "invalid_input")
	assert.Equal(t, "state", e.Field)
	admin.fail("GET", "/api/admin/finance/invoices", nil, 403, "forbidden")

	office := svc.Office().TimeZone
	today := h.clock.Now().In(office).Format(time.DateOnly)
	tomorrow := h.clock.Now().In(office).AddDate(0, 0, 1).Format(time.DateOnly)
	issue := func(app applicationView, number string) issuedInvoiceRequest {
		return issuedInvoiceRequest{Version: app.Version, Number: number, IssuedOn: today,
			PDFRef: "invoices/" + number + ".pdf", PDFSHA256: notarytest.Digest(number)}
	}
	path := func(app applicationView, action string) string {
		return "/api/admin/applications/" + app.ID.String() + "/invoice/" + action
	}

	// Refusals: nothing changes.
	good := issue(apps[0], "25442000000012345678")
	for _, tc := range []struct {
		name   string
		who    *client
		path   string
		body   func() any
		status int
		code   string
		field  string
	}{
		{"reviewer", admin, path(apps[0], "issue"), func() any { return good }, 403, "forbidden", ""},
		{"reviewer rejects", admin, path(apps[0], "reject"), func() any { return rejectRequest{Version: apps[0].Version, Reason: "抬头有误"} }, 403, "forbidden", ""},
		{"bad number", fin, path(apps[0], "issue"), func() any { b := good; b.Number = "2544-12"; return b }, 400, "invalid_input", "number"},
		{"malformed date", fin, path(apps[0], "issue"), func() any { b := good; b.IssuedOn = "30/11/2026"; return b }, 400, "invalid_input", "issued_on"},
		{"future date", fin, path(apps[0], "issue"), func() any { b := good; b.IssuedOn = tomorrow; return b }, 400, "invalid_input", "issued_on"},
		{"missing date", fin, path(apps[0], "issue"), func() any { b := good; b.IssuedOn = ""; return b }, 400, "invalid_input", "issued_on"},
		{"bad digest", fin, path(apps[0], "issue"), func() any { b := good; b.PDFSHA256 = "abc"; return b }, 400, "invalid_input", "pdf_sha256"},
		{"no version", fin, path(apps[0], "issue"), func() any { b := good; b.Version = 0; return b }, 400, "invalid_input", "version"},
		{"unknown member", fin, path(apps[0], "issue"), func() any { return map[string]any{"version": 1, "numbr": "12345678"} }, 400, "invalid_input", "numbr"},
		{"no reason", fin, path(apps[1], "reject"), func() any { return rejectRequest{Version: apps[1].Version} }, 400, "invalid_input", "reason"},
		{"stale version", fin, path(apps[0], "issue"), func() any { b := good; b.Version--; return b }, 409, "conflict", ""},
		{"unknown application", fin, "/api/admin/applications/" + filing.ID.String() + "/invoice/issue", func() any { return good }, 404, "not_found", ""},
		{"nothing to reverse", fin, path(apps[0], "reverse"), func() any { b := good; b.Number = "25442000000099999999"; return b }, 409, "invalid_transition", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := tc.who.fail("POST", tc.path, tc.body(), tc.status, tc.code)
			assert.Equal(t, tc.field, e.Field)
		})
	}
	var same applicationView
	user.call("GET", "/api/applications/"+apps[0].ID.String(), nil, 200, &same)
	assert.Equal(t, apps[0].Version, same.Version, "refusals change nothing")

	// Issue; the user reads the issued invoice.
	var app applicationView
	fin.call("POST", path(apps[0], "issue"), good, 200, &app)
	require.NotNil(t, app.Invoice)
	assert.Equal(t, notary.InvoiceIssued, app.Invoice.State)
	fin.call("POST", path(apps[0], "issue"), good, 200, &app) // a retry changes nothing
	assert.Equal(t, apps[0].Version+1, app.Version)
	var inv invoiceView
	user.call("GET", "/api/applications/"+apps[0].ID.String()+"/invoice", nil, 200, &inv)
	assert.Equal(t, notary.InvoiceIssued, inv.State)
	require.NotNil(t, inv.Issued)
	assert.Equal(t, "25442000000012345678", inv.Issued.Number)
	assert.Equal(t, today, inv.Issued.IssuedOn)
	assert.Equal(t, notarytest.Digest("25442000000012345678"), inv.Issued.PDFSHA256)
	user.waitInbox(notary.NoticeInvoiceIssued, apps[0].ID)
	e = fin.fail("POST", path(apps[1], "issue"), issue(apps[1], "25442000000012345678"), 400, "invalid_input")
	assert.Equal(t, "number", e.Field, "a number is recorded once")

	// Reject with a reason; the user is told.
	fin.call("POST", path(apps[1], "reject"), rejectRequest{Version: apps[1].Version, Reason: "抬头与营业执照不符"}, 200, &app)
	assert.Equal(t, notary.InvoiceRejected, app.Invoice.State)
	user.call("GET", "/api/applications/"+apps[1].ID.String()+"/invoice", nil, 200, &inv)
	assert.Equal(t, notary.InvoiceRejected, inv.State)
	assert.Equal(t, "抬头与营业执照不符", inv.Reason)
	user.waitInbox(notary.NoticeInvoiceRejected, apps[1].ID)

	// Issued, then the review fails: the refund waits for the reversing
	// invoice, and is made when finance records it.
	fin.call("POST", path(apps[2], "issue"), issue(apps[2], "25442000000012345679"), 200, &app)
	admin.call("POST", "/api/admin/applications/"+apps[2].ID.String()+"/preliminary/reject",
		rejectRequest{Version: app.Version, Reason: "材料不清晰"}, 200, &app)
	assert.Equal(t, notary.PreliminaryRejected, app.State)
	assert.Nil(t, app.Refund, "the refund waits for the reversing invoice")
	rev := issue(app, "25442000000087654321")
	rev.Version--
	fin.fail("POST", path(apps[2], "reverse"), rev, 409, "conflict")
	rev.Version++
	fin.call("POST", path(apps[2], "reverse"), rev, 200, &app)
	assert.Equal(t, notary.InvoiceReversed, app.Invoice.State)
	require.NotNil(t, app.Invoice.Reversal)
	assert.Equal(t, "25442000000087654321", app.Invoice.Reversal.Number)
	assert.NotNil(t, app.Refund, "the refund is made with the reversal")
	fin.call("GET", "/api/admin/finance/invoices?state=Reversed", nil, 200, &queue)
	require.Len(t, queue.Items, 1)
	assert.Equal(t, apps[2].ID, queue.Items[0].ID)
}
