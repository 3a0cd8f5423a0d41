package translog_test

import (
	"crypto/ed25519"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
	"github.com/notarykit/notarykit/notary/translog"
)

// newFiling has a new user submit a filing: more events for the log.
func (o *office) newFiling(t *testing.T) {
	t.Helper()
	o.filings++
	u := notary.User{ID: fmt.Sprintf("acct-new-%d", o.filings), Email: "x@acme.example"}
	_, err := o.svc.Filings.Submit(t.Context(), u, notarytest.FilingContent())
	require.NoError(t, err)
}

func officeVKey(t *testing.T) string {
	v, err := translog.VerifierKey(testOrigin, key("office").Public().(ed25519.PublicKey))
	require.NoError(t, err)
	return v
}

func TestLocalWitness(t *testing.T) {
	ctx := t.Context()
	w, err := translog.NewLocalWitness("witness.example", key("witness"), officeVKey(t))
	require.NoError(t, err)
	var l memLog
	for i := range 20 {
		l.append(t, entry(i))
	}

	// The first checkpoint, then one extending it with a proof.
	c5, err := w.Cosign(ctx, 0, nil, l.signed(t, 5))
	require.NoError(t, err)
	c, err := translog.VerifyWitnessed(c5, verifiers(t), []string{w.VerifierKey()}, 1)
	require.NoError(t, err)
	assert.Equal(t, int64(5), c.Size)
	_, err = w.Cosign(ctx, 5, l.proveTree(t, 12, 5), l.signed(t, 12))
	require.NoError(t, err)

	// A request that assumes another size learns the witness's.
	_, err = w.Cosign(ctx, 5, l.proveTree(t, 20, 5), l.signed(t, 20))
	var conflict *translog.WitnessConflictError
	require.ErrorAs(t, err, &conflict)
	assert.Equal(t, int64(12), conflict.Size)

	// Another history is refused, whatever the office signs.
	var forked memLog
	for i := range 20 {
		e := entry(i)
		if i == 3 {
			e = entry(100)
		}
		forked.append(t, e)
	}
	for name, tc := range map[string]struct {
		signed []byte
		proof  tlog.TreeProof
		want   error
	}{
		"fork at the same size": {forked.signed(t, 12), nil, translog.ErrFork},
		"rewritten and grown":   {forked.signed(t, 20), forked.proveTree(t, 20, 12), translog.ErrInconsistent},
		"truncated":             {l.signed(t, 8), nil, translog.ErrTruncated},
		"not the office's":      {l.signed(t, 20, key("impostor")), l.proveTree(t, 20, 12), translog.ErrBadSignature},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := w.Cosign(ctx, 12, tc.proof, tc.signed)
			require.ErrorIs(t, err, tc.want)
			assert.ErrorIs(t, err, notary.ErrTampered)
		})
	}
	// The honest log goes on.
	_, err = w.Cosign(ctx, 12, l.proveTree(t, 20, 12), l.signed(t, 20))
	require.NoError(t, err)

	// Without the witness's cosignature, a quorum of one fails.
	_, err = translog.VerifyWitnessed(l.signed(t, 20), verifiers(t), []string{w.VerifierKey()}, 1)
	require.ErrorIs(t, err, translog.ErrBadSignature)
}

func TestLogWithWitness(t *testing.T) {
	ctx := t.Context()
	o := newOffice(t, 0)
	w, err := translog.NewLocalWitness("witness.example", key("witness"), o.log.VerifierKeys()...)
	require.NoError(t, err)
	lg, err := translog.New(translog.Config{Service: o.svc, Store: o.store, Keys: []ed25519.PrivateKey{key("office")},
		Origin: testOrigin, Witnesses: []translog.Witness{w}})
	require.NoError(t, err)
	keys, err := translog.Verifiers(lg.VerifierKeys()...)
	require.NoError(t, err)

	for range 2 {
		_, err = lg.SequenceAll(ctx)
		require.NoError(t, err)
		c, err := lg.Checkpoint(ctx)
		require.NoError(t, err)
		_, err = translog.VerifyWitnessed(c.Note, keys, []string{w.VerifierKey()}, 1)
		require.NoError(t, err, "checkpoint of size %d cosigned", c.Size)
		o.newFiling(t)
	}
	// Bundles carry the cosigned checkpoint, and still verify with the
	// office's key alone.
	b, err := lg.Bundle(ctx, o.user, o.app.ID)
	require.NoError(t, err)
	_, err = translog.VerifyBundle(b, keys)
	require.NoError(t, err)
	_, err = translog.VerifyWitnessed([]byte(b.Checkpoint), keys, []string{w.VerifierKey()}, 1)
	require.NoError(t, err)

	// A witness that lost track (here: a new one that saw an older size
	// elsewhere) is caught up from the size it names.
	w2, err := translog.NewLocalWitness("witness2.example", key("witness2"), lg.VerifierKeys()...)
	require.NoError(t, err)
	first, err := lg.Checkpoints(ctx, 0, 0)
	require.NoError(t, err)
	_, err = w2.Cosign(ctx, 0, nil, first[len(first)-1].Note)
	require.NoError(t, err)
	lg2, err := translog.New(translog.Config{Service: o.svc, Store: o.store, Keys: []ed25519.PrivateKey{key("office")},
		Origin: testOrigin, Witnesses: []translog.Witness{w2}})
	require.NoError(t, err)
	o.newFiling(t)
	_, err = lg2.SequenceAll(ctx)
	require.NoError(t, err)
	c, err := lg2.Checkpoint(ctx)
	require.NoError(t, err)
	_, err = translog.VerifyWitnessed(c.Note, keys, []string{w2.VerifierKey()}, 1)
	require.NoError(t, err)
}
