package translog_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/translog"
)

// world is an office log in which one application's five events are
// interleaved with other records' events, a bundle of that application
// and the published checkpoint series.
type world struct {
	log    memLog
	events []notary.Event
	index  []int64 // leaf index of each event
}

func newWorld(t *testing.T) *world {
	w := &world{events: trail(5)}
	n := 0
	for _, e := range w.events {
		for range 3 {
			w.log.append(t, entry(n))
			n++
		}
		w.index = append(w.index, w.log.size)
		w.log.append(t, translog.EntryOf(e))
	}
	w.log.append(t, entry(n), entry(n+1))
	return w
}

func (w *world) bundle(t *testing.T, size int64) translog.Bundle {
	last := w.events[len(w.events)-1]
	b := translog.Bundle{
		Format: translog.BundleFormat,
		Record: translog.BundleRecord{ID: last.RecordID, Kind: last.RecordKind, OfficeID: last.OfficeID,
			State: last.To, AuditHead: last.Hash, Data: json.RawMessage(`{"note":"as stored"}`)},
		Checkpoint: string(w.log.signed(t, size)),
	}
	for i, e := range w.events {
		var p *translog.LeafProof
		if w.index[i] < size {
			p = w.log.proveLeaf(t, w.index[i], size)
		}
		b.Events = append(b.Events, translog.NewBundleEvent(e, p))
	}
	return b
}

func TestBundleVerifies(t *testing.T) {
	w := newWorld(t)
	b := w.bundle(t, w.log.size)

	// Through JSON, as a customer receives it.
	data, err := b.MarshalIndent()
	require.NoError(t, err)
	got, err := translog.ReadBundle(bytes.NewReader(data))
	require.NoError(t, err)
	rep, err := translog.VerifyBundle(got, verifiers(t))
	require.NoError(t, err)
	assert.Equal(t, 5, rep.Logged)
	assert.Equal(t, 0, rep.Pending)
	assert.Equal(t, w.log.size, rep.Checkpoint.Size)

	// A checkpoint made before the last event was logged: that event is
	// pending, the others are proven.
	early := w.bundle(t, w.index[4])
	rep, err = translog.VerifyBundle(early, verifiers(t))
	require.NoError(t, err)
	assert.Equal(t, 4, rep.Logged)
	assert.Equal(t, 1, rep.Pending)
}

func TestReadBundleRejects(t *testing.T) {
	for name, text := range map[string]string{
		"not JSON":      "{",
		"unknown field": `{"format":"notarykit/bundle/v1","extra":1}`,
		"other format":  `{"format":"notarykit/bundle/v0"}`,
	} {
		_, err := translog.ReadBundle(bytes.NewReader([]byte(text)))
		assert.ErrorIs(t, err, translog.ErrMalformed, name)
	}
	_, err := translog.VerifyBundle(translog.Bundle{Format: translog.BundleFormat}, verifiers(t))
	assert.ErrorIs(t, err, translog.ErrMalformed, "no events")
}

