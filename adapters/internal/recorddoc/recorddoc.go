// Package recorddoc is the storage format of filings and applications shared
// by the SQL adapters: the JSON document each of them keeps in the doc
// column next to the indexed columns.
//
// The format has its own snake_case names, so renaming a Go field never
// changes stored data (the nested [notary.FilingContent] and
// [notary.Evidence] are stored through their json tags, which are part of
// the format). Money is a JSON string that keeps the decimal's exponent
// exactly ("150.00" stays "150.00", see [DecimalString]), or null for the
// zero [decimal.Decimal] value; never a float. Times are UTC; zero optional
// times are left out. Nil and empty slices stay distinct (null and []).
package recorddoc

import (
	"fmt"
	"strconv"
	"time"

	// encoding/json's API and behaviour on the implementation behind
	// encoding/json/v2 (the standard library's under GOEXPERIMENT=jsonv2):
	// it decodes a document in about half the time. Going back to
	// encoding/json is this import alone.
	json "github.com/go-json-experiment/json/v1"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/payment"
)

// DecimalString is the exact text of d, keeping its exponent, so that
// decimal.NewFromString gives back the same coefficient and exponent
// ("150.00" stays "150.00", 15e2 is "15e2").
func DecimalString(d decimal.Decimal) string {
	switch e := d.Exponent(); {
	case e < 0:
		return d.StringFixed(-e)
	case e == 0:
		return d.String()
	default:
		return fmt.Sprintf("%se%d", d.Coefficient().String(), e)
	}
}

// dec is a decimal in a document: a string keeping the exponent, or null
// for the zero Decimal value.
type dec struct{ d decimal.Decimal }

func (x dec) MarshalJSON() ([]byte, error) {
	if x.d == (decimal.Decimal{}) {
		return []byte("null"), nil
	}
	return strconv.AppendQuote(nil, DecimalString(x.d)), nil // digits, '.', '-' and 'e' need no escaping
}

