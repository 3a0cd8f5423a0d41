package notary

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// DefaultRefundRetryWindow is the Office.RefundRetryWindow used when it is
// zero.
const DefaultRefundRetryWindow = 7 * 24 * time.Hour

// The background duties of Sweep, as named in SweepResult.Failed,
// DutyRetry.Duty and metrics.
const (
	SweepExpire      = "expire"       // cancel applications unpaid past their deadline
	SweepAutoConfirm = "auto_confirm" // confirm receipt of certificates due for it
	SweepCloseOrder  = "close_order"  // close orders the provider refused to close before
	SweepRefund      = "refund"       // refund rejected applications whose refund failed
)

// Sweep's per-record backoff: a record whose duty failed is not tried
// again before sweepBackoffBase·2^(attempts-1), capped at sweepBackoffMax.
const (
	sweepBackoffBase = time.Minute
	sweepBackoffMax  = 6 * time.Hour
	// maxSweepErrors is how many errors a SweepResult carries.
	maxSweepErrors = 10
	// maxRetryError bounds the error text kept on a record.
	maxRetryError = 500
)

// SweepResult counts what one Sweep did.
type SweepResult struct {
	Expired       int // unpaid applications cancelled
	Reconciled    int // payments found paid although no notice came
	AutoConfirmed int // shipped certificates confirmed automatically
	Refunded      int // refunds that had failed before and now went through
	Closed        int // orders of cancelled applications closed at last
	// AwaitingFinance counts refunds due on bank transfers, which no
	// provider makes: they wait for finance to pay them back and record it
	// (Finance.RefundsDue, Finance.RecordRefund).
	AwaitingFinance int

	// Failed counts, per duty (SweepExpire, …), the records on which the
	// duty failed this time (nil when none did); every other record was
	// still handled.
	Failed map[string]int
	// BackingOff counts records not tried this time because their duty
	// failed recently (see Application.Retry); Stuck counts those whose
	// failure is permanent and waits for an operator.
	BackingOff, Stuck int
	// Errors holds the first failures, with the record each was about.
	Errors []SweepError
}

// SweepError is one failure of a sweep duty.
type SweepError struct {
	Duty        string
	Application uuid.UUID // uuid.Nil when the failure was not about one record (a listing failed)
	Err         error
}

// Error names the duty, the application and the failure.
func (e SweepError) Error() string {
	return fmt.Sprintf("sweep %s of application %s: %v", e.Duty, e.Application, e.Err)
}

// Stuck returns up to limit of the office's applications on which a
// background duty keeps failing (Application.Retry set), oldest first:
// those whose failure is permanent wait for an operator; the others show
// a refund or close still pending, with its attempts and last error. A
// limit that is not positive means 50. Errors: ErrUnauthenticated,
// ErrForbidden, or the store's.
func (a *Applications) Stuck(ctx context.Context, admin Admin, limit int) ([]Application, error) {
	s := a.s
	if err := s.checkAdmin(ctx, admin); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 50
	}
	var out []Application
	q := ListQuery{States: []string{string(AwaitingPayment), string(CertificateShipped), string(Cancelled), string(PreliminaryRejected)}}
	err := s.each(ctx, q, func(app Application) error {
		if app.Retry != nil && len(out) < limit {
			out = append(out, app)
		}
		return nil
	})
	return out, err
}

// sweepDuty is one background duty of Sweep: which applications it looks
// at, and what it does to one. A duty returns nil when it had nothing to
// do or did it (it counts what it did in res), ErrConflict or
// ErrInvalidTransition when another change got there first, and any other
// error when it failed on the record; Sweep isolates, logs, counts and
// backs off such failures per record. Adding a duty is adding a row.
type sweepDuty struct {
	name string
	// query selects the candidates at now; false turns the duty off.
	query func(s *Service, now time.Time) (ListQuery, bool)
	run   func(a *Applications, ctx context.Context, app Application, now time.Time, res *SweepResult) error
}

// sweepDuties are run in this order, each over all its candidates.
var sweepDuties = []sweepDuty{
	{SweepExpire, func(s *Service, now time.Time) (ListQuery, bool) {
		// Each application's deadline (ExpiresAt) decides; the shorter
		// of the wallet's and the bank transfer's bounds the candidates.
		ttl := s.office.PaymentTTL
		if s.transfers != nil {
			ttl = min(ttl, s.office.TransferTTL())
		}
		return ListQuery{States: []string{string(AwaitingPayment)}, CreatedBefore: now.Add(-ttl)}, true
	}, (*Applications).sweepExpire},
	{SweepAutoConfirm, func(s *Service, _ time.Time) (ListQuery, bool) {
		// The countdown starts at shipping or at delivery
		// (Office.AutoConfirmAt); the tracker's updates move UpdatedAt,
		// so the due date decides.
		return ListQuery{States: []string{string(CertificateShipped)}}, s.office.AutoConfirmAfter > 0
	}, (*Applications).sweepAutoConfirm},
	{SweepCloseOrder, func(s *Service, now time.Time) (ListQuery, bool) {
		return ListQuery{States: []string{string(Cancelled)}, UpdatedAfter: now.Add(-s.refundWindow())}, true
	}, (*Applications).sweepCloseOrder},
	{SweepRefund, func(s *Service, now time.Time) (ListQuery, bool) {
		return ListQuery{States: []string{string(PreliminaryRejected)}, UpdatedAfter: now.Add(-s.refundWindow())}, true
	}, (*Applications).sweepRefund},
}

