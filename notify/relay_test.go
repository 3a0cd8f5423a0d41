package notify_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notify"
	"github.com/notarykit/notarykit/store"
)

type relayEnv struct {
	store *store.Memory
	clock *fakeClock
	email *recorder
	relay *notify.Relay
}

func newRelayEnv(t *testing.T, opts ...notify.RelayOption) *relayEnv {
	t.Helper()
	e := &relayEnv{store: store.NewMemory(), clock: newClock(), email: newRecorder()}
	opts = append([]notify.RelayOption{notify.WithLogger(quietLogger())}, opts...)
	e.relay = notify.NewRelay(e.store, e.clock, newRenderer(t), map[notary.Channel]notary.Notifier{
		notary.ChannelEmail:  e.email,
		notary.ChannelInSite: notify.NewInboxNotifier(e.store),
	}, opts...)
	return e
}

func (e *relayEnv) drain(t *testing.T) int {
	t.Helper()
	n, err := e.relay.Drain(context.Background())
	require.NoError(t, err)
	return n
}

func TestRelayDeliversEachNoticeOnce(t *testing.T) {
	e := newRelayEnv(t, notify.WithBatchSize(3))
	email := notices(7, notary.NoticeShipped, notary.ChannelEmail)
	insite := notices(4, notary.NoticeShipped, notary.ChannelInSite)
	seed(t, e.store, append(email, insite...)...)

	assert.Equal(t, 11, e.drain(t))
	assert.Equal(t, 0, e.drain(t), "nothing is due any more")

	for _, n := range email {
		assert.Equal(t, 1, e.email.delivered(n.ID))
		got := stored(t, e.store, n.ID)
		assert.Equal(t, notary.NoticeDelivered, got.Status)
		assert.Equal(t, 1, got.Attempts)
		assert.Equal(t, e.clock.Now(), got.DeliveredAt)
	}
	assert.Equal(t, 7, e.email.total(), "in-site notices never reach the email notifier")
	inbox, err := e.store.ListInbox(context.Background(), officeID, "user-42", nil, 100)
	require.NoError(t, err)
	assert.Len(t, inbox, 4)
	assert.Equal(t, 11, countStatus(t, e.store, notary.NoticeDelivered))
	assert.Equal(t, 0, countStatus(t, e.store, notary.NoticePending))

	// Messages carry the rendering of their notice.
	r := newRenderer(t)
	for _, m := range e.email.msgs {
		n := stored(t, e.store, m.NoticeID)
		want, err := r.Render(n)
		require.NoError(t, err)
		assert.Equal(t, want, m)
	}
}

func TestRelayRetriesTemporaryFailureWithBackoff(t *testing.T) {
	const base, max = 10 * time.Second, 25 * time.Second
	e := newRelayEnv(t, notify.WithBackoff(base, max))
	n := notices(1, notary.NoticeShipped, notary.ChannelEmail)[0]
	seed(t, e.store, n)
	e.email.setFail(func(_ context.Context, _ notary.Message, call int) error {
		if call <= 3 {
			return fmt.Errorf("421 try again later (call %d)", call)
		}
		return nil
	})

	// Attempt k waits at most min(max, base·2^(k-1)) and more than zero.
	for k, ceiling := range []time.Duration{base, 2 * base, max} {
		attempt := k + 1
		assert.Equal(t, 0, e.drain(t), "attempt %d fails", attempt)
		got := stored(t, e.store, n.ID)
		require.Equal(t, notary.NoticePending, got.Status)
		assert.Equal(t, attempt, got.Attempts)
		assert.Contains(t, got.LastError, fmt.Sprintf("call %d", attempt))
		wait := got.NextAttemptAt.Sub(e.clock.Now())
		assert.Greater(t, wait, time.Duration(0))
		assert.LessOrEqual(t, wait, ceiling)

		assert.Equal(t, 0, e.drain(t), "not due before the backoff ends")
		assert.Equal(t, attempt, e.email.attempts(n.ID))
		e.clock.Advance(wait)
	}
	assert.Equal(t, 1, e.drain(t))
	assert.Equal(t, 1, e.email.delivered(n.ID))
	got := stored(t, e.store, n.ID)
	assert.Equal(t, notary.NoticeDelivered, got.Status)
	assert.Equal(t, 4, got.Attempts)
}

