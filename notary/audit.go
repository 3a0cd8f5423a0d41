package notary

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// ErrTampered reports an audit trail whose hash chain does not verify.
var ErrTampered = errors.New("notary: audit trail tampered")

// ChainError locates the first event of a record's audit trail that fails
// verification. It matches ErrTampered with errors.Is.
type ChainError struct {
	RecordID uuid.UUID
	Seq      int64 // the expected sequence number at the failure
	Reason   string
}

// Error describes the broken link.
func (e *ChainError) Error() string {
	return fmt.Sprintf("notary: audit trail of %s broken at seq %d: %s", e.RecordID, e.Seq, e.Reason)
}

// Unwrap makes errors.Is(err, ErrTampered) true.
func (e *ChainError) Unwrap() error { return ErrTampered }

// canonicalVersion tags the encoding so it can evolve.
const canonicalVersion = "notarykit/audit/v1"

// AppendCanonical appends the canonical encoding of e (every field but Hash,
// each length-prefixed, times in UTC with microsecond precision) to b.
func (e Event) AppendCanonical(b []byte) []byte {
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	str(canonicalVersion)
	b = append(b, e.ID[:]...)
	b = append(b, e.RecordID[:]...)
	str(string(e.RecordKind))
	b = append(b, e.OfficeID[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(e.Seq))
	str(e.Trigger)
	str(e.From)
	str(e.To)
	str(string(e.Actor.Kind))
	str(e.Actor.ID)
	str(e.Actor.Name)
	str(e.Reason)
	b = binary.BigEndian.AppendUint64(b, uint64(e.At.UTC().Truncate(time.Microsecond).UnixMicro()))
	str(e.PrevHash)
	return b
}

// ComputeHash returns the hex SHA-256 of the event's canonical encoding,
// which includes PrevHash and so chains the event to its predecessor.
func (e Event) ComputeHash() string {
	var buf [512]byte // room for any usual event, so no allocation
	sum := sha256.Sum256(e.AppendCanonical(buf[:0]))
	return hex.EncodeToString(sum[:])
}

// sealed sets PrevHash and Hash so that e follows prev in the chain.
func (e Event) sealed(prevHash string) Event {
	e.PrevHash = prevHash
	e.Hash = e.ComputeHash()
	return e
}

// VerifyChain checks that events (one record's trail in stored order) form
// an unbroken chain starting at Seq 1 and, when head is non-empty, ending at
// the hash head the record carries. It returns a *ChainError describing the
// first bad event, or nil.
func VerifyChain(recordID uuid.UUID, events []Event, head string) error {
	prev := ""
	for i, e := range events {
		seq := int64(i + 1)
		bad := func(reason string) error { return &ChainError{RecordID: recordID, Seq: seq, Reason: reason} }
		switch {
		case e.RecordID != recordID:
			return bad("event belongs to another record")
		case e.Seq != seq:
			return bad(fmt.Sprintf("sequence number %d out of place", e.Seq))
		case e.PrevHash != prev:
			return bad("previous-hash link broken")
		case e.ComputeHash() != e.Hash:
			return bad("content does not match its hash")
		}
		prev = e.Hash
	}
	if head != "" && prev != head {
		return &ChainError{RecordID: recordID, Seq: int64(len(events) + 1), Reason: "trail ends before the record's last event"}
	}
	return nil
}

// Audit reads and verifies audit trails.
type Audit struct{ s *Service }

// Trail returns the audit events of a record the actor may see: a filing
// or application to its owner or an admin of its office, an admin account
// to an admin of its office. Errors: ErrNotFound, ErrForbidden,
// ErrUnauthenticated.
func (a *Audit) Trail(ctx context.Context, actor Principal, recordID uuid.UUID) ([]Event, error) {
	if _, err := a.s.recordHead(ctx, actor, recordID); err != nil {
		return nil, err
	}
	return a.s.store.Events(ctx, recordID)
}

// Verify checks the hash chain of a record's audit trail against the head
// the record carries, for an actor allowed to read the trail (see Trail).
// It returns nil, a *ChainError wrapping ErrTampered, or the errors of
// Trail.
func (a *Audit) Verify(ctx context.Context, actor Principal, recordID uuid.UUID) error {
	r, err := a.Report(ctx, actor, recordID)
	if err != nil {
		return err
	}
	return r.Problem
}

// AuditReport is a record's audit trail with the outcome of verifying it.
type AuditReport struct {
	Events []Event
	// Problem is nil when the hash chain verifies up to the head the
	// record carries, and otherwise a *ChainError (which matches
	// ErrTampered) locating the first bad event.
	Problem error
}

// Report returns the audit trail of a record the actor may see together
// with the outcome of verifying it: Trail and Verify with one read of the
// record and one of the trail, as a page that shows the trail and whether
// it is intact needs. A broken chain is the report's Problem, not an
// error. Errors: as Trail.
func (a *Audit) Report(ctx context.Context, actor Principal, recordID uuid.UUID) (AuditReport, error) {
	head, err := a.s.recordHead(ctx, actor, recordID)
	if err != nil {
		return AuditReport{}, err
	}
	events, err := a.s.store.Events(ctx, recordID)
	if err != nil {
		return AuditReport{}, err
	}
	return AuditReport{Events: events, Problem: VerifyChain(recordID, events, head)}, nil
}
