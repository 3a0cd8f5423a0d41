package translog

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"time"

	"github.com/google/uuid"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/notarykit/notarykit/notary"
)

// BundleFormat names the version of the Bundle layout.
const BundleFormat = "notarykit/bundle/v1"

// Bundle is the evidence of one record's history that anyone can check
// offline with the office's public key: the record, its audit events with
// the inclusion proof of each in the office's log, and the signed
// checkpoint the proofs lead to. It is JSON.
type Bundle struct {
	Format string        `json:"format"`
	Record BundleRecord  `json:"record"`
	Events []BundleEvent `json:"events"`
	// Checkpoint is the signed note the proofs lead to; empty only when
	// the office's log is still empty (every event is then pending).
	Checkpoint string `json:"checkpoint,omitempty"`
}

// BundleRecord is the record a bundle is about.
type BundleRecord struct {
	ID        uuid.UUID         `json:"id"`
	Kind      notary.RecordKind `json:"kind"`
	OfficeID  uuid.UUID         `json:"office_id"`
	State     string            `json:"state"`
	AuditHead string            `json:"audit_head"` // hash of its last audit event
	// Data is the filing or application as the office stores it (omitted
	// for admin accounts). Only State and AuditHead are checked against
	// the events; the rest is what the office says.
	Data json.RawMessage `json:"data,omitempty"`
}

// BundleEvent is an audit event with its place in the log.
type BundleEvent struct {
	ID       uuid.UUID    `json:"id"`
	Seq      int64        `json:"seq"`
	Trigger  string       `json:"trigger"`
	From     string       `json:"from"`
	To       string       `json:"to"`
	Actor    notary.Actor `json:"actor"`
	Reason   string       `json:"reason,omitempty"`
	At       time.Time    `json:"at"`
	PrevHash string       `json:"prev_hash"`
	Hash     string       `json:"hash"`
	// Leaf is the event's leaf index and inclusion proof in the bundle's
	// checkpoint; nil while the event is not yet logged.
	Leaf *LeafProof `json:"leaf,omitempty"`
}

// LeafProof is an inclusion proof: the leaf's index and the RFC 6962
// audit path to the root (hashes base64-encoded in JSON).
type LeafProof struct {
	Index int64            `json:"index"`
	Proof tlog.RecordProof `json:"proof"`
}

// NewBundleEvent returns the bundle form of an event of the bundle's
// record, with its proof (nil when not logged).
func NewBundleEvent(e notary.Event, leaf *LeafProof) BundleEvent {
	return BundleEvent{ID: e.ID, Seq: e.Seq, Trigger: e.Trigger, From: e.From, To: e.To, Actor: e.Actor,
		Reason: e.Reason, At: e.At.UTC(), PrevHash: e.PrevHash, Hash: e.Hash, Leaf: leaf}
}

// Event returns the audit event of record r that e carries.
func (e BundleEvent) Event(r BundleRecord) notary.Event {
	return notary.Event{ID: e.ID, RecordID: r.ID, RecordKind: r.Kind, OfficeID: r.OfficeID, Seq: e.Seq,
		Trigger: e.Trigger, From: e.From, To: e.To, Actor: e.Actor, Reason: e.Reason, At: e.At,
		PrevHash: e.PrevHash, Hash: e.Hash}
}

// ReadBundle decodes a bundle (unknown fields are an error).
func ReadBundle(r io.Reader) (Bundle, error) {
	var b Bundle
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return Bundle{}, &Error{Kind: ErrMalformed, Index: -1, Detail: "bundle JSON", Err: err}
	}
	if b.Format != BundleFormat {
		return Bundle{}, malformed("bundle format %q, want %q", b.Format, BundleFormat)
	}
	return b, nil
}

// BundleReport is what verifying a bundle established.
type BundleReport struct {
	Checkpoint Checkpoint // the verified checkpoint the proofs lead to
	Logged     int        // events proven to be in the log
	Pending    int        // events not yet logged when the bundle was made
}

