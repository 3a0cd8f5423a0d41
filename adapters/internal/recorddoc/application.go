package recorddoc

import (
	"fmt"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/payment"
)

// EncodeApplication returns the stored document of a. Times are written in
// UTC, truncated as the options say; decimals keep their exponent.
//
// The members, in order: id, office_id, owner {id, email, name, locale},
// state, version, filing_id, filing_revision, evidence [{id, title,
// sha256}] or null, quote {records, currency, lines [{description,
// records, unit_price, amount}] or null, amount}, payment {provider, id,
// checkout_url, status, paid_at (left out when zero), method (left out
// when empty), transfer {account {name, bank, number}, reference} (left
// out when nil), serial (left out when empty)}, idempotency_key,
// materials {carrier, tracking_number, at, tracking {state, delivered_at
// (left out when zero), events [{at, location (left out when empty),
// description}] (left out when empty), updated_at} (left out when nil)} or
// null, materials_attempts,
// certificate_number, certificate (as materials), reason, refund {id,
// amount, currency, reason, at} or null, retry {duty, attempts, since,
// last_error, next_at, permanent} (left out when nil), invoice {state,
// request {type, title, taxpayer_id, email}, amount, currency,
// requested_at, issued and reversal (each {number, issued_on, pdf_ref,
// pdf_sha256}, left out when nil), reason, updated_at} (left out when
// nil), audit_head, created_at, updated_at, expires_at (left out when
// zero).
func EncodeApplication(a notary.Application, opts ...Option) []byte {
	e := newEncoder(opts)
	size := 1024 + 256*len(a.Evidence) + 128*len(a.Quote.Lines)
	if a.Invoice != nil {
		size += 768 // the invoice, its issued and reversing invoices
	}
	w := writer{b: make([]byte, 0, size)}
	w.b = append(w.b, `{"id":`...)
	w.uuid(a.ID)
	w.b = append(w.b, `,"office_id":`...)
	w.uuid(a.OfficeID)
	w.b = append(w.b, `,"owner":`...)
	w.user(a.Owner)
	w.b = append(w.b, `,"state":`...)
	w.str(string(a.State))
	w.b = append(w.b, `,"version":`...)
	w.int(a.Version)
	w.b = append(w.b, `,"filing_id":`...)
	w.uuid(a.FilingID)
	w.b = append(w.b, `,"filing_revision":`...)
	w.int(int64(a.FilingRevision))
	w.b = append(w.b, `,"evidence":`...)
	w.evidence(a.Evidence)
	w.b = append(w.b, `,"quote":`...)
	w.quote(a.Quote)
	w.b = append(w.b, `,"payment":`...)
	w.payment(a.Payment, e)
	w.b = append(w.b, `,"idempotency_key":`...)
	w.str(a.IdempotencyKey)
	w.b = append(w.b, `,"materials":`...)
	w.shipment(a.Materials, e)
	w.b = append(w.b, `,"materials_attempts":`...)
	w.int(int64(a.MaterialsAttempts))
	w.b = append(w.b, `,"certificate_number":`...)
	w.str(a.CertificateNumber)
	w.b = append(w.b, `,"certificate":`...)
	w.shipment(a.Certificate, e)
	w.b = append(w.b, `,"reason":`...)
	w.str(a.Reason)
	w.b = append(w.b, `,"refund":`...)
	w.refund(a.Refund, e)
	if a.Retry != nil {
		w.b = append(w.b, `,"retry":`...)
		w.retry(a.Retry, e)
	}
	if a.Invoice != nil {
		w.b = append(w.b, `,"invoice":`...)
		w.invoice(a.Invoice, e)
	}
	w.b = append(w.b, `,"audit_head":`...)
	w.str(a.AuditHead)
	w.b = append(w.b, `,"created_at":`...)
	w.time(e.time(a.CreatedAt))
	w.b = append(w.b, `,"updated_at":`...)
	w.time(e.time(a.UpdatedAt))
	if !a.ExpiresAt.IsZero() {
		w.b = append(w.b, `,"expires_at":`...)
		w.time(e.time(a.ExpiresAt))
	}
	w.b = append(w.b, '}')
	return w.b
}

