package notary

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/notarykit/notarykit/payment"
)

// Applications is the certificate application unit (公证书申请单元): users
// apply for certificates on their evidence, pay, mail paper materials and
// confirm receipt; payment events and sweeps move applications on.
type Applications struct{ s *Service }

// ApplyRequest is a user's application for a notarial certificate.
type ApplyRequest struct {
	// Evidence lists the host's evidence records to notarize (at least one).
	Evidence []Evidence
	// IdempotencyKey, when set, makes Apply safe to retry: the same key from
	// the same user returns the application (and payment) created first.
	IdempotencyKey string
}

// Apply quotes the fee for the selected evidence, creates the payment and
// stores the application in AwaitingPayment with its evidence reserved.
// Errors: ErrInvalidInput, ErrForbidden, ErrFilingRequired (prompt the user
// to file), ErrEvidenceReserved, ErrConflict (the idempotency key was used
// for other evidence), or the payment gateway's error.
func (a *Applications) Apply(ctx context.Context, user User, req ApplyRequest) (Application, error) {
	s := a.s
	evidence, key, err := s.checkApply(user, req)
	if err != nil {
		return Application{}, err
	}
	if prev, ok, err := a.replayed(ctx, user, key, evidence); ok || err != nil {
		return prev, err
	}
	filing, err := s.filingInForce(ctx, user)
	if err != nil {
		return Application{}, err
	}
	quote, err := s.office.Pricing.Quote(len(evidence))
	if err != nil {
		return Application{}, invalid("evidence", "%v", err)
	}
	if held, err := s.store.Reservations(ctx, evidenceIDs(evidence)); err != nil {
		return Application{}, err
	} else if len(held) > 0 {
		return a.replayOr(ctx, user, key, evidence, reservedError(held))
	}

	now := s.now()
	app := Application{
		ID: s.ids.NewID(), OfficeID: s.office.ID, Owner: user, State: ApplicationNew,
		FilingID: filing.ID, FilingRevision: filing.ApprovedRevision, Evidence: evidence,
		Quote: quote, IdempotencyKey: key, CreatedAt: now, ExpiresAt: now.Add(s.office.PaymentTTL),
	}
	if err := s.createPayment(ctx, &app); err != nil {
		return Application{}, err
	}
	out, err := s.fireApplication(ctx, app, AppApply, transition[Application]{actor: user})
	if errors.Is(err, ErrDuplicate) || errors.Is(err, ErrConflict) || errors.Is(err, ErrEvidenceReserved) {
		return a.replayOr(ctx, user, key, evidence, err)
	}
	return out, err
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
	pay, err := s.payments.CreatePayment(ctx, PaymentRequest{
		IdempotencyKey: payKey, ApplicationID: app.ID, OfficeID: s.office.ID,
		Amount: app.Quote.Amount, Currency: app.Quote.Currency, ExpiresAt: app.ExpiresAt,
		Description: fmt.Sprintf("%s: notarial certificate, %d evidence records", s.office.Name, len(app.Evidence)),
	})
	if err != nil {
		return fmt.Errorf("notary: create payment: %w", err)
	}
	if pay.ApplicationID != uuid.Nil && pay.ApplicationID != app.ID {
		app.ID = pay.ApplicationID
	}
	app.Payment = PaymentRef{Provider: pay.Provider, ID: pay.ID, CheckoutURL: pay.CheckoutURL, Status: PaymentPending}
	return nil
}