// The tamper matrix: each way of rewriting history is detected, with the
// error saying what broke.
func TestTamperMatrix(t *testing.T) {
	cases := []struct {
		name   string
		detect func(t *testing.T, w *world) error
		want   error
	}{
		{"edited event in a bundle", func(t *testing.T, w *world) error {
			b := w.bundle(t, w.log.size)
			b.Events[2].Reason = "edited afterwards"
			_, err := translog.VerifyBundle(b, verifiers(t))
			return err
		}, translog.ErrEventEdited},
		{"event dropped from a bundle", func(t *testing.T, w *world) error {
			b := w.bundle(t, w.log.size)
			b.Events = append(b.Events[:1], b.Events[2:]...)
			_, err := translog.VerifyBundle(b, verifiers(t))
			return err
		}, translog.ErrEventEdited},
		{"record state edited", func(t *testing.T, w *world) error {
			b := w.bundle(t, w.log.size)
			b.Record.State = "completed"
			_, err := translog.VerifyBundle(b, verifiers(t))
			return err
		}, translog.ErrEventEdited},
		{"trail rewritten with a consistent chain and head", func(t *testing.T, w *world) error {
			// The office rewrites event 3 and rehashes the chain from there:
			// the chain verifies, the log does not hold those events.
			evs := w.events
			evs[2].Reason = "rewritten"
			for i := 2; i < len(evs); i++ {
				evs[i].PrevHash = evs[i-1].Hash
				evs[i].Hash = evs[i].ComputeHash()
			}
			_, err := translog.VerifyBundle(w.bundle(t, w.log.size), verifiers(t))
			return err
		}, translog.ErrLeafMismatch},
		{"replaced leaf: the new log does not extend the old checkpoint", func(t *testing.T, w *world) error {
			m := translog.NewMonitor(verifiers(t))
			_, err := m.Observe(w.log.signed(t, w.log.size), nil)
			require.NoError(t, err)
			// Rebuild the log with leaf 5 replaced and one more leaf.
			var forged memLog
			for i, e := range w.log.entries {
				if i == 5 {
					e = entry(999)
				}
				forged.append(t, e)
			}
			forged.append(t, entry(1000))
			_, err = m.Observe(forged.signed(t, forged.size), forged.proveTree(t, forged.size, w.log.size))
			return err
		}, translog.ErrInconsistent},
		{"replaced leaf: an old bundle against the new checkpoint", func(t *testing.T, w *world) error {
			var forged memLog
			for i, e := range w.log.entries {
				if int64(i) == w.index[1] {
					e = entry(999)
				}
				forged.append(t, e)
			}
			b := w.bundle(t, w.log.size)
			b.Checkpoint = string(forged.signed(t, forged.size))
			_, err := translog.VerifyBundle(b, verifiers(t))
			return err
		}, translog.ErrLeafMismatch},
		{"deleted record: the log rebuilt without its leaves", func(t *testing.T, w *world) error {
			m := translog.NewMonitor(verifiers(t))
			_, err := m.Observe(w.log.signed(t, w.log.size), nil)
			require.NoError(t, err)
			var forged memLog
			for _, e := range w.log.entries {
				if e.RecordID != w.events[0].RecordID {
					forged.append(t, e)
				}
			}
			for i := range 10 { // and grown past the old size to hide it
				forged.append(t, entry(2000+i))
			}
			_, err = m.Observe(forged.signed(t, forged.size), forged.proveTree(t, forged.size, w.log.size))
			return err
		}, translog.ErrInconsistent},
		{"truncated log", func(t *testing.T, w *world) error {
			m := translog.NewMonitor(verifiers(t))
			_, err := m.Observe(w.log.signed(t, w.log.size), nil)
			require.NoError(t, err)
			_, err = m.Observe(w.log.signed(t, w.log.size-3), nil)
			return err
		}, translog.ErrTruncated},
		{"proof beyond a truncated checkpoint", func(t *testing.T, w *world) error {
			// Proofs at a checkpoint that ends before the last event, which
			// still claims a leaf.
			b := w.bundle(t, w.index[4])
			b.Events[4].Leaf = w.log.proveLeaf(t, w.index[4], w.log.size)
			_, err := translog.VerifyBundle(b, verifiers(t))
			return err
		}, translog.ErrTruncated},
		{"fork: two signed roots of one size", func(t *testing.T, w *world) error {
			m := translog.NewMonitor(verifiers(t))
			_, err := m.Observe(w.log.signed(t, w.log.size), nil)
			require.NoError(t, err)
			var forked memLog
			for i, e := range w.log.entries {
				if i == int(w.log.size)-1 {
					e = entry(3000)
				}
				forked.append(t, e)
			}
			_, err = m.Observe(forked.signed(t, forked.size), nil)
			return err
		}, translog.ErrFork},
		{"fork seen through an older size", func(t *testing.T, w *world) error {
			m := translog.NewMonitor(verifiers(t))
			_, err := m.Observe(w.log.signed(t, 8), nil)
			require.NoError(t, err)
			_, err = m.Observe(w.log.signed(t, w.log.size), w.log.proveTree(t, w.log.size, 8))
			require.NoError(t, err)
			var forked memLog
			for i, e := range w.log.entries[:8] {
				if i == 0 {
					e = entry(4000)
				}
				forked.append(t, e)
			}
			return m.Check(forked.checkpoint(t, 8))
		}, translog.ErrFork},
		{"checkpoint signed by another key", func(t *testing.T, w *world) error {
			b := w.bundle(t, w.log.size)
			b.Checkpoint = string(w.log.signed(t, w.log.size, key("impostor")))
			_, err := translog.VerifyBundle(b, verifiers(t))
			return err
		}, translog.ErrBadSignature},
	}
	kinds := []error{translog.ErrEventEdited, translog.ErrLeafMismatch, translog.ErrInconsistent,
		translog.ErrTruncated, translog.ErrFork, translog.ErrBadSignature, translog.ErrRecordDeleted}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.detect(t, newWorld(t))
			require.ErrorIs(t, err, tc.want)
			assert.ErrorIs(t, err, notary.ErrTampered)
			var te *translog.Error
			require.ErrorAs(t, err, &te)
			for _, k := range kinds {
				if k != tc.want {
					assert.NotErrorIs(t, err, k, "exactly one kind")
				}
			}
		})
	}
}

func TestMonitorFollowsAGrowingLog(t *testing.T) {
	w := newWorld(t)
	m := translog.NewMonitor(verifiers(t))
	var s translog.Series
	prev := int64(0)
	for _, size := range []int64{1, 4, 4, 9, 17, w.log.size} {
		e := translog.SeriesEntry{Checkpoint: string(w.log.signed(t, size))}
		if prev > 0 && prev < size {
			e.Consistency = w.log.proveTree(t, size, prev)
		}
		s.Checkpoints = append(s.Checkpoints, e)
		prev = size
	}
	cps, err := m.VerifySeries(s)
	require.NoError(t, err)
	require.Len(t, cps, 6)
	latest, ok := m.Latest()
	require.True(t, ok)
	assert.Equal(t, w.log.size, latest.Size)

	// A bundle made at one of the series' checkpoints agrees with it.
	b := w.bundle(t, 17)
	rep, err := translog.VerifyBundle(b, verifiers(t))
	require.NoError(t, err)
	require.NoError(t, m.Check(rep.Checkpoint))

	// A series whose proof is missing does not verify.
	s.Checkpoints[3].Consistency = tlog.TreeProof{}
	_, err = translog.NewMonitor(verifiers(t)).VerifySeries(s)
	assert.ErrorIs(t, err, translog.ErrInconsistent)
}
