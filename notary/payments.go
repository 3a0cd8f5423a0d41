package notary

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/notarykit/notarykit/payment"
)

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
	if !payment.ValidAmount(ev.Amount) {
		return Application{}, invalid("amount", "%s has more than two decimal places", ev.Amount)
	}
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
			if app.State == Cancelled && app.Payment.Status != ev.Status && (ev.Status == PaymentCancelled || ev.Status == PaymentExpired) &&
				app.Payment.Status != PaymentSucceeded {
				// The order the sweep was still to close is closed: record it.
				return a.closed(ctx, app, ev.Status)
			}
			return app, nil // a failure after a success, or a repeat: ignored
		}
		// A failed attempt leaves the order open: the user may pay again
		// until the deadline. An expiry is an expiry whoever reports it; an
		// order the provider closed cannot be paid any more.
		trigger, reason := AppPaymentFailed, ReasonPaymentFailed
		switch ev.Status {
		case PaymentExpired:
			trigger, reason = AppExpire, ReasonPaymentDeadlinePassed
		case PaymentCancelled:
			trigger, reason = AppPaymentClosed, ReasonPaymentClosed
		}
		out, err := s.fireApplication(ctx, app, trigger, transition[Application]{actor: sys, reason: reason, dedup: dedupKey(ev),
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
	if app.Refund != nil || app.Payment.Status != PaymentSucceeded || app.Payment.Method == MethodBankTransfer {
		// A bank transfer is paid back by finance, who records the
		// outgoing transfer (Finance.RecordRefund).
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
	return a.issueRefund(ctx, app, app.Quote.Amount, ReasonPaymentAfterCancel, func(n *Application) {
		n.Payment.Status = PaymentSucceeded
		n.Payment.PaidAt = paidAt
	})
}

// issueRefund asks the provider for a refund (idempotent per application)
// and records it with a notice to the user. An invoiced fee is refunded
// only after its reversing invoice is recorded (RefundBlockedByInvoice):
// until then it returns ErrInvalidTransition, which the sweep skips.
func (a *Applications) issueRefund(ctx context.Context, app Application, amount decimal.Decimal, reason string, apply func(*Application)) (Application, error) {
	s := a.s
	if err := RefundBlockedByInvoice(app); err != nil {
		return app, err
	}
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

// closed records that the order of a cancelled application is closed (or
// expired) at the provider, so the sweep stops closing it.
func (a *Applications) closed(ctx context.Context, app Application, status PaymentStatus) (Application, error) {
	return a.s.fireApplication(ctx, app, AppCloseOrder, transition[Application]{actor: system{"payment"},
		apply: func(n *Application) { n.Payment.Status = status }})
}

// closePending retries closing the order of a cancelled application whose
// close failed: closed, it is recorded; paid meanwhile, the money goes back.
func (a *Applications) closePending(ctx context.Context, app Application) (Application, error) {
	pay, err := a.s.gateway(app.Payment.Method).ClosePayment(ctx, app.Payment.ID)
	switch {
	case errors.Is(err, ErrAlreadyPaid):
		return a.HandlePaymentEvent(ctx, paidEvent(app, pay)) // refunded, as a late payment
	case errors.Is(err, ErrNotFound):
		return a.closed(ctx, app, PaymentCancelled)
	case err != nil:
		return app, fmt.Errorf("notary: close payment %s: %w", app.Payment.ID, err)
	}
	return a.closed(ctx, app, pay.Status)
}

// closeOpen reports whether a cancelled application's order may still be
// paid: its close has not gone through yet.
func closeOpen(app Application) bool {
	return app.State == Cancelled && (app.Payment.Status == PaymentPending || app.Payment.Status == PaymentFailed)
}
