package translog_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/translog"
)

// An office signs a checkpoint of its log; a customer holding only the
// office's verifier key checks it and an event's inclusion.
func Example() {
	seed := sha256.Sum256([]byte("example office key"))
	priv := ed25519.NewKeyFromSeed(seed[:])
	const origin = "notary.example/log"

	// The office's side: a log of three events, kept as tlog stored hashes.
	var hashes []tlog.Hash
	read := func(ix []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(ix))
		for i, x := range ix {
			out[i] = hashes[x]
		}
		return out, nil
	}
	events := trail(3)
	entries := make([]notary.LogEntry, len(events))
	for i, e := range events {
		entries[i] = translog.EntryOf(e)
	}
	added, _ := translog.Integrate(0, entries, read)
	hashes = append(hashes, added...)
	root, _ := tlog.TreeHash(3, tlog.HashReaderFunc(read))
	signer, _ := translog.NewSigner(origin, priv)
	signed, _ := translog.Sign(translog.Checkpoint{Origin: origin, Size: 3, Root: root}, signer)
	proof, _ := tlog.ProveRecord(3, 1, tlog.HashReaderFunc(read))

	// The customer's side: the verifier key, the signed checkpoint, the
	// event and its proof.
	vkey, _ := translog.VerifierKey(origin, priv.Public().(ed25519.PublicKey))
	keys, _ := translog.Verifiers(vkey)
	cp, err := translog.OpenCheckpoint(signed, keys)
	fmt.Println("checkpoint:", cp.Origin, cp.Size, err)
	leaf, _ := translog.LeafHash(translog.EntryOf(events[1]))
	fmt.Println("event 2 included:", translog.CheckInclusion(cp, 1, leaf, proof) == nil)
	// Output:
	// checkpoint: notary.example/log 3 <nil>
	// event 2 included: true
}
