package notary

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// Invoice is the invoice (发票) of an application's fee: what the
// enterprise asked for and what finance recorded, kept with the
// application and moved along InvoiceLifecycle. Earlier invoices of the
// same fee (issued, then reversed) are named in the audit trail's reasons.
type Invoice struct {
	State InvoiceState
	// Request is the enterprise's request with its defaults filled in
	// (see InvoiceRequest.Normalize).
	Request InvoiceRequest
	// Amount and Currency are what the invoice is for: the fee paid less
	// any refund, as of the request and again as of the issue.
	Amount      decimal.Decimal
	Currency    string
	RequestedAt time.Time
	// Issued is the invoice finance issued (and, once reversed, the one
	// the reversal cancels); nil before.
	Issued *IssuedInvoice
	// Reversal is the reversing (红字) invoice; nil unless Reversed.
	Reversal *IssuedInvoice
	// Reason is why finance rejected the request, while Rejected.
	Reason    string
	UpdatedAt time.Time // when the invoice last moved
}

// InvoiceStateOf returns where the application's invoice stands:
// InvoiceNotRequested when it has none.
func InvoiceStateOf(app Application) InvoiceState {
	if app.Invoice == nil {
		return InvoiceNotRequested
	}
	return app.Invoice.State
}

// Invoiceable returns the part of the application's fee an invoice may be
// for: the fee paid, less any refund; zero when the fee is not paid.
func Invoiceable(app Application) decimal.Decimal {
	if app.Payment.Status != PaymentSucceeded {
		return decimal.Zero
	}
	amount := app.Quote.Amount
	if app.Refund != nil {
		amount = amount.Sub(app.Refund.Amount)
	}
	return amount
}

// RefundBlockedByInvoice is the rule that a refund of an invoiced fee
// waits for the reversing (红字) invoice: it returns an error wrapping
// ErrInvalidTransition while the application's invoice is issued and not
// reversed, nil otherwise. Every way a refund is marked done checks it
// before touching the money.
func RefundBlockedByInvoice(app Application) error {
	if inv := app.Invoice; inv != nil && inv.State == InvoiceIssued {
		return wrap(ErrInvalidTransition, "application %s: invoice %s must be reversed (红字) before the fee is refunded",
			app.ID, inv.Issued.Number)
	}
	return nil
}

// Invoices is the invoice unit: an enterprise asks for the invoice of the
// fee it paid; finance (RoleFinance, the only role with DutyMoney) issues
// it or rejects the request, and records the reversing invoice when the
// fee is refunded. Each step is one atomic commit of the application (its
// invoice), an audit event, the notices of the notice matrix and the host
// event.
type Invoices struct{ s *Service }

// Request asks for the invoice of the fee of the user's application,
// after the fee is paid. Empty fields of req take the defaults of the
// enterprise's filing in force (title: its name; taxpayer ID: its credit
// code; email: its contact email). The same request again, while it
// waits, changes nothing. A rejected request, or one whose invoice was
// reversed, may be made again, for what remains of the fee. Finance is
// told by email. Errors: ErrNotFound, ErrForbidden (not the owner),
// ErrInvalidInput naming "invoice.type", "invoice.title",
// "invoice.taxpayer_id" or "invoice.email", ErrInvalidTransition (not
// paid, refunded in full, or a request already waits or is issued),
// ErrConflict (a concurrent change; retry).
func (v *Invoices) Request(ctx context.Context, user User, id uuid.UUID, req InvoiceRequest) (Application, error) {
	s := v.s
	app, err := s.store.Application(ctx, id)
	if err != nil {
		return Application{}, err
	}
	if _, _, err := s.party(ctx, user, app.OfficeID, app.Owner.ID); err != nil {
		return Application{}, err
	}
	filing, err := s.store.Filing(ctx, app.FilingID)
	if err != nil {
		return Application{}, fmt.Errorf("notary: the filing of application %s: %w", id, err)
	}
	content := filing.Content
	if filing.Approved != nil {
		content = *filing.Approved
	}
	req, err = req.Normalize(content)
	if err != nil {
		return Application{}, err
	}
	if inv := app.Invoice; inv != nil && inv.State == InvoiceRequested && inv.Request == req {
		return app, nil // a retry of the request that waits
	}
	amount := Invoiceable(app)
	switch {
	case app.Payment.Status != PaymentSucceeded:
		return Application{}, wrap(ErrInvalidTransition, "application %s: the fee is not paid", id)
	case !amount.IsPositive():
		return Application{}, wrap(ErrInvalidTransition, "application %s: the fee was refunded; nothing to invoice", id)
	}
	return s.fireInvoice(ctx, app, AppRequestInvoice, invoiceStep{actor: user, apply: func(inv *Invoice, now time.Time) {
		*inv = Invoice{Request: req, Amount: amount, Currency: app.Quote.Currency, RequestedAt: now}
	}})
}

