package notary

import (
	"context"
	"errors"

	"github.com/google/uuid"
)

// Applications is the certificate application unit (公证书申请单元): users
// apply for certificates on their evidence, pay, mail paper materials and
// confirm receipt; payment events and sweeps move applications on.
type Applications struct{ s *Service }

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
	return app, applicationActions(ctx, app, p), nil
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

// Cancel withdraws an unpaid application, closes its order at the
// provider so it can no longer be paid, and releases its evidence. When the
// provider answers that the order is already paid, that is the payment's
// success: the application moves on to preliminary review and Cancel
// returns ErrInvalidTransition. When the provider cannot close the order
// now (a temporary refusal, an outage), the application is cancelled all
// the same and Sweep retries the close; a payment that lands meanwhile is
// refunded. Errors: ErrNotFound, ErrForbidden, ErrConflict,
// ErrInvalidTransition.
func (a *Applications) Cancel(ctx context.Context, user User, id uuid.UUID) (Application, error) {
	app, err := a.s.store.Application(ctx, id)
	if err != nil {
		return Application{}, err
	}
	// Check before calling the provider: only the owner, only unpaid.
	party, _, err := a.s.party(ctx, user, app.OfficeID, app.Owner.ID)
	if err != nil {
		return Application{}, err
	}
	if _, err := ApplicationLifecycle.Fire(ctx, app.State, AppCancel, party); err != nil {
		return Application{}, err
	}
	return a.leave(ctx, app, AppCancel, user, ReasonCancelledByUser)
}

// leave moves an unpaid application to Cancelled by trigger, closing its
// order at the provider first (see Cancel). A paid order is taken as the
// payment's success and ErrInvalidTransition is returned; a close that
// fails for another reason leaves the order for Sweep to close.
func (a *Applications) leave(ctx context.Context, app Application, trigger ApplicationTrigger, actor Principal, reason string) (Application, error) {
	s := a.s
	status := app.Payment.Status
	pay, err := s.gateway(app.Payment.Method).ClosePayment(ctx, app.Payment.ID)
	switch {
	case errors.Is(err, ErrAlreadyPaid):
		if _, perr := a.HandlePaymentEvent(ctx, paidEvent(app, pay)); perr != nil {
			return Application{}, perr
		}
		return Application{}, wrap(ErrInvalidTransition, "application %s: the payment succeeded before the order could be closed", app.ID)
	case err == nil:
		status = pay.Status // cancelled, or expired at the provider
	case errors.Is(err, ErrNotFound):
		status = PaymentCancelled // nothing the payer could pay
	default:
		s.log.WarnContext(ctx, "notary: closing the order failed; the sweep retries it", "application", app.ID, "payment", app.Payment.ID, "err", err)
	}
	for attempt := 1; ; attempt++ {
		out, err := s.fireApplication(ctx, app, trigger, transition[Application]{actor: actor, reason: reason,
			apply: func(n *Application) {
				n.Payment.Status = status
				n.Reason = reason
			}})
		if !errors.Is(err, ErrConflict) || attempt == 3 {
			return out, err
		}
		// Another change (a failed attempt's notice) won the race: judge
		// the cancel again against what won.
		if app, err = s.store.Application(ctx, app.ID); err != nil {
			return Application{}, err
		}
	}
}

// paidEvent is the success event of a payment the provider reported paid
// in answer to a close or a query.
func paidEvent(app Application, pay Payment) PaymentEvent {
	return PaymentEvent{Provider: pay.Provider, PaymentID: pay.ID, ApplicationID: app.ID,
		Status: PaymentSucceeded, Amount: pay.Amount, Currency: pay.Currency, At: pay.PaidAt}
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
	next.Retry = nil // a duty that was failing went through, or the record moved on
	if t.apply != nil {
		t.apply(&next)
	}
	ev := s.event(step{kind: KindApplication, recordID: app.ID, version: app.Version, head: app.AuditHead,
		from: string(app.State), to: string(to), trigger: string(trigger), actor: who, reason: t.reason, at: now})
	next.AuditHead = ev.Hash

	c := Change{Application: &next, ExpectedVersion: app.Version, Events: []Event{ev}, DedupKey: t.dedup}
	if t.match != nil {
		m := *t.match
		m.At, m.By = now, who
		c.Match = &m
	}
	if app.State.Active() != to.Active() {
		if to.Active() {
			c.Reserve = next.EvidenceIDs()
		} else {
			c.Release = next.EvidenceIDs()
		}
	}
	c.Notices, err = s.notices(ev, noticeSource{app: &next})
	if err != nil {
		return Application{}, err
	}
	if err := s.commit(ctx, c, KindApplication, string(trigger), string(app.State), string(to)); err != nil {
		return Application{}, err
	}
	return next, nil
}
