package translog

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/notarykit/notarykit/notary"
)

// leafVersion tags the leaf encoding so that it can evolve.
const leafVersion = "notarykit/log-leaf/v1"

// LeafData returns the bytes a log leaf commits to for the audit event e
// (see the package documentation for the layout). It fails only when the
// event's hash is not 64 hex digits.
func LeafData(e notary.LogEntry) ([]byte, error) {
	h, err := hex.DecodeString(e.EventHash)
	if err != nil || len(h) != 32 {
		return nil, malformed("event %s of record %s: hash %q is not 32 bytes of hex", e.EventID, e.RecordID, e.EventHash)
	}
	b := make([]byte, 0, 128)
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	str(leafVersion)
	b = append(b, e.OfficeID[:]...)
	b = append(b, e.RecordID[:]...)
	str(string(e.RecordKind))
	b = binary.BigEndian.AppendUint64(b, uint64(e.Seq))
	b = append(b, e.EventID[:]...)
	b = append(b, h...)
	return b, nil
}

// LeafHash returns the RFC 6962 leaf hash, SHA-256(0x00 ‖ LeafData(e)), of
// the audit event e.
func LeafHash(e notary.LogEntry) (tlog.Hash, error) {
	data, err := LeafData(e)
	if err != nil {
		return tlog.Hash{}, err
	}
	return tlog.RecordHash(data), nil
}

// EntryOf returns the log entry of an audit event: what its leaf commits
// to.
func EntryOf(e notary.Event) notary.LogEntry {
	return notary.LogEntry{OfficeID: e.OfficeID, RecordID: e.RecordID, RecordKind: e.RecordKind,
		Seq: e.Seq, EventID: e.ID, EventHash: e.Hash}
}

// Checkpoint is the state of an office's log: its origin (the log's name),
// its size in leaves and the RFC 6962 root hash of those leaves. Its text
// form is the C2SP checkpoint body.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
}

// Text returns the C2SP checkpoint body: the origin, the decimal size and
// the base64 root hash, one per line.
func (c Checkpoint) Text() string {
	return fmt.Sprintf("%s\n%d\n%s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Root[:]))
}

// ParseCheckpoint parses a C2SP checkpoint body (extension lines after the
// root hash are allowed and ignored).
func ParseCheckpoint(text string) (Checkpoint, error) {
	lines := strings.SplitAfter(text, "\n")
	if len(lines) < 4 || !strings.HasSuffix(text, "\n") {
		return Checkpoint{}, malformed("checkpoint has fewer than three lines")
	}
	origin := strings.TrimSuffix(lines[0], "\n")
	sizeText := strings.TrimSuffix(lines[1], "\n")
	size, err := strconv.ParseInt(sizeText, 10, 64)
	if origin == "" || err != nil || size < 0 || strconv.FormatInt(size, 10) != sizeText {
		return Checkpoint{}, malformed("checkpoint origin or size invalid")
	}
	root, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(lines[2], "\n"))
	if err != nil || len(root) != tlog.HashSize {
		return Checkpoint{}, malformed("checkpoint root hash invalid")
	}
	c := Checkpoint{Origin: origin, Size: size}
	copy(c.Root[:], root)
	return c, nil
}

// Signer signs checkpoints with an office key as signed notes (C2SP
// signed-note format, Ed25519).
type signer struct {
	name string
	hash uint32
	key  ed25519.PrivateKey
}

func (s *signer) Name() string                    { return s.name }
func (s *signer) KeyHash() uint32                 { return s.hash }
func (s *signer) Sign(msg []byte) ([]byte, error) { return ed25519.Sign(s.key, msg), nil }

// NewSigner returns a note signer that signs as the log named origin with
// the Ed25519 key. The matching verifier key is VerifierKey(origin,
// key.Public()).
func NewSigner(origin string, key ed25519.PrivateKey) (note.Signer, error) {
	if len(key) != ed25519.PrivateKeySize {
		return nil, malformed("ed25519 private key has %d bytes", len(key))
	}
	vkey, err := VerifierKey(origin, key.Public().(ed25519.PublicKey))
	if err != nil {
		return nil, err
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, malformed("verifier key: %v", err)
	}
	return &signer{name: origin, hash: v.KeyHash(), key: key}, nil
}