func TestRelayBackoffHasFullJitter(t *testing.T) {
	// Many notices failing once: their delays spread over (0, base].
	const base = time.Minute
	e := newRelayEnv(t, notify.WithBackoff(base, time.Hour))
	ns := notices(200, notary.NoticeShipped, notary.ChannelEmail)
	seed(t, e.store, ns...)
	e.email.setFail(func(context.Context, notary.Message, int) error { return errors.New("busy") })
	e.drain(t)
	var low, high int
	for _, n := range ns {
		wait := stored(t, e.store, n.ID).NextAttemptAt.Sub(e.clock.Now())
		require.Greater(t, wait, time.Duration(0))
		require.LessOrEqual(t, wait, base)
		if wait < base/4 {
			low++
		}
		if wait > 3*base/4 {
			high++
		}
	}
	assert.Positive(t, low, "some delays are short")
	assert.Positive(t, high, "some delays are long")
}

func TestRelayDeadLetters(t *testing.T) {
	sms := notary.Channel("sms")
	tests := []struct {
		name    string
		mutate  func(*notary.Notice)
		fail    error
		wantErr string
	}{
		{"permanent notifier error", nil, fmt.Errorf("550 mailbox unavailable: %w", notary.ErrPermanent), "550 mailbox unavailable"},
		{"render failure", func(n *notary.Notice) { n.Kind = "no.such.kind" }, nil, "no template for notice kind"},
		{"no notifier for the channel", func(n *notary.Notice) { n.Channel = sms }, nil, `no notifier for channel "sms"`},
		{"office notice sent in-site", func(n *notary.Notice) { n.Channel = notary.ChannelInSite; n.To.UserID = "" }, nil, "has no user"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newRelayEnv(t)
			n := notices(1, notary.NoticeShipped, notary.ChannelEmail)[0]
			if tt.mutate != nil {
				tt.mutate(&n)
			}
			seed(t, e.store, n)
			if tt.fail != nil {
				e.email.setFail(func(context.Context, notary.Message, int) error { return tt.fail })
			}
			assert.Equal(t, 0, e.drain(t))
			got := stored(t, e.store, n.ID)
			assert.Equal(t, notary.NoticeDead, got.Status, "dead on the first attempt")
			assert.Equal(t, 1, got.Attempts)
			assert.Contains(t, got.LastError, tt.wantErr)

			dead, err := e.relay.DeadLetters(context.Background(), 10)
			require.NoError(t, err)
			require.Len(t, dead, 1)
			assert.Equal(t, n.ID, dead[0].ID)

			e.clock.Advance(24 * time.Hour)
			assert.Equal(t, 0, e.drain(t), "dead notices are not retried by themselves")
		})
	}
}

func TestRelayPermanentThenRetry(t *testing.T) {
	e := newRelayEnv(t)
	n := notices(1, notary.NoticeShipped, notary.ChannelEmail)[0]
	other := notices(1, notary.NoticeShipped, notary.ChannelEmail)[0]
	seed(t, e.store, n, other)
	e.email.setFail(func(_ context.Context, m notary.Message, _ int) error {
		if m.NoticeID == n.ID {
			return fmt.Errorf("550 no such user: %w", notary.ErrPermanent)
		}
		return nil
	})
	assert.Equal(t, 1, e.drain(t))
	assert.Equal(t, notary.NoticeDead, stored(t, e.store, n.ID).Status)

	// The operator fixes the address and retries the dead letter.
	e.email.setFail(nil)
	require.NoError(t, e.relay.Retry(context.Background(), n.ID))
	got := stored(t, e.store, n.ID)
	assert.Equal(t, notary.NoticePending, got.Status)
	assert.Equal(t, 0, got.Attempts)
	assert.Equal(t, 1, e.drain(t))
	assert.Equal(t, notary.NoticeDelivered, stored(t, e.store, n.ID).Status)
	assert.Equal(t, 1, e.email.delivered(n.ID))
	assert.Equal(t, 1, e.email.delivered(other.ID))

	dead, err := e.relay.DeadLetters(context.Background(), 10)
	require.NoError(t, err)
	assert.Empty(t, dead)
	assert.ErrorIs(t, e.relay.Retry(context.Background(), n.ID), notary.ErrInvalidTransition, "a delivered notice cannot be retried")
	assert.ErrorIs(t, e.relay.Retry(context.Background(), uuid.New()), notary.ErrNotFound)
}

