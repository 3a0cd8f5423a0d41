package notary_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
	"github.com/notarykit/notarykit/store"
)

// tamperStore is a store whose audit trail an attacker has edited: Events
// returns what tamper makes of the stored events.
type tamperStore struct {
	*store.Memory
	mu     sync.Mutex
	tamper func([]notary.Event) []notary.Event
}

func (s *tamperStore) Events(ctx context.Context, recordID uuid.UUID) ([]notary.Event, error) {
	evs, err := s.Memory.Events(ctx, recordID)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil || s.tamper == nil {
		return evs, err
	}
	return s.tamper(evs), nil
}

func (s *tamperStore) set(f func([]notary.Event) []notary.Event) {
	s.mu.Lock()
	s.tamper = f
	s.mu.Unlock()
}

func newTamperEnv(t *testing.T) (*env, *tamperStore) {
	ts := &tamperStore{}
	e := newEnv(t, func(c *notary.Config) {
		ts.Memory = c.Store.(*store.Memory)
		c.Store = ts
	})
	return e, ts
}

// reseal recomputes an edited event's hash, as a careful forger would.
func reseal(ev notary.Event, prev string) notary.Event {
	ev.PrevHash = prev
	ev.Hash = ev.ComputeHash()
	return ev
}

func TestVerifyDetectsTampering(t *testing.T) {
	e, ts := newTamperEnv(t)
	f, err := e.svc.Filings.Submit(e.ctx, alice, notarytest.FilingContent())
	require.NoError(t, err)
	f, err = e.svc.Reviews.RejectFiling(e.ctx, e.reviewer, f.ID, f.Version, "blurred licence")
	require.NoError(t, err)
	f, err = e.svc.Filings.Resubmit(e.ctx, alice, f.ID, notarytest.FilingContent())
	require.NoError(t, err)
	_, err = e.svc.Reviews.ApproveFiling(e.ctx, e.reviewer, f.ID, f.Version)
	require.NoError(t, err)
	otherFiling := e.approvedFiling(bob)
	foreign := must(e.store.Events(e.ctx, otherFiling.ID))

	require.NoError(t, e.svc.Audit.Verify(e.ctx, e.supervisor, f.ID))
	orig := must(e.store.Events(e.ctx, f.ID))
	require.Len(t, orig, 4)

	tests := []struct {
		name   string
		tamper func(evs []notary.Event) []notary.Event
		seq    int64
	}{
		{"modify reason", func(evs []notary.Event) []notary.Event {
			evs[1].Reason = "nothing wrong"
			return evs
		}, 2},
		{"modify actor", func(evs []notary.Event) []notary.Event {
			evs[0].Actor.ID = "u-mallory"
			return evs
		}, 1},
		{"modify time", func(evs []notary.Event) []notary.Event {
			evs[2].At = evs[2].At.Add(-time.Microsecond)
			return evs
		}, 3},
		{"modify state", func(evs []notary.Event) []notary.Event {
			evs[3].To = string(notary.FilingRejected)
			return evs
		}, 4},
		{"modify and reseal", func(evs []notary.Event) []notary.Event {
			evs[1].Reason = "nothing wrong"
			evs[1] = reseal(evs[1], evs[1].PrevHash)
			return evs
		}, 3},
		{"rewrite the last event", func(evs []notary.Event) []notary.Event {
			evs[3].Actor.Name = "someone else"
			evs[3] = reseal(evs[3], evs[3].PrevHash)
			return evs
		}, 5},
		{"delete the first", func(evs []notary.Event) []notary.Event { return evs[1:] }, 1},
		{"delete one in the middle", func(evs []notary.Event) []notary.Event {
			return slices.Delete(evs, 1, 2)
		}, 2},
		{"delete the last", func(evs []notary.Event) []notary.Event { return evs[:3] }, 4},
		{"delete all", func([]notary.Event) []notary.Event { return nil }, 1},
		{"reorder", func(evs []notary.Event) []notary.Event {
			evs[1], evs[2] = evs[2], evs[1]
			return evs
		}, 2},
		{"insert a forged event", func(evs []notary.Event) []notary.Event {
			forged := evs[2]
			forged.ID, forged.Seq, forged.Trigger, forged.Reason = uuid.New(), 3, "approve", "forged"
			forged = reseal(forged, evs[1].Hash)
			return slices.Insert(evs, 2, forged)
		}, 4},
		{"insert, renumber and rechain everything", func(evs []notary.Event) []notary.Event {
			forged := evs[1]
			forged.ID, forged.Reason = uuid.New(), "forged"
			evs = slices.Insert(evs, 1, forged)
			prev := ""
			for i := range evs {
				evs[i].Seq = int64(i + 1)
				evs[i] = reseal(evs[i], prev)
				prev = evs[i].Hash
			}
			return evs
		}, 6}, // only the head the record carries exposes it
		{"duplicate the last", func(evs []notary.Event) []notary.Event { return append(evs, evs[3]) }, 5},
		{"splice another record's event", func(evs []notary.Event) []notary.Event {
			evs[2] = foreign[0]
			return evs
		}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts.set(func(evs []notary.Event) []notary.Event {
				if len(evs) == 0 || evs[0].RecordID != f.ID {
					return evs
				}
				return tc.tamper(evs)
			})
			defer ts.set(nil)
			err := e.svc.Audit.Verify(e.ctx, e.supervisor, f.ID)
			require.ErrorIs(t, err, notary.ErrTampered)
			var ce *notary.ChainError
			require.True(t, errors.As(err, &ce))
			assert.Equal(t, f.ID, ce.RecordID)
			assert.Equal(t, tc.seq, ce.Seq, ce.Reason)
			assert.Contains(t, err.Error(), ce.Reason)
			// Nothing was really changed: the untampered store verifies.
			require.NoError(t, notary.VerifyChain(f.ID, must(e.store.Events(e.ctx, f.ID)), must(e.store.Filing(e.ctx, f.ID)).AuditHead))
		})
	}
	require.NoError(t, e.svc.Audit.Verify(e.ctx, e.supervisor, f.ID))
	assert.Equal(t, orig, must(e.store.Events(e.ctx, f.ID)))
}

