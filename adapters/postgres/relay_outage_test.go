package postgres_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notify"
)

// killingOutbox terminates the store's connections while the first calls
// of FinishNotices run.
type killingOutbox struct {
	notary.Outbox
	kill   func() int
	left   atomic.Int32 // calls still to disturb
	killed atomic.Int64
}

func (o *killingOutbox) FinishNotices(ctx context.Context, results []notary.NoticeResult) ([]uuid.UUID, error) {
	if o.left.Add(-1) < 0 {
		return o.Outbox.FinishNotices(ctx, results)
	}
	o.killed.Add(int64(o.kill())) // the pool's connections are dead when the call starts
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
				o.killed.Add(int64(o.kill()))
			}
		}
	})
	defer func() { close(stop); wg.Wait() }()
	return o.Outbox.FinishNotices(ctx, results)
}

// clockFunc is a notary.Clock.
type clockFunc func() time.Time

func (f clockFunc) Now() time.Time { return f() }

// countingNotifier counts deliveries per notice.
type countingNotifier struct {
	mu  sync.Mutex
	got map[uuid.UUID]int
}

func (n *countingNotifier) Notify(_ context.Context, m notary.Message) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.got[m.NoticeID]++
	return nil
}

// The relay's connections are terminated while it records outcomes: the
// store and the relay try again, so every notice is delivered exactly once
// (no batch is left to its lease and sent again).
func TestRelayFinishSurvivesTerminatedConnections(t *testing.T) {
	t.Parallel()
	st, kill := killableStore(t)
	ctx := context.Background()
	office := uuid.New()
	var ids []uuid.UUID
	for range 60 {
		c := createChange(testApplication(office, "u", 1))
		if err := st.Commit(ctx, c); err != nil {
			t.Fatal(err)
		}
		for _, n := range c.Notices {
			ids = append(ids, n.ID)
		}
	}
	r, err := notify.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	out := &killingOutbox{Outbox: st, kill: kill}
	out.left.Store(3)
	email := &countingNotifier{got: map[uuid.UUID]int{}}
	now := base.Add(time.Hour)
	const lease = time.Minute
	relay := notify.NewRelay(out, clockFunc(func() time.Time { return now }), r,
		map[notary.Channel]notary.Notifier{notary.ChannelEmail: email}, notify.WithLease(lease), notify.WithBatchSize(25),
		notify.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	// Drain as Run does: a drain that fails (a claim on a terminated
	// connection cannot know whether it was applied) is followed by another.
	for attempt := 1; ; attempt++ {
		_, err := relay.Drain(ctx)
		if err == nil {
			break
		}
		if !errors.Is(err, notary.ErrUnavailable) || attempt == 10 {
			t.Fatalf("drain %d: %v", attempt, err)
		}
	}
	now = now.Add(2 * lease) // any lease left behind would have expired
	if _, err := relay.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if out.killed.Load() == 0 {
		t.Fatal("no connection was terminated: the test tests nothing")
	}
	for _, id := range ids {
		if email.got[id] != 1 {
			t.Errorf("notice %s delivered %d times, want 1", id, email.got[id])
		}
	}
	left, err := st.ListNotices(ctx, notary.NoticePending, 1000)
	if err != nil || len(left) != 0 {
		t.Fatalf("pending after drains: %d (err %v)", len(left), err)
	}
	t.Logf("%d connections terminated; %d notices delivered once each", out.killed.Load(), len(ids))
}