func (w *writer) user(u notary.User) {
	w.b = append(w.b, `{"id":`...)
	w.str(u.ID)
	w.b = append(w.b, `,"email":`...)
	w.str(u.Email)
	w.b = append(w.b, `,"name":`...)
	w.str(u.Name)
	w.b = append(w.b, `,"locale":`...)
	w.str(u.Locale)
	w.b = append(w.b, '}')
}

func (w *writer) evidence(evs []notary.Evidence) {
	if evs == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.b = append(w.b, '[')
	for i, ev := range evs {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.b = append(w.b, `{"id":`...)
		w.str(ev.ID)
		w.b = append(w.b, `,"title":`...)
		w.str(ev.Title)
		w.b = append(w.b, `,"sha256":`...)
		w.str(ev.SHA256)
		w.b = append(w.b, '}')
	}
	w.b = append(w.b, ']')
}

func (w *writer) quote(q payment.Quote) {
	w.b = append(w.b, `{"records":`...)
	w.int(int64(q.Records))
	w.b = append(w.b, `,"currency":`...)
	w.str(q.Currency)
	w.b = append(w.b, `,"lines":`...)
	if q.Lines == nil {
		w.b = append(w.b, "null"...)
	} else {
		w.b = append(w.b, '[')
		for i, l := range q.Lines {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.b = append(w.b, `{"description":`...)
			w.str(l.Description)
			w.b = append(w.b, `,"records":`...)
			w.int(int64(l.Records))
			w.b = append(w.b, `,"unit_price":`...)
			w.dec(l.UnitPrice)
			w.b = append(w.b, `,"amount":`...)
			w.dec(l.Amount)
			w.b = append(w.b, '}')
		}
		w.b = append(w.b, ']')
	}
	w.b = append(w.b, `,"amount":`...)
	w.dec(q.Amount)
	w.b = append(w.b, '}')
}

func (w *writer) payment(p notary.PaymentRef, e encoder) {
	w.b = append(w.b, `{"provider":`...)
	w.str(p.Provider)
	w.b = append(w.b, `,"id":`...)
	w.str(p.ID)
	w.b = append(w.b, `,"checkout_url":`...)
	w.str(p.CheckoutURL)
	w.b = append(w.b, `,"status":`...)
	w.str(string(p.Status))
	if !p.PaidAt.IsZero() {
		w.b = append(w.b, `,"paid_at":`...)
		w.time(e.time(p.PaidAt))
	}
	if p.Method != "" {
		w.b = append(w.b, `,"method":`...)
		w.str(string(p.Method))
	}
	if t := p.Transfer; t != nil {
		w.b = append(w.b, `,"transfer":{"account":{"name":`...)
		w.str(t.Account.Name)
		w.b = append(w.b, `,"bank":`...)
		w.str(t.Account.Bank)
		w.b = append(w.b, `,"number":`...)
		w.str(t.Account.Number)
		w.b = append(w.b, `},"reference":`...)
		w.str(t.Reference)
		w.b = append(w.b, '}')
	}
	if p.Serial != "" {
		w.b = append(w.b, `,"serial":`...)
		w.str(p.Serial)
	}
	w.b = append(w.b, '}')
}

func (w *writer) shipment(s *notary.Shipment, e encoder) {
	if s == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.b = append(w.b, `{"carrier":`...)
	w.str(s.Carrier)
	w.b = append(w.b, `,"tracking_number":`...)
	w.str(s.TrackingNumber)
	w.b = append(w.b, `,"at":`...)
	w.time(e.time(s.At))
	if t := s.Tracking; t != nil {
		w.b = append(w.b, `,"tracking":{"state":`...)
		w.str(string(t.State))
		if !t.DeliveredAt.IsZero() {
			w.b = append(w.b, `,"delivered_at":`...)
			w.time(e.time(t.DeliveredAt))
		}
		if len(t.Events) > 0 {
			w.b = append(w.b, `,"events":[`...)
			for i, ev := range t.Events {
				if i > 0 {
					w.b = append(w.b, ',')
				}
				w.b = append(w.b, `{"at":`...)
				w.time(e.time(ev.At))
				if ev.Location != "" {
					w.b = append(w.b, `,"location":`...)
					w.str(ev.Location)
				}
				w.b = append(w.b, `,"description":`...)
				w.str(ev.Description)
				w.b = append(w.b, '}')
			}
			w.b = append(w.b, ']')
		}
		w.b = append(w.b, `,"updated_at":`...)
		w.time(e.time(t.UpdatedAt))
		w.b = append(w.b, '}')
	}
	w.b = append(w.b, '}')
}

