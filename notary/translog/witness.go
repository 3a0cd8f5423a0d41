package translog

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"sync"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Witness anchors an office's checkpoints outside the office: it cosigns a
// checkpoint only if it extends the last one it cosigned for that log, so
// a log that forks or rewrites its history cannot get both histories
// cosigned by one witness. Customers who require a witness's cosignature
// (VerifyWitnessed) are then protected even from an office that shows
// different customers different logs. Config.Witnesses wires witnesses
// into a Log; LocalWitness is one to run yourself.
type Witness interface {
	// Cosign returns the signed checkpoint with the witness's signature
	// added. old is the size of the checkpoint of the log the witness is
	// believed to have cosigned last (0 for none) and proof the
	// consistency proof from it to signed. A witness that last cosigned
	// another size answers a *WitnessConflictError with that size; one
	// that finds signed does not extend what it cosigned answers a
	// *Error (ErrFork, ErrTruncated, ErrInconsistent, ErrBadSignature).
	Cosign(ctx context.Context, old int64, proof tlog.TreeProof, signed []byte) ([]byte, error)
}

// WitnessConflictError reports that the witness last cosigned a checkpoint
// of another size than the request assumed: retry with a proof from Size.
type WitnessConflictError struct{ Size int64 }

// Error names the witness's size.
func (e *WitnessConflictError) Error() string {
	return fmt.Sprintf("translog: the witness last cosigned size %d", e.Size)
}

// LocalWitness is a Witness kept in process memory: it knows the verifier
// keys of the logs it witnesses and remembers the latest checkpoint it
// cosigned of each. It is safe for concurrent use. A production witness
// keeps that memory durably (and usually runs elsewhere, speaking C2SP's
// tlog-witness protocol); this one shows and tests the rules.
type LocalWitness struct {
	signer note.Signer
	vkey   string
	logs   note.Verifiers

	mu     sync.Mutex
	latest map[string]Checkpoint
}

// NewLocalWitness returns a witness named name (its key's name) that
// signs with key and witnesses the logs whose verifier keys are given.
func NewLocalWitness(name string, key ed25519.PrivateKey, logKeys ...string) (*LocalWitness, error) {
	s, err := NewSigner(name, key)
	if err != nil {
		return nil, err
	}
	vkey, err := VerifierKey(name, key.Public().(ed25519.PublicKey))
	if err != nil {
		return nil, err
	}
	logs, err := Verifiers(logKeys...)
	if err != nil {
		return nil, err
	}
	return &LocalWitness{signer: s, vkey: vkey, logs: logs, latest: map[string]Checkpoint{}}, nil
}

// VerifierKey returns the witness's public verifier key.
func (w *LocalWitness) VerifierKey() string { return w.vkey }

// Cosign checks signed and cosigns it (see Witness).
func (w *LocalWitness) Cosign(ctx context.Context, old int64, proof tlog.TreeProof, signed []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c, err := OpenCheckpoint(signed, w.logs)
	if err != nil {
		return nil, err
	}
	n, err := note.Open(signed, w.logs)
	if err != nil {
		return nil, err // OpenCheckpoint opened it
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	prev, seen := w.latest[c.Origin]
	if old != prev.Size {
		return nil, &WitnessConflictError{Size: prev.Size}
	}
	if seen {
		if err := CheckConsistency(prev, c, proof); err != nil {
			return nil, err
		}
	}
	out, err := note.Sign(n, w.signer)
	if err != nil {
		return nil, err
	}
	w.latest[c.Origin] = c
	return out, nil
}

// VerifyWitnessed opens a signed checkpoint that must carry the log's
// signature (see OpenCheckpoint) and the cosignatures of at least quorum
// of the witnesses whose verifier keys are given. Too few is
// ErrBadSignature.
func VerifyWitnessed(signed []byte, logKeys note.Verifiers, witnessKeys []string, quorum int) (Checkpoint, error) {
	c, err := OpenCheckpoint(signed, logKeys)
	if err != nil {
		return Checkpoint{}, err
	}
	witnesses, err := Verifiers(witnessKeys...)
	if err != nil {
		return Checkpoint{}, err
	}
	n, err := note.Open(signed, witnesses)
	var unverified *note.UnverifiedNoteError
	switch {
	case errors.As(err, &unverified):
		n = unverified.Note
	case err != nil:
		return Checkpoint{}, &Error{Kind: ErrBadSignature, Index: -1, Size: c.Size, Detail: "witness signature", Err: err}
	}
	if len(n.Sigs) < quorum {
		return Checkpoint{}, fail(ErrBadSignature, -1, c.Size, "cosigned by %d witnesses, %d required", len(n.Sigs), quorum)
	}
	return c, nil
}