func TestRelayMaxAttempts(t *testing.T) {
	const maxAttempts = 4
	e := newRelayEnv(t, notify.WithMaxAttempts(maxAttempts), notify.WithBackoff(time.Second, time.Minute))
	n := notices(1, notary.NoticeShipped, notary.ChannelEmail)[0]
	seed(t, e.store, n)
	e.email.setFail(func(context.Context, notary.Message, int) error { return errors.New("connection refused") })

	for attempt := 1; attempt <= maxAttempts; attempt++ {
		e.drain(t)
		got := stored(t, e.store, n.ID)
		assert.Equal(t, attempt, got.Attempts)
		if attempt < maxAttempts {
			assert.Equal(t, notary.NoticePending, got.Status)
		} else {
			assert.Equal(t, notary.NoticeDead, got.Status)
			assert.Contains(t, got.LastError, "gave up after 4 attempts: connection refused")
		}
		e.clock.Advance(time.Minute)
	}
	e.drain(t)
	assert.Equal(t, maxAttempts, e.email.attempts(n.ID), "no attempt after the last one")
}

func TestRelayReclaimsAfterCrash(t *testing.T) {
	const lease = time.Minute
	e := newRelayEnv(t, notify.WithLease(lease))
	ns := notices(5, notary.NoticeShipped, notary.ChannelEmail)
	seed(t, e.store, ns...)

	// Another relay claims the notices and dies before finishing them.
	claimed, err := e.store.ClaimNotices(context.Background(), e.clock.Now(), lease, 10)
	require.NoError(t, err)
	require.Len(t, claimed, 5)

	assert.Equal(t, 0, e.drain(t), "leased notices are not delivered twice")
	assert.Equal(t, 0, e.email.total())

	e.clock.Advance(lease - time.Second)
	assert.Equal(t, 0, e.drain(t), "the lease still holds")

	e.clock.Advance(time.Second)
	assert.Equal(t, 5, e.drain(t), "expired leases are reclaimed")
	for _, n := range ns {
		assert.Equal(t, 1, e.email.delivered(n.ID))
		assert.Equal(t, notary.NoticeDelivered, stored(t, e.store, n.ID).Status)
	}

	// The crashed relay comes back and tries to finish with its old claim.
	stale, err := e.store.FinishNotices(context.Background(), []notary.NoticeResult{{
		ID: claimed[0].ID, Claim: claimed[0].Claim,
		Outcome: notary.NoticeOutcome{Status: notary.NoticeDead, At: e.clock.Now()},
	}})
	require.NoError(t, err)
	assert.Equal(t, []uuid.UUID{claimed[0].ID}, stale)
	assert.Equal(t, notary.NoticeDelivered, stored(t, e.store, claimed[0].ID).Status)
}

func TestRelaysDrainConcurrently(t *testing.T) {
	const total, relays = 300, 4
	s := store.NewMemory()
	rec := newRecorder()
	ns := notices(total, notary.NoticeShipped, notary.ChannelEmail)
	seed(t, s, ns...)
	r := newRenderer(t)
	clock := newClock()

	var wg sync.WaitGroup
	counts := make([]int, relays)
	for i := range relays {
		relay := notify.NewRelay(s, clock, r, map[notary.Channel]notary.Notifier{notary.ChannelEmail: rec},
			notify.WithBatchSize(7), notify.WithLogger(quietLogger()))
		wg.Go(func() {
			for {
				n, err := relay.Drain(context.Background())
				assert.NoError(t, err)
				counts[i] += n
				if n == 0 {
					return
				}
			}
		})
	}
	wg.Wait()

	sum := 0
	for _, c := range counts {
		sum += c
	}
	assert.Equal(t, total, sum)
	assert.Equal(t, total, rec.total())
	for _, n := range ns {
		assert.Equal(t, 1, rec.delivered(n.ID), "notice %s", n.ID)
	}
	assert.Equal(t, total, countStatus(t, s, notary.NoticeDelivered))
}

