package sqlite

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/payment"
)

// ---------------------------------------------------------------------------
// Column encodings.

// timeLayout is fixed-width UTC with nanoseconds, so that text order is
// time order (for years 0001 to 9999).
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// ts encodes a time for a NOT NULL column.
func ts(t time.Time) string { return t.UTC().Format(timeLayout) }

// tsNull encodes an optional time: NULL when zero.
func tsNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ts(t)
}

// parseTS decodes ts or tsNull output; NULL and "" decode to the zero time.
func parseTS(s sql.NullString) (time.Time, error) {
	if !s.Valid || s.String == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(timeLayout, s.String)
	if err != nil {
		return time.Time{}, fmt.Errorf("sqlite: bad time %q: %w", s.String, err)
	}
	return t, nil
}

// uid encodes a UUID as canonical lower-case text.
func uid(id uuid.UUID) string { return id.String() }

// uidNull encodes an optional UUID: NULL when nil.
func uidNull(id uuid.UUID) any {
	if id == uuid.Nil {
		return nil
	}
	return id.String()
}

// parseUID decodes uid or uidNull output; NULL decodes to uuid.Nil.
func parseUID(s sql.NullString) (uuid.UUID, error) {
	if !s.Valid || s.String == "" {
		return uuid.Nil, nil
	}
	id, err := uuid.Parse(s.String)
	if err != nil {
		return uuid.Nil, fmt.Errorf("sqlite: bad uuid %q: %w", s.String, err)
	}
	return id, nil
}

// decString is the exact text of d, keeping its exponent, so that decoding
// gives back the same coefficient and exponent ("150.00" stays "150.00").
func decString(d decimal.Decimal) string {
	switch e := d.Exponent(); {
	case e < 0:
		return d.StringFixed(-e)
	case e == 0:
		return d.String()
	default:
		return fmt.Sprintf("%se%d", d.Coefficient().String(), e)
	}
}

// dec is a decimal in a JSON document: a string keeping the exponent, or
// null for the zero Decimal value.
type dec struct{ d decimal.Decimal }

func (x dec) MarshalJSON() ([]byte, error) {
	if x.d == (decimal.Decimal{}) {
		return []byte("null"), nil
	}
	return json.Marshal(decString(x.d))
}

func (x *dec) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		x.d = decimal.Decimal{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return err
	}
	x.d = d
	return nil
}

// ---------------------------------------------------------------------------
// Record documents: the stable JSON form of a record in the doc column,
// independent of Go field names.

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
	State            notary.FilingState    `json:"state"`
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

func encodeFiling(f notary.Filing) (string, error) {
	b, err := json.Marshal(filingDoc{
		ID: f.ID, OfficeID: f.OfficeID, Owner: toUserDoc(f.Owner), State: f.State, Version: f.Version,
		Revision: f.Revision, Content: f.Content, Approved: f.Approved, ApprovedRevision: f.ApprovedRevision,
		Reason: f.Reason, AuditHead: f.AuditHead, CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt,
	})
	if err != nil {
		return "", fmt.Errorf("%w: sqlite: encode filing: %v", notary.ErrInvalidInput, err)
	}
	return string(b), nil
}

func decodeFiling(doc string) (notary.Filing, error) {
	var d filingDoc
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return notary.Filing{}, fmt.Errorf("sqlite: decode filing: %w", err)
	}
	return notary.Filing{
		ID: d.ID, OfficeID: d.OfficeID, Owner: d.Owner.user(), State: d.State, Version: d.Version,
		Revision: d.Revision, Content: d.Content, Approved: d.Approved, ApprovedRevision: d.ApprovedRevision,
		Reason: d.Reason, AuditHead: d.AuditHead, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
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
			d.Lines[i] = quoteLineDoc{Description: l.Description, Records: l.Records, UnitPrice: dec{l.UnitPrice}, Amount: dec{l.Amount}}
		}
	}
	return d
}

func (d quoteDoc) quote() payment.Quote {
	q := payment.Quote{Records: d.Records, Currency: d.Currency, Amount: d.Amount.d}
	if d.Lines != nil {
		q.Lines = make([]payment.QuoteLine, len(d.Lines))
		for i, l := range d.Lines {
			q.Lines[i] = payment.QuoteLine{Description: l.Description, Records: l.Records, UnitPrice: l.UnitPrice.d, Amount: l.Amount.d}
		}
	}
	return q
}

type refundDoc struct {
	ID       string    `json:"id"`
	Amount   dec       `json:"amount"`
	Currency string    `json:"currency"`
	Reason   string    `json:"reason"`
	At       time.Time `json:"at"`
}

