package notary_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

// TestInvoiceRequestNormalize: the title, taxpayer ID and email default to
// the filing's; each bad field is named, and a taxpayer ID with a wrong
// check character is refused.
func TestInvoiceRequestNormalize(t *testing.T) {
	filing := notarytest.FilingContent()
	got, err := notary.InvoiceRequest{Type: notary.InvoiceOrdinary}.Normalize(filing)
	require.NoError(t, err)
	require.Equal(t, notary.InvoiceRequest{Type: notary.InvoiceOrdinary, Title: filing.EnterpriseName,
		TaxpayerID: filing.CreditCode, Email: filing.ContactEmail}, got)

	own := notary.InvoiceRequest{Type: notary.InvoiceSpecial, Title: " 深圳市某某科技有限公司 ",
		TaxpayerID: " " + strings.ToLower(filing.CreditCode) + " ", Email: " ap@example.com "}
	got, err = own.Normalize(filing)
	require.NoError(t, err)
	require.Equal(t, notary.InvoiceRequest{Type: notary.InvoiceSpecial, Title: "深圳市某某科技有限公司",
		TaxpayerID: filing.CreditCode, Email: "ap@example.com"}, got)

	wrongCheck := filing.CreditCode[:17] + "0"
	require.NotEqual(t, filing.CreditCode, wrongCheck)
	for _, tc := range []struct {
		name, field string
		req         notary.InvoiceRequest
	}{
		{"no type", "invoice.type", notary.InvoiceRequest{}},
		{"unknown type", "invoice.type", notary.InvoiceRequest{Type: "receipt"}},
		{"one-letter title", "invoice.title", notary.InvoiceRequest{Type: notary.InvoiceOrdinary, Title: "X"}},
		{"wrong check character", "invoice.taxpayer_id", notary.InvoiceRequest{Type: notary.InvoiceSpecial, TaxpayerID: wrongCheck}},
		{"short taxpayer ID", "invoice.taxpayer_id", notary.InvoiceRequest{Type: notary.InvoiceSpecial, TaxpayerID: "91350100"}},
		{"bad email", "invoice.email", notary.InvoiceRequest{Type: notary.InvoiceOrdinary, Email: "not-an-email"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.req.Normalize(filing)
			requireField(t, err, tc.field)
		})
	}
}

// TestIssuedInvoiceNormalize: the issue date is a calendar day in the
// office's zone, between the payment and today.
func TestIssuedInvoiceNormalize(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	// 00:30 on 3 March in China is still 2 March in UTC.
	now := time.Date(2026, 3, 3, 0, 30, 0, 0, cst)
	paidAt := time.Date(2026, 3, 1, 23, 0, 0, 0, time.UTC) // 2 March in China
	sum := strings.Repeat("AB", 32)
	good := notary.IssuedInvoice{Number: " 26442000000012345678 ", IssuedOn: time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC),
		PDFRef: " invoices/2026/0001.pdf ", PDFSHA256: sum}
	got, err := good.Normalize(paidAt, now)
	require.NoError(t, err)
	require.Equal(t, "26442000000012345678", got.Number)
	require.Equal(t, "invoices/2026/0001.pdf", got.PDFRef)
	require.Equal(t, strings.ToLower(sum), got.PDFSHA256)

	paper := good
	paper.Number, paper.IssuedOn = "01234567", time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	_, err = paper.Normalize(paidAt, now)
	require.NoError(t, err, "issued on the payment's day")

	for _, tc := range []struct {
		name, field string
		edit        func(*notary.IssuedInvoice)
	}{
		{"9 digits", "invoice.number", func(i *notary.IssuedInvoice) { i.Number = "123456789" }},
		{"letters", "invoice.number", func(i *notary.IssuedInvoice) { i.Number = "NO123456" }},
		{"no date", "invoice.issued_on", func(i *notary.IssuedInvoice) { i.IssuedOn = time.Time{} }},
		{"tomorrow", "invoice.issued_on", func(i *notary.IssuedInvoice) { i.IssuedOn = time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC) }},
		{"before payment", "invoice.issued_on", func(i *notary.IssuedInvoice) { i.IssuedOn = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC) }},
		{"no pdf", "invoice.pdf_ref", func(i *notary.IssuedInvoice) { i.PDFRef = " " }},
		{"short sum", "invoice.pdf_sha256", func(i *notary.IssuedInvoice) { i.PDFSHA256 = "abc" }},
		{"not hex", "invoice.pdf_sha256", func(i *notary.IssuedInvoice) { i.PDFSHA256 = strings.Repeat("g", 64) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			i := good
			tc.edit(&i)
			_, err := i.Normalize(paidAt, now)
			requireField(t, err, tc.field)
		})
	}
}
