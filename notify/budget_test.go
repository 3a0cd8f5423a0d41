package notify_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notify"
)

// outage seeds count email notices created now and makes the email
// notifier fail with a temporary error while the returned flag is set.
func outage(t *testing.T, e *relayEnv, count int) ([]notary.Notice, *atomic.Bool) {
	t.Helper()
	ns := notices(count, notary.NoticeShipped, notary.ChannelEmail)
	for i := range ns {
		ns[i].CreatedAt = e.clock.Now()
		ns[i].NextAttemptAt = ns[i].CreatedAt
	}
	seed(t, e.store, ns...)
	var down atomic.Bool
	down.Store(true)
	e.email.setFail(func(context.Context, notary.Message, int) error {
		if down.Load() {
			return errors.New("dial tcp 10.0.0.25:587: connect: connection refused")
		}
		return nil
	})
	return ns, &down
}

// run drains the outbox every step for d of the fake clock.
func (e *relayEnv) run(t *testing.T, d, step time.Duration) {
	t.Helper()
	for end := e.clock.Now().Add(d); e.clock.Now().Before(end); e.clock.Advance(step) {
		e.drain(t)
	}
}

// An SMTP server down for 48 hours loses no mail: nothing is dead, and
// once it is back every notice is delivered exactly once.
func TestRelayRetriesThroughTwoDayOutage(t *testing.T) {
	e := newRelayEnv(t)
	ns, down := outage(t, e, 20)
	e.run(t, 48*time.Hour, time.Minute)
	assert.Zero(t, countStatus(t, e.store, notary.NoticeDead), "dead letters during a 48 h outage")
	for _, n := range ns {
		assert.Zero(t, e.email.delivered(n.ID))
	}
	down.Store(false)
	e.run(t, 2*time.Hour, time.Minute) // the backoff is capped at an hour
	for _, n := range ns {
		assert.Equal(t, 1, e.email.delivered(n.ID), "notice %s", n.ID)
		got := stored(t, e.store, n.ID)
		assert.Equal(t, notary.NoticeDelivered, got.Status)
		assert.Greater(t, got.Attempts, 10, "retried beyond the old ten-attempt limit")
	}
}

// An outage longer than the retry budget (72 hours) dead-letters the
// notices; they are listed, and delivered once an operator retries them.
func TestRelayDeadLettersAfterBudget(t *testing.T) {
	e := newRelayEnv(t)
	ns, down := outage(t, e, 20)
	e.run(t, 71*time.Hour+59*time.Minute, time.Minute)
	assert.Zero(t, countStatus(t, e.store, notary.NoticeDead), "nothing dead before the budget ends")
	e.run(t, 73*time.Hour-e.clock.Now().Sub(ns[0].CreatedAt), time.Minute)
	dead, err := e.relay.DeadLetters(context.Background(), 100)
	require.NoError(t, err)
	require.Len(t, dead, len(ns), "every notice dead after 73 h")
	for _, n := range dead {
		assert.Contains(t, n.LastError, "gave up after")
		assert.Contains(t, n.LastError, "connection refused")
	}
	down.Store(false)
	e.run(t, 2*time.Hour, time.Minute)
	assert.Zero(t, e.email.total(), "dead letters are not retried by themselves")
	for _, n := range dead {
		require.NoError(t, e.relay.Retry(context.Background(), n.ID))
	}
	e.drain(t)
	for _, n := range ns {
		assert.Equal(t, 1, e.email.delivered(n.ID))
	}
}

// The last retry is made when the budget ends, not an hour before it.
func TestRelayLastRetryAtBudgetEnd(t *testing.T) {
	const budget = 3 * time.Hour
	e := newRelayEnv(t, notify.WithRetryBudget(budget))
	ns, _ := outage(t, e, 1)
	e.run(t, budget+time.Hour, time.Minute)
	got := stored(t, e.store, ns[0].ID)
	require.Equal(t, notary.NoticeDead, got.Status)
	assert.Contains(t, got.LastError, fmt.Sprintf("over %s", budget))
}

// A store failure while recording outcomes is retried: the batch is not
// left to its leases, and no notice is sent twice.
func TestRelayRetriesFinishOnStoreFailure(t *testing.T) {
	const lease = time.Minute
	e := newRelayEnv(t)
	relay, o := newCountingRelay(t, e, notify.WithLease(lease))
	ns := notices(5, notary.NoticeShipped, notary.ChannelEmail)
	seed(t, e.store, ns...)
	var fails atomic.Int32
	fails.Store(2)
	o.failFirst = func() error {
		if fails.Add(-1) >= 0 {
			return fmt.Errorf("%w: connection reset by peer", notary.ErrUnavailable)
		}
		return nil
	}
	n, err := relay.Drain(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 5, n)
	assert.Equal(t, []int{5, 5, 5}, o.calls(), "two failed calls, then the outcomes are recorded")
	e.clock.Advance(2 * lease)
	assert.Zero(t, e.drain(t))
	for _, x := range ns {
		assert.Equal(t, 1, e.email.delivered(x.ID))
		assert.Equal(t, notary.NoticeDelivered, stored(t, e.store, x.ID).Status)
	}
}

// How long the outbox takes to drain after a 30 s SMTP outage with 2,000
// notices pending, on the fake clock with the default backoff: logged, not
// asserted (the backoff is random), for the operations notes.
func TestRelayDrainTimeAfterShortOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("2,000 notices")
	}
	e := newRelayEnv(t)
	ns, down := outage(t, e, 2000)
	start := time.Now()
	e.run(t, 30*time.Second, time.Second)
	down.Store(false)
	recovered := e.clock.Now()
	for e.email.total() < len(ns) {
		require.Less(t, e.clock.Now().Sub(recovered), time.Hour, "not drained within an hour")
		e.clock.Advance(time.Second)
		e.drain(t)
	}
	t.Logf("2,000 notices, SMTP down 30 s: drained %s (fake clock) after recovery; %s of real time for the whole run",
		e.clock.Now().Sub(recovered), time.Since(start).Round(time.Millisecond))
	for _, n := range ns {
		require.Equal(t, 1, e.email.delivered(n.ID))
	}
}