func TestRelayGivesNotifierTheRecordAndLeaseDeadline(t *testing.T) {
	e := newRelayEnv(t, notify.WithLease(30*time.Second))
	n := notices(1, notary.NoticeShipped, notary.ChannelEmail)[0]
	seed(t, e.store, n)
	e.email.setFail(func(ctx context.Context, m notary.Message, _ int) error {
		assert.Equal(t, n.ID, m.NoticeID)
		assert.Equal(t, n.RecordID, m.RecordID)
		assert.Equal(t, n.CreatedAt, m.CreatedAt)
		deadline, ok := ctx.Deadline()
		assert.True(t, ok)
		assert.WithinDuration(t, time.Now().Add(30*time.Second), deadline, 5*time.Second)
		return nil
	})
	assert.Equal(t, 1, e.drain(t))
}

func TestRelayCancelledMidDelivery(t *testing.T) {
	e := newRelayEnv(t, notify.WithBackoff(time.Hour, time.Hour))
	n := notices(1, notary.NoticeShipped, notary.ChannelEmail)[0]
	seed(t, e.store, n)
	ctx, cancel := context.WithCancel(context.Background())
	e.email.setFail(func(ctx context.Context, _ notary.Message, _ int) error {
		cancel()
		<-ctx.Done()
		return ctx.Err()
	})
	_, err := e.relay.Drain(ctx)
	assert.ErrorIs(t, err, context.Canceled)

	// The outcome was recorded although the context ended, and without a
	// backoff penalty: the notice is due again at once.
	got := stored(t, e.store, n.ID)
	assert.Equal(t, notary.NoticePending, got.Status)
	assert.Equal(t, uuid.Nil, got.Claim)
	assert.Equal(t, e.clock.Now(), got.NextAttemptAt)
	e.email.setFail(nil)
	assert.Equal(t, 1, e.drain(t))
}

func TestRelayNotifierPanicIsTemporary(t *testing.T) {
	e := newRelayEnv(t)
	n := notices(1, notary.NoticeShipped, notary.ChannelEmail)[0]
	seed(t, e.store, n)
	e.email.setFail(func(context.Context, notary.Message, int) error { panic("boom") })
	assert.Equal(t, 0, e.drain(t))
	got := stored(t, e.store, n.ID)
	assert.Equal(t, notary.NoticePending, got.Status)
	assert.Contains(t, got.LastError, "boom")
}

// failingOutbox fails every claim.
type failingOutbox struct{ notary.Outbox }

func (failingOutbox) ClaimNotices(context.Context, time.Time, time.Duration, int) ([]notary.Notice, error) {
	return nil, errors.New("database is down")
}

func TestRelayDrainReportsOutboxErrors(t *testing.T) {
	relay := notify.NewRelay(failingOutbox{}, newClock(), newRenderer(t), nil, notify.WithLogger(quietLogger()))
	_, err := relay.Drain(context.Background())
	assert.ErrorContains(t, err, "database is down")
}

func TestRelayRun(t *testing.T) {
	s := store.NewMemory()
	rec := newRecorder()
	relay := notify.NewRelay(s, newClock(), newRenderer(t), map[notary.Channel]notary.Notifier{notary.ChannelEmail: rec},
		notify.WithPollInterval(5*time.Millisecond), notify.WithLogger(quietLogger()))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- relay.Run(ctx) }()

	ns := notices(3, notary.NoticeShipped, notary.ChannelEmail)
	seed(t, s, ns[0])
	require.Eventually(t, func() bool { return rec.total() == 1 }, 5*time.Second, time.Millisecond)
	seed(t, s, ns[1:]...) // committed while the relay runs: picked up by a later drain
	require.Eventually(t, func() bool { return rec.total() == 3 }, 5*time.Second, time.Millisecond)

	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancellation")
	}
	for _, n := range ns {
		assert.Equal(t, 1, rec.delivered(n.ID))
	}
}

