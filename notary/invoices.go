package notary

import (
	"regexp"
	"strings"
	"time"
)

// This file holds the rules of invoices (发票) for notary fees: what an
// enterprise asks for and what finance records when it issues one. The
// rules are pure (no I/O); the clock is passed in.

// InvoiceType is the kind of VAT invoice an enterprise asks for.
type InvoiceType string

// The invoice types.
const (
	InvoiceOrdinary InvoiceType = "ordinary" // 增值税普通发票
	InvoiceSpecial  InvoiceType = "special"  // 增值税专用发票
)

// Valid reports whether t is an invoice type.
func (t InvoiceType) Valid() bool { return t == InvoiceOrdinary || t == InvoiceSpecial }

// InvoiceRequest is an enterprise's request for an invoice of its fee.
type InvoiceRequest struct {
	Type       InvoiceType
	Title      string // 抬头; empty means the filing's enterprise name
	TaxpayerID string // 纳税人识别号; empty means the filing's credit code
	Email      string // where the invoice goes; empty means the filing's contact email
}

// Normalize fills the request's defaults from the enterprise's filing in
// force and validates it. The taxpayer ID of an enterprise is its unified
// social credit code, checked as GB 32100 says (check character included).
// Errors: ErrInvalidInput naming "invoice.type", "invoice.title",
// "invoice.taxpayer_id" or "invoice.email".
func (r InvoiceRequest) Normalize(filing FilingContent) (InvoiceRequest, error) {
	if !r.Type.Valid() {
		return r, invalid("invoice.type", "must be %q or %q", InvoiceOrdinary, InvoiceSpecial)
	}
	r.Title = strings.TrimSpace(r.Title)
	if r.Title == "" {
		r.Title = filing.EnterpriseName
	}
	if err := CheckText(r.Title, 2, 200); err != nil {
		return r, invalid("invoice.title", "%v", err)
	}
	r.TaxpayerID = strings.ToUpper(strings.TrimSpace(r.TaxpayerID))
	if r.TaxpayerID == "" {
		r.TaxpayerID = filing.CreditCode
	}
	if err := CheckCreditCode(r.TaxpayerID); err != nil {
		return r, invalid("invoice.taxpayer_id", "%v", err)
	}
	r.Email = strings.TrimSpace(r.Email)
	if r.Email == "" {
		r.Email = filing.ContactEmail
	}
	if err := CheckEmail(r.Email); err != nil {
		return r, invalid("invoice.email", "%v", err)
	}
	return r, nil
}

// IssuedInvoice is what finance records when it issues an invoice, or the
// reversing (红字) invoice of a refund.
type IssuedInvoice struct {
	Number    string    // 发票号码: 8 digits (paper) or 20 digits (全电发票)
	IssuedOn  time.Time // the issue date printed on the invoice
	PDFRef    string    // where the PDF is kept (an object key or URL)
	PDFSHA256 string    // hex SHA-256 of the PDF, so it can be verified later
}

var invoiceNumber = regexp.MustCompile(`^([0-9]{8}|[0-9]{20})$`)

// Normalize validates an issued invoice for a fee paid at paidAt, at now
// (the service's clock): the date lies between the payment's day and
// today. IssuedOn is taken as the calendar date it names; the payment and
// now are turned into calendar dates in now's location, so pass now in the
// office's time zone (China Standard Time for a Chinese office). Errors: ErrInvalidInput naming "invoice.number",
// "invoice.issued_on", "invoice.pdf_ref" or "invoice.pdf_sha256".
func (i IssuedInvoice) Normalize(paidAt, now time.Time) (IssuedInvoice, error) {
	i.Number = strings.TrimSpace(i.Number)
	if !invoiceNumber.MatchString(i.Number) {
		return i, invalid("invoice.number", "must be 8 or 20 digits, got %q", i.Number)
	}
	if i.IssuedOn.IsZero() {
		return i, invalid("invoice.issued_on", "required")
	}
	day := func(t time.Time) string { return t.In(now.Location()).Format(time.DateOnly) }
	issued := i.IssuedOn.Format(time.DateOnly)
	if issued > day(now) {
		return i, invalid("invoice.issued_on", "%s is in the future", issued)
	}
	if !paidAt.IsZero() && issued < day(paidAt) {
		return i, invalid("invoice.issued_on", "%s is before the payment on %s", issued, day(paidAt))
	}
	i.PDFRef = strings.TrimSpace(i.PDFRef)
	if err := CheckText(i.PDFRef, 1, 500); err != nil {
		return i, invalid("invoice.pdf_ref", "%v", err)
	}
	i.PDFSHA256 = strings.ToLower(strings.TrimSpace(i.PDFSHA256))
	if err := CheckSHA256Hex(i.PDFSHA256); err != nil {
		return i, invalid("invoice.pdf_sha256", "%v", err)
	}
	return i, nil
}
