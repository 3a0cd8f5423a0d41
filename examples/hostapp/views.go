package main

import (
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
)

// The JSON shapes of the API. The SDK's records carry no JSON tags of their
// own (hosts choose their wire format), so the host maps them here. Money
// is a decimal string with two places, never a JSON number.

type userView struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name,omitempty"`
}

type filingView struct {
	ID               uuid.UUID              `json:"id"`
	State            notary.FilingState     `json:"state"`
	Version          int64                  `json:"version"`
	Revision         int                    `json:"revision"`
	Content          notary.FilingContent   `json:"content"`
	Approved         *notary.FilingContent  `json:"approved,omitempty"`
	ApprovedRevision int                    `json:"approved_revision,omitempty"`
	Reason           string                 `json:"reason,omitempty"`
	Owner            userView               `json:"owner"`
	CreatedAt        time.Time              `json:"created_at"`
	UpdatedAt        time.Time              `json:"updated_at"`
	Actions          []notary.FilingTrigger `json:"actions,omitempty"`
}

func newFilingView(f notary.Filing) filingView {
	return filingView{
		ID: f.ID, State: f.State, Version: f.Version, Revision: f.Revision, Content: f.Content,
		Approved: f.Approved, ApprovedRevision: f.ApprovedRevision, Reason: f.Reason,
		Owner:     userView{ID: f.Owner.ID, Email: f.Owner.Email, Name: f.Owner.Name},
		CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt,
	}
}

// revisionView is one revision of a filing's content (Filings.Revision).
type revisionView struct {
	Number      int                  `json:"number"`
	Trigger     notary.FilingTrigger `json:"trigger"`
	Content     notary.FilingContent `json:"content"`
	SubmittedAt time.Time            `json:"submitted_at"`
	SubmittedBy notary.Actor         `json:"submitted_by"`
}

func newRevisionView(r notary.FilingRevision) revisionView {
	return revisionView{Number: r.Number, Trigger: r.Trigger, Content: r.Content, SubmittedAt: r.SubmittedAt, SubmittedBy: r.SubmittedBy}
}

type quoteLineView struct {
	Description string `json:"description"`
	Records     int    `json:"records,omitempty"`
	UnitPrice   string `json:"unit_price"`
	Amount      string `json:"amount"`
}

type quoteView struct {
	Records  int             `json:"records"`
	Currency string          `json:"currency"`
	Amount   string          `json:"amount"`
	Lines    []quoteLineView `json:"lines"`
}

type refundView struct {
	ID       string    `json:"id"`
	Amount   string    `json:"amount"`
	Currency string    `json:"currency"`
	Reason   string    `json:"reason"`
	At       time.Time `json:"at"`
}

// invoiceView is the invoice of an application's fee (发票): what the
// enterprise asked for and, once finance acted, the invoice issued (its
// PDF is at pdf_ref, checkable by pdf_sha256), the reason of a rejection,
// or the reversing (红字) invoice. Dates are the dates printed on the
// invoices.
type invoiceView struct {
	State       notary.InvoiceState `json:"state"`
	Type        notary.InvoiceType  `json:"type"`
	Title       string              `json:"title"`
	TaxpayerID  string              `json:"taxpayer_id"`
	Email       string              `json:"email"`
	Amount      string              `json:"amount"`
	Currency    string              `json:"currency"`
	RequestedAt time.Time           `json:"requested_at"`
	Reason      string              `json:"reason,omitempty"`
	Issued      *issuedInvoiceView  `json:"issued,omitempty"`
	Reversal    *issuedInvoiceView  `json:"reversal,omitempty"`
	UpdatedAt   time.Time           `json:"updated_at"`
}

type issuedInvoiceView struct {
	Number    string `json:"number"`
	IssuedOn  string `json:"issued_on"` // YYYY-MM-DD
	PDFRef    string `json:"pdf_ref"`
	PDFSHA256 string `json:"pdf_sha256"`
}

func newIssuedInvoiceView(i *notary.IssuedInvoice) *issuedInvoiceView {
	if i == nil {
		return nil
	}
	return &issuedInvoiceView{Number: i.Number, IssuedOn: i.IssuedOn.Format(time.DateOnly), PDFRef: i.PDFRef, PDFSHA256: i.PDFSHA256}
}

func newInvoiceView(i *notary.Invoice) *invoiceView {
	if i == nil {
		return nil
	}
	return &invoiceView{State: i.State, Type: i.Request.Type, Title: i.Request.Title, TaxpayerID: i.Request.TaxpayerID,
		Email: i.Request.Email, Amount: i.Amount.StringFixed(2), Currency: i.Currency, RequestedAt: i.RequestedAt,
		Reason: i.Reason, Issued: newIssuedInvoiceView(i.Issued), Reversal: newIssuedInvoiceView(i.Reversal), UpdatedAt: i.UpdatedAt}
}

