package notary

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error the SDK returns for a caller's mistake, a
// missing record, a refused action or a lost race wraps exactly one of these,
// so hosts branch with errors.Is and map them to their own status codes.
var (
	// ErrInvalidInput: a field is missing, malformed or out of bounds.
	// The wrapped *FieldError names the field.
	ErrInvalidInput = errors.New("notary: invalid input")
	// ErrNotFound: no record with that ID (or key) exists.
	ErrNotFound = errors.New("notary: not found")
	// ErrForbidden: the actor may not see or act on the record, or a
	// signed message (a payment notice) does not prove who sent it;
	// payment/webhook's refusals match it.
	ErrForbidden = errors.New("notary: forbidden")
	// ErrUnauthenticated: no valid admin session (bad credentials, expired
	// or revoked session, disabled or locked account).
	ErrUnauthenticated = errors.New("notary: unauthenticated")
	// ErrConflict: the record changed since it was read (optimistic
	// concurrency), or a unique key is already taken.
	ErrConflict = errors.New("notary: conflict")
	// ErrFilingRequired: the user has no approved enterprise filing yet; the
	// host should prompt the user to file one.
	ErrFilingRequired = errors.New("notary: approved enterprise filing required")
	// ErrInvalidTransition: the lifecycle does not permit the action in the
	// record's current state.
	ErrInvalidTransition = errors.New("notary: action not permitted in current state")
	// ErrEvidenceReserved: an evidence record is already part of another
	// active application.
	ErrEvidenceReserved = errors.New("notary: evidence already in an active application")
	// ErrDuplicate: the store already holds an item with that unique key
	// (idempotency key, provider event ID). Services translate it into a
	// replay of the first result; stores return it from Commit.
	ErrDuplicate = errors.New("notary: duplicate")
	// ErrUnavailable: the store (or another dependency) failed for a
	// reason that is expected to pass — a lost or refused connection, a
	// server shutting down, a serialization failure or deadlock, a busy
	// database. Stores retry idempotent reads a few times before
	// returning it. Nothing was changed unless the error says the outcome
	// is unknown; either way the call may be repeated later, so hosts
	// answer it as retryable (HTTP 503 with Retry-After), never as an
	// internal error.
	ErrUnavailable = errors.New("notary: temporarily unavailable")
	// ErrAlreadyPaid: PaymentGateway.ClosePayment found the payment already
	// paid, so it cannot be closed; the payment returned with it is the
	// success.
	ErrAlreadyPaid = errors.New("notary: payment already paid")
)

// FieldError describes which input field is invalid and why. It matches
// ErrInvalidInput with errors.Is.
type FieldError struct {
	Field  string // dotted path of the field, e.g. "legal_rep.id_number"
	Reason string // human-readable reason, e.g. "check digit mismatch"
}

// Error names the field and the reason.
func (e *FieldError) Error() string {
	return fmt.Sprintf("notary: invalid input: %s: %s", e.Field, e.Reason)
}

// Unwrap makes errors.Is(err, ErrInvalidInput) true.
func (e *FieldError) Unwrap() error { return ErrInvalidInput }

func invalid(field, format string, args ...any) error {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// wrap attaches detail to a sentinel so that errors.Is still matches it.
func wrap(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, args...))
}

func isInvalid(err error) bool { return errors.Is(err, ErrInvalidInput) }
