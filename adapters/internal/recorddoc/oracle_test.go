package recorddoc_test

// The reflection-based codec the application document had before it was
// written by hand, kept as the reference the hand-written codec must agree
// with: documents either one writes, the other reads to the same
// application, so documents stored before the change still read.

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/notarykit/notarykit/adapters/internal/recorddoc"
	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/payment"
)

func oracleTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

func oracleUTC(t time.Time) time.Time { return oracleTime(t) }

type userDoc struct {
	ID     string `json:"id"`
	Email  string `json:"email"`
	Name   string `json:"name"`
	Locale string `json:"locale"`
}

func toUserDoc(u notary.User) userDoc {
	return userDoc{ID: u.ID, Email: u.Email, Name: u.Name, Locale: u.Locale}
}

func (u userDoc) user() notary.User {
	return notary.User{ID: u.ID, Email: u.Email, Name: u.Name, Locale: u.Locale}
}

// oracleNotice is the notice document as the PostgreSQL outbox stored it.
type oracleNotice struct {
	RecordKind notary.RecordKind `json:"record_kind"`
	To         notary.Recipient  `json:"to"`
	Data       notary.NoticeData `json:"data"`
}

// decDoc is a decimal in a document: a string keeping the exponent, or null
// for the zero Decimal value.
type decDoc struct{ d decimal.Decimal }

func (x decDoc) MarshalJSON() ([]byte, error) {
	if x.d == (decimal.Decimal{}) {
		return []byte("null"), nil
	}
	return strconv.AppendQuote(nil, recorddoc.DecimalString(x.d)), nil // digits, '.', '-' and 'e' need no escaping
}

func (x *decDoc) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		x.d = decimal.Decimal{}
		return nil
	}
	// A decimal's text never holds an escape, so the quotes are all there
	// is to take off; anything else fails to parse below.
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return fmt.Errorf("recorddoc: amount %s is not a string", b)
	}
	d, err := decimal.NewFromString(string(b[1 : len(b)-1]))
	if err != nil {
		return err
	}
	x.d = d
	return nil
}

type quoteLineDoc struct {
	Description string `json:"description"`
	Records     int    `json:"records"`
	UnitPrice   decDoc `json:"unit_price"`
	Amount      decDoc `json:"amount"`
}

type quoteDoc struct {
	Records  int            `json:"records"`
	Currency string         `json:"currency"`
	Lines    []quoteLineDoc `json:"lines"`
	Amount   decDoc         `json:"amount"`
}

func toQuoteDoc(q payment.Quote) quoteDoc {
	d := quoteDoc{Records: q.Records, Currency: q.Currency, Amount: decDoc{q.Amount}}
	if q.Lines != nil {
		d.Lines = make([]quoteLineDoc, len(q.Lines))
		for i, l := range q.Lines {
			d.Lines[i] = quoteLineDoc{Description: l.Description, Records: l.Records,
				UnitPrice: decDoc{l.UnitPrice}, Amount: decDoc{l.Amount}}
		}
	}
	return d
}

func (d quoteDoc) quote() payment.Quote {
	q := payment.Quote{Records: d.Records, Currency: d.Currency, Amount: d.Amount.d}
	if d.Lines != nil {
		q.Lines = make([]payment.QuoteLine, len(d.Lines))
		for i, l := range d.Lines {
			q.Lines[i] = payment.QuoteLine{Description: l.Description, Records: l.Records,
				UnitPrice: l.UnitPrice.d, Amount: l.Amount.d}
		}
	}
	return q
}

type paymentDoc struct {
	Provider    string    `json:"provider"`
	ID          string    `json:"id"`
	CheckoutURL string    `json:"checkout_url"`
	Status      string    `json:"status"`
	PaidAt      time.Time `json:"paid_at,omitzero"`
	Method      string    `json:"method,omitempty"`
	Transfer    *struct {
		Account struct {
			Name   string `json:"name"`
			Bank   string `json:"bank"`
			Number string `json:"number"`
		} `json:"account"`
		Reference string `json:"reference"`
	} `json:"transfer,omitempty"`
	Serial string `json:"serial,omitempty"`
}

func toPaymentDoc(p notary.PaymentRef) paymentDoc {
	d := paymentDoc{Provider: p.Provider, ID: p.ID, CheckoutURL: p.CheckoutURL, Status: string(p.Status),
		PaidAt: oracleTime(p.PaidAt), Method: string(p.Method), Serial: p.Serial}
	if t := p.Transfer; t != nil {
		d.Transfer = &struct {
			Account struct {
				Name   string `json:"name"`
				Bank   string `json:"bank"`
				Number string `json:"number"`
			} `json:"account"`
			Reference string `json:"reference"`
		}{}
		d.Transfer.Account.Name, d.Transfer.Account.Bank, d.Transfer.Account.Number = t.Account.Name, t.Account.Bank, t.Account.Number
		d.Transfer.Reference = t.Reference
	}
	return d
}

