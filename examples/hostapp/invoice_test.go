package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

// TestInvoiceAPI: the owner of a paid application asks for its invoice
// (bad fields named), reads it, and is told when finance issues it.
func TestInvoiceAPI(t *testing.T) {
	h := start(t)
	user := h.user("acct-42", "legal@acme.example", "王经理")
	stranger := h.user("acct-99", "someone@else.example", "Stranger")
	admin := h.admin(testAdminEmail, testAdminPassword)

	_, evidence := approvedFiling(user, admin)
	var app applicationView
	user.call("POST", "/api/applications", applyRequest{EvidenceIDs: []string{evidence[0].ID}}, 201, &app)
	uid := "/api/applications/" + app.ID.String()

	// Not paid yet: nothing to invoice.
	user.fail("POST", uid+"/invoice", invoiceRequest{Type: notary.InvoiceSpecial}, 409, "invalid_transition")
	h.clock.Advance(3 * time.Minute)
	h.pay(app.Payment.CheckoutURL, app.Quote.Amount+" CNY")
	app = user.waitState(app.ID, notary.PendingPreliminaryReview)
	assert.Contains(t, app.Actions, notary.AppRequestInvoice)
	user.fail("GET", uid+"/invoice", nil, 404, "not_found")

	for _, tc := range []struct {
		name  string
		body  any
		field string
	}{
		{"unknown type", invoiceRequest{Type: "vat"}, "invoice.type"},
		{"wrong check character", invoiceRequest{Type: notary.InvoiceSpecial, TaxpayerID: "91110000100017643A"}, "invoice.taxpayer_id"},
		{"bad email", invoiceRequest{Type: notary.InvoiceOrdinary, Email: "nobody"}, "invoice.email"},
		{"unknown member", map[string]any{"type": "special", "tittle": "x"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := user.fail("POST", uid+"/invoice", tc.body, 400, "invalid_input")
			if tc.field != "" {
				assert.Equal(t, tc.field, e.Field)
			}
		})
	}
	stranger.fail("POST", uid+"/invoice", invoiceRequest{Type: notary.InvoiceSpecial}, 403, "forbidden")

	user.call("POST", uid+"/invoice", invoiceRequest{Type: notary.InvoiceSpecial}, 200, &app)
	require.NotNil(t, app.Invoice)
	assert.Equal(t, notary.InvoiceRequested, app.Invoice.State)
	assert.Equal(t, "深圳市艾克米科技有限公司", app.Invoice.Title, "the filing's name by default")
	assert.Equal(t, "91110000100017643K", app.Invoice.TaxpayerID, "and its credit code")
	assert.Equal(t, app.Quote.Amount, app.Invoice.Amount)
	assert.NotContains(t, app.Actions, notary.AppRequestInvoice)
	version := app.Version
	user.call("POST", uid+"/invoice", invoiceRequest{Type: notary.InvoiceSpecial}, 200, &app) // a retry
	assert.Equal(t, version, app.Version, "changes nothing")
	assert.Contains(t, h.waitMail(officeMailbox, notary.NoticeInvoiceRequested).Text, "91110000100017643K")

	// Finance issues it (through the SDK, as the console does).
	ctx := t.Context()
	svc := h.app.svc
	token, _, err := svc.Admins.Login(ctx, testAdminEmail, testAdminPassword)
	require.NoError(t, err)
	chief, err := svc.Admins.Authenticate(ctx, token)
	require.NoError(t, err)
	_, err = svc.Admins.Create(ctx, chief, "cash@notary.example", "赵会计", notary.RoleFinance, "a long finance passphrase")
	require.NoError(t, err)
	token, _, err = svc.Admins.Login(ctx, "cash@notary.example", "a long finance passphrase")
	require.NoError(t, err)
	finance, err := svc.Admins.Authenticate(ctx, token)
	require.NoError(t, err)
	_, err = svc.Invoices.Issue(ctx, finance, app.ID, app.Version, notary.IssuedInvoice{Number: "25442000000012345678",
		IssuedOn: h.clock.Now(), PDFRef: "invoices/25442000000012345678.pdf", PDFSHA256: notarytest.Digest("pdf")})
	require.NoError(t, err)

	var inv invoiceView
	user.call("GET", uid+"/invoice", nil, 200, &inv)
	assert.Equal(t, notary.InvoiceIssued, inv.State)
	require.NotNil(t, inv.Issued)
	assert.Equal(t, "25442000000012345678", inv.Issued.Number)
	assert.Equal(t, h.clock.Now().Format(time.DateOnly), inv.Issued.IssuedOn)
	assert.Equal(t, notarytest.Digest("pdf"), inv.Issued.PDFSHA256)
	msg := user.waitInbox(notary.NoticeInvoiceIssued, app.ID)
	assert.Contains(t, msg.Body, "25442000000012345678")
	assert.Contains(t, h.waitMail("legal@acme.example", notary.NoticeInvoiceIssued).Text, "25442000000012345678")
	stranger.fail("GET", uid+"/invoice", nil, 403, "forbidden")
}
