package console_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

// invoiceForm is a valid issue (or reverse) form of app at its version.
func invoiceForm(app notary.Application, number string) url.Values {
	return url.Values{"version": {strconv.FormatInt(app.Version, 10)}, "number": {number}, "issued_on": {"2026-11-30"},
		"pdf_ref": {"invoices/" + number + ".pdf"}, "pdf_sha256": {notarytest.Digest(number)}}
}

// requestedInvoice returns a paid application whose owner asked for a
// special VAT invoice.
func (e *env) requestedInvoice(enterprise string) notary.Application {
	e.t.Helper()
	app := e.paidApplication(enterprise)
	app, err := e.svc.Invoices.Request(e.t.Context(), app.Owner, app.ID, notary.InvoiceRequest{Type: notary.InvoiceSpecial})
	require.NoError(e.t, err)
	return app
}

// TestInvoicesPage: finance lists the invoice requests, issues one, sees
// refusals next to their field in Chinese with what it typed kept,
// rejects another with a reason and records the reversing invoice a
// refund waits for; only finance gets the page, and every form needs the
// CSRF token.
func TestInvoicesPage(t *testing.T) {
	e := newEnv(t)
	app := e.requestedInvoice("深圳甲科技有限公司")
	other := e.requestedInvoice("深圳乙贸易有限公司")
	c, _ := e.clientAs(notary.RoleFinance)

	res, page := c.do("GET", "/admin/invoices", nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, page, `href="/admin/invoices"`, "finance's navigation links the page")
	assert.Contains(t, page, "深圳甲科技有限公司")
	assert.Contains(t, page, "增值税专用发票")
	assert.Contains(t, page, `id="issue-`+app.ID.String()+`"`)
	assert.Contains(t, page, `value="2026-11-30"`, "today in the office's time zone")

	issue := "/admin/invoices/" + app.ID.String() + "/issue?state=Requested"
	bad := invoiceForm(app, "1234")
	res, page = c.post(issue, bad)
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	assert.Contains(t, page, `<p class="field-error" id="issue-`+app.ID.String()+`-number-error">须为 8 位或 20 位数字`)
	assert.Contains(t, page, `aria-describedby="issue-`+app.ID.String()+`-number-error"`)
	assert.Contains(t, page, `value="invoices/1234.pdf"`, "what finance typed stays")
	bad = invoiceForm(app, "12345678")
	bad.Set("issued_on", "30/11/2026")
	_, page = c.post(issue, bad)
	assert.Contains(t, page, `id="issue-`+app.ID.String()+`-date-error">须为日期（年-月-日）</p>`)
	bad = invoiceForm(app, "12345678")
	bad.Set("issued_on", "2026-12-25")
	_, page = c.post(issue, bad)
	assert.Contains(t, page, `id="issue-`+app.ID.String()+`-date-error">2026-12-25 晚于今天</p>`)
	bad = invoiceForm(app, "12345678")
	bad.Set("pdf_sha256", "abc")
	_, page = c.post(issue, bad)
	assert.Contains(t, page, `id="issue-`+app.ID.String()+`-sha-error">`)
	got, err := e.svc.Applications.Get(t.Context(), e.chief, app.ID)
	require.NoError(t, err)
	assert.Equal(t, notary.InvoiceRequested, got.Invoice.State, "refusals change nothing")

	res, _ = c.do("POST", issue, invoiceForm(app, "12345678"))
	assert.Equal(t, http.StatusForbidden, res.StatusCode, "no CSRF token")
	res, _ = c.post(issue, invoiceForm(app, "12345678"))
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	assert.Equal(t, "/admin/invoices?done=issue&state=Requested", res.Header.Get("Location"))
	_, page = c.do("GET", res.Header.Get("Location"), nil)
	assert.Contains(t, page, "发票已开具")
	got, err = e.svc.Applications.Get(t.Context(), e.chief, app.ID)
	require.NoError(t, err)
	require.Equal(t, notary.InvoiceIssued, got.Invoice.State)
	assert.Equal(t, "12345678", got.Invoice.Issued.Number)
	// A stale form (the version it showed) is a conflict, said at the top.
	res, page = c.post(issue, invoiceForm(app, "87654321"))
	assert.Equal(t, http.StatusConflict, res.StatusCode)
	assert.Contains(t, page, `role="alert"`)

	reject := "/admin/invoices/" + other.ID.String() + "/reject?state=Requested"
	res, page = c.post(reject, url.Values{"version": {strconv.FormatInt(other.Version, 10)}, "reason": {" "}})
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	assert.Contains(t, page, `id="reason-`+other.ID.String()+`-error">必填</p>`)
	res, _ = c.post(reject, url.Values{"version": {strconv.FormatInt(other.Version, 10)}, "reason": {"抬头与营业执照不一致"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, page = c.do("GET", "/admin/invoices?state=Rejected", nil)
	assert.Contains(t, page, "抬头与营业执照不一致")

	// Rejected at the preliminary review: the refund waits for the
	// reversing invoice, which finance records on the Issued tab.
	got, err = e.svc.Reviews.RejectPreliminary(t.Context(), e.chief, app.ID, got.Version, "材料不清晰")
	require.NoError(t, err)
	assert.Nil(t, got.Refund)
	_, page = c.do("GET", "/admin/invoices?state=Issued", nil)
	assert.Contains(t, page, `id="refund-waits-`+app.ID.String()+`"`)
	res, _ = c.post("/admin/invoices/"+app.ID.String()+"/reverse?state=Issued", invoiceForm(got, "87654321"))
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	got, err = e.svc.Applications.Get(t.Context(), e.chief, app.ID)
	require.NoError(t, err)
	assert.Equal(t, notary.InvoiceReversed, got.Invoice.State)
	require.NotNil(t, got.Refund, "the refund followed the reversal")
	// The audit trail names both invoices in the console's language.
	chief := e.client()
	chief.login()
	_, page = chief.do("GET", "/admin/applications/"+app.ID.String(), nil)
	assert.Contains(t, page, "<td>发票 12345678（开票日期 2026-11-30）</td>")
	assert.Contains(t, page, "<td>红字发票 87654321（开票日期 2026-11-30），冲销发票 12345678</td>")
	assert.NotContains(t, page, "reversing invoice")

	// A reviewer gets neither the page nor its link.
	r, _ := e.clientAs(notary.RoleReviewer)
	res, _ = r.do("GET", "/admin/invoices", nil)
	assert.Equal(t, http.StatusForbidden, res.StatusCode)
	_, page = r.do("GET", "/admin/", nil)
	assert.False(t, strings.Contains(page, `href="/admin/invoices"`))
}

// TestApplicationPageShowsInvoice: a reviewer sees on the application
// page where its invoice stands, in words, with the number once issued.
func TestApplicationPageShowsInvoice(t *testing.T) {
	e := newEnv(t)
	app := e.requestedInvoice("深圳丙商贸有限公司")
	c := e.client()
	c.login()
	path := "/admin/applications/" + app.ID.String()
	_, page := c.do("GET", path, nil)
	assert.Contains(t, page, `<dd id="invoice">待开票 · 增值税专用发票 · 深圳丙商贸有限公司`)

	f, _ := e.clientAs(notary.RoleFinance)
	f.do("GET", "/admin/invoices", nil) // the form's CSRF token
	res, _ := f.post("/admin/invoices/"+app.ID.String()+"/issue?state=Requested", invoiceForm(app, "12345678"))
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, page = c.do("GET", path, nil)
	assert.Contains(t, page, `已开票 · 增值税专用发票`)
	assert.Contains(t, page, `发票号码 <code>12345678</code> · 开票日期 2026-11-30`)
}
