package translog

import (
	"errors"
	"fmt"

	"github.com/notarykit/notarykit/notary"
)

// What a verification found broken. Every error the verifiers of this
// package return for tampered evidence is a *Error matching exactly one of
// these with errors.Is, and also notary.ErrTampered; malformed input
// matches ErrMalformed and notary.ErrInvalidInput instead.
var (
	// ErrBadSignature: a checkpoint is not signed by any of the office's
	// keys, or its signature does not verify.
	ErrBadSignature = errors.New("translog: checkpoint signature does not verify")
	// ErrEventEdited: an audit event does not match its hash, or the
	// record's hash chain is broken (the *notary.ChainError is wrapped too).
	ErrEventEdited = errors.New("translog: audit event edited")
	// ErrLeafMismatch: the log does not hold this event at the index the
	// proof claims, under the signed root: the event or the leaf was
	// replaced.
	ErrLeafMismatch = errors.New("translog: event not included in the log")
	// ErrInconsistent: a larger checkpoint does not extend a smaller one
	// (a consistency proof fails): leaves of the older log were replaced
	// or removed.
	ErrInconsistent = errors.New("translog: checkpoints are inconsistent")
	// ErrTruncated: the log is now shorter than a checkpoint already
	// seen, or than the proofs claim.
	ErrTruncated = errors.New("translog: log truncated")
	// ErrFork: two validly signed checkpoints of one size have different
	// roots.
	ErrFork = errors.New("translog: log forked")
	// ErrRecordDeleted: the log holds an audit event that the office's
	// store no longer has.
	ErrRecordDeleted = errors.New("translog: logged record deleted")
	// ErrMalformed: a checkpoint, proof or bundle cannot be parsed or is
	// incomplete.
	ErrMalformed = errors.New("translog: malformed input")
)

// Error is a verification failure: Kind is one of the sentinel errors of
// this package and says what broke; the other fields locate it when they
// apply (-1 or zero otherwise).
type Error struct {
	Kind   error
	Index  int64 // leaf index, or -1
	Size   int64 // tree size involved, or 0
	Detail string
	Err    error // an underlying cause, such as a *notary.ChainError
}

// Error describes the failure.
func (e *Error) Error() string {
	s := e.Kind.Error()
	if e.Index >= 0 {
		s += fmt.Sprintf(" (leaf %d)", e.Index)
	}
	if e.Size > 0 {
		s += fmt.Sprintf(" (tree size %d)", e.Size)
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap makes errors.Is match Kind, the class (notary.ErrTampered, or
// notary.ErrInvalidInput for ErrMalformed) and the cause.
func (e *Error) Unwrap() []error {
	class := notary.ErrTampered
	if e.Kind == ErrMalformed {
		class = notary.ErrInvalidInput
	}
	errs := []error{e.Kind, class}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

func fail(kind error, index, size int64, format string, args ...any) *Error {
	return &Error{Kind: kind, Index: index, Size: size, Detail: fmt.Sprintf(format, args...)}
}

func malformed(format string, args ...any) *Error {
	return fail(ErrMalformed, -1, 0, format, args...)
}
