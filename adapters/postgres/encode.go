package postgres

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/payment"
)

// The doc column of filings and applications holds the full record as JSON
// in the storage format below, which has its own snake_case names so that
// renaming a Go field never changes stored data. Money is always a JSON
// string (decimal.Decimal.String), never a float. Times are UTC with
// microsecond precision, the precision of timestamptz.

type userDoc struct {
	ID     string `json:"id"`
	Email  string `json:"email,omitempty"`
	Name   string `json:"name,omitempty"`
	Locale string `json:"locale,omitempty"`
}

type filingDoc struct {
	ID               uuid.UUID             `json:"id"`
	OfficeID         uuid.UUID             `json:"office_id"`
	Owner            userDoc               `json:"owner"`
	State            string                `json:"state"`
	Version          int64                 `json:"version"`
	Revision         int                   `json:"revision"`
	Content          notary.FilingContent  `json:"content"`
	Approved         *notary.FilingContent `json:"approved,omitempty"`
	ApprovedRevision int                   `json:"approved_revision,omitempty"`
	Reason           string                `json:"reason,omitempty"`
	AuditHead        string                `json:"audit_head,omitempty"`
	CreatedAt        time.Time             `json:"created_at"`
	UpdatedAt        time.Time             `json:"updated_at"`
}

type quoteLineDoc struct {
	Description string `json:"description"`
	Records     int    `json:"records"`
	UnitPrice   string `json:"unit_price"`
	Amount      string `json:"amount"`
}

type quoteDoc struct {
	Records  int            `json:"records"`
	Currency string         `json:"currency"`
	Lines    []quoteLineDoc `json:"lines"`
	Amount   string         `json:"amount"`
}

type refundDoc struct {
	ID       string    `json:"id"`
	Amount   string    `json:"amount"`
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
	Payment           notary.PaymentRef `json:"payment"`
	IdempotencyKey    string            `json:"idempotency_key,omitempty"`
	Materials         *notary.Shipment  `json:"materials,omitempty"`
	MaterialsAttempts int               `json:"materials_attempts,omitempty"`
	CertificateNumber string            `json:"certificate_number,omitempty"`
	Certificate       *notary.Shipment  `json:"certificate,omitempty"`
	Reason            string            `json:"reason,omitempty"`
	Refund            *refundDoc        `json:"refund,omitempty"`
	AuditHead         string            `json:"audit_head,omitempty"`
	CreatedAt         time.Time         `json:"created_at"`
	UpdatedAt         time.Time         `json:"updated_at"`
	ExpiresAt         time.Time         `json:"expires_at,omitzero"`
}

// noticeDoc is the part of a notice kept in the outbox's notice column; the
// rest lives in columns.
type noticeDoc struct {
	RecordKind notary.RecordKind `json:"record_kind"`
	To         notary.Recipient  `json:"to"`
	Data       notary.NoticeData `json:"data"`
}

// utc normalises a time to what timestamptz keeps: UTC, microseconds. The
// zero time stays zero.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

// tz encodes a time for a nullable timestamptz column: NULL for zero.
func tz(t time.Time) pgtype.Timestamptz {
	return pgtype.Timestamptz{Time: utc(t), Valid: !t.IsZero()}
}

// fromTZ decodes a nullable timestamptz column: zero for NULL, else UTC.
func fromTZ(t pgtype.Timestamptz) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return utc(t.Time)
}

func uuidPtr(u pgtype.UUID) uuid.UUID {
	if !u.Valid {
		return uuid.Nil
	}
	return uuid.UUID(u.Bytes)
}

// pgid passes a UUID to pgx natively: uuid.UUID is a driver.Valuer, which
// pgx would encode through its string form.
func pgid(u uuid.UUID) pgtype.UUID { return pgtype.UUID{Bytes: u, Valid: true} }

func nullUUID(u uuid.UUID) pgtype.UUID {
	return pgtype.UUID{Bytes: u, Valid: u != uuid.Nil}
}

func userToDoc(u notary.User) userDoc {
	return userDoc{ID: u.ID, Email: u.Email, Name: u.Name, Locale: u.Locale}
}

func (u userDoc) user() notary.User {
	return notary.User{ID: u.ID, Email: u.Email, Name: u.Name, Locale: u.Locale}
}

func encodeFiling(f notary.Filing) ([]byte, error) {
	return json.Marshal(filingDoc{
		ID: f.ID, OfficeID: f.OfficeID, Owner: userToDoc(f.Owner), State: string(f.State), Version: f.Version,
		Revision: f.Revision, Content: f.Content, Approved: f.Approved, ApprovedRevision: f.ApprovedRevision,
		Reason: f.Reason, AuditHead: f.AuditHead, CreatedAt: utc(f.CreatedAt), UpdatedAt: utc(f.UpdatedAt),
	})
}