func TestRelayRunSurvivesOutboxErrors(t *testing.T) {
	relay := notify.NewRelay(failingOutbox{}, newClock(), newRenderer(t), nil,
		notify.WithPollInterval(time.Millisecond), notify.WithLogger(quietLogger()))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	assert.NoError(t, relay.Run(ctx))
}

// countingOutbox records the size of every FinishNotices call and can fail
// them: all with fail, or those for which failFirst returns an error.
type countingOutbox struct {
	notary.Outbox
	mu        sync.Mutex
	finishes  []int
	fail      error
	failFirst func() error
}

func (o *countingOutbox) FinishNotices(ctx context.Context, results []notary.NoticeResult) ([]uuid.UUID, error) {
	o.mu.Lock()
	o.finishes = append(o.finishes, len(results))
	fail := o.fail
	if fail == nil && o.failFirst != nil {
		fail = o.failFirst()
	}
	o.mu.Unlock()
	if fail != nil {
		return nil, fail
	}
	return o.Outbox.FinishNotices(ctx, results)
}

func (o *countingOutbox) calls() []int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]int(nil), o.finishes...)
}

// newCountingRelay is a relay on e's store, through a countingOutbox.
func newCountingRelay(t *testing.T, e *relayEnv, opts ...notify.RelayOption) (*notify.Relay, *countingOutbox) {
	t.Helper()
	o := &countingOutbox{Outbox: e.store}
	opts = append([]notify.RelayOption{notify.WithLogger(quietLogger())}, opts...)
	return notify.NewRelay(o, e.clock, newRenderer(t), map[notary.Channel]notary.Notifier{
		notary.ChannelEmail:  e.email,
		notary.ChannelInSite: notify.NewInboxNotifier(e.store),
	}, opts...), o
}

func TestRelayFinishesEachBatchOnce(t *testing.T) {
	e := newRelayEnv(t)
	relay, o := newCountingRelay(t, e, notify.WithBatchSize(5))
	ns := notices(11, notary.NoticeShipped, notary.ChannelEmail)
	ns[3].Kind = "no.such.kind" // dead, recorded with the others
	seed(t, e.store, ns...)
	e.email.setFail(func(_ context.Context, m notary.Message, _ int) error {
		if m.NoticeID == ns[6].ID {
			return errors.New("421 busy")
		}
		return nil
	})
	n, err := relay.Drain(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 9, n)
	assert.Equal(t, []int{5, 5, 1}, o.calls(), "one FinishNotices call per claimed batch")
	assert.Equal(t, notary.NoticeDead, stored(t, e.store, ns[3].ID).Status)
	retry := stored(t, e.store, ns[6].ID)
	assert.Equal(t, notary.NoticePending, retry.Status)
	assert.Equal(t, uuid.Nil, retry.Claim)
	assert.Contains(t, retry.LastError, "421 busy")
	assert.Equal(t, 9, countStatus(t, e.store, notary.NoticeDelivered))
}

func TestRelayStaleClaimsAreNotCounted(t *testing.T) {
	const lease = time.Minute
	e := newRelayEnv(t)
	relay, _ := newCountingRelay(t, e, notify.WithLease(lease))
	ns := notices(3, notary.NoticeShipped, notary.ChannelEmail)
	seed(t, e.store, ns...)
	var reclaimed []notary.Notice
	e.email.setFail(func(_ context.Context, m notary.Message, _ int) error {
		if m.NoticeID == ns[2].ID {
			// The batch outlasts its lease and another relay claims the
			// first two notices meanwhile.
			e.clock.Advance(lease)
			var err error
			reclaimed, err = e.store.ClaimNotices(context.Background(), e.clock.Now(), lease, 2)
			require.NoError(t, err)
		}
		return nil
	})
	n, err := relay.Drain(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, n, "only the notice whose claim still held counts")
	require.Equal(t, []uuid.UUID{ns[0].ID, ns[1].ID}, []uuid.UUID{reclaimed[0].ID, reclaimed[1].ID})
	for i, r := range reclaimed {
		got := stored(t, e.store, ns[i].ID)
		assert.Equal(t, notary.NoticePending, got.Status, "the other relay owns the outcome")
		assert.Equal(t, r.Claim, got.Claim)
	}
	assert.Equal(t, notary.NoticeDelivered, stored(t, e.store, ns[2].ID).Status)
}