func (w *writer) retry(r *notary.DutyRetry, e encoder) {
	w.b = append(w.b, `{"duty":`...)
	w.str(r.Duty)
	w.b = append(w.b, `,"attempts":`...)
	w.int(int64(r.Attempts))
	w.b = append(w.b, `,"since":`...)
	w.time(e.time(r.Since))
	w.b = append(w.b, `,"last_error":`...)
	w.str(r.LastError)
	w.b = append(w.b, `,"next_at":`...)
	w.time(e.time(r.NextAt))
	w.b = append(w.b, `,"permanent":`...)
	if r.Permanent {
		w.b = append(w.b, "true"...)
	} else {
		w.b = append(w.b, "false"...)
	}
	w.b = append(w.b, '}')
}

func (w *writer) invoice(inv *notary.Invoice, e encoder) {
	w.b = append(w.b, `{"state":`...)
	w.str(string(inv.State))
	w.b = append(w.b, `,"request":{"type":`...)
	w.str(string(inv.Request.Type))
	w.b = append(w.b, `,"title":`...)
	w.str(inv.Request.Title)
	w.b = append(w.b, `,"taxpayer_id":`...)
	w.str(inv.Request.TaxpayerID)
	w.b = append(w.b, `,"email":`...)
	w.str(inv.Request.Email)
	w.b = append(w.b, `},"amount":`...)
	w.dec(inv.Amount)
	w.b = append(w.b, `,"currency":`...)
	w.str(inv.Currency)
	w.b = append(w.b, `,"requested_at":`...)
	w.time(e.time(inv.RequestedAt))
	if inv.Issued != nil {
		w.b = append(w.b, `,"issued":`...)
		w.issuedInvoice(inv.Issued, e)
	}
	if inv.Reversal != nil {
		w.b = append(w.b, `,"reversal":`...)
		w.issuedInvoice(inv.Reversal, e)
	}
	w.b = append(w.b, `,"reason":`...)
	w.str(inv.Reason)
	w.b = append(w.b, `,"updated_at":`...)
	w.time(e.time(inv.UpdatedAt))
	w.b = append(w.b, '}')
}

func (w *writer) issuedInvoice(i *notary.IssuedInvoice, e encoder) {
	w.b = append(w.b, `{"number":`...)
	w.str(i.Number)
	w.b = append(w.b, `,"issued_on":`...)
	w.time(e.time(i.IssuedOn))
	w.b = append(w.b, `,"pdf_ref":`...)
	w.str(i.PDFRef)
	w.b = append(w.b, `,"pdf_sha256":`...)
	w.str(i.PDFSHA256)
	w.b = append(w.b, '}')
}

func (w *writer) refund(r *notary.Refund, e encoder) {
	if r == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.b = append(w.b, `{"id":`...)
	w.str(r.ID)
	w.b = append(w.b, `,"amount":`...)
	w.dec(r.Amount)
	w.b = append(w.b, `,"currency":`...)
	w.str(r.Currency)
	w.b = append(w.b, `,"reason":`...)
	w.str(r.Reason)
	w.b = append(w.b, `,"at":`...)
	w.time(e.time(r.At))
	w.b = append(w.b, '}')
}