// Issue records the invoice finance issued for the request that waits on
// the application at version: its number, issue date (between the
// payment's day and today, in the office's time zone), PDF reference and
// SHA-256. The user is told in-site and by email. Issuing again what is
// recorded changes nothing. An invoice number is recorded once in the
// office: on another application it is refused. Errors: ErrNotFound,
// ErrForbidden (not finance), ErrUnauthenticated, ErrInvalidInput
// ("version", "invoice.number", "invoice.issued_on", "invoice.pdf_ref",
// "invoice.pdf_sha256"), ErrConflict (the application is no longer at
// version), ErrInvalidTransition (no request waits, or nothing is left to
// invoice).
func (v *Invoices) Issue(ctx context.Context, admin Admin, id uuid.UUID, version int64, issued IssuedInvoice) (Application, error) {
	if err := checkVersion(version); err != nil {
		return Application{}, err
	}
	app, actor, err := v.load(ctx, admin, id)
	if err != nil {
		return Application{}, err
	}
	issued, err = issued.Normalize(app.Payment.PaidAt, v.s.now().In(v.s.office.TimeZone))
	if err != nil {
		return Application{}, err
	}
	issued.IssuedOn = dateOnly(issued.IssuedOn)
	if inv := app.Invoice; inv != nil && inv.State == InvoiceIssued && inv.Issued != nil && *inv.Issued == issued {
		return app, nil // a retry of the issue that committed
	}
	amount := Invoiceable(app)
	if InvoiceStateOf(app) == InvoiceRequested && !amount.IsPositive() {
		return Application{}, wrap(ErrInvalidTransition, "application %s: the fee was refunded; reject the request instead", id)
	}
	return v.s.fireInvoice(ctx, app, AppIssueInvoice, invoiceStep{actor: actor, versioned: true, seen: version,
		reason: fmt.Sprintf("invoice %s of %s", issued.Number, issued.IssuedOn.Format(time.DateOnly)),
		dedup:  v.numberKey(issued.Number),
		apply: func(inv *Invoice, _ time.Time) {
			inv.Issued = &issued
			inv.Amount = amount
			inv.Reason = ""
		}})
}

// Reject refuses the request that waits on the application at version,
// with a reason the user is told in-site and by email; the user may ask
// again. Rejecting again with the same reason changes nothing. Errors: as
// Issue, with ErrInvalidInput naming "version" or "reason".
func (v *Invoices) Reject(ctx context.Context, admin Admin, id uuid.UUID, version int64, reason string) (Application, error) {
	if err := checkVersion(version); err != nil {
		return Application{}, err
	}
	reason, err := checkReason(reason)
	if err != nil {
		return Application{}, err
	}
	app, actor, err := v.load(ctx, admin, id)
	if err != nil {
		return Application{}, err
	}
	if inv := app.Invoice; inv != nil && inv.State == InvoiceRejected && inv.Reason == reason {
		return app, nil // a retry of the rejection that committed
	}
	return v.s.fireInvoice(ctx, app, AppRejectInvoice, invoiceStep{actor: actor, versioned: true, seen: version, reason: reason,
		apply: func(inv *Invoice, _ time.Time) { inv.Reason = reason }})
}

// Reverse records the reversing (红字) invoice that cancels the invoice
// issued on the application at version: number, issue date (not before
// the invoice it reverses, not after today), PDF reference and SHA-256.
// The user is told in-site and by email. A refund of an invoiced fee waits
// for it (see RefundBlockedByInvoice): when the application's fee is due
// back (its preliminary review failed), the refund is made now, and Sweep
// retries it if the provider fails. Recording again what is recorded
// changes nothing. Errors: as Issue (no issued invoice is
// ErrInvalidTransition).
func (v *Invoices) Reverse(ctx context.Context, admin Admin, id uuid.UUID, version int64, reversal IssuedInvoice) (Application, error) {
	if err := checkVersion(version); err != nil {
		return Application{}, err
	}
	app, actor, err := v.load(ctx, admin, id)
	if err != nil {
		return Application{}, err
	}
	inv := app.Invoice
	if inv != nil && inv.State == InvoiceReversed && inv.Reversal != nil {
		if again, nerr := reversal.Normalize(time.Time{}, v.s.now().In(v.s.office.TimeZone)); nerr == nil {
			again.IssuedOn = dateOnly(again.IssuedOn)
			if again == *inv.Reversal {
				return app, nil // a retry of the reversal that committed
			}
		}
	}
	var since time.Time
	if inv != nil && inv.Issued != nil {
		since = inv.Issued.IssuedOn
	}
	now := v.s.now().In(v.s.office.TimeZone)
	// The reversal's date is checked against the reversed invoice's date,
	// a calendar date, taken at midnight in the office's time zone.
	if !since.IsZero() {
		since = time.Date(since.Year(), since.Month(), since.Day(), 0, 0, 0, 0, now.Location())
	}
	reversal, err = reversal.Normalize(since, now)
	if err != nil {
		return Application{}, err
	}
	reversal.IssuedOn = dateOnly(reversal.IssuedOn)
	reason := ""
	if inv != nil && inv.Issued != nil {
		reason = fmt.Sprintf("reversing invoice %s of %s for invoice %s", reversal.Number, reversal.IssuedOn.Format(time.DateOnly), inv.Issued.Number)
	}
	out, err := v.s.fireInvoice(ctx, app, AppReverseInvoice, invoiceStep{actor: actor, versioned: true, seen: version,
		reason: reason, dedup: v.numberKey(reversal.Number),
		apply: func(inv *Invoice, _ time.Time) { inv.Reversal = &reversal }})
	if err != nil {
		return Application{}, err
	}
	if out.State == PreliminaryRejected {
		return v.s.Applications.refund(ctx, out, out.Reason)
	}
	return out, nil
}

