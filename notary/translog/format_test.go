package translog_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/tlog"
	"pgregory.net/rapid"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/translog"
)

func TestCheckpointTextRoundTrip(t *testing.T) {
	c := translog.Checkpoint{Origin: testOrigin, Size: 42, Root: tlog.RecordHash([]byte("x"))}
	got, err := translog.ParseCheckpoint(c.Text())
	require.NoError(t, err)
	assert.Equal(t, c, got)
	assert.True(t, strings.HasPrefix(c.Text(), testOrigin+"\n42\n"))

	ext, err := translog.ParseCheckpoint(c.Text() + "— extension line\n")
	require.NoError(t, err, "extension lines are allowed")
	assert.Equal(t, c, ext)
}

func TestParseCheckpointRejects(t *testing.T) {
	root := "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
	for name, text := range map[string]string{
		"empty":             "",
		"two lines":         testOrigin + "\n1\n",
		"no final newline":  testOrigin + "\n1\n" + root,
		"empty origin":      "\n1\n" + root + "\n",
		"negative size":     testOrigin + "\n-1\n" + root + "\n",
		"leading zero":      testOrigin + "\n01\n" + root + "\n",
		"size not a number": testOrigin + "\nten\n" + root + "\n",
		"short root":        testOrigin + "\n1\nAAAA\n",
		"root not base64":   testOrigin + "\n1\n!!!\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := translog.ParseCheckpoint(text)
			require.ErrorIs(t, err, translog.ErrMalformed)
			assert.ErrorIs(t, err, notary.ErrInvalidInput)
		})
	}
}

func TestSignAndOpenCheckpoint(t *testing.T) {
	var l memLog
	for i := range 5 {
		l.append(t, entry(i))
	}
	signed := l.signed(t, 5)
	c, err := translog.OpenCheckpoint(signed, verifiers(t))
	require.NoError(t, err)
	assert.Equal(t, l.checkpoint(t, 5), c)

	t.Run("unknown key", func(t *testing.T) {
		_, err := translog.OpenCheckpoint(signed, verifiers(t, key("someone else")))
		require.ErrorIs(t, err, translog.ErrBadSignature)
		assert.ErrorIs(t, err, notary.ErrTampered)
	})
	t.Run("edited body", func(t *testing.T) {
		edited := strings.Replace(string(signed), "\n5\n", "\n6\n", 1)
		_, err := translog.OpenCheckpoint([]byte(edited), verifiers(t))
		require.ErrorIs(t, err, translog.ErrBadSignature)
	})
	t.Run("signer of another origin", func(t *testing.T) {
		s, err := translog.NewSigner("other.example/log", key("office"))
		require.NoError(t, err)
		_, err = translog.Sign(l.checkpoint(t, 5), s)
		require.ErrorIs(t, err, translog.ErrMalformed)
	})
	t.Run("garbage", func(t *testing.T) {
		_, err := translog.OpenCheckpoint([]byte("not a note"), verifiers(t))
		require.ErrorIs(t, err, translog.ErrMalformed)
	})
	t.Run("rotation: signed by old and new, each verifies", func(t *testing.T) {
		both := l.signed(t, 5, key("office"), key("office 2027"))
		for _, k := range []string{"office", "office 2027"} {
			c, err := translog.OpenCheckpoint(both, verifiers(t, key(k)))
			require.NoError(t, err, k)
			assert.Equal(t, int64(5), c.Size)
		}
	})
}

func TestLeafHashCommitsToEveryField(t *testing.T) {
	base := entry(3)
	h0, err := translog.LeafHash(base)
	require.NoError(t, err)
	for name, edit := range map[string]func(*notary.LogEntry){
		"office": func(e *notary.LogEntry) { e.OfficeID[0] ^= 1 },
		"record": func(e *notary.LogEntry) { e.RecordID[15] ^= 1 },
		"kind":   func(e *notary.LogEntry) { e.RecordKind = notary.KindFiling },
		"seq":    func(e *notary.LogEntry) { e.Seq++ },
		"event":  func(e *notary.LogEntry) { e.EventID[3] ^= 1 },
		"hash":   func(e *notary.LogEntry) { e.EventHash = strings.Repeat("0", 64) },
	} {
		e := base
		edit(&e)
		h, err := translog.LeafHash(e)
		require.NoError(t, err)
		assert.NotEqual(t, h0, h, name)
	}
	bad := base
	bad.EventHash = "xyz"
	_, err = translog.LeafHash(bad)
	require.ErrorIs(t, err, translog.ErrMalformed)
}

// Integrating in batches stores exactly the hashes tlog stores one record
// at a time, whatever the batch sizes.
func TestIntegrateMatchesTlog(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(0, 300).Draw(rt, "n")
		var want []tlog.Hash
		read := func(indexes []int64) ([]tlog.Hash, error) {
			out := make([]tlog.Hash, len(indexes))
			for i, x := range indexes {
				out[i] = want[x]
			}
			return out, nil
		}
		for i := range n {
			data, err := translog.LeafData(entry(i))
			require.NoError(rt, err)
			hs, err := tlog.StoredHashes(int64(i), data, tlog.HashReaderFunc(read))
			require.NoError(rt, err)
			want = append(want, hs...)
		}
		var l memLog
		for l.size < int64(n) {
			k := rapid.IntRange(1, 40).Draw(rt, "batch")
			k = min(k, n-int(l.size))
			batch := make([]notary.LogEntry, k)
			for j := range batch {
				batch[j] = entry(int(l.size) + j)
			}
			l.append(rt, batch...)
		}
		assert.Equal(rt, want, l.hashes)
	})
}