// DecodeApplication decodes a document written by EncodeApplication. Times
// come back in UTC and decimals with the stored exponent. Members it does
// not know are skipped; a missing member leaves its field zero.
func DecodeApplication(b []byte) (notary.Application, error) {
	r := newReader(b)
	defer r.release()
	var a notary.Application
	r.object()
	for r.more() {
		switch string(r.name()) {
		case "id":
			a.ID = r.uuid()
		case "office_id":
			a.OfficeID = r.uuid()
		case "owner":
			a.Owner = r.user()
		case "state":
			a.State = notary.ApplicationState(r.str())
		case "version":
			a.Version = r.int64()
		case "filing_id":
			a.FilingID = r.uuid()
		case "filing_revision":
			a.FilingRevision = r.int()
		case "evidence":
			a.Evidence = list(r, (*reader).evidence)
		case "quote":
			a.Quote = r.quote()
		case "payment":
			a.Payment = r.payment()
		case "idempotency_key":
			a.IdempotencyKey = r.str()
		case "materials":
			a.Materials = r.shipment()
		case "materials_attempts":
			a.MaterialsAttempts = r.int()
		case "certificate_number":
			a.CertificateNumber = r.str()
		case "certificate":
			a.Certificate = r.shipment()
		case "reason":
			a.Reason = r.str()
		case "refund":
			a.Refund = r.refund()
		case "retry":
			a.Retry = r.retry()
		case "invoice":
			a.Invoice = r.invoice()
		case "audit_head":
			a.AuditHead = r.str()
		case "created_at":
			a.CreatedAt = r.time()
		case "updated_at":
			a.UpdatedAt = r.time()
		case "expires_at":
			a.ExpiresAt = r.time()
		default:
			r.skip()
		}
	}
	r.end()
	if r.err != nil {
		return notary.Application{}, fmt.Errorf("recorddoc: decode application: %w", r.err)
	}
	return a, nil
}

func (r *reader) user() notary.User {
	var u notary.User
	r.object()
	for r.more() {
		switch string(r.name()) {
		case "id":
			u.ID = r.str()
		case "email":
			u.Email = r.str()
		case "name":
			u.Name = r.str()
		case "locale":
			u.Locale = r.str()
		default:
			r.skip()
		}
	}
	return u
}

func (r *reader) evidence() notary.Evidence {
	var ev notary.Evidence
	r.object()
	for r.more() {
		switch string(r.name()) {
		case "id":
			ev.ID = r.str()
		case "title":
			ev.Title = r.str()
		case "sha256":
			ev.SHA256 = r.str()
		default:
			r.skip()
		}
	}
	return ev
}

func (r *reader) quote() payment.Quote {
	var q payment.Quote
	r.object()
	for r.more() {
		switch string(r.name()) {
		case "records":
			q.Records = r.int()
		case "currency":
			q.Currency = r.str()
		case "lines":
			q.Lines = list(r, (*reader).quoteLine)
		case "amount":
			q.Amount = r.dec()
		default:
			r.skip()
		}
	}
	return q
}

func (r *reader) quoteLine() payment.QuoteLine {
	var l payment.QuoteLine
	r.object()
	for r.more() {
		switch string(r.name()) {
		case "description":
			l.Description = r.str()
		case "records":
			l.Records = r.int()
		case "unit_price":
			l.UnitPrice = r.dec()
		case "amount":
			l.Amount = r.dec()
		default:
			r.skip()
		}
	}
	return l
}

func (r *reader) payment() notary.PaymentRef {
	var p notary.PaymentRef
	r.object()
	for r.more() {
		switch string(r.name()) {
		case "provider":
			p.Provider = r.str()
		case "id":
			p.ID = r.str()
		case "checkout_url":
			p.CheckoutURL = r.str()
		case "status":
			p.Status = notary.PaymentStatus(r.str())
		case "paid_at":
			p.PaidAt = r.time()
		case "method":
			p.Method = notary.PaymentMethod(r.str())
		case "transfer":
			p.Transfer = r.transfer()
		case "serial":
			p.Serial = r.str()
		default:
			r.skip()
		}
	}
	return p
}

func (r *reader) shipment() *notary.Shipment {
	if r.null() {
		return nil
	}
	var s notary.Shipment
	r.object()
	for r.more() {
		switch string(r.name()) {
		case "carrier":
			s.Carrier = r.str()
		case "tracking_number":
			s.TrackingNumber = r.str()
		case "at":
			s.At = r.time()
		case "tracking":
			s.Tracking = r.tracking()
		default:
			r.skip()
		}
	}
	return &s
}

