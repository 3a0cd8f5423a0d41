package notary

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/notarykit/notarykit/payment"
)

// This file is the finance unit: what the office's finance staff
// (RoleFinance, DutyMoney) do with money that moves outside a wallet
// provider. A corporate bank transfer (对公转账) is paid at the bank, and
// finance records it here when the bank shows it: the transfer pays its
// application through the same transition path as a provider's notice
// (audited, once per bank serial number, for exactly the quote), or it is
// kept, listed, until finance matches it to an application.

// TransferStatus says whether a kept bank transfer paid an application.
type TransferStatus string

// Transfer statuses.
const (
	TransferUnmatched TransferStatus = "unmatched" // kept, waiting for finance to match it
	TransferMatched   TransferStatus = "matched"   // finance matched it to an application, which it paid
)

// TransferProblem says why a recorded transfer paid no application.
type TransferProblem string

// Transfer problems.
const (
	// ProblemNoReference: the note carries no payment reference.
	ProblemNoReference TransferProblem = "no_reference"
	// ProblemBadReference: the note's reference is malformed or its
	// check character is wrong (ParseTransferReference).
	ProblemBadReference TransferProblem = "bad_reference"
	// ProblemUnknownApplication: the reference names no application of
	// the office.
	ProblemUnknownApplication TransferProblem = "unknown_application"
	// ProblemNotBankTransfer: the application pays by wallet, not by bank
	// transfer.
	ProblemNotBankTransfer TransferProblem = "not_bank_transfer"
	// ProblemNotAwaiting: the application does not await payment any
	// more (cancelled, expired, or paid already).
	ProblemNotAwaiting TransferProblem = "not_awaiting_payment"
	// ProblemAmount: the amount is not the quote's; finance kept the
	// transfer with Finance.Keep after RecordTransfer refused it.
	ProblemAmount TransferProblem = "amount"
)

// BankTransfer is a received bank transfer that paid no application when
// finance recorded it, kept by the store (Transfers) until matched.
type BankTransfer struct {
	ID       uuid.UUID
	OfficeID uuid.UUID
	// Transfer is what finance recorded, normalized (serial upper-case,
	// currency set).
	Transfer ReceivedTransfer
	// Problem is why it paid no application.
	Problem TransferProblem
	Status  TransferStatus
	// RecordedBy and RecordedAt say who kept it and when (the service's
	// clock).
	RecordedBy Actor
	RecordedAt time.Time
	// ApplicationID, MatchedBy and MatchedAt are set when finance matched
	// the transfer to the application it paid.
	ApplicationID uuid.UUID
	MatchedBy     Actor
	MatchedAt     time.Time
}

// Validate checks the contract of a transfer a store keeps: IDs, the
// serial's shape, a positive amount, a value date, a record time and an
// unmatched status. The error wraps ErrInvalidInput naming the field.
func (t BankTransfer) Validate() error {
	switch {
	case t.ID == uuid.Nil:
		return invalid("transfer.id", "required")
	case t.OfficeID == uuid.Nil:
		return invalid("transfer.office_id", "required")
	case t.Status != TransferUnmatched:
		return invalid("transfer.status", "a kept transfer is %q, not %q", TransferUnmatched, t.Status)
	case t.Problem == "":
		return invalid("transfer.problem", "required")
	case !t.Transfer.Amount.IsPositive() || !payment.ValidAmount(t.Transfer.Amount):
		return invalid("transfer.amount", "%s is not a positive amount in fen", t.Transfer.Amount)
	case t.Transfer.Date.IsZero():
		return invalid("transfer.date", "required")
	case t.RecordedAt.IsZero():
		return invalid("transfer.recorded_at", "required")
	}
	if s, err := NormalizeSerial("transfer.serial", t.Transfer.Serial); err != nil {
		return err
	} else if s != t.Transfer.Serial {
		return invalid("transfer.serial", "not normalized: %q", t.Transfer.Serial)
	}
	return nil
}

// TransferMatch is a Change's match of a kept transfer to the change's
// application: the store marks transfer TransferID matched, with
// ApplicationID the change's, MatchedAt At and MatchedBy By.
type TransferMatch struct {
	TransferID uuid.UUID
	At         time.Time
	By         Actor
}

