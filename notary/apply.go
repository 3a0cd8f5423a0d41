package notary

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/payment"
)

// ApplyRequest is a user's application for a notarial certificate.
type ApplyRequest struct {
	// Evidence lists the host's evidence records to notarize (at least one).
	Evidence []Evidence
	// IdempotencyKey, when set, makes Apply safe to retry: the same key from
	// the same user returns the application (and payment) created first.
	IdempotencyKey string
	// Method is how the user pays: MethodWallet (the zero value) or
	// MethodBankTransfer, when the office offers it (Config.BankTransfer).
	// A bank transfer's application shows the office's account and the
	// reference for the note in Payment.Transfer, and waits
	// Office.TransferDays for the transfer.
	Method PaymentMethod
}

// Apply quotes the fee for the selected evidence, creates the payment and
// stores the application in AwaitingPayment with its evidence reserved.
// Errors: ErrInvalidInput, ErrForbidden, ErrFilingRequired (prompt the user
// to file), ErrEvidenceReserved, ErrConflict (the idempotency key was used
// for other evidence, or the provider's payment is not the quote's), or the
// payment gateway's error. Submit does the same and also says whether the
// answer is a replay.
func (a *Applications) Apply(ctx context.Context, user User, req ApplyRequest) (Application, error) {
	res, err := a.Submit(ctx, user, req)
	return res.Application, err
}

// ApplyResult is what Submit answers: the application, and whether it was
// created by an earlier request with the same idempotency key (a retry, a
// double click, or a racing request that won) rather than by this one.
type ApplyResult struct {
	Application
	// Replayed is true when the application existed already: a host
	// answers 200 instead of 201.
	Replayed bool
}

// Submit is Apply, answering also whether the application is a replay of
// one created first with the same idempotency key. Errors: as Apply.
func (a *Applications) Submit(ctx context.Context, user User, req ApplyRequest) (ApplyResult, error) {
	s := a.s
	evidence, key, err := s.checkApply(user, req)
	if err == nil {
		err = s.checkMethod(req.Method)
	}
	if err != nil {
		return ApplyResult{}, err
	}
	if prev, ok, err := a.replayed(ctx, user, key, evidence); ok || err != nil {
		return ApplyResult{prev, ok && err == nil}, err
	}
	filing, err := s.filingInForce(ctx, user)
	if err != nil {
		return ApplyResult{}, err
	}
	quote, err := s.office.Pricing.Quote(len(evidence))
	if err != nil {
		return ApplyResult{}, invalid("evidence", "%v", err)
	}
	if held, err := s.store.Reservations(ctx, evidenceIDs(evidence)); err != nil {
		return ApplyResult{}, err
	} else if len(held) > 0 {
		return a.replayOr(ctx, user, key, evidence, reservedError(held))
	}

	now := s.now()
	app := Application{
		ID: s.ids.NewID(), OfficeID: s.office.ID, Owner: user, State: ApplicationNew,
		FilingID: filing.ID, FilingRevision: filing.ApprovedRevision, Evidence: evidence,
		Quote: quote, IdempotencyKey: key, CreatedAt: now, ExpiresAt: now.Add(s.office.paymentTTL(req.Method)),
		Payment: PaymentRef{Method: req.Method},
	}
	if err := s.createPayment(ctx, &app); err != nil {
		return ApplyResult{}, err
	}
	trigger := AppApply
	if req.Method == MethodBankTransfer {
		trigger = AppApplyByTransfer
	}
	out, err := s.fireApplication(ctx, app, trigger, transition[Application]{actor: user})
	if errors.Is(err, ErrDuplicate) || errors.Is(err, ErrConflict) || errors.Is(err, ErrEvidenceReserved) {
		return a.replayOr(ctx, user, key, evidence, err)
	}
	return ApplyResult{Application: out}, err
}

// checkApply validates an application request: the user who stores it,
// the evidence (at most the pricing's MaxRecords) and the idempotency key,
// returned normalized.
func (s *Service) checkApply(user User, req ApplyRequest) ([]Evidence, string, error) {
	if err := checkUser(user); err != nil {
		return nil, "", err
	}
	max := s.office.Pricing.MaxRecords
	if max <= 0 {
		max = payment.DefaultMaxRecords
	}
	evidence, err := normalizeEvidence(req.Evidence, max)
	if err != nil {
		return nil, "", err
	}
	key := strings.TrimSpace(req.IdempotencyKey)
	if err := CheckText(key, 0, 128); err != nil {
		return nil, "", invalid("idempotency_key", "%v", err)
	}
	return evidence, key, nil
}

// checkMethod refuses a payment method the office does not offer, naming
// "method".
func (s *Service) checkMethod(m PaymentMethod) error {
	switch {
	case !m.Valid():
		return invalid("method", "must be %q or %q", MethodWallet, MethodBankTransfer)
	case m == MethodBankTransfer && s.transfers == nil:
		return invalid("method", "the office takes no bank transfers")
	}
	return nil
}

