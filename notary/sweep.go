package notary

import (
	"context"
	"errors"
	"time"
)

// DefaultRefundRetryWindow is the Office.RefundRetryWindow used when it is
// zero.
const DefaultRefundRetryWindow = 7 * 24 * time.Hour

// SweepResult counts what one Sweep did.
type SweepResult struct {
	Expired       int // unpaid applications cancelled
	Reconciled    int // payments found paid although no notice came
	AutoConfirmed int // shipped certificates confirmed automatically
	Refunded      int // refunds that had failed before and now went through
	Closed        int // orders of cancelled applications closed at last
}

// Sweep runs the background duties once: it cancels applications unpaid
// past the payment deadline (after closing their order at the provider, so
// a payment whose notice was lost is marked paid instead, and nobody pays
// an expired application), confirms receipt of certificates whose
// Office.AutoConfirmAt has passed, retries closing the orders of
// applications cancelled within Office.RefundRetryWindow whose close the
// provider refused (a payment found meanwhile is refunded), and retries
// refunds that failed for applications rejected within that window (older
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
		// Close the order first: a payment that came in (its notice lost)
		// is the success it is; otherwise nobody can pay it any more.
		_, err := a.leave(ctx, app, AppExpire, system{"expiry"}, ReasonPaymentDeadlinePassed)
		switch {
		case err == nil:
			res.Expired++
		case errors.Is(err, ErrInvalidTransition):
			if cur, rerr := s.store.Application(ctx, app.ID); rerr == nil && cur.Payment.Status == PaymentSucceeded {
				res.Reconciled++
			}
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
	err = s.each(ctx, ListQuery{States: []string{string(Cancelled)}, UpdatedAfter: now.Add(-window)}, func(app Application) error {
		if !closeOpen(app) {
			return nil
		}
		out, err := a.closePending(ctx, app)
		if err != nil {
			// One order the provider will not close yet must not stop the
			// others; the next sweep tries again.
			s.log.WarnContext(ctx, "notary: closing the order failed; the next sweep retries it", "application", app.ID, "err", err)
			return nil
		}
		if !closeOpen(out) {
			res.Closed++
		}
		return nil
	})
	if err != nil {
		return res, err
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