// Every inclusion and consistency proof of a random log verifies, and none
// survives a flipped bit in the proof, the leaf or the root.
func TestProofsOfRandomLogs(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(1, 200).Draw(rt, "n")
		var l memLog
		for i := range n {
			l.append(rt, entry(i))
		}
		size := rapid.Int64Range(1, int64(n)).Draw(rt, "size")
		index := rapid.Int64Range(0, size-1).Draw(rt, "index")
		c := l.checkpoint(rt, size)
		leaf, err := translog.LeafHash(l.entries[index])
		require.NoError(rt, err)
		p := l.proveLeaf(rt, index, size)
		require.NoError(rt, translog.CheckInclusion(c, index, leaf, p.Proof))

		older := rapid.Int64Range(1, size).Draw(rt, "older")
		oc := l.checkpoint(rt, older)
		tp := l.proveTree(rt, size, older)
		require.NoError(rt, translog.CheckConsistency(oc, c, tp))

		bit := rapid.IntRange(0, 8*tlog.HashSize-1).Draw(rt, "bit")
		flip := func(h tlog.Hash) tlog.Hash { h[bit/8] ^= 1 << (bit % 8); return h }

		badRoot := c
		badRoot.Root = flip(c.Root)
		assert.ErrorIs(rt, translog.CheckInclusion(badRoot, index, leaf, p.Proof), translog.ErrLeafMismatch)
		assert.ErrorIs(rt, translog.CheckInclusion(c, index, flip(leaf), p.Proof), translog.ErrLeafMismatch)
		if len(p.Proof) > 0 {
			i := rapid.IntRange(0, len(p.Proof)-1).Draw(rt, "proof hash")
			bad := append(tlog.RecordProof(nil), p.Proof...)
			bad[i] = flip(bad[i])
			assert.ErrorIs(rt, translog.CheckInclusion(c, index, leaf, bad), translog.ErrLeafMismatch)
		}
		if older < size {
			badOld := oc
			badOld.Root = flip(oc.Root)
			assert.ErrorIs(rt, translog.CheckConsistency(badOld, c, tp), translog.ErrInconsistent)
			assert.ErrorIs(rt, translog.CheckConsistency(oc, badRoot, tp), translog.ErrInconsistent)
			if len(tp) > 0 {
				i := rapid.IntRange(0, len(tp)-1).Draw(rt, "tree proof hash")
				bad := append(tlog.TreeProof(nil), tp...)
				bad[i] = flip(bad[i])
				assert.ErrorIs(rt, translog.CheckConsistency(oc, c, bad), translog.ErrInconsistent)
			}
		} else {
			badNew := c
			badNew.Root = flip(c.Root)
			assert.ErrorIs(rt, translog.CheckConsistency(oc, badNew, nil), translog.ErrFork)
		}
	})
}

// A flipped bit anywhere in a signed checkpoint is caught.
func TestSignedCheckpointFlippedBit(t *testing.T) {
	var l memLog
	for i := range 9 {
		l.append(t, entry(i))
	}
	signed := l.signed(t, 9)
	rapid.Check(t, func(rt *rapid.T) {
		bit := rapid.IntRange(0, 8*len(signed)-1).Draw(rt, "bit")
		bad := append([]byte(nil), signed...)
		bad[bit/8] ^= 1 << (bit % 8)
		_, err := translog.OpenCheckpoint(bad, verifiers(rt))
		require.Error(rt, err)
		assert.True(rt, errors.Is(err, translog.ErrBadSignature) || errors.Is(err, translog.ErrMalformed), "%v", err)
	})
}

// Every single-bit change of a signed checkpoint is refused, including
// those in the padding bits of a signature's last base64 character, which
// a lenient decoder would ignore.
func TestSignedCheckpointEveryBit(t *testing.T) {
	var l memLog
	for i := range 9 {
		l.append(t, entry(i))
	}
	signed := l.signed(t, 9)
	vs := verifiers(t)
	for bit := range 8 * len(signed) {
		bad := append([]byte(nil), signed...)
		bad[bit/8] ^= 1 << (bit % 8)
		_, err := translog.OpenCheckpoint(bad, vs)
		require.Error(t, err, "bit %d of %q", bit, signed)
	}
}

// Integrate reads the hashes stored before in one call per batch: the
// roots of the complete subtrees it appends to.
func TestIntegrateReadsOnce(t *testing.T) {
	var l memLog
	for i := range 1000 {
		l.append(t, entry(i))
	}
	for _, size := range []int64{1000} {
		calls := 0
		read := func(ix []int64) ([]tlog.Hash, error) { calls++; return l.read(ix) }
		batch := make([]notary.LogEntry, 300)
		for i := range batch {
			batch[i] = entry(int(size) + i)
		}
		hs, err := translog.Integrate(size, batch, read)
		require.NoError(t, err)
		assert.Equal(t, 1, calls)
		l.hashes = append(l.hashes, hs...)
		l.size += 300
		l.entries = append(l.entries, batch...)
	}
	var want memLog
	for i := range 1300 {
		want.append(t, entry(i))
	}
	assert.Equal(t, want.hashes, l.hashes)
}