// replayOr answers a request that lost a race: when a concurrent request
// with the same idempotency key won, its application is the answer;
// otherwise err stands.
func (a *Applications) replayOr(ctx context.Context, user User, key string, evidence []Evidence, err error) (Application, error) {
	if key == "" {
		return Application{}, err
	}
	prev, lerr := a.s.store.ApplicationByKey(ctx, a.s.office.ID, user.ID, key)
	if lerr != nil {
		return Application{}, err
	}
	return replay(prev, evidence)
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

// Get returns an application to its owner or to an admin of the office.
// Errors: ErrNotFound, ErrForbidden, ErrUnauthenticated.
func (a *Applications) Get(ctx context.Context, actor Principal, id uuid.UUID) (Application, error) {
	app, _, err := a.inspect(ctx, actor, id)
	return app, err
}

// Inspect returns an application with the actions actor may take on it
// now: Get and Actions with one read and one authorization, as a page that
// shows a record and its buttons needs. Errors: as Get.
func (a *Applications) Inspect(ctx context.Context, actor Principal, id uuid.UUID) (Application, []ApplicationTrigger, error) {
	app, p, err := a.inspect(ctx, actor, id)
	if err != nil {
		return Application{}, nil, err
	}
	return app, ApplicationLifecycle.Permitted(ctx, app.State, p), nil
}

// inspect reads an application for actor and authorizes the read.
func (a *Applications) inspect(ctx context.Context, actor Principal, id uuid.UUID) (Application, Party, error) {
	app, actor, err := load(ctx, a.s, actor, id, a.s.store.Application, ReviewReader.ApplicationForReview)
	if err != nil {
		return Application{}, "", err
	}
	p, _, err := a.s.party(ctx, actor, app.OfficeID, app.Owner.ID)
	if err != nil {
		return Application{}, "", err
	}
	return app, p, nil
}

// Mine lists the user's applications at the office, oldest first.
func (a *Applications) Mine(ctx context.Context, user User, after *Cursor, limit int) ([]Application, error) {
	if err := checkUserID(user); err != nil {
		return nil, err
	}
	return a.s.store.ListApplications(ctx, ListQuery{OfficeID: a.s.office.ID, OwnerID: user.ID, After: after, Limit: limit})
}

// Actions lists what actor may do with the application now. Errors: as
// Get.
func (a *Applications) Actions(ctx context.Context, actor Principal, id uuid.UUID) ([]ApplicationTrigger, error) {
	_, actions, err := a.Inspect(ctx, actor, id)
	return actions, err
}

// Cancel withdraws an unpaid application and releases its evidence.
// Errors: ErrNotFound, ErrForbidden, ErrConflict, ErrInvalidTransition.
func (a *Applications) Cancel(ctx context.Context, user User, id uuid.UUID) (Application, error) {
	app, err := a.s.store.Application(ctx, id)
	if err != nil {
		return Application{}, err
	}
	return a.s.fireApplication(ctx, app, AppCancel, transition[Application]{actor: user, reason: "cancelled by the user",
		apply: func(n *Application) { n.Reason = "cancelled by the user" }})
}

// SubmitMaterials registers the courier consignment of the paper materials
// the user mailed to the office, after the preliminary review passed or the
// materials were rejected. Errors: as Cancel, plus ErrInvalidInput for the
// carrier or tracking number.
func (a *Applications) SubmitMaterials(ctx context.Context, user User, id uuid.UUID, carrier, trackingNumber string) (Application, error) {
	sh, err := a.s.normalizeShipment(carrier, trackingNumber)
	if err != nil {
		return Application{}, err
	}
	app, err := a.s.store.Application(ctx, id)
	if err != nil {
		return Application{}, err
	}
	return a.s.fireApplication(ctx, app, AppSubmitMaterials, transition[Application]{actor: user, apply: func(n *Application) {
		sh.At = n.UpdatedAt
		n.Materials = &sh
		n.MaterialsAttempts++
		n.Reason = ""
	}})
}

// ConfirmReceipt records that the user received the paper certificate; the
// application is completed. Errors: as Cancel.
func (a *Applications) ConfirmReceipt(ctx context.Context, user User, id uuid.UUID) (Application, error) {
	app, err := a.s.store.Application(ctx, id)
	if err != nil {
		return Application{}, err
	}
	return a.s.fireApplication(ctx, app, AppConfirmReceipt, transition[Application]{actor: user})
}

// HandlePaymentEvent applies a verified provider event. It is idempotent:
// an event ID is applied at most once, a success moves an unpaid
// application to preliminary review exactly once, and a failure after a
// success is ignored. The amount and currency must equal the quote and the
// payment must be the application's. Errors: ErrNotFound (unknown
// application), ErrInvalidInput (amount, currency or payment mismatch).
func (a *Applications) HandlePaymentEvent(ctx context.Context, ev PaymentEvent) (Application, error) {
	// A copy of the event, or another change, may win the race for the
	// record; the event is then judged again against what won.
	for attempt := 1; ; attempt++ {
		out, err := a.handlePaymentEvent(ctx, ev)
		if !errors.Is(err, ErrConflict) || attempt == 3 {
			return out, err
		}
	}
}

func (a *Applications) handlePaymentEvent(ctx context.Context, ev PaymentEvent) (Application, error) {
	s := a.s
	app, err := s.store.Application(ctx, ev.ApplicationID)
	if err != nil {
		return Application{}, err
	}
	if app.OfficeID != s.office.ID {
		return Application{}, wrap(ErrNotFound, "application %s", ev.ApplicationID)
	}
	if ev.PaymentID != app.Payment.ID {
		return Application{}, invalid("payment_id", "payment %q does not belong to application %s", ev.PaymentID, app.ID)
	}
	sys := system{"payment"}
	switch ev.Status {
	case PaymentSucceeded:
		if !app.Quote.Equal(ev.Amount, ev.Currency) {
			return Application{}, invalid("amount", "paid %s %s, quoted %s %s", ev.Amount, ev.Currency, app.Quote.Amount, app.Quote.Currency)
		}
		if app.State == Cancelled && app.Refund == nil {
			// Paid after the application was cancelled: the money goes back.
			return a.refundLate(ctx, app, ev)
		}
		if app.State != AwaitingPayment {
			return app, nil // duplicate or late: already applied
		}
		paidAt := ev.At.UTC().Truncate(time.Microsecond)
		out, err := s.fireApplication(ctx, app, AppPaymentSucceeded, transition[Application]{actor: sys, dedup: dedupKey(ev),
			apply: func(n *Application) {
				n.Payment.Status = PaymentSucceeded
				n.Payment.PaidAt = paidAt
			}})
		return ignoreDuplicate(ctx, s, app.ID, out, err)
	case PaymentFailed, PaymentCancelled, PaymentExpired:
		if app.State != AwaitingPayment {
			return app, nil // a failure after a success, or a repeat: ignored
		}
		reason := "payment " + string(ev.Status)
		out, err := s.fireApplication(ctx, app, AppPaymentFailed, transition[Application]{actor: sys, reason: reason, dedup: dedupKey(ev),
			apply: func(n *Application) {
				n.Payment.Status = ev.Status
				n.Reason = reason
			}})
		return ignoreDuplicate(ctx, s, app.ID, out, err)
	}
	return Application{}, invalid("status", "unknown payment status %q", ev.Status)
}

// HandlePaymentNotification verifies a raw provider notification with the
// PaymentGateway and applies its event with HandlePaymentEvent. It returns
// nil only after the change (if any) committed, so a host answers the
// provider 2xx only then. Errors: ErrForbidden (forged, stale or replayed),
// ErrInvalidInput, ErrNotFound, or a store error (retry).
func (a *Applications) HandlePaymentNotification(ctx context.Context, header http.Header, body []byte) (Application, error) {
	ev, err := a.s.payments.VerifyNotification(ctx, header, body)
	if err != nil {
		return Application{}, err
	}
	return a.HandlePaymentEvent(ctx, ev)
}

func dedupKey(ev PaymentEvent) string {
	if ev.ID == "" {
		return ""
	}
	return "payment-event:" + ev.Provider + ":" + ev.ID
}

// ignoreDuplicate turns a replayed provider event into a no-op.
func ignoreDuplicate(ctx context.Context, s *Service, id uuid.UUID, out Application, err error) (Application, error) {
	if errors.Is(err, ErrDuplicate) {
		return s.store.Application(ctx, id)
	}
	return out, err
}

// refund returns money on a rejected application per the office's refund
// policy and tells the user. When the provider fails, the rejection stands
// and Sweep retries the refund later.
func (a *Applications) refund(ctx context.Context, app Application, reason string) (Application, error) {
	s := a.s
	if app.Refund != nil || app.Payment.Status != PaymentSucceeded {
		return app, nil
	}
	amount := s.office.Refund.Amount(app.Quote.Amount)
	if !amount.IsPositive() {
		return app, nil
	}
	out, err := a.issueRefund(ctx, app, amount, reason, func(*Application) {})
	if err != nil {
		s.log.WarnContext(ctx, "notary: refund failed; the sweep retries it", "application", app.ID, "err", err)
		return app, nil
	}
	return out, nil
}

// refundLate refunds in full a payment that succeeded after its application
// was cancelled. An error leaves the notice unacknowledged, so the provider
// delivers it again and the refund is retried.
func (a *Applications) refundLate(ctx context.Context, app Application, ev PaymentEvent) (Application, error) {
	paidAt := ev.At.UTC().Truncate(time.Microsecond)
	return a.issueRefund(ctx, app, app.Quote.Amount, "payment arrived after the application was cancelled", func(n *Application) {
		n.Payment.Status = PaymentSucceeded
		n.Payment.PaidAt = paidAt
	})
}

// issueRefund asks the provider for a refund (idempotent per application)
// and records it with a notice to the user.
func (a *Applications) issueRefund(ctx context.Context, app Application, amount decimal.Decimal, reason string, apply func(*Application)) (Application, error) {
	s := a.s
	r, err := s.payments.Refund(ctx, RefundRequest{
		IdempotencyKey: "refund-" + app.ID.String(), PaymentID: app.Payment.ID,
		Amount: amount, Currency: app.Quote.Currency, Reason: reason,
	})
	if err != nil {
		return app, fmt.Errorf("notary: refund: %w", err)
	}
	rec := Refund{ID: r.ID, Amount: amount, Currency: app.Quote.Currency, Reason: reason, At: s.now()}
	return s.fireApplication(ctx, app, AppRefund, transition[Application]{actor: system{"refund"}, reason: reason,
		apply: func(n *Application) {
			apply(n)
			n.Refund = &rec
		}})
}

// DefaultRefundRetryWindow is the Office.RefundRetryWindow used when it is
// zero.
const DefaultRefundRetryWindow = 7 * 24 * time.Hour

// SweepResult counts what one Sweep did.
type SweepResult struct {
	Expired       int // unpaid applications cancelled
	Reconciled    int // payments found paid although no notice came
	AutoConfirmed int // shipped certificates confirmed automatically
	Refunded      int // refunds that had failed before and now went through
}

// Sweep runs the background duties once: it cancels applications unpaid
// past the payment deadline (after asking the provider, so a payment whose
// notice was lost is marked paid instead), confirms receipt of certificates
// whose Office.AutoConfirmAt has passed, and retries refunds that
// failed for applications rejected within Office.RefundRetryWindow (older
// ones are left to an operator). Concurrent sweeps in several processes are safe: each change is
// version-checked, so every item is handled once.
func (a *Applications) Sweep(ctx context.Context) (SweepResult, error) {
	s := a.s
	var res SweepResult
	now := s.now()
	err := s.each(ctx, ListQuery{States: []string{string(AwaitingPayment)}, CreatedBefore: now.Add(-s.office.PaymentTTL)}, func(app Application) error {
		if app.ExpiresAt.After(now) {
			return nil
		}
		pay, err := s.payments.QueryPayment(ctx, app.Payment.ID)
		if err == nil && pay.Status == PaymentSucceeded {
			_, err = a.HandlePaymentEvent(ctx, PaymentEvent{Provider: pay.Provider, PaymentID: pay.ID, ApplicationID: app.ID,
				Status: PaymentSucceeded, Amount: pay.Amount, Currency: pay.Currency, At: pay.PaidAt})
			if err == nil {
				res.Reconciled++
			}
			return err
		}
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err // provider unreachable: never expire on a guess
		}
		_, err = s.fireApplication(ctx, app, AppExpire, transition[Application]{actor: system{"expiry"}, reason: "payment deadline passed",
			apply: func(n *Application) {
				n.Payment.Status = PaymentExpired
				n.Reason = "payment deadline passed"
			}})
		if err == nil {
			res.Expired++
		}
		return err
	})
	if err != nil {
		return res, err
	}
	if s.office.AutoConfirmAfter > 0 {
		// The countdown starts at shipping or at delivery (Office.AutoConfirmAt);
		// the tracker's updates move UpdatedAt, so the due date decides.
		err = s.each(ctx, ListQuery{States: []string{string(CertificateShipped)}}, func(app Application) error {
			if due, ok := s.office.AutoConfirmAt(app); !ok || due.After(now) {
				return nil
			}
			_, err := s.fireApplication(ctx, app, AppAutoConfirm, transition[Application]{actor: system{"auto-confirm"}})
			if err == nil {
				res.AutoConfirmed++
			}
			return err
		})
		if err != nil {
			return res, err
		}
	}
	window := s.office.RefundRetryWindow
	if window <= 0 {
		window = DefaultRefundRetryWindow
	}
	err = s.each(ctx, ListQuery{States: []string{string(PreliminaryRejected)}, UpdatedAfter: now.Add(-window)}, func(app Application) error {
		if app.Refund != nil || app.Payment.Status != PaymentSucceeded || !s.office.Refund.Amount(app.Quote.Amount).IsPositive() {
			return nil
		}
		out, err := a.refund(ctx, app, app.Reason)
		if err == nil && out.Refund != nil {
			res.Refunded++
		}
		return err
	})
	return res, err
}

