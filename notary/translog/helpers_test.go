package translog_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/translog"
)

// testOrigin is the log name of the tests' office.
const testOrigin = "notary.example/log"

var testOffice = uuid.MustParse("6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f")

// key returns a deterministic Ed25519 key for seed.
func key(seed string) ed25519.PrivateKey {
	s := sha256.Sum256([]byte(seed))
	return ed25519.NewKeyFromSeed(s[:])
}

// memLog is a log kept in a slice of stored hashes, grown with
// translog.Integrate as the stores do.
type memLog struct {
	hashes  []tlog.Hash
	size    int64
	entries []notary.LogEntry
}

func (l *memLog) read(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(l.hashes)) {
			return nil, fmt.Errorf("stored hash %d out of range", x)
		}
		out[i] = l.hashes[x]
	}
	return out, nil
}

func (l *memLog) reader() tlog.HashReader { return tlog.HashReaderFunc(l.read) }

func (l *memLog) append(t tb, entries ...notary.LogEntry) {
	t.Helper()
	hs, err := translog.Integrate(l.size, entries, l.read)
	require.NoError(t, err)
	l.hashes = append(l.hashes, hs...)
	l.size += int64(len(entries))
	l.entries = append(l.entries, entries...)
	require.Equal(t, tlog.StoredHashCount(l.size), int64(len(l.hashes)))
}

func (l *memLog) checkpoint(t tb, size int64) translog.Checkpoint {
	t.Helper()
	root, err := tlog.TreeHash(size, l.reader())
	require.NoError(t, err)
	return translog.Checkpoint{Origin: testOrigin, Size: size, Root: root}
}

func (l *memLog) signed(t tb, size int64, keys ...ed25519.PrivateKey) []byte {
	t.Helper()
	if len(keys) == 0 {
		keys = []ed25519.PrivateKey{key("office")}
	}
	var signers []note.Signer
	for _, k := range keys {
		s, err := translog.NewSigner(testOrigin, k)
		require.NoError(t, err)
		signers = append(signers, s)
	}
	msg, err := translog.Sign(l.checkpoint(t, size), signers...)
	require.NoError(t, err)
	return msg
}

func (l *memLog) proveLeaf(t tb, index, size int64) *translog.LeafProof {
	t.Helper()
	p, err := tlog.ProveRecord(size, index, l.reader())
	require.NoError(t, err)
	return &translog.LeafProof{Index: index, Proof: p}
}

func (l *memLog) proveTree(t tb, newer, older int64) tlog.TreeProof {
	t.Helper()
	p, err := tlog.ProveTree(newer, older, l.reader())
	require.NoError(t, err)
	return p
}

func verifiers(t tb, keys ...ed25519.PrivateKey) note.Verifiers {
	t.Helper()
	if len(keys) == 0 {
		keys = []ed25519.PrivateKey{key("office")}
	}
	var vkeys []string
	for _, k := range keys {
		v, err := translog.VerifierKey(testOrigin, k.Public().(ed25519.PublicKey))
		require.NoError(t, err)
		vkeys = append(vkeys, v)
	}
	vs, err := translog.Verifiers(vkeys...)
	require.NoError(t, err)
	return vs
}

// entry returns a log entry with a made-up event hash.
func entry(i int) notary.LogEntry {
	h := sha256.Sum256(fmt.Appendf(nil, "event %d", i))
	return notary.LogEntry{OfficeID: testOffice, RecordID: uuid.NewSHA1(uuid.Nil, fmt.Appendf(nil, "r%d", i%7)),
		RecordKind: notary.KindApplication, Seq: int64(i/7 + 1), EventID: uuid.NewSHA1(uuid.Nil, fmt.Appendf(nil, "e%d", i)),
		EventHash: hex.EncodeToString(h[:])}
}

// trail returns a sealed chain of n events of one application.
func trail(n int) []notary.Event {
	rec := uuid.MustParse("0195f3a0-0000-7000-8000-000000000001")
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	states := []string{"", "awaiting_payment", "paid", "preliminary_review", "awaiting_materials", "final_review"}
	out := make([]notary.Event, n)
	prev := ""
	for i := range out {
		e := notary.Event{ID: uuid.NewSHA1(rec, fmt.Appendf(nil, "%d", i)), RecordID: rec, RecordKind: notary.KindApplication,
			OfficeID: testOffice, Seq: int64(i + 1), Trigger: fmt.Sprintf("step%d", i),
			From: states[i%len(states)], To: states[(i+1)%len(states)],
			Actor: notary.Actor{Kind: notary.ActorUser, ID: "u1", Name: "Ada"}, At: at.Add(time.Duration(i) * time.Minute),
			PrevHash: prev}
		e.Hash = e.ComputeHash()
		prev = e.Hash
		out[i] = e
	}
	return out
}

// tb is what the helpers need of a *testing.T or a *rapid.T.
type tb interface {
	require.TestingT
	Helper()
}

var _ tb = (*testing.T)(nil)