// TransferQuery selects kept transfers: of one office, in one status
// ("" for both), after a keyset position, at most Limit (<= 0 means
// DefaultLimit).
type TransferQuery struct {
	OfficeID uuid.UUID
	Status   TransferStatus
	After    *Cursor // CreatedAt is the transfer's RecordedAt
	Limit    int
}

// Validate checks a transfer listing: the office is required and the
// status is one of the statuses or empty. ErrInvalidInput naming
// "office_id" or "status".
func (q TransferQuery) Validate() error {
	if q.OfficeID == uuid.Nil {
		return invalid("office_id", "a listing is of one office; none given")
	}
	switch q.Status {
	case "", TransferUnmatched, TransferMatched:
		return nil
	}
	return invalid("status", "unknown transfer status %q", q.Status)
}

// PageSize returns q.Limit, or DefaultLimit when it is not positive.
func (q TransferQuery) PageSize() int {
	if q.Limit <= 0 {
		return DefaultLimit
	}
	return q.Limit
}

// Finance is the finance unit: finance staff (RoleFinance) record bank
// transfers received and match the ones that paid no application. Every
// method requires an admin of the office whose role has DutyMoney;
// reviewers and supervisors are refused with ErrForbidden.
type Finance struct{ s *Service }

// TransferResult is what recording a transfer did: it paid Application,
// or it was kept as Kept, an unmatched transfer finance matches later.
type TransferResult struct {
	Application *Application
	Kept        *BankTransfer
	// Replayed is true when the transfer's serial number was recorded
	// before with the same outcome: nothing changed.
	Replayed bool
}

// RecordTransfer records a bank transfer finance saw arrive on the
// office's account. When its reference names an application of the
// office that pays by bank transfer and awaits payment, the transfer pays
// it: the application moves to preliminary review by the same kind of
// audited transition as a wallet payment, once per bank serial number,
// and only for exactly the quoted amount. A transfer whose reference is
// missing or wrong, or whose application is cancelled, paid or paid by
// wallet, is kept and listed by Unmatched until finance matches it
// (Match). Recording a serial number again answers the first outcome as a
// replay when it is the same; otherwise ErrConflict.
//
// Errors: ErrUnauthenticated, ErrForbidden (no DutyMoney);
// ErrInvalidInput naming "serial", "payer_name", "date", "currency" or
// "amount" (a transfer that is off by one fen from the quote is refused:
// retype it, or Keep it); ErrConflict (the serial was recorded for
// something else); the store's errors.
func (f *Finance) RecordTransfer(ctx context.Context, admin Admin, t ReceivedTransfer) (TransferResult, error) {
	s := f.s
	if _, err := s.dutyAdmin(ctx, admin, DutyMoney); err != nil {
		return TransferResult{}, err
	}
	t, err := checkTransfer(t, s.now())
	if err != nil {
		return TransferResult{}, err
	}
	for attempt := 1; ; attempt++ {
		res, err := f.recordTransfer(ctx, admin, t, false)
		if !errors.Is(err, ErrConflict) || attempt == 3 {
			return res, err
		}
	}
}

// Keep records a bank transfer as unmatched whatever its reference says:
// for a transfer RecordTransfer refused because its amount is not the
// quote's (a payer who paid too little or too much), which finance then
// returns or matches by hand. A transfer that would pay its application
// as it is must be recorded with RecordTransfer: Keep refuses it with
// ErrConflict. Errors: as RecordTransfer.
func (f *Finance) Keep(ctx context.Context, admin Admin, t ReceivedTransfer) (BankTransfer, error) {
	s := f.s
	if _, err := s.dutyAdmin(ctx, admin, DutyMoney); err != nil {
		return BankTransfer{}, err
	}
	t, err := checkTransfer(t, s.now())
	if err != nil {
		return BankTransfer{}, err
	}
	res, err := f.recordTransfer(ctx, admin, t, true)
	if err != nil {
		return BankTransfer{}, err
	}
	if res.Kept == nil {
		return BankTransfer{}, wrap(ErrConflict, "serial %s paid application %s already", t.Serial, res.Application.ID)
	}
	return *res.Kept, nil
}