// VerifierKey returns the public verifier key of the log named origin,
// "origin+hash+base64", which customers need to check its checkpoints.
// The origin must be non-empty without spaces or '+'.
func VerifierKey(origin string, pub ed25519.PublicKey) (string, error) {
	vkey, err := note.NewEd25519VerifierKey(origin, pub)
	if err != nil {
		return "", malformed("origin %q or public key invalid: %v", origin, err)
	}
	return vkey, nil
}

// Verifiers parses verifier keys (the office's current key, and any key it
// rotated away from whose checkpoints must still verify).
func Verifiers(vkeys ...string) (note.Verifiers, error) {
	if len(vkeys) == 0 {
		return nil, malformed("no verifier key")
	}
	vs := make([]note.Verifier, len(vkeys))
	for i, k := range vkeys {
		v, err := note.NewVerifier(strings.TrimSpace(k))
		if err != nil {
			return nil, malformed("verifier key %d: %v", i, err)
		}
		vs[i] = v
	}
	return note.VerifierList(vs...), nil
}

// Sign returns the signed note of c, signed by every signer (more than one
// while a key is being rotated). The signers' names must be c.Origin.
func Sign(c Checkpoint, signers ...note.Signer) ([]byte, error) {
	for _, s := range signers {
		if s.Name() != c.Origin {
			return nil, malformed("signer %q does not sign for origin %q", s.Name(), c.Origin)
		}
	}
	return note.Sign(&note.Note{Text: c.Text()}, signers...)
}

// OpenCheckpoint verifies a signed checkpoint with the office's verifier
// keys and parses it. A note with no valid signature by a known key whose
// name is the checkpoint's origin fails with ErrBadSignature.
func OpenCheckpoint(signed []byte, keys note.Verifiers) (Checkpoint, error) {
	n, err := note.Open(signed, keys)
	if err != nil {
		var unverified *note.UnverifiedNoteError
		var invalid *note.InvalidSignatureError
		if errors.As(err, &unverified) || errors.As(err, &invalid) {
			return Checkpoint{}, &Error{Kind: ErrBadSignature, Index: -1, Err: err}
		}
		return Checkpoint{}, &Error{Kind: ErrMalformed, Index: -1, Detail: "signed note", Err: err}
	}
	// note decodes signatures leniently: a changed padding bit of the last
	// base64 character still opens. Only the canonical form is accepted, so
	// a checkpoint differs from a genuine one in no byte.
	for _, sigs := range [][]note.Signature{n.Sigs, n.UnverifiedSigs} {
		for _, s := range sigs {
			if _, err := base64.StdEncoding.Strict().DecodeString(s.Base64); err != nil {
				return Checkpoint{}, &Error{Kind: ErrMalformed, Index: -1, Detail: "signature of " + s.Name + " is not canonical base64", Err: err}
			}
		}
	}
	c, err := ParseCheckpoint(n.Text)
	if err != nil {
		return Checkpoint{}, err
	}
	for _, s := range n.Sigs {
		if s.Name == c.Origin {
			return c, nil
		}
	}
	return Checkpoint{}, fail(ErrBadSignature, -1, c.Size, "no signature by the log %q itself", c.Origin)
}

// CheckInclusion checks that leaf is the leaf at index of the tree c with
// the inclusion proof. It fails with ErrTruncated when the index is not in
// the tree, and ErrLeafMismatch when the proof does not lead to c's root.
func CheckInclusion(c Checkpoint, index int64, leaf tlog.Hash, proof tlog.RecordProof) error {
	if index < 0 || index >= c.Size {
		return fail(ErrTruncated, index, c.Size, "leaf index beyond the checkpoint")
	}
	if err := tlog.CheckRecord(proof, c.Size, c.Root, index, leaf); err != nil {
		return &Error{Kind: ErrLeafMismatch, Index: index, Size: c.Size, Err: err}
	}
	return nil
}