func decodeFiling(b []byte) (notary.Filing, error) {
	var d filingDoc
	if err := json.Unmarshal(b, &d); err != nil {
		return notary.Filing{}, fmt.Errorf("postgres: decode filing: %w", err)
	}
	return notary.Filing{
		ID: d.ID, OfficeID: d.OfficeID, Owner: d.Owner.user(), State: notary.FilingState(d.State), Version: d.Version,
		Revision: d.Revision, Content: d.Content, Approved: d.Approved, ApprovedRevision: d.ApprovedRevision,
		Reason: d.Reason, AuditHead: d.AuditHead, CreatedAt: utc(d.CreatedAt), UpdatedAt: utc(d.UpdatedAt),
	}, nil
}

func shipmentToDoc(s *notary.Shipment) *notary.Shipment {
	if s == nil {
		return nil
	}
	c := *s
	c.At = utc(c.At)
	return &c
}

func encodeApplication(a notary.Application) ([]byte, error) {
	d := applicationDoc{
		ID: a.ID, OfficeID: a.OfficeID, Owner: userToDoc(a.Owner), State: string(a.State), Version: a.Version,
		FilingID: a.FilingID, FilingRevision: a.FilingRevision, Evidence: a.Evidence,
		Quote: quoteDoc{
			Records: a.Quote.Records, Currency: a.Quote.Currency, Amount: a.Quote.Amount.String(),
		},
		Payment: a.Payment, IdempotencyKey: a.IdempotencyKey,
		Materials: shipmentToDoc(a.Materials), MaterialsAttempts: a.MaterialsAttempts,
		CertificateNumber: a.CertificateNumber, Certificate: shipmentToDoc(a.Certificate),
		Reason: a.Reason, AuditHead: a.AuditHead,
		CreatedAt: utc(a.CreatedAt), UpdatedAt: utc(a.UpdatedAt), ExpiresAt: utc(a.ExpiresAt),
	}
	d.Payment.PaidAt = utc(d.Payment.PaidAt)
	if a.Quote.Lines != nil {
		d.Quote.Lines = make([]quoteLineDoc, len(a.Quote.Lines))
		for i, l := range a.Quote.Lines {
			d.Quote.Lines[i] = quoteLineDoc{Description: l.Description, Records: l.Records,
				UnitPrice: l.UnitPrice.String(), Amount: l.Amount.String()}
		}
	}
	if r := a.Refund; r != nil {
		d.Refund = &refundDoc{ID: r.ID, Amount: r.Amount.String(), Currency: r.Currency, Reason: r.Reason, At: utc(r.At)}
	}
	return json.Marshal(d)
}

func money(s, field string) (decimal.Decimal, error) {
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("postgres: decode application: %s: %w", field, err)
	}
	return d, nil
}

func decodeApplication(b []byte) (notary.Application, error) {
	var d applicationDoc
	if err := json.Unmarshal(b, &d); err != nil {
		return notary.Application{}, fmt.Errorf("postgres: decode application: %w", err)
	}
	a := notary.Application{
		ID: d.ID, OfficeID: d.OfficeID, Owner: d.Owner.user(), State: notary.ApplicationState(d.State), Version: d.Version,
		FilingID: d.FilingID, FilingRevision: d.FilingRevision, Evidence: d.Evidence,
		Quote:   payment.Quote{Records: d.Quote.Records, Currency: d.Quote.Currency},
		Payment: d.Payment, IdempotencyKey: d.IdempotencyKey,
		Materials: d.Materials, MaterialsAttempts: d.MaterialsAttempts,
		CertificateNumber: d.CertificateNumber, Certificate: d.Certificate,
		Reason: d.Reason, AuditHead: d.AuditHead,
		CreatedAt: utc(d.CreatedAt), UpdatedAt: utc(d.UpdatedAt), ExpiresAt: utc(d.ExpiresAt),
	}
	var err error
	if a.Quote.Amount, err = money(d.Quote.Amount, "quote.amount"); err != nil {
		return notary.Application{}, err
	}
	if d.Quote.Lines != nil {
		a.Quote.Lines = make([]payment.QuoteLine, len(d.Quote.Lines))
		for i, l := range d.Quote.Lines {
			ql := payment.QuoteLine{Description: l.Description, Records: l.Records}
			if ql.UnitPrice, err = money(l.UnitPrice, "quote.lines.unit_price"); err != nil {
				return notary.Application{}, err
			}
			if ql.Amount, err = money(l.Amount, "quote.lines.amount"); err != nil {
				return notary.Application{}, err
			}
			a.Quote.Lines[i] = ql
		}
	}
	if r := d.Refund; r != nil {
		a.Refund = &notary.Refund{ID: r.ID, Currency: r.Currency, Reason: r.Reason, At: utc(r.At)}
		if a.Refund.Amount, err = money(r.Amount, "refund.amount"); err != nil {
			return notary.Application{}, err
		}
	}
	return a, nil
}