// recordTransfer pays the application the transfer names, or keeps it.
// keep keeps a transfer whose only problem is its amount (Keep) and
// refuses one that would pay.
func (f *Finance) recordTransfer(ctx context.Context, admin Admin, t ReceivedTransfer, keep bool) (TransferResult, error) {
	s := f.s
	app, problem, err := f.classify(ctx, t)
	if err != nil {
		return TransferResult{}, err
	}
	if app.Payment.Serial == t.Serial && app.ID != uuid.Nil {
		return TransferResult{Application: &app, Replayed: true}, nil
	}
	if problem == "" {
		qerr := matchQuote(app.Quote, t)
		switch {
		case qerr != nil && !keep:
			return TransferResult{}, qerr
		case qerr != nil:
			problem = ProblemAmount
		case keep:
			return TransferResult{}, wrap(ErrConflict, "serial %s pays application %s as it is: record it, do not keep it", t.Serial, app.ID)
		default:
			out, err := f.pay(ctx, admin, app, t, nil)
			if errors.Is(err, ErrDuplicate) {
				return TransferResult{}, wrap(ErrConflict, "serial %s: a transfer with this bank serial number was recorded already", t.Serial)
			}
			if err != nil {
				return TransferResult{}, err
			}
			return TransferResult{Application: &out}, nil
		}
	}
	_, who, err := s.adminParty(ctx, admin, nil)
	if err != nil {
		return TransferResult{}, err
	}
	bt := BankTransfer{ID: s.ids.NewID(), OfficeID: s.office.ID, Transfer: t, Problem: problem, Status: TransferUnmatched,
		RecordedBy: who, RecordedAt: s.now()}
	if err := s.store.KeepTransfer(ctx, bt); errors.Is(err, ErrDuplicate) {
		return TransferResult{}, wrap(ErrConflict, "serial %s: a transfer with this bank serial number was recorded already", t.Serial)
	} else if err != nil {
		return TransferResult{}, err
	}
	s.log.InfoContext(ctx, "notary: bank transfer kept unmatched", "serial", t.Serial, "problem", problem)
	return TransferResult{Kept: &bt}, nil
}

// classify finds the application a transfer's reference names: app with
// no problem when it awaits the transfer, or the problem (and the
// application, when one was found).
func (f *Finance) classify(ctx context.Context, t ReceivedTransfer) (Application, TransferProblem, error) {
	s := f.s
	if t.Reference == "" {
		return Application{}, ProblemNoReference, nil
	}
	id, err := ParseTransferReference(t.Reference)
	if err != nil {
		return Application{}, ProblemBadReference, nil
	}
	app, err := s.officeApplication(ctx, id)
	switch {
	case errors.Is(err, ErrNotFound):
		return Application{}, ProblemUnknownApplication, nil
	case err != nil:
		return Application{}, "", err
	case app.Payment.Method != MethodBankTransfer:
		return app, ProblemNotBankTransfer, nil
	case app.State != AwaitingPayment:
		return app, ProblemNotAwaiting, nil
	}
	return app, "", nil
}

// pay fires the transfer's payment of app, matching kept transfer match
// when it is not nil. The bank serial number's dedup key makes it once
// per serial.
func (f *Finance) pay(ctx context.Context, admin Admin, app Application, t ReceivedTransfer, match *TransferMatch) (Application, error) {
	paidAt := t.Date.UTC().Truncate(time.Microsecond)
	tr := transition[Application]{actor: admin, reason: "bank transfer " + t.Serial, match: match,
		apply: func(n *Application) {
			n.Payment.Status = PaymentSucceeded
			n.Payment.PaidAt = paidAt
			n.Payment.Serial = t.Serial
		}}
	if match == nil {
		tr.dedup = TransferDedupKey(t.Serial)
	}
	return f.s.fireApplication(ctx, app, AppTransferReceived, tr)
}

// Unmatched lists the office's kept transfers still unmatched, oldest
// first, after the keyset position after (nil for the first page), at
// most limit (<= 0 means DefaultLimit). Errors: ErrUnauthenticated,
// ErrForbidden, the store's.
func (f *Finance) Unmatched(ctx context.Context, admin Admin, after *Cursor, limit int) ([]BankTransfer, error) {
	return f.Transfers(ctx, admin, TransferQuery{Status: TransferUnmatched, After: after, Limit: limit})
}

