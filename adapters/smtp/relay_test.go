package smtp_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notify"
	"github.com/notarykit/notarykit/store"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// seed commits notices to the store, each with a filing of its own.
func seed(t *testing.T, s *store.Memory, notices ...notary.Notice) {
	t.Helper()
	for _, n := range notices {
		f := notary.Filing{
			ID: uuid.New(), OfficeID: n.OfficeID, Owner: notary.User{ID: "owner-" + n.ID.String()},
			State: notary.FilingPendingReview, Version: 1, Revision: 1, CreatedAt: n.CreatedAt, UpdatedAt: n.CreatedAt,
		}
		require.NoError(t, s.Commit(context.Background(), notary.Change{Filing: &f, Notices: []notary.Notice{n}}))
	}
}

func statusOf(t *testing.T, s *store.Memory, st notary.NoticeStatus) map[uuid.UUID]notary.Notice {
	t.Helper()
	ns, err := s.ListNotices(context.Background(), st, 1000)
	require.NoError(t, err)
	out := map[uuid.UUID]notary.Notice{}
	for _, n := range ns {
		out[n.ID] = n
	}
	return out
}

func newRelay(t *testing.T, s *store.Memory, c *clock, n notary.Notifier) (*notify.Relay, *notify.Renderer) {
	t.Helper()
	r, err := notify.NewRenderer()
	require.NoError(t, err)
	return notify.NewRelay(s, c, r, map[notary.Channel]notary.Notifier{notary.ChannelEmail: n},
		notify.WithBatchSize(4), notify.WithBackoff(time.Second, time.Minute),
		notify.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))), r
}

// TestRelayServerDownThenUp: the server is down for the whole first drain;
// nothing is delivered and nothing is lost; once it is up, every notice
// arrives exactly once.
func TestRelayServerDownThenUp(t *testing.T) {
	addr := reservePort(t)
	s := store.NewMemory()
	c := &clock{t: time.Date(2025, 3, 14, 10, 0, 0, 0, time.UTC)}
	n := newNotifier(t, plainConfig(t, addr))
	relay, renderer := newRelay(t, s, c, n)

	var notices []notary.Notice
	for i, kind := range notary.NoticeKinds {
		nt := notice(kind, []string{"zh-CN", "en"}[i%2], "zhang.san@example.com")
		nt.CreatedAt = nt.CreatedAt.Add(time.Duration(i) * time.Second)
		notices = append(notices, nt)
	}
	seed(t, s, notices...)

	delivered, err := relay.Drain(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 0, delivered)
	pending := statusOf(t, s, notary.NoticePending)
	require.Len(t, pending, len(notices), "nothing is lost")
	for _, p := range pending {
		assert.Equal(t, 1, p.Attempts)
		assert.Contains(t, p.LastError, "connect to")
		assert.True(t, p.NextAttemptAt.After(c.Now()))
	}

	be := &backend{}
	startServer(t, be, serverOpts{addr: addr})
	delivered, err = relay.Drain(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 0, delivered, "not before the backoff ends")

	c.Advance(time.Minute)
	delivered, err = relay.Drain(context.Background())
	require.NoError(t, err)
	assert.Equal(t, len(notices), delivered)
	assert.Empty(t, statusOf(t, s, notary.NoticePending))
	assert.Empty(t, statusOf(t, s, notary.NoticeDead))
	assert.Len(t, statusOf(t, s, notary.NoticeDelivered), len(notices))

	byID := map[string][]byte{}
	for _, m := range be.messages() {
		id := parse(t, m.Data).MessageID
		_, dup := byID[id]
		assert.False(t, dup, "message %s arrived twice", id)
		byID[id] = m.Data
	}
	require.Len(t, byID, len(notices))
	for _, nt := range notices {
		m, err := renderer.Render(nt)
		require.NoError(t, err)
		raw, ok := byID["<"+m.ID+">"]
		require.True(t, ok, "notice %s arrived", nt.ID)
		assertDelivered(t, m, raw)
	}
	assert.Equal(t, 1, be.sessionCount(), "the second drain sends over one connection")

	delivered, err = relay.Drain(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 0, delivered)
	assert.Len(t, be.messages(), len(notices))
}

// TestRelay550IsDeadLetter: a 550 from the server makes the notice a dead
// letter at once; the other notices of the batch are delivered.
func TestRelay550IsDeadLetter(t *testing.T) {
	be := &backend{rcpt: func(to string) error {
		if to == "nobody@example.com" {
			return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "mailbox unavailable"}
		}
		return nil
	}}
	addr, _ := startServer(t, be, serverOpts{})
	s := store.NewMemory()
	c := &clock{t: time.Date(2025, 3, 14, 10, 0, 0, 0, time.UTC)}
	relay, _ := newRelay(t, s, c, newNotifier(t, plainConfig(t, addr)))

	good := notice(notary.NoticeShipped, "zh-CN", "zhang.san@example.com")
	bad := notice(notary.NoticeShipped, "en", "nobody@example.com")
	bad.CreatedAt = good.CreatedAt.Add(time.Second)
	seed(t, s, good, bad)

	delivered, err := relay.Drain(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, delivered)

	dead, err := relay.DeadLetters(context.Background(), 10)
	require.NoError(t, err)
	require.Len(t, dead, 1)
	assert.Equal(t, bad.ID, dead[0].ID)
	assert.Equal(t, 1, dead[0].Attempts)
	assert.Contains(t, dead[0].LastError, "550")
	assert.Contains(t, statusOf(t, s, notary.NoticeDelivered), good.ID)
	require.Len(t, be.messages(), 1)
}

// TestRelayStalledServerRetries: a server that accepts connections but
// never answers makes the notifier time out; the notice stays pending.
func TestRelayStalledServerRetries(t *testing.T) {
	addr := stallServer(t)
	cfg := plainConfig(t, addr)
	cfg.Timeout = 200 * time.Millisecond
	s := store.NewMemory()
	c := &clock{t: time.Date(2025, 3, 14, 10, 0, 0, 0, time.UTC)}
	relay, _ := newRelay(t, s, c, newNotifier(t, cfg))
	nt := notice(notary.NoticeShipped, "zh-CN", "zhang.san@example.com")
	seed(t, s, nt)

	delivered, err := relay.Drain(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 0, delivered)
	p, ok := statusOf(t, s, notary.NoticePending)[nt.ID]
	require.True(t, ok, "the notice is still pending")
	assert.Contains(t, p.LastError, "timeout")
}