func (d paymentDoc) ref() notary.PaymentRef {
	p := notary.PaymentRef{Provider: d.Provider, ID: d.ID, CheckoutURL: d.CheckoutURL,
		Status: notary.PaymentStatus(d.Status), PaidAt: oracleUTC(d.PaidAt), Method: notary.PaymentMethod(d.Method), Serial: d.Serial}
	if t := d.Transfer; t != nil {
		p.Transfer = &notary.TransferInstructions{Account: notary.BankAccount{Name: t.Account.Name, Bank: t.Account.Bank,
			Number: t.Account.Number}, Reference: t.Reference}
	}
	return p
}

type shipmentDoc struct {
	Carrier        string           `json:"carrier"`
	TrackingNumber string           `json:"tracking_number"`
	At             time.Time        `json:"at"`
	Tracking       *notary.Tracking `json:"tracking,omitempty"` // by its own tags
}

func oracleShipment(s *notary.Shipment) *shipmentDoc {
	if s == nil {
		return nil
	}
	return &shipmentDoc{Carrier: s.Carrier, TrackingNumber: s.TrackingNumber, At: oracleTime(s.At), Tracking: oracleTracking(s.Tracking)}
}

// oracleTracking puts a tracking's times in UTC, as stored.
func oracleTracking(t *notary.Tracking) *notary.Tracking {
	if t == nil {
		return nil
	}
	c := *t
	c.DeliveredAt, c.UpdatedAt = oracleTime(c.DeliveredAt), oracleTime(c.UpdatedAt)
	c.Events = nil
	for _, ev := range t.Events {
		ev.At = oracleTime(ev.At)
		c.Events = append(c.Events, ev)
	}
	return &c
}

func (d *shipmentDoc) shipment() *notary.Shipment {
	if d == nil {
		return nil
	}
	return &notary.Shipment{Carrier: d.Carrier, TrackingNumber: d.TrackingNumber, At: oracleUTC(d.At), Tracking: oracleTracking(d.Tracking)}
}

type refundDoc struct {
	ID       string    `json:"id"`
	Amount   decDoc    `json:"amount"`
	Currency string    `json:"currency"`
	Reason   string    `json:"reason"`
	At       time.Time `json:"at"`
}

type issuedInvoiceDoc struct {
	Number    string    `json:"number"`
	IssuedOn  time.Time `json:"issued_on"`
	PDFRef    string    `json:"pdf_ref"`
	PDFSHA256 string    `json:"pdf_sha256"`
}

type invoiceRequestDoc struct {
	Type       string `json:"type"`
	Title      string `json:"title"`
	TaxpayerID string `json:"taxpayer_id"`
	Email      string `json:"email"`
}

type invoiceDoc struct {
	State       string            `json:"state"`
	Request     invoiceRequestDoc `json:"request"`
	Amount      decDoc            `json:"amount"`
	Currency    string            `json:"currency"`
	RequestedAt time.Time         `json:"requested_at"`
	Issued      *issuedInvoiceDoc `json:"issued,omitempty"`
	Reversal    *issuedInvoiceDoc `json:"reversal,omitempty"`
	Reason      string            `json:"reason"`
	UpdatedAt   time.Time         `json:"updated_at"`
}

func oracleIssued(i *notary.IssuedInvoice) *issuedInvoiceDoc {
	if i == nil {
		return nil
	}
	return &issuedInvoiceDoc{Number: i.Number, IssuedOn: oracleTime(i.IssuedOn), PDFRef: i.PDFRef, PDFSHA256: i.PDFSHA256}
}

func (d *issuedInvoiceDoc) issued() *notary.IssuedInvoice {
	if d == nil {
		return nil
	}
	return &notary.IssuedInvoice{Number: d.Number, IssuedOn: oracleUTC(d.IssuedOn), PDFRef: d.PDFRef, PDFSHA256: d.PDFSHA256}
}