func TestRelayRecordsEarlyAfterHalfTheLease(t *testing.T) {
	const lease = time.Minute
	e := newRelayEnv(t)
	relay, o := newCountingRelay(t, e, notify.WithLease(lease))
	ns := notices(4, notary.NoticeShipped, notary.ChannelEmail)
	seed(t, e.store, ns...)
	e.email.setFail(func(context.Context, notary.Message, int) error {
		e.clock.Advance(lease / 4) // each delivery takes a quarter of the lease
		return nil
	})
	n, err := relay.Drain(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 4, n)
	// Attempts end at 15s, 30s, 45s and 60s: from 30s on, outcomes are
	// recorded before each further attempt.
	assert.Equal(t, []int{2, 1, 1}, o.calls())
	assert.Equal(t, 4, countStatus(t, e.store, notary.NoticeDelivered))
}

func TestRelayFinishFailureLeavesLeases(t *testing.T) {
	const lease = time.Minute
	e := newRelayEnv(t)
	relay, o := newCountingRelay(t, e, notify.WithLease(lease), notify.WithFinishRetry(100*time.Millisecond))
	ns := notices(3, notary.NoticeShipped, notary.ChannelEmail)
	seed(t, e.store, ns...)
	o.fail = errors.New("database is down")
	n, err := relay.Drain(context.Background())
	assert.ErrorContains(t, err, "database is down")
	assert.Equal(t, 0, n)
	for _, x := range ns {
		got := stored(t, e.store, x.ID)
		assert.Equal(t, notary.NoticePending, got.Status)
		assert.NotEqual(t, uuid.Nil, got.Claim, "nothing recorded: the lease holds")
	}

	// At least once: when the leases expire, the notices are delivered
	// again and recorded.
	o.mu.Lock()
	o.fail = nil
	o.mu.Unlock()
	assert.Equal(t, 0, e.drain(t), "the leases still hold")
	e.clock.Advance(lease)
	assert.Equal(t, 3, e.drain(t))
	for _, x := range ns {
		assert.Equal(t, 2, e.email.delivered(x.ID))
		assert.Equal(t, notary.NoticeDelivered, stored(t, e.store, x.ID).Status)
	}
}

func TestRelayCancelledMidBatchRecordsAttempts(t *testing.T) {
	e := newRelayEnv(t, notify.WithBackoff(time.Hour, time.Hour))
	relay, o := newCountingRelay(t, e)
	ns := notices(3, notary.NoticeShipped, notary.ChannelEmail)
	seed(t, e.store, ns...)
	ctx, cancel := context.WithCancel(context.Background())
	e.email.setFail(func(ctx context.Context, m notary.Message, _ int) error {
		if m.NoticeID == ns[1].ID {
			cancel()
			<-ctx.Done()
			return ctx.Err()
		}
		return nil
	})
	n, err := relay.Drain(ctx)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, n)
	assert.Equal(t, []int{2}, o.calls(), "the attempts made are recorded together")

	assert.Equal(t, notary.NoticeDelivered, stored(t, e.store, ns[0].ID).Status)
	interrupted := stored(t, e.store, ns[1].ID)
	assert.Equal(t, notary.NoticePending, interrupted.Status)
	assert.Equal(t, uuid.Nil, interrupted.Claim)
	assert.Equal(t, e.clock.Now(), interrupted.NextAttemptAt)
	untouched := stored(t, e.store, ns[2].ID)
	assert.NotEqual(t, uuid.Nil, untouched.Claim, "not attempted: keeps its lease")
	assert.Equal(t, 0, e.email.attempts(ns[2].ID))
}