func (s *Service) refundWindow() time.Duration {
	if w := s.office.RefundRetryWindow; w > 0 {
		return w
	}
	return DefaultRefundRetryWindow
}

// Sweep runs the background duties once: it cancels applications unpaid
// past the payment deadline (after closing their order at the provider, so
// a payment whose notice was lost is marked paid instead, and nobody pays
// an expired application), confirms receipt of certificates whose
// Office.AutoConfirmAt has passed, retries closing the orders of
// applications cancelled within Office.RefundRetryWindow whose close the
// provider refused (a payment found meanwhile is refunded), and retries
// refunds that failed for applications rejected within that window (older
// ones are left to an operator).
//
// A failure on one record never stops the others: it is logged, counted in
// SweepResult.Failed (the first few in Errors, with the record's ID) and
// stored on the record as Application.Retry, audited as a sweep_failed
// event; the record is then left alone for a growing while (one minute,
// doubling, at most six hours). A failure that cannot pass by itself (the
// provider does not know the payment, a payment's amount disagrees) stops
// the retries: the record is listed by Stuck for an operator. Sweep returns
// an error only when listing candidates failed or ctx ended; the result
// then still counts what was done. Concurrent sweeps in several processes
// are safe: each change is version-checked, so every item is handled once.
func (a *Applications) Sweep(ctx context.Context) (SweepResult, error) {
	s := a.s
	var res SweepResult
	now := s.now()
	var errs []error
	for _, d := range sweepDuties {
		q, on := d.query(s, now)
		if !on {
			continue
		}
		err := s.each(ctx, q, func(app Application) error {
			if r := app.Retry; r != nil && r.Duty == d.name {
				if r.Permanent {
					res.Stuck++
					return nil
				}
				if r.NextAt.After(now) {
					res.BackingOff++
					s.obs.Sweep(ctx, SweepObservation{Duty: d.name, Outcome: OutcomeSkipped})
					return nil
				}
			}
			err := d.run(a, ctx, app, now, &res)
			switch {
			case err == nil:
				return nil
			case errors.Is(err, ErrConflict), errors.Is(err, ErrInvalidTransition):
				return nil // another change got there first
			case ctx.Err() != nil:
				return ctx.Err()
			}
			a.dutyFailed(ctx, app, d.name, err, now, &res)
			return nil
		})
		if err != nil {
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			res.fail(SweepError{Duty: d.name, Err: err})
			s.log.ErrorContext(ctx, "notary: sweep could not list its candidates", "duty", d.name, "err", err)
			errs = append(errs, fmt.Errorf("notary: sweep %s: %w", d.name, err))
		}
	}
	return res, errors.Join(errs...)
}

// fail counts a failure of e's duty and keeps e among the first errors.
func (r *SweepResult) fail(e SweepError) {
	if r.Failed == nil {
		r.Failed = map[string]int{}
	}
	r.Failed[e.Duty]++
	if len(r.Errors) < maxSweepErrors {
		r.Errors = append(r.Errors, e)
	}
}

// permanentDutyError reports whether a duty's failure cannot pass by
// itself: the provider does not know the payment (ErrNotFound), refuses
// for good (ErrPermanent), or its answer is refused (ErrInvalidInput: an
// amount or currency that differs from the quote).
func permanentDutyError(err error) bool {
	return errors.Is(err, ErrNotFound) || errors.Is(err, ErrPermanent) || errors.Is(err, ErrInvalidInput)
}

// dutyFailed counts, logs and reports duty's failure on app, and stores it
// on the record (Application.Retry, with its next try) with an audit event.
func (a *Applications) dutyFailed(ctx context.Context, app Application, duty string, err error, now time.Time, res *SweepResult) {
	s := a.s
	permanent := permanentDutyError(err)
	res.fail(SweepError{Duty: duty, Application: app.ID, Err: err})
	s.obs.Sweep(ctx, SweepObservation{Duty: duty, Outcome: OutcomeFailed, Err: err})
	r := DutyRetry{Duty: duty, Since: now}
	if app.Retry != nil && app.Retry.Duty == duty {
		r = *app.Retry
	}
	r.Attempts++
	r.LastError = err.Error()
	if len(r.LastError) > maxRetryError {
		r.LastError = r.LastError[:maxRetryError]
	}
	r.Permanent = permanent
	wait := sweepBackoffBase
	for i := 1; i < r.Attempts && wait < sweepBackoffMax; i++ {
		wait *= 2
	}
	r.NextAt = now.Add(min(wait, sweepBackoffMax))
	level := "notary: sweep duty failed; retried later"
	if permanent {
		level = "notary: sweep duty failed for good; an operator must act"
	}
	s.log.ErrorContext(ctx, level, "duty", duty, "application", app.ID, "attempts", r.Attempts,
		"next_at", r.NextAt, "permanent", permanent, "err", err)
	if serr := a.storeRetry(ctx, app, r, now); serr != nil {
		s.log.WarnContext(ctx, "notary: could not record the sweep failure on the application", "application", app.ID, "err", serr)
	}
}