func TestVerifyAdminAndApplicationTrails(t *testing.T) {
	e, ts := newTamperEnv(t)
	app := e.appIn(notary.Completed)
	require.NoError(t, e.svc.Audit.Verify(e.ctx, e.supervisor, app.ID))
	_, _, err := e.svc.Admins.Login(e.ctx, reviewerEmail, "wrong password")
	require.ErrorIs(t, err, notary.ErrUnauthenticated)
	require.NoError(t, e.svc.Audit.Verify(e.ctx, e.supervisor, e.reviewer.ID))
	require.NoError(t, e.svc.Audit.Verify(e.ctx, e.supervisor, e.supervisor.ID))

	for _, id := range []uuid.UUID{app.ID, e.reviewer.ID} {
		n := len(must(e.store.Events(e.ctx, id)))
		ts.set(func(evs []notary.Event) []notary.Event {
			if len(evs) > 1 && evs[0].RecordID == id {
				evs[n-1].Trigger, evs[n-1].Reason = "login", "" // hide the last act
			}
			return evs
		})
		err := e.svc.Audit.Verify(e.ctx, e.supervisor, id)
		var ce *notary.ChainError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, int64(n), ce.Seq)
		ts.set(nil)
		require.NoError(t, e.svc.Audit.Verify(e.ctx, e.supervisor, id))
	}
	require.ErrorIs(t, e.svc.Audit.Verify(e.ctx, e.supervisor, uuid.New()), notary.ErrNotFound)
}

func TestCanonicalFieldSplit(t *testing.T) {
	a := notary.Event{Trigger: "ab", From: "c"}
	b := notary.Event{Trigger: "a", From: "bc"}
	assert.NotEqual(t, a.AppendCanonical(nil), b.AppendCanonical(nil))
	assert.NotEqual(t, a.ComputeHash(), b.ComputeHash())
}

// TestReportIsTrailAndVerify checks that Report returns what Trail and
// Verify return, for an intact trail and for a tampered one.
func TestReportIsTrailAndVerify(t *testing.T) {
	e, ts := newTamperEnv(t)
	app := e.appIn(notary.PendingFinalReview)

	report, err := e.svc.Audit.Report(e.ctx, e.reviewer, app.ID)
	require.NoError(t, err)
	trail, err := e.svc.Audit.Trail(e.ctx, e.reviewer, app.ID)
	require.NoError(t, err)
	assert.Equal(t, trail, report.Events)
	assert.NoError(t, report.Problem)

	ts.set(func(evs []notary.Event) []notary.Event {
		evs[1].Reason = "edited"
		return evs
	})
	report, err = e.svc.Audit.Report(e.ctx, alice, app.ID)
	require.NoError(t, err, "a broken chain is the report's problem, not an error")
	require.ErrorIs(t, report.Problem, notary.ErrTampered)
	var ce *notary.ChainError
	require.ErrorAs(t, report.Problem, &ce)
	assert.Equal(t, int64(2), ce.Seq)
	assert.Len(t, report.Events, len(trail), "the events are returned with the problem")
	assert.Equal(t, report.Problem.Error(), e.svc.Audit.Verify(e.ctx, alice, app.ID).Error())
}