type applicationDoc struct {
	ID                uuid.UUID         `json:"id"`
	OfficeID          uuid.UUID         `json:"office_id"`
	Owner             userDoc           `json:"owner"`
	State             string            `json:"state"`
	Version           int64             `json:"version"`
	FilingID          uuid.UUID         `json:"filing_id"`
	FilingRevision    int               `json:"filing_revision"`
	Evidence          []notary.Evidence `json:"evidence"`
	Quote             quoteDoc          `json:"quote"`
	Payment           paymentDoc        `json:"payment"`
	IdempotencyKey    string            `json:"idempotency_key"`
	Materials         *shipmentDoc      `json:"materials"`
	MaterialsAttempts int               `json:"materials_attempts"`
	CertificateNumber string            `json:"certificate_number"`
	Certificate       *shipmentDoc      `json:"certificate"`
	Reason            string            `json:"reason"`
	Refund            *refundDoc        `json:"refund"`
	Invoice           *invoiceDoc       `json:"invoice,omitempty"`
	AuditHead         string            `json:"audit_head"`
	CreatedAt         time.Time         `json:"created_at"`
	UpdatedAt         time.Time         `json:"updated_at"`
	ExpiresAt         time.Time         `json:"expires_at,omitzero"`
}

func oracleEncode(a notary.Application) ([]byte, error) {
	p := a.Payment
	d := applicationDoc{
		ID: a.ID, OfficeID: a.OfficeID, Owner: toUserDoc(a.Owner), State: string(a.State), Version: a.Version,
		FilingID: a.FilingID, FilingRevision: a.FilingRevision, Evidence: a.Evidence, Quote: toQuoteDoc(a.Quote),
		Payment:        toPaymentDoc(p),
		IdempotencyKey: a.IdempotencyKey, Materials: oracleShipment(a.Materials), MaterialsAttempts: a.MaterialsAttempts,
		CertificateNumber: a.CertificateNumber, Certificate: oracleShipment(a.Certificate),
		Reason: a.Reason, AuditHead: a.AuditHead,
		CreatedAt: oracleTime(a.CreatedAt), UpdatedAt: oracleTime(a.UpdatedAt), ExpiresAt: oracleTime(a.ExpiresAt),
	}
	if r := a.Refund; r != nil {
		d.Refund = &refundDoc{ID: r.ID, Amount: decDoc{r.Amount}, Currency: r.Currency, Reason: r.Reason, At: oracleTime(r.At)}
	}
	if i := a.Invoice; i != nil {
		d.Invoice = &invoiceDoc{State: string(i.State), Request: invoiceRequestDoc{Type: string(i.Request.Type), Title: i.Request.Title,
			TaxpayerID: i.Request.TaxpayerID, Email: i.Request.Email}, Amount: decDoc{i.Amount}, Currency: i.Currency,
			RequestedAt: oracleTime(i.RequestedAt), Issued: oracleIssued(i.Issued), Reversal: oracleIssued(i.Reversal),
			Reason: i.Reason, UpdatedAt: oracleTime(i.UpdatedAt)}
	}
	b, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("recorddoc: encode application: %w", err)
	}
	return b, nil
}

func oracleDecode(b []byte) (notary.Application, error) {
	var d applicationDoc
	if err := json.Unmarshal(b, &d); err != nil {
		return notary.Application{}, fmt.Errorf("recorddoc: decode application: %w", err)
	}
	p := d.Payment
	a := notary.Application{
		ID: d.ID, OfficeID: d.OfficeID, Owner: d.Owner.user(), State: notary.ApplicationState(d.State), Version: d.Version,
		FilingID: d.FilingID, FilingRevision: d.FilingRevision, Evidence: d.Evidence, Quote: d.Quote.quote(),
		Payment:        p.ref(),
		IdempotencyKey: d.IdempotencyKey, Materials: d.Materials.shipment(), MaterialsAttempts: d.MaterialsAttempts,
		CertificateNumber: d.CertificateNumber, Certificate: d.Certificate.shipment(),
		Reason: d.Reason, AuditHead: d.AuditHead,
		CreatedAt: oracleUTC(d.CreatedAt), UpdatedAt: oracleUTC(d.UpdatedAt), ExpiresAt: oracleUTC(d.ExpiresAt),
	}
	if r := d.Refund; r != nil {
		a.Refund = &notary.Refund{ID: r.ID, Amount: r.Amount.d, Currency: r.Currency, Reason: r.Reason, At: oracleUTC(r.At)}
	}
	if i := d.Invoice; i != nil {
		a.Invoice = &notary.Invoice{State: notary.InvoiceState(i.State), Request: notary.InvoiceRequest{Type: notary.InvoiceType(i.Request.Type),
			Title: i.Request.Title, TaxpayerID: i.Request.TaxpayerID, Email: i.Request.Email}, Amount: i.Amount.d, Currency: i.Currency,
			RequestedAt: oracleUTC(i.RequestedAt), Issued: i.Issued.issued(), Reversal: i.Reversal.issued(),
			Reason: i.Reason, UpdatedAt: oracleUTC(i.UpdatedAt)}
	}
	return a, nil
}