// Transfers lists the office's kept transfers selected by q (its OfficeID
// is the service's). Errors: as Unmatched, and q.Validate's.
func (f *Finance) Transfers(ctx context.Context, admin Admin, q TransferQuery) ([]BankTransfer, error) {
	s := f.s
	if _, err := s.dutyAdmin(ctx, admin, DutyMoney); err != nil {
		return nil, err
	}
	q.OfficeID = s.office.ID
	if err := q.Validate(); err != nil {
		return nil, err
	}
	return s.store.ListTransfers(ctx, q)
}

// Match attaches a kept unmatched transfer to the application it pays
// (finance found it from the payer's name, a mistyped reference, a call):
// the application must pay by bank transfer, await payment and have
// exactly the transfer's amount as its quote. The application's payment
// and the transfer's match are one atomic, audited commit. Errors:
// ErrUnauthenticated, ErrForbidden; ErrNotFound (no such transfer or
// application at the office); ErrConflict (the transfer is matched
// already, or changed meanwhile); ErrInvalidInput naming "application_id"
// (the application pays by wallet), "currency" or "amount";
// ErrInvalidTransition (the application does not await payment).
func (f *Finance) Match(ctx context.Context, admin Admin, transferID, applicationID uuid.UUID) (Application, error) {
	s := f.s
	if _, err := s.dutyAdmin(ctx, admin, DutyMoney); err != nil {
		return Application{}, err
	}
	bt, err := s.store.Transfer(ctx, transferID)
	if err == nil && bt.OfficeID != s.office.ID {
		err = wrap(ErrNotFound, "transfer %s", transferID)
	}
	if err != nil {
		return Application{}, err
	}
	if bt.Status != TransferUnmatched {
		return Application{}, wrap(ErrConflict, "transfer %s is %s to application %s", transferID, bt.Status, bt.ApplicationID)
	}
	app, err := s.officeApplication(ctx, applicationID)
	if err != nil {
		return Application{}, err
	}
	if app.Payment.Method != MethodBankTransfer {
		return Application{}, invalid("application_id", "application %s pays by wallet, not by bank transfer", app.ID)
	}
	if app.State != AwaitingPayment {
		return Application{}, wrap(ErrInvalidTransition, "application %s is %s, not awaiting payment", app.ID, app.State)
	}
	if err := matchQuote(app.Quote, bt.Transfer); err != nil {
		return Application{}, err
	}
	return f.pay(ctx, admin, app, bt.Transfer, &TransferMatch{TransferID: bt.ID})
}

// AwaitingTransfer lists the office's applications that pay by bank
// transfer and await it, oldest first, after the keyset position after
// (nil for the first page), at most limit (<= 0 means DefaultLimit): the
// other half of finance's queue. Errors: as Unmatched.
func (f *Finance) AwaitingTransfer(ctx context.Context, admin Admin, after *Cursor, limit int) ([]Application, error) {
	return f.list(ctx, admin, AwaitingPayment, after, limit, func(app Application) bool {
		return app.Payment.Method == MethodBankTransfer
	})
}