// CheckConsistency checks that newer extends older with the consistency
// proof: older's leaves are the first leaves of newer, unchanged. Two
// checkpoints of one size must have one root (ErrFork otherwise); a newer
// checkpoint smaller than older means the log was truncated
// (ErrTruncated); a proof that fails means leaves were replaced
// (ErrInconsistent). Both must have one origin.
func CheckConsistency(older, newer Checkpoint, proof tlog.TreeProof) error {
	switch {
	case older.Origin != newer.Origin:
		return malformed("checkpoints of two logs, %q and %q", older.Origin, newer.Origin)
	case newer.Size < older.Size:
		return fail(ErrTruncated, -1, newer.Size, "a checkpoint of size %d was seen before", older.Size)
	case newer.Size == older.Size:
		if newer.Root != older.Root {
			return fail(ErrFork, -1, newer.Size, "two roots for one size")
		}
		return nil
	}
	if err := tlog.CheckTree(proof, newer.Size, newer.Root, older.Size, older.Root); err != nil {
		return &Error{Kind: ErrInconsistent, Index: -1, Size: newer.Size,
			Detail: fmt.Sprintf("does not extend the checkpoint of size %d", older.Size), Err: err}
	}
	return nil
}

// Integrate computes the stored hashes (in tlog's layout) that appending
// the leaves of entries to a log of size leaves adds, reading the existing
// stored hashes it needs with read. It is the notary.LogIntegrate the Log
// hands to the store.
func Integrate(size int64, entries []notary.LogEntry, read func(indexes []int64) ([]tlog.Hash, error)) ([]tlog.Hash, error) {
	base := tlog.StoredHashCount(size)
	var added []tlog.Hash
	// Appending reads, of the hashes stored before, only the roots of the
	// complete subtrees of the tree of size leaves: read them in one call.
	frontier := map[int64]tlog.Hash{}
	var fx []int64
	for level := 0; size>>level > 0; level++ {
		if n := size >> level; n&1 == 1 {
			fx = append(fx, tlog.StoredHashIndex(level, n-1))
		}
	}
	if len(fx) > 0 && len(entries) > 0 {
		hs, err := read(fx)
		if err != nil {
			return nil, err
		}
		if len(hs) != len(fx) {
			return nil, fmt.Errorf("translog: store returned %d hashes for %d indexes", len(hs), len(fx))
		}
		for i, x := range fx {
			frontier[x] = hs[i]
		}
	}
	r := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		var old []int64
		for i, x := range indexes {
			if h, ok := frontier[x]; ok {
				out[i] = h
			} else if x >= base {
				if x-base >= int64(len(added)) {
					return nil, fmt.Errorf("translog: stored hash %d not yet computed", x)
				}
				out[i] = added[x-base]
			} else {
				old = append(old, x)
			}
		}
		if len(old) == 0 {
			return out, nil
		}
		got, err := read(old)
		if err != nil {
			return nil, err
		}
		if len(got) != len(old) {
			return nil, fmt.Errorf("translog: store returned %d hashes for %d indexes", len(got), len(old))
		}
		j := 0
		for i, x := range indexes {
			if _, ok := frontier[x]; !ok && x < base {
				out[i] = got[j]
				j++
			}
		}
		return out, nil
	})
	for i, e := range entries {
		leaf, err := LeafHash(e)
		if err != nil {
			return nil, err
		}
		hs, err := tlog.StoredHashesForRecordHash(size+int64(i), leaf, r)
		if err != nil {
			return nil, err
		}
		added = append(added, hs...)
	}
	return added, nil
}

func decodeHex(s string) ([]byte, error) { return hex.DecodeString(s) }

func decodeBase64(s string) ([]byte, error) { return base64.StdEncoding.DecodeString(s) }