type applicationView struct {
	ID                uuid.UUID               `json:"id"`
	State             notary.ApplicationState `json:"state"`
	Version           int64                   `json:"version"`
	Owner             userView                `json:"owner"`
	FilingID          uuid.UUID               `json:"filing_id"`
	FilingRevision    int                     `json:"filing_revision"`
	Evidence          []notary.Evidence       `json:"evidence"`
	Quote             quoteView               `json:"quote"`
	Payment           notary.PaymentRef       `json:"payment"`
	IdempotencyKey    string                  `json:"idempotency_key,omitempty"`
	Materials         *notary.Shipment        `json:"materials,omitempty"`
	MaterialsAttempts int                     `json:"materials_attempts,omitempty"`
	CertificateNumber string                  `json:"certificate_number,omitempty"`
	Certificate       *notary.Shipment        `json:"certificate,omitempty"`
	Reason            string                  `json:"reason,omitempty"`
	Refund            *refundView             `json:"refund,omitempty"`
	Invoice           *invoiceView            `json:"invoice,omitempty"`
	// Pending is a background duty that keeps failing on the application,
	// e.g. a refund that has not gone through yet.
	Pending   *notary.DutyRetry           `json:"pending,omitempty"`
	CreatedAt time.Time                   `json:"created_at"`
	UpdatedAt time.Time                   `json:"updated_at"`
	ExpiresAt time.Time                   `json:"expires_at,omitzero"`
	Actions   []notary.ApplicationTrigger `json:"actions,omitempty"`
}

func newApplicationView(a notary.Application) applicationView {
	v := applicationView{
		ID: a.ID, State: a.State, Version: a.Version,
		Owner:    userView{ID: a.Owner.ID, Email: a.Owner.Email, Name: a.Owner.Name},
		FilingID: a.FilingID, FilingRevision: a.FilingRevision, Evidence: a.Evidence,
		Quote: quoteView{Records: a.Quote.Records, Currency: a.Quote.Currency, Amount: a.Quote.Amount.StringFixed(2),
			Lines: make([]quoteLineView, len(a.Quote.Lines))},
		Payment: a.Payment, IdempotencyKey: a.IdempotencyKey,
		Materials: a.Materials, MaterialsAttempts: a.MaterialsAttempts,
		CertificateNumber: a.CertificateNumber, Certificate: a.Certificate, Reason: a.Reason,
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
	}
	for i, l := range a.Quote.Lines {
		v.Quote.Lines[i] = quoteLineView{Description: l.Description, Records: l.Records,
			UnitPrice: l.UnitPrice.StringFixed(2), Amount: l.Amount.StringFixed(2)}
	}
	if a.State == notary.AwaitingPayment {
		v.ExpiresAt = a.ExpiresAt
	}
	v.Pending = a.Retry
	v.Invoice = newInvoiceView(a.Invoice)
	if a.Refund != nil {
		v.Refund = &refundView{ID: a.Refund.ID, Amount: a.Refund.Amount.StringFixed(2),
			Currency: a.Refund.Currency, Reason: a.Refund.Reason, At: a.Refund.At}
	}
	return v
}

type evidenceView struct {
	notary.Evidence
	// ReservedBy is the active application holding the record, if any: it
	// cannot be selected again until that application ends.
	ReservedBy *uuid.UUID `json:"reserved_by,omitempty"`
}

type eventView struct {
	Seq      int64        `json:"seq"`
	Trigger  string       `json:"trigger"`
	From     string       `json:"from"`
	To       string       `json:"to"`
	Actor    notary.Actor `json:"actor"`
	Reason   string       `json:"reason,omitempty"`
	At       time.Time    `json:"at"`
	PrevHash string       `json:"prev_hash,omitempty"`
	Hash     string       `json:"hash"`
}

func newEventViews(evs []notary.Event) []eventView {
	out := make([]eventView, len(evs))
	for i, e := range evs {
		out[i] = eventView{Seq: e.Seq, Trigger: e.Trigger, From: e.From, To: e.To, Actor: e.Actor,
			Reason: e.Reason, At: e.At, PrevHash: e.PrevHash, Hash: e.Hash}
	}
	return out
}

type auditView struct {
	RecordID    uuid.UUID   `json:"record_id"`
	Events      []eventView `json:"events"`
	Verified    bool        `json:"verified"`               // the hash chain verifies
	VerifyError string      `json:"verify_error,omitempty"` // where it breaks, when it does not
}

type inboxMessageView struct {
	ID        uuid.UUID         `json:"id"`
	Kind      notary.NoticeKind `json:"kind"`
	RecordID  uuid.UUID         `json:"record_id"`
	Subject   string            `json:"subject"`
	Body      string            `json:"body"`
	CreatedAt time.Time         `json:"created_at"`
	Read      bool              `json:"read"`
	ReadAt    time.Time         `json:"read_at,omitzero"`
}

func newInboxView(m notary.InboxMessage) inboxMessageView {
	return inboxMessageView{ID: m.ID, Kind: m.Kind, RecordID: m.RecordID, Subject: m.Subject, Body: m.Body,
		CreatedAt: m.CreatedAt, Read: !m.ReadAt.IsZero(), ReadAt: m.ReadAt}
}

type adminView struct {
	ID    uuid.UUID   `json:"id"`
	Email string      `json:"email"`
	Name  string      `json:"name"`
	Role  notary.Role `json:"role"`
}

func newAdminView(a notary.Admin) adminView {
	return adminView{ID: a.ID, Email: a.Email, Name: a.Name, Role: a.Role}
}

// page is a keyset-paginated list.
type page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"` // pass as ?after= (or ?before= for the inbox)
}

// newPage is the page of list, a listing asked for limit records: each
// record in its view, and the cursor after the last one (by key) when the
// listing may go on.
func newPage[T, V any](list []T, limit int, view func(T) V, key func(T) (time.Time, uuid.UUID)) page[V] {
	p := page[V]{Items: make([]V, len(list))}
	for i, x := range list {
		p.Items[i] = view(x)
	}
	if n := len(list); n > 0 {
		at, id := key(list[n-1])
		p.NextCursor = nextCursor(n, limit, at, id)
	}
	return p
}