// each pages through the office's applications matching q and calls fn on
// each; items another process changed meanwhile (ErrConflict,
// ErrInvalidTransition) are skipped.
func (s *Service) each(ctx context.Context, q ListQuery, fn func(Application) error) error {
	q.OfficeID = s.office.ID
	q.Limit = 100
	for {
		page, err := s.store.ListApplications(ctx, q)
		if err != nil {
			return err
		}
		for _, app := range page {
			if err := fn(app); err != nil && !errors.Is(err, ErrConflict) && !errors.Is(err, ErrInvalidTransition) {
				return err
			}
		}
		if len(page) < q.Limit {
			return nil
		}
		last := page[len(page)-1]
		q.After = &Cursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
}

// fireApplication runs one application transition as one atomic commit:
// authorize, check the version the caller saw, fire the lifecycle, apply
// the change, audit it, enqueue its notices and reserve or release its
// evidence.
func (s *Service) fireApplication(ctx context.Context, app Application, trigger ApplicationTrigger, t transition[Application]) (Application, error) {
	party, who, err := s.party(ctx, t.actor, app.OfficeID, app.Owner.ID)
	if err != nil {
		return Application{}, err
	}
	if err := t.check("application", app.ID, app.Version); err != nil {
		return Application{}, err
	}
	to, err := ApplicationLifecycle.Fire(ctx, app.State, trigger, party)
	if err != nil {
		return Application{}, err
	}
	now := s.now()
	next := app
	next.State = to
	next.Version = app.Version + 1
	next.UpdatedAt = now
	if t.apply != nil {
		t.apply(&next)
	}
	ev := s.event(step{kind: KindApplication, recordID: app.ID, version: app.Version, head: app.AuditHead,
		from: string(app.State), to: string(to), trigger: string(trigger), actor: who, reason: t.reason, at: now})
	next.AuditHead = ev.Hash

	c := Change{Application: &next, ExpectedVersion: app.Version, Events: []Event{ev}, DedupKey: t.dedup}
	if app.State.Active() != to.Active() {
		if to.Active() {
			c.Reserve = next.EvidenceIDs()
		} else {
			c.Release = next.EvidenceIDs()
		}
	}
	c.Notices = s.tell(string(trigger), noticeSource{app: &next}, now)
	if err := s.store.Commit(ctx, c); err != nil {
		return Application{}, err
	}
	return next, nil
}