type applicationDoc struct {
	ID                uuid.UUID               `json:"id"`
	OfficeID          uuid.UUID               `json:"office_id"`
	Owner             userDoc                 `json:"owner"`
	State             notary.ApplicationState `json:"state"`
	Version           int64                   `json:"version"`
	FilingID          uuid.UUID               `json:"filing_id"`
	FilingRevision    int                     `json:"filing_revision"`
	Evidence          []notary.Evidence       `json:"evidence"`
	Quote             quoteDoc                `json:"quote"`
	Payment           notary.PaymentRef       `json:"payment"`
	IdempotencyKey    string                  `json:"idempotency_key"`
	Materials         *notary.Shipment        `json:"materials"`
	MaterialsAttempts int                     `json:"materials_attempts"`
	CertificateNumber string                  `json:"certificate_number"`
	Certificate       *notary.Shipment        `json:"certificate"`
	Reason            string                  `json:"reason"`
	Refund            *refundDoc              `json:"refund"`
	AuditHead         string                  `json:"audit_head"`
	CreatedAt         time.Time               `json:"created_at"`
	UpdatedAt         time.Time               `json:"updated_at"`
	ExpiresAt         time.Time               `json:"expires_at"`
}

func encodeApplication(a notary.Application) (string, error) {
	d := applicationDoc{
		ID: a.ID, OfficeID: a.OfficeID, Owner: toUserDoc(a.Owner), State: a.State, Version: a.Version,
		FilingID: a.FilingID, FilingRevision: a.FilingRevision, Evidence: a.Evidence, Quote: toQuoteDoc(a.Quote),
		Payment: a.Payment, IdempotencyKey: a.IdempotencyKey, Materials: a.Materials,
		MaterialsAttempts: a.MaterialsAttempts, CertificateNumber: a.CertificateNumber,
		Certificate: a.Certificate, Reason: a.Reason, AuditHead: a.AuditHead,
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, ExpiresAt: a.ExpiresAt,
	}
	if r := a.Refund; r != nil {
		d.Refund = &refundDoc{ID: r.ID, Amount: dec{r.Amount}, Currency: r.Currency, Reason: r.Reason, At: r.At}
	}
	b, err := json.Marshal(d)
	if err != nil {
		return "", fmt.Errorf("%w: sqlite: encode application: %v", notary.ErrInvalidInput, err)
	}
	return string(b), nil
}

func decodeApplication(doc string) (notary.Application, error) {
	var d applicationDoc
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return notary.Application{}, fmt.Errorf("sqlite: decode application: %w", err)
	}
	a := notary.Application{
		ID: d.ID, OfficeID: d.OfficeID, Owner: d.Owner.user(), State: d.State, Version: d.Version,
		FilingID: d.FilingID, FilingRevision: d.FilingRevision, Evidence: d.Evidence, Quote: d.Quote.quote(),
		Payment: d.Payment, IdempotencyKey: d.IdempotencyKey, Materials: d.Materials,
		MaterialsAttempts: d.MaterialsAttempts, CertificateNumber: d.CertificateNumber,
		Certificate: d.Certificate, Reason: d.Reason, AuditHead: d.AuditHead,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, ExpiresAt: d.ExpiresAt,
	}
	if r := d.Refund; r != nil {
		a.Refund = &notary.Refund{ID: r.ID, Amount: r.Amount.d, Currency: r.Currency, Reason: r.Reason, At: r.At}
	}
	return a, nil
}

// ---------------------------------------------------------------------------
// Errors.

func conflict(format string, args ...any) error {
	return fmt.Errorf("%w: %s", notary.ErrConflict, fmt.Sprintf(format, args...))
}

func notFound(format string, args ...any) error {
	return fmt.Errorf("%w: %s", notary.ErrNotFound, fmt.Sprintf(format, args...))
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: store: %s", notary.ErrInvalidInput, fmt.Sprintf(format, args...))
}

func duplicate(format string, args ...any) error {
	return fmt.Errorf("%w: %s", notary.ErrDuplicate, fmt.Sprintf(format, args...))
}

// constraint reports whether err is an SQLite constraint violation
// (SQLITE_CONSTRAINT or one of its extended codes), with the extended code
// and the message, which names the table and columns involved (e.g.
// "UNIQUE constraint failed: filings.office_id, filings.owner_id").
func constraint(err error) (code int, msg string, ok bool) {
	var se *sqlite.Error
	if !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_CONSTRAINT {
		return 0, "", false
	}
	return se.Code(), se.Error(), true
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation of
// exactly the given "table.column" list, as SQLite names it in the message
// (e.g. "UNIQUE constraint failed: filings.office_id, filings.owner_id").
func isUnique(err error, columns ...string) bool {
	code, msg, ok := constraint(err)
	if !ok || (code != sqlite3.SQLITE_CONSTRAINT_UNIQUE && code != sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY) {
		return false
	}
	const marker = "constraint failed: "
	i := strings.LastIndex(msg, marker)
	if i < 0 {
		return false
	}
	list := msg[i+len(marker):]
	if j := strings.Index(list, " ("); j >= 0 {
		list = list[:j]
	}
	got := strings.Split(list, ",")
	if len(got) != len(columns) {
		return false
	}
	for k, c := range got {
		if strings.TrimSpace(c) != columns[k] {
			return false
		}
	}
	return true
}
