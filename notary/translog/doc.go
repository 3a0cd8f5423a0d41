// Package translog is the office-wide transparency log of notarykit: one
// append-only Merkle log per notary office in which every audit event
// (of filings, applications and admin accounts) is a leaf, so that the
// office's history stays provable even if a record is deleted or a whole
// trail is rewritten together with its head.
//
// # Format
//
// The log is an RFC 6962 Merkle tree, computed and proven with
// golang.org/x/mod/sumdb/tlog (the code behind Go's checksum database).
// Leaf i is the i-th audit event the office's sequencer took from the
// queue; its hash is SHA-256(0x00 ‖ LeafData), where LeafData is
//
//	uvarint(len) "notarykit/log-leaf/v1"
//	office ID (16 bytes) ‖ record ID (16 bytes)
//	uvarint(len) record kind ("filing", "application" or "admin")
//	seq (8 bytes, big-endian)
//	event ID (16 bytes) ‖ event hash (32 bytes)
//
// The event hash is notary.Event.Hash, which already commits to every
// field of the event and to its predecessor in the record's chain, so a
// leaf commits to the event's content and its whole past.
//
// A checkpoint is the C2SP checkpoint body — the log's origin, its size
// in decimal and its base64 root hash, one per line — signed as a C2SP
// signed note (golang.org/x/mod/sumdb/note) with the office's Ed25519
// key, whose name is the origin.
//
// # Keys and rotation
//
// The office configures its Ed25519 private key; its verifier key,
// "origin+hash+base64" (see VerifierKey), is what the office publishes and
// customers keep. To rotate, sign with the old and the new key together
// for a while (Sign takes several signers), so that customers can add the
// new verifier key; then sign with the new key alone. Checkpoints signed
// before stay verifiable with the old verifier key, which customers keep.
//
// # Verifying
//
// A Bundle carries a record, its events with an inclusion proof each and
// a signed checkpoint; VerifyBundle checks it with the verifier key alone.
// A Monitor follows a Series of checkpoints with consistency proofs and
// detects a fork, a truncation or a rewrite. Every failure is an *Error
// whose Kind (ErrEventEdited, ErrLeafMismatch, ErrInconsistent,
// ErrTruncated, ErrFork, ErrRecordDeleted, ErrBadSignature) says what
// broke.
//
// # Witnesses
//
// A Witness anchors checkpoints outside the office: it cosigns a
// checkpoint only if it extends the last one it cosigned, so an office
// cannot get two histories cosigned by one witness. Log.Checkpoint asks
// the configured witnesses (Config.Witnesses) and stores the cosigned
// note; customers who require cosignatures check them with
// VerifyWitnessed. LocalWitness is an in-process witness that shows and
// tests the rules.
package translog
