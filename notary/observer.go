package notary

import (
	"context"
	"errors"
	"time"
)

// Observer receives what the SDK does, for metrics and traces: each
// transition's commit, each delivery attempt of a notice, each sweep duty.
// Calls are made synchronously on the path they observe, so an Observer
// must be quick and must not block; it must be safe for concurrent use.
// Config.Observer nil means NopObserver. adapters/otel implements it with
// OpenTelemetry.
type Observer interface {
	// Transition is called after each transition's Store.Commit, whether
	// it succeeded or not.
	Transition(ctx context.Context, t TransitionObservation)
	// Delivery is called after each delivery attempt of a notice by a
	// relay.
	Delivery(ctx context.Context, d DeliveryObservation)
	// Sweep is called for each record a sweep duty acted on or failed on.
	Sweep(ctx context.Context, s SweepObservation)
}

// Outcomes of observed operations, as they appear in metrics.
const (
	OutcomeOK          = "ok"
	OutcomeConflict    = "conflict"    // a lost race: ErrConflict, ErrDuplicate, ErrEvidenceReserved
	OutcomeUnavailable = "unavailable" // ErrUnavailable
	OutcomeCancelled   = "cancelled"   // the caller's context ended
	OutcomeError       = "error"       // anything else
	OutcomeDelivered   = "delivered"
	OutcomeRetry       = "retry" // a temporary delivery failure, tried again later
	OutcomeDead        = "dead"  // a delivery given up on
	OutcomeFailed      = "failed"
	OutcomeSkipped     = "skipped" // a sweep left a record alone (backing off, or already handled)
)

// TransitionObservation describes one transition's commit.
type TransitionObservation struct {
	Kind     RecordKind
	Trigger  string
	From, To string
	Outcome  string        // OutcomeOK, OutcomeConflict, OutcomeUnavailable, OutcomeCancelled or OutcomeError
	Commit   time.Duration // how long Store.Commit took
	Notices  int           // notices enqueued with it
	Err      error         // the commit's error, if any
}

// DeliveryObservation describes one delivery attempt of a notice.
type DeliveryObservation struct {
	Kind     NoticeKind
	Channel  Channel
	Outcome  string // OutcomeDelivered, OutcomeRetry or OutcomeDead
	Attempt  int    // the attempt's number, as counted by the outbox
	Duration time.Duration
	Age      time.Duration // how long after its transition the notice was attempted
}

// SweepObservation describes the outcome of one sweep duty on one record.
type SweepObservation struct {
	Duty    string // e.g. "expire", "reconcile", "auto_confirm", "refund"
	Outcome string // OutcomeOK, OutcomeFailed or OutcomeSkipped
	Err     error
}

// NopObserver observes nothing.
type NopObserver struct{}

// Transition does nothing.
func (NopObserver) Transition(context.Context, TransitionObservation) {}

// Delivery does nothing.
func (NopObserver) Delivery(context.Context, DeliveryObservation) {}

// Sweep does nothing.
func (NopObserver) Sweep(context.Context, SweepObservation) {}

// OutboxStats summarizes an outbox for operations: how many notices wait,
// since when, and how many are dead.
type OutboxStats struct {
	Pending       int
	OldestPending time.Time // CreatedAt of the oldest pending notice; zero when none
	Dead          int
}

// OutboxStatser is an optional capability of a [Store]: counting the
// outbox's notices by status in one query, for metrics and readiness. The
// memory, SQLite and PostgreSQL stores implement it.
type OutboxStatser interface {
	OutboxStats(ctx context.Context) (OutboxStats, error)
}

// Outcome classifies an error of a store or service call for metrics:
// OutcomeOK for nil, OutcomeConflict for a lost race, OutcomeUnavailable,
// OutcomeCancelled, or OutcomeError.
func Outcome(err error) string {
	switch {
	case err == nil:
		return OutcomeOK
	case errors.Is(err, ErrConflict), errors.Is(err, ErrDuplicate), errors.Is(err, ErrEvidenceReserved):
		return OutcomeConflict
	case errors.Is(err, ErrUnavailable):
		return OutcomeUnavailable
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return OutcomeCancelled
	}
	return OutcomeError
}

// commit stores a transition's change and tells the observer how it went.
func (s *Service) commit(ctx context.Context, c Change, kind RecordKind, trigger, from, to string) error {
	start := time.Now()
	err := s.store.Commit(ctx, c)
	s.obs.Transition(ctx, TransitionObservation{Kind: kind, Trigger: trigger, From: from, To: to,
		Outcome: Outcome(err), Commit: time.Since(start), Notices: len(c.Notices), Err: err})
	return err
}