// list pages through the office's applications in state after the keyset
// position after and returns the first limit that keep selects.
func (f *Finance) list(ctx context.Context, admin Admin, state ApplicationState, after *Cursor, limit int, keep func(Application) bool) ([]Application, error) {
	s := f.s
	if _, err := s.dutyAdmin(ctx, admin, DutyMoney); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = DefaultLimit
	}
	q := ListQuery{OfficeID: s.office.ID, States: []string{string(state)}, After: after, Limit: 100}
	var out []Application
	for {
		page, err := s.store.ListApplications(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, app := range page {
			if keep(app) {
				out = append(out, app)
				if len(out) == limit {
					return out, nil
				}
			}
		}
		if len(page) < q.Limit {
			return out, nil
		}
		last := page[len(page)-1]
		q.After = &Cursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
}

// OutgoingRefund is the bank transfer finance made to pay a fee back.
type OutgoingRefund struct {
	Serial string    // the outgoing transfer's bank serial number (流水号)
	Date   time.Time // its value date
}

// RefundDue reports whether a paid application's fee, or part of it, is
// due back under the office's refund policy and not yet refunded, and how
// much: a paid application whose preliminary review failed.
func (o Office) RefundDue(app Application) (decimal.Decimal, bool) {
	if app.State != PreliminaryRejected || app.Refund != nil || app.Payment.Status != PaymentSucceeded {
		return decimal.Zero, false
	}
	amount := o.Refund.Amount(app.Quote.Amount)
	return amount, amount.IsPositive()
}

// RecordRefund records that finance paid an application's fee back by
// bank transfer: the application paid by bank transfer, its refund is due
// (Office.RefundDue), and out names the outgoing transfer. Only then is
// the refund done: the application records it (Refund, with the outgoing
// serial as its ID), audited as a refund by finance, and the user is told.
// An outgoing serial is recorded once. Errors: ErrUnauthenticated,
// ErrForbidden; ErrNotFound; ErrInvalidInput naming "serial" or "date",
// or "application_id" (the fee was paid by wallet: its provider refunds
// it); ErrInvalidTransition (no refund is due, or the fee's invoice is
// issued and waits for its reversing 红字 invoice: RefundBlockedByInvoice);
// ErrConflict (the serial was recorded for another refund,
// or the application changed meanwhile).
func (f *Finance) RecordRefund(ctx context.Context, admin Admin, applicationID uuid.UUID, out OutgoingRefund) (Application, error) {
	s := f.s
	if _, err := s.dutyAdmin(ctx, admin, DutyMoney); err != nil {
		return Application{}, err
	}
	serial, err := NormalizeSerial("serial", out.Serial)
	if err != nil {
		return Application{}, err
	}
	now := s.now()
	switch {
	case out.Date.IsZero():
		return Application{}, invalid("date", "the refund transfer's value date is required")
	case out.Date.After(now):
		return Application{}, invalid("date", "%s is in the future", out.Date.Format(time.DateOnly))
	}
	app, err := s.officeApplication(ctx, applicationID)
	if err != nil {
		return Application{}, err
	}
	if app.Payment.Method != MethodBankTransfer {
		return Application{}, invalid("application_id", "application %s was paid by wallet; its provider refunds it", app.ID)
	}
	amount, due := s.office.RefundDue(app)
	if !due {
		return Application{}, wrap(ErrInvalidTransition, "application %s: no refund is due", app.ID)
	}
	if err := RefundBlockedByInvoice(app); err != nil { // the invoice is reversed (红字) first
		return Application{}, err
	}
	rec := Refund{ID: serial, Amount: amount, Currency: app.Quote.Currency, Reason: app.Reason,
		At: out.Date.UTC().Truncate(time.Microsecond)}
	done, err := s.fireApplication(ctx, app, AppRefund, transition[Application]{actor: admin, reason: app.Reason,
		dedup: "bank-refund:" + serial, apply: func(n *Application) { n.Refund = &rec }})
	if errors.Is(err, ErrDuplicate) {
		return Application{}, wrap(ErrConflict, "serial %s: a refund with this bank serial number was recorded already", serial)
	}
	return done, err
}

// RefundsDue lists the office's applications paid by bank transfer whose
// refund is due and waits for finance to transfer it back and record it
// (RecordRefund), oldest first, after the keyset position after (nil for
// the first page), at most limit (<= 0 means DefaultLimit). Errors: as
// Unmatched.
func (f *Finance) RefundsDue(ctx context.Context, admin Admin, after *Cursor, limit int) ([]Application, error) {
	return f.list(ctx, admin, PreliminaryRejected, after, limit, func(app Application) bool {
		_, due := f.s.office.RefundDue(app)
		return due && app.Payment.Method == MethodBankTransfer
	})
}

// officeApplication reads the application with id, which must be this
// office's: another office's is ErrNotFound, as a missing one is.
func (s *Service) officeApplication(ctx context.Context, id uuid.UUID) (Application, error) {
	app, err := s.store.Application(ctx, id)
	if err == nil && app.OfficeID != s.office.ID {
		err = wrap(ErrNotFound, "application %s", id)
	}
	return app, err
}