// Queue lists the office's applications whose invoice is in state (oldest
// first), after the cursor: finance's work list. Errors: ErrForbidden (not
// finance), ErrUnauthenticated, ErrInvalidInput naming "state".
func (v *Invoices) Queue(ctx context.Context, admin Admin, state InvoiceState, after *Cursor, limit int) ([]Application, error) {
	if _, err := v.s.dutyAdmin(ctx, admin, DutyMoney); err != nil {
		return nil, err
	}
	if state == InvoiceNotRequested || !InvoiceLifecycle.hasState(state) {
		return nil, invalid("state", "not an invoice state a queue holds: %q", state)
	}
	return v.s.store.ListApplications(ctx, ListQuery{OfficeID: v.s.office.ID,
		InvoiceStates: []string{string(state)}, After: after, Limit: limit})
}

// load reads an application for a finance decision, with the admin's
// session in the same read when the store can, and authorizes the admin
// before any input is judged.
func (v *Invoices) load(ctx context.Context, admin Admin, id uuid.UUID) (Application, Principal, error) {
	app, actor, err := load(ctx, v.s, admin, id, v.s.store.Application, ReviewReader.ApplicationForReview)
	if err != nil {
		return Application{}, nil, err
	}
	if err := v.s.authorizeMoney(ctx, actor, app); err != nil {
		return Application{}, nil, err
	}
	return app, actor, nil
}

// numberKey is the dedup key that records an invoice number once in the
// office.
func (v *Invoices) numberKey(number string) string {
	return "invoice-number:" + v.s.office.ID.String() + ":" + number
}

// authorizeMoney checks that actor may handle the money of app: an admin
// of the office with DutyMoney (the finance party).
func (s *Service) authorizeMoney(ctx context.Context, actor Principal, app Application) error {
	party, _, err := s.party(ctx, actor, app.OfficeID, app.Owner.ID)
	if err != nil {
		return err
	}
	if party != PartyFinance {
		return wrap(ErrForbidden, "invoice: only finance records invoices")
	}
	return nil
}

// dateOnly is the calendar date t names, at midnight UTC: how issue dates
// are stored.
func dateOnly(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// invoiceStep is one step of an application's invoice.
type invoiceStep struct {
	actor     Principal
	versioned bool  // an admin decision on the application at seen
	seen      int64 // the version decided on
	reason    string
	dedup     string
	apply     func(inv *Invoice, now time.Time) // the invoice's changes beyond its state
}

// fireInvoice runs one step of the application's invoice as one atomic
// commit: authorize, check the version the caller saw, fire
// InvoiceLifecycle, apply the change, audit it and enqueue its notices
// and host event. The application's state and UpdatedAt stay, so no
// deadline, window or countdown of the application moves.
func (s *Service) fireInvoice(ctx context.Context, app Application, trigger ApplicationTrigger, t invoiceStep) (Application, error) {
	party, who, err := s.party(ctx, t.actor, app.OfficeID, app.Owner.ID)
	if err != nil {
		return Application{}, err
	}
	tr := transition[Application]{versioned: t.versioned, seen: t.seen}
	if err := tr.check("application", app.ID, app.Version); err != nil {
		return Application{}, err
	}
	from := InvoiceStateOf(app)
	to, err := InvoiceLifecycle.Fire(ctx, from, trigger, party)
	if err != nil {
		return Application{}, err
	}
	now := s.now()
	next := app
	next.Version = app.Version + 1
	inv := Invoice{}
	if app.Invoice != nil {
		inv = *app.Invoice
	}
	if t.apply != nil {
		t.apply(&inv, now)
	}
	inv.State = to
	inv.UpdatedAt = now
	next.Invoice = &inv
	ev := s.event(step{kind: KindApplication, recordID: app.ID, version: app.Version, head: app.AuditHead,
		from: string(app.State), to: string(app.State), trigger: string(trigger), actor: who, reason: t.reason, at: now})
	next.AuditHead = ev.Hash
	c := Change{Application: &next, ExpectedVersion: app.Version, Events: []Event{ev}, DedupKey: t.dedup}
	src := noticeSource{app: &next}
	c.Notices, err = s.notices(ev, src)
	if err != nil {
		return Application{}, err
	}
	err = s.commit(ctx, c, KindApplication, string(trigger), string(from), string(to))
	if errors.Is(err, ErrDuplicate) {
		return Application{}, invalid("invoice.number", "invoice number is already recorded at the office")
	}
	if err != nil {
		return Application{}, err
	}
	return next, nil
}

// hasState reports whether s is a state of the lifecycle.
func (l *Lifecycle[S, T]) hasState(s S) bool {
	for _, v := range l.States() {
		if v == s {
			return true
		}
	}
	return false
}