// replayed answers a retried Apply: when the user already applied with
// key, it returns that application (ok) or ErrConflict if the retry
// names other evidence.
func (a *Applications) replayed(ctx context.Context, user User, key string, evidence []Evidence) (Application, bool, error) {
	if key == "" {
		return Application{}, false, nil
	}
	prev, err := a.s.store.ApplicationByKey(ctx, a.s.office.ID, user.ID, key)
	if errors.Is(err, ErrNotFound) {
		return Application{}, false, nil
	} else if err != nil {
		return Application{}, false, err
	}
	out, err := replay(prev, evidence)
	return out, true, err
}

// filingInForce returns the user's filing whose approved revision is in
// force, or ErrFilingRequired.
func (s *Service) filingInForce(ctx context.Context, user User) (Filing, error) {
	filing, err := s.store.FilingByOwner(ctx, s.office.ID, user.ID)
	if errors.Is(err, ErrNotFound) || (err == nil && !filing.InForce()) {
		return Filing{}, wrap(ErrFilingRequired, "user %s has no approved filing", user.ID)
	}
	return filing, err
}

func evidenceIDs(evidence []Evidence) []string {
	ids := make([]string, len(evidence))
	for i, e := range evidence {
		ids[i] = e.ID
	}
	return ids
}

// createPayment creates the payment of a new application with the
// gateway and records it on app. Racing retries with one client
// idempotency key share one payment: when the provider replays a payment
// made for a racing request, that request's application ID is taken, so
// the commit of the loser fails and replays the winner.
func (s *Service) createPayment(ctx context.Context, app *Application) error {
	payKey := app.ID.String()
	if app.IdempotencyKey != "" {
		sum := sha256.Sum256([]byte(s.office.ID.String() + "\x00" + app.Owner.ID + "\x00" + app.IdempotencyKey))
		payKey = hex.EncodeToString(sum[:16])
	}
	method := app.Payment.Method
	req := PaymentRequest{
		IdempotencyKey: payKey, ApplicationID: app.ID, OfficeID: s.office.ID,
		Amount: app.Quote.Amount, Currency: app.Quote.Currency, ExpiresAt: app.ExpiresAt,
		Description: fmt.Sprintf("%s: notarial certificate, %d evidence records", s.office.Name, len(app.Evidence)),
		Method:      method,
	}
	if method == MethodBankTransfer {
		req.Payee, req.Reference = s.office.BankAccount, TransferReference(app.ID)
	}
	pay, err := s.gateway(method).CreatePayment(ctx, req)
	if err != nil {
		return fmt.Errorf("notary: create payment: %w", err)
	}
	if pay.ApplicationID != uuid.Nil && pay.ApplicationID != app.ID {
		app.ID = pay.ApplicationID
	}
	if !app.Quote.Equal(pay.Amount, pay.Currency) {
		// A payment for another amount (a racing request with the same key
		// and other evidence, or a gateway that ignores its key's amount)
		// must never be stored as this quote's: the user would pay what
		// checkout asks and the notice would be refused.
		return wrap(ErrConflict, "the provider's payment %s is for %s %s, the quote is %s %s",
			pay.ID, pay.Amount, pay.Currency, app.Quote.Amount, app.Quote.Currency)
	}
	app.Payment = PaymentRef{Provider: pay.Provider, ID: pay.ID, CheckoutURL: pay.CheckoutURL, Status: PaymentPending, Method: method}
	if method == MethodBankTransfer {
		// The payer writes the reference in the note, and finance finds
		// the application by it: it must be this application's.
		if pay.Transfer == nil || pay.Transfer.Reference != TransferReference(app.ID) {
			return wrap(ErrConflict, "the bank transfer gateway's payment %s does not carry application %s's reference", pay.ID, app.ID)
		}
		tr := *pay.Transfer
		app.Payment.Transfer = &tr
	}
	return nil
}

// replayOr answers a request that lost a race: when a concurrent request
// with the same idempotency key won, its application is the answer (a
// replay); otherwise err stands.
func (a *Applications) replayOr(ctx context.Context, user User, key string, evidence []Evidence, err error) (ApplyResult, error) {
	if key == "" {
		return ApplyResult{}, err
	}
	prev, lerr := a.s.store.ApplicationByKey(ctx, a.s.office.ID, user.ID, key)
	if lerr != nil {
		return ApplyResult{}, err
	}
	app, err := replay(prev, evidence)
	return ApplyResult{app, err == nil}, err
}

// replay answers a retried Apply with the application created first.
func replay(prev Application, evidence []Evidence) (Application, error) {
	a, b := prev.EvidenceIDs(), evidenceIDs(evidence)
	slices.Sort(a)
	slices.Sort(b)
	if !slices.Equal(a, b) {
		return Application{}, wrap(ErrConflict, "idempotency key already used for other evidence")
	}
	return prev, nil
}

func reservedError(held map[string]uuid.UUID) error {
	ids := make([]string, 0, len(held))
	for id := range held {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return wrap(ErrEvidenceReserved, "evidence %s", strings.Join(ids, ", "))
}
