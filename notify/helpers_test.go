package notify_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/store"
)

// fakeClock is a controllable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: createdAt.Add(time.Hour)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// recorder is a scriptable notifier that counts deliveries per notice.
type recorder struct {
	mu    sync.Mutex
	calls map[uuid.UUID]int // attempts per notice
	got   map[uuid.UUID]int // successful deliveries per notice
	msgs  []notary.Message  // successful deliveries in order
	// fail, when set, decides the outcome of the call-th call (1-based)
	// for the message.
	fail func(ctx context.Context, m notary.Message, call int) error
}

func newRecorder() *recorder {
	return &recorder{calls: map[uuid.UUID]int{}, got: map[uuid.UUID]int{}}
}

func (r *recorder) Notify(ctx context.Context, m notary.Message) error {
	r.mu.Lock()
	r.calls[m.NoticeID]++
	call := r.calls[m.NoticeID]
	fail := r.fail
	r.mu.Unlock()
	if fail != nil {
		if err := fail(ctx, m, call); err != nil {
			return err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got[m.NoticeID]++
	r.msgs = append(r.msgs, m)
	return nil
}

func (r *recorder) setFail(f func(ctx context.Context, m notary.Message, call int) error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail = f
}

func (r *recorder) delivered(id uuid.UUID) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.got[id]
}

func (r *recorder) attempts(id uuid.UUID) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[id]
}

func (r *recorder) total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.msgs)
}

// seed commits notices to the memory store, each with a filing of its own
// (the store keeps notices only as part of a change).
func seed(t testing.TB, s *store.Memory, notices ...notary.Notice) {
	t.Helper()
	for _, n := range notices {
		f := notary.Filing{
			ID: uuid.New(), OfficeID: n.OfficeID, Owner: notary.User{ID: "owner-" + n.ID.String()},
			State: notary.FilingPendingReview, Version: 1, Revision: 1, CreatedAt: n.CreatedAt, UpdatedAt: n.CreatedAt,
		}
		require.NoError(t, s.Commit(context.Background(), notary.Change{Filing: &f, Notices: []notary.Notice{n}}))
	}
}

// notices makes count user notices of kind on channel, each with its own ID.
func notices(count int, kind notary.NoticeKind, ch notary.Channel) []notary.Notice {
	out := make([]notary.Notice, count)
	for i := range out {
		n := fixture(kind, []string{"zh-CN", "en"}[i%2])
		n.ID = uuid.New()
		n.Channel = ch
		n.CreatedAt = createdAt.Add(time.Duration(i) * time.Millisecond)
		n.NextAttemptAt = n.CreatedAt
		out[i] = n
	}
	return out
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// stored returns the notice with id from the store, whatever its status.
func stored(t *testing.T, s *store.Memory, id uuid.UUID) notary.Notice {
	t.Helper()
	for _, st := range []notary.NoticeStatus{notary.NoticePending, notary.NoticeDelivered, notary.NoticeDead} {
		ns, err := s.ListNotices(context.Background(), st, 10000)
		require.NoError(t, err)
		for _, n := range ns {
			if n.ID == id {
				return n
			}
		}
	}
	require.FailNow(t, fmt.Sprintf("notice %s not stored", id))
	return notary.Notice{}
}

func countStatus(t *testing.T, s *store.Memory, st notary.NoticeStatus) int {
	t.Helper()
	ns, err := s.ListNotices(context.Background(), st, 100000)
	require.NoError(t, err)
	return len(ns)
}