func (r *reader) tracking() *notary.Tracking {
	if r.null() {
		return nil
	}
	var t notary.Tracking
	r.object()
	for r.more() {
		switch string(r.name()) {
		case "state":
			t.State = notary.TrackingState(r.str())
		case "delivered_at":
			t.DeliveredAt = r.time()
		case "events":
			t.Events = list(r, (*reader).trackingEvent)
		case "updated_at":
			t.UpdatedAt = r.time()
		default:
			r.skip()
		}
	}
	return &t
}

func (r *reader) trackingEvent() notary.TrackingEvent {
	var ev notary.TrackingEvent
	r.object()
	for r.more() {
		switch string(r.name()) {
		case "at":
			ev.At = r.time()
		case "location":
			ev.Location = r.str()
		case "description":
			ev.Description = r.str()
		default:
			r.skip()
		}
	}
	return ev
}

func (r *reader) retry() *notary.DutyRetry {
	if r.null() {
		return nil
	}
	var d notary.DutyRetry
	r.object()
	for r.more() {
		switch string(r.name()) {
		case "duty":
			d.Duty = r.str()
		case "attempts":
			d.Attempts = r.int()
		case "since":
			d.Since = r.time()
		case "last_error":
			d.LastError = r.str()
		case "next_at":
			d.NextAt = r.time()
		case "permanent":
			d.Permanent = r.bool()
		default:
			r.skip()
		}
	}
	return &d
}

func (r *reader) invoice() *notary.Invoice {
	if r.null() {
		return nil
	}
	var inv notary.Invoice
	r.object()
	for r.more() {
		switch string(r.name()) {
		case "state":
			inv.State = notary.InvoiceState(r.str())
		case "request":
			r.object()
			for r.more() {
				switch string(r.name()) {
				case "type":
					inv.Request.Type = notary.InvoiceType(r.str())
				case "title":
					inv.Request.Title = r.str()
				case "taxpayer_id":
					inv.Request.TaxpayerID = r.str()
				case "email":
					inv.Request.Email = r.str()
				default:
					r.skip()
				}
			}
		case "amount":
			inv.Amount = r.dec()
		case "currency":
			inv.Currency = r.str()
		case "requested_at":
			inv.RequestedAt = r.time()
		case "issued":
			inv.Issued = r.issuedInvoice()
		case "reversal":
			inv.Reversal = r.issuedInvoice()
		case "reason":
			inv.Reason = r.str()
		case "updated_at":
			inv.UpdatedAt = r.time()
		default:
			r.skip()
		}
	}
	return &inv
}

func (r *reader) issuedInvoice() *notary.IssuedInvoice {
	if r.null() {
		return nil
	}
	var i notary.IssuedInvoice
	r.object()
	for r.more() {
		switch string(r.name()) {
		case "number":
			i.Number = r.str()
		case "issued_on":
			i.IssuedOn = r.time()
		case "pdf_ref":
			i.PDFRef = r.str()
		case "pdf_sha256":
			i.PDFSHA256 = r.str()
		default:
			r.skip()
		}
	}
	return &i
}

func (r *reader) refund() *notary.Refund {
	if r.null() {
		return nil
	}
	var f notary.Refund
	r.object()
	for r.more() {
		switch string(r.name()) {
		case "id":
			f.ID = r.str()
		case "amount":
			f.Amount = r.dec()
		case "currency":
			f.Currency = r.str()
		case "reason":
			f.Reason = r.str()
		case "at":
			f.At = r.time()
		default:
			r.skip()
		}
	}
	return &f
}

func (r *reader) transfer() *notary.TransferInstructions {
	if r.null() {
		return nil
	}
	var t notary.TransferInstructions
	r.object()
	for r.more() {
		switch string(r.name()) {
		case "account":
			r.object()
			for r.more() {
				switch string(r.name()) {
				case "name":
					t.Account.Name = r.str()
				case "bank":
					t.Account.Bank = r.str()
				case "number":
					t.Account.Number = r.str()
				default:
					r.skip()
				}
			}
		case "reference":
			t.Reference = r.str()
		default:
			r.skip()
		}
	}
	return &t
}