// VerifyBundle checks a bundle with nothing but the office's verifier keys
// (see Verifiers): the checkpoint's signature, the record's hash chain from
// its first event to its audit head, its state, and each logged event's
// inclusion in the checkpoint. Events not yet logged are counted as
// Pending. A failure is a *Error saying what broke: ErrBadSignature,
// ErrEventEdited (an event, the chain or the head does not match),
// ErrLeafMismatch or ErrTruncated (an event is not where its proof puts
// it), or ErrMalformed.
func VerifyBundle(b Bundle, keys note.Verifiers) (BundleReport, error) {
	if b.Format != BundleFormat {
		return BundleReport{}, malformed("bundle format %q, want %q", b.Format, BundleFormat)
	}
	if len(b.Events) == 0 {
		return BundleReport{}, malformed("bundle has no events")
	}
	var cp Checkpoint
	if b.Checkpoint != "" {
		var err error
		if cp, err = OpenCheckpoint([]byte(b.Checkpoint), keys); err != nil {
			return BundleReport{}, err
		}
	}
	events := make([]notary.Event, len(b.Events))
	for i, e := range b.Events {
		events[i] = e.Event(b.Record)
	}
	if err := notary.VerifyChain(b.Record.ID, events, b.Record.AuditHead); err != nil {
		var ce *notary.ChainError
		index := int64(-1)
		if errors.As(err, &ce) && ce.Seq >= 1 && ce.Seq <= int64(len(b.Events)) {
			if leaf := b.Events[ce.Seq-1].Leaf; leaf != nil {
				index = leaf.Index
			}
		}
		return BundleReport{}, &Error{Kind: ErrEventEdited, Index: index, Size: cp.Size, Err: err}
	}
	if last := events[len(events)-1]; b.Record.State != "" && b.Record.State != last.To {
		return BundleReport{}, fail(ErrEventEdited, -1, cp.Size, "record state %q but its last event leads to %q", b.Record.State, last.To)
	}
	rep := BundleReport{Checkpoint: cp}
	for i, e := range b.Events {
		if e.Leaf == nil {
			rep.Pending++
			continue
		}
		if b.Checkpoint == "" {
			return BundleReport{}, malformed("a bundle with inclusion proofs needs a checkpoint")
		}
		leaf, err := LeafHash(EntryOf(events[i]))
		if err != nil {
			return BundleReport{}, err
		}
		if err := CheckInclusion(cp, e.Leaf.Index, leaf, e.Leaf.Proof); err != nil {
			return BundleReport{}, err
		}
		rep.Logged++
	}
	return rep, nil
}

// Series is a run of an office's signed checkpoints, oldest first, each
// with the consistency proof from the one before: what a customer keeps
// (or fetches) to check that the log only ever grew.
type Series struct {
	Checkpoints []SeriesEntry `json:"checkpoints"`
}

// SeriesEntry is one checkpoint of a Series.
type SeriesEntry struct {
	Checkpoint string `json:"checkpoint"` // the signed note
	// Consistency proves that this checkpoint extends the previous entry's
	// (empty for the first entry, or when both have one size).
	Consistency tlog.TreeProof `json:"consistency,omitempty"`
}

// Monitor follows an office's checkpoints as they are published and
// remembers every root it saw, so that it detects a fork or a truncation
// across everything it was shown. Create one with NewMonitor; it is not
// safe for concurrent use.
type Monitor struct {
	keys   note.Verifiers
	latest *Checkpoint
	roots  map[int64]tlog.Hash
}

// NewMonitor returns a Monitor that trusts the given verifier keys.
func NewMonitor(keys note.Verifiers) *Monitor {
	return &Monitor{keys: keys, roots: map[int64]tlog.Hash{}}
}

// Observe verifies the next published checkpoint: its signature, that it
// is no smaller than the largest one seen (ErrTruncated), that a root seen
// before for its size is its root (ErrFork), and that it extends the
// largest one seen with proof (ErrInconsistent).
func (m *Monitor) Observe(signed []byte, proof tlog.TreeProof) (Checkpoint, error) {
	c, err := OpenCheckpoint(signed, m.keys)
	if err != nil {
		return Checkpoint{}, err
	}
	if err := m.Check(c); err != nil {
		return Checkpoint{}, err
	}
	if m.latest != nil {
		if err := CheckConsistency(*m.latest, c, proof); err != nil {
			return Checkpoint{}, err
		}
	}
	m.latest = &c
	m.roots[c.Size] = c.Root
	return c, nil
}

// Check reports ErrFork if the monitor saw a different root for c's size,
// or a checkpoint of another origin.
func (m *Monitor) Check(c Checkpoint) error {
	if m.latest != nil && m.latest.Origin != c.Origin {
		return malformed("checkpoint of log %q, following log %q", c.Origin, m.latest.Origin)
	}
	if root, ok := m.roots[c.Size]; ok && root != c.Root {
		return fail(ErrFork, -1, c.Size, "two validly signed roots for one size")
	}
	return nil
}

// Latest returns the largest checkpoint observed, and false before any.
func (m *Monitor) Latest() (Checkpoint, bool) {
	if m.latest == nil {
		return Checkpoint{}, false
	}
	return *m.latest, true
}

// VerifySeries observes every checkpoint of s in order with m, and
// returns the checkpoints verified.
func (m *Monitor) VerifySeries(s Series) ([]Checkpoint, error) {
	out := make([]Checkpoint, 0, len(s.Checkpoints))
	for _, e := range s.Checkpoints {
		c, err := m.Observe([]byte(e.Checkpoint), e.Consistency)
		if err != nil {
			return out, err
		}
		out = append(out, c)
	}
	return out, nil
}

// MarshalIndent returns the bundle as indented JSON.
func (b Bundle) MarshalIndent() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(b); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