// storeRetry stores r on the application (a new version, its state and
// UpdatedAt unchanged, so no window or countdown moves) with an audit event
// of the system saying what failed. It is bookkeeping, not a lifecycle
// transition: no notice is sent.
func (a *Applications) storeRetry(ctx context.Context, app Application, r DutyRetry, now time.Time) error {
	s := a.s
	if cur, err := s.store.Application(ctx, app.ID); err == nil {
		app = cur // the record as stored, in case the duty changed it meanwhile
	}
	next := app
	next.Version = app.Version + 1
	next.Retry = &r
	reason := fmt.Sprintf("%s failed (attempt %d): %s", r.Duty, r.Attempts, r.LastError)
	if len(reason) > maxRetryError {
		reason = reason[:maxRetryError]
	}
	ev := s.event(step{kind: KindApplication, recordID: app.ID, version: app.Version, head: app.AuditHead,
		from: string(app.State), to: string(app.State), trigger: "sweep_failed", actor: systemActor("sweep"),
		reason: reason, at: now})
	next.AuditHead = ev.Hash
	return s.commit(ctx, Change{Application: &next, ExpectedVersion: app.Version, Events: []Event{ev}},
		KindApplication, "sweep_failed", string(app.State), string(app.State))
}

func (a *Applications) sweepExpire(ctx context.Context, app Application, now time.Time, res *SweepResult) error {
	if app.ExpiresAt.After(now) {
		return nil
	}
	// Close the order first: a payment that came in (its notice lost) is
	// the success it is; otherwise nobody can pay it any more.
	_, err := a.leave(ctx, app, AppExpire, system{"expiry"}, ReasonPaymentDeadlinePassed)
	switch {
	case err == nil:
		res.Expired++
		a.s.obs.Sweep(ctx, SweepObservation{Duty: SweepExpire, Outcome: OutcomeOK})
	case errors.Is(err, ErrInvalidTransition):
		if cur, rerr := a.s.store.Application(ctx, app.ID); rerr == nil && cur.Payment.Status == PaymentSucceeded {
			res.Reconciled++
			a.s.obs.Sweep(ctx, SweepObservation{Duty: SweepExpire, Outcome: OutcomeOK})
		}
	}
	return err
}

func (a *Applications) sweepAutoConfirm(ctx context.Context, app Application, now time.Time, res *SweepResult) error {
	if due, ok := a.s.office.AutoConfirmAt(app); !ok || due.After(now) {
		return nil
	}
	_, err := a.s.fireApplication(ctx, app, AppAutoConfirm, transition[Application]{actor: system{"auto-confirm"}})
	if err == nil {
		res.AutoConfirmed++
		a.s.obs.Sweep(ctx, SweepObservation{Duty: SweepAutoConfirm, Outcome: OutcomeOK})
	}
	return err
}

func (a *Applications) sweepCloseOrder(ctx context.Context, app Application, _ time.Time, res *SweepResult) error {
	if !closeOpen(app) {
		return nil
	}
	out, err := a.closePending(ctx, app)
	if err != nil {
		return err
	}
	if !closeOpen(out) {
		res.Closed++
		a.s.obs.Sweep(ctx, SweepObservation{Duty: SweepCloseOrder, Outcome: OutcomeOK})
	}
	return nil
}

func (a *Applications) sweepRefund(ctx context.Context, app Application, _ time.Time, res *SweepResult) error {
	if _, due := a.s.office.RefundDue(app); !due {
		return nil
	}
	if app.Payment.Method == MethodBankTransfer {
		// A bank transfer's refund is finance's: done when finance records
		// the transfer back (Finance.RecordRefund, listed by RefundsDue).
		res.AwaitingFinance++
		return nil
	}
	out, err := a.issueRefund(ctx, app, a.s.office.Refund.Amount(app.Quote.Amount), app.Reason, func(*Application) {})
	if err != nil {
		return err
	}
	if out.Refund != nil {
		res.Refunded++
		a.s.obs.Sweep(ctx, SweepObservation{Duty: SweepRefund, Outcome: OutcomeOK})
	}
	return nil
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