func (x *dec) UnmarshalJSON(b []byte) error {
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

// An Option adjusts how EncodeFiling and EncodeApplication write a record.
type Option func(*encoder)

// Precision truncates every stored time to a multiple of d, e.g.
// time.Microsecond to match a PostgreSQL timestamptz column. Without it
// times keep nanoseconds.
func Precision(d time.Duration) Option { return func(e *encoder) { e.precision = d } }

type encoder struct{ precision time.Duration }

func newEncoder(opts []Option) encoder {
	var e encoder
	for _, o := range opts {
		o(&e)
	}
	return e
}

// time normalises t for storage: UTC, truncated to the precision; the zero
// time stays zero.
func (e encoder) time(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	t = t.UTC()
	if e.precision > 0 {
		t = t.Truncate(e.precision)
	}
	return t
}

// utc normalises a decoded time: UTC, the zero time stays zero.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

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

type filingDoc struct {
	ID               uuid.UUID             `json:"id"`
	OfficeID         uuid.UUID             `json:"office_id"`
	Owner            userDoc               `json:"owner"`
	State            string                `json:"state"`
	Version          int64                 `json:"version"`
	Revision         int                   `json:"revision"`
	Content          notary.FilingContent  `json:"content"`
	Approved         *notary.FilingContent `json:"approved"`
	ApprovedRevision int                   `json:"approved_revision"`
	Reason           string                `json:"reason"`
	AuditHead        string                `json:"audit_head"`
	CreatedAt        time.Time             `json:"created_at"`
	UpdatedAt        time.Time             `json:"updated_at"`
}

// EncodeFiling returns the stored document of f. Times are written in UTC,
// truncated as the options say.
func EncodeFiling(f notary.Filing, opts ...Option) ([]byte, error) {
	e := newEncoder(opts)
	b, err := json.Marshal(filingDoc{
		ID: f.ID, OfficeID: f.OfficeID, Owner: toUserDoc(f.Owner), State: string(f.State), Version: f.Version,
		Revision: f.Revision, Content: f.Content, Approved: f.Approved, ApprovedRevision: f.ApprovedRevision,
		Reason: f.Reason, AuditHead: f.AuditHead, CreatedAt: e.time(f.CreatedAt), UpdatedAt: e.time(f.UpdatedAt),
	})
	if err != nil {
		return nil, fmt.Errorf("recorddoc: encode filing: %w", err)
	}
	return b, nil
}

// DecodeFiling decodes a document written by EncodeFiling. Times come back
// in UTC.
func DecodeFiling(b []byte) (notary.Filing, error) {
	var d filingDoc
	if err := json.Unmarshal(b, &d); err != nil {
		return notary.Filing{}, fmt.Errorf("recorddoc: decode filing: %w", err)
	}
	return notary.Filing{
		ID: d.ID, OfficeID: d.OfficeID, Owner: d.Owner.user(), State: notary.FilingState(d.State), Version: d.Version,
		Revision: d.Revision, Content: d.Content, Approved: d.Approved, ApprovedRevision: d.ApprovedRevision,
		Reason: d.Reason, AuditHead: d.AuditHead, CreatedAt: utc(d.CreatedAt), UpdatedAt: utc(d.UpdatedAt),
	}, nil
}

type quoteLineDoc struct {
	Description string `json:"description"`
	Records     int    `json:"records"`
	UnitPrice   dec    `json:"unit_price"`
	Amount      dec    `json:"amount"`
}

type quoteDoc struct {
	Records  int            `json:"records"`
	Currency string         `json:"currency"`
	Lines    []quoteLineDoc `json:"lines"`
	Amount   dec            `json:"amount"`
}

func toQuoteDoc(q payment.Quote) quoteDoc {
	d := quoteDoc{Records: q.Records, Currency: q.Currency, Amount: dec{q.Amount}}
	if q.Lines != nil {
		d.Lines = make([]quoteLineDoc, len(q.Lines))
		for i, l := range q.Lines {
			d.Lines[i] = quoteLineDoc{Description: l.Description, Records: l.Records,
				UnitPrice: dec{l.UnitPrice}, Amount: dec{l.Amount}}
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
}

type shipmentDoc struct {
	Carrier        string    `json:"carrier"`
	TrackingNumber string    `json:"tracking_number"`
	At             time.Time `json:"at"`
}

func (e encoder) shipment(s *notary.Shipment) *shipmentDoc {
	if s == nil {
		return nil
	}
	return &shipmentDoc{Carrier: s.Carrier, TrackingNumber: s.TrackingNumber, At: e.time(s.At)}
}

func (d *shipmentDoc) shipment() *notary.Shipment {
	if d == nil {
		return nil
	}
	return &notary.Shipment{Carrier: d.Carrier, TrackingNumber: d.TrackingNumber, At: utc(d.At)}
}

type refundDoc struct {
	ID       string    `json:"id"`
	Amount   dec       `json:"amount"`
	Currency string    `json:"currency"`
	Reason   string    `json:"reason"`
	At       time.Time `json:"at"`
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
	AuditHead         string            `json:"audit_head"`
	CreatedAt         time.Time         `json:"created_at"`
	UpdatedAt         time.Time         `json:"updated_at"`
	ExpiresAt         time.Time         `json:"expires_at,omitzero"`
}

// EncodeApplication returns the stored document of a. Times are written in
// UTC, truncated as the options say; decimals keep their exponent.
func EncodeApplication(a notary.Application, opts ...Option) ([]byte, error) {
	e := newEncoder(opts)
	p := a.Payment
	d := applicationDoc{
		ID: a.ID, OfficeID: a.OfficeID, Owner: toUserDoc(a.Owner), State: string(a.State), Version: a.Version,
		FilingID: a.FilingID, FilingRevision: a.FilingRevision, Evidence: a.Evidence, Quote: toQuoteDoc(a.Quote),
		Payment: paymentDoc{Provider: p.Provider, ID: p.ID, CheckoutURL: p.CheckoutURL, Status: string(p.Status),
			PaidAt: e.time(p.PaidAt)},
		IdempotencyKey: a.IdempotencyKey, Materials: e.shipment(a.Materials), MaterialsAttempts: a.MaterialsAttempts,
		CertificateNumber: a.CertificateNumber, Certificate: e.shipment(a.Certificate),
		Reason: a.Reason, AuditHead: a.AuditHead,
		CreatedAt: e.time(a.CreatedAt), UpdatedAt: e.time(a.UpdatedAt), ExpiresAt: e.time(a.ExpiresAt),
	}
	if r := a.Refund; r != nil {
		d.Refund = &refundDoc{ID: r.ID, Amount: dec{r.Amount}, Currency: r.Currency, Reason: r.Reason, At: e.time(r.At)}
	}
	b, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("recorddoc: encode application: %w", err)
	}
	return b, nil
}

// DecodeApplication decodes a document written by EncodeApplication. Times
// come back in UTC and decimals with the stored exponent.
func DecodeApplication(b []byte) (notary.Application, error) {
	var d applicationDoc
	if err := json.Unmarshal(b, &d); err != nil {
		return notary.Application{}, fmt.Errorf("recorddoc: decode application: %w", err)
	}
	p := d.Payment
	a := notary.Application{
		ID: d.ID, OfficeID: d.OfficeID, Owner: d.Owner.user(), State: notary.ApplicationState(d.State), Version: d.Version,
		FilingID: d.FilingID, FilingRevision: d.FilingRevision, Evidence: d.Evidence, Quote: d.Quote.quote(),
		Payment: notary.PaymentRef{Provider: p.Provider, ID: p.ID, CheckoutURL: p.CheckoutURL,
			Status: notary.PaymentStatus(p.Status), PaidAt: utc(p.PaidAt)},
		IdempotencyKey: d.IdempotencyKey, Materials: d.Materials.shipment(), MaterialsAttempts: d.MaterialsAttempts,
		CertificateNumber: d.CertificateNumber, Certificate: d.Certificate.shipment(),
		Reason: d.Reason, AuditHead: d.AuditHead,
		CreatedAt: utc(d.CreatedAt), UpdatedAt: utc(d.UpdatedAt), ExpiresAt: utc(d.ExpiresAt),
	}
	if r := d.Refund; r != nil {
		a.Refund = &notary.Refund{ID: r.ID, Amount: r.Amount.d, Currency: r.Currency, Reason: r.Reason, At: utc(r.At)}
	}
	return a, nil
}
