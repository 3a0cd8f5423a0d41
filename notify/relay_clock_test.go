package notify_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
	"github.com/notarykit/notarykit/notify"
	"github.com/notarykit/notarykit/store"
)

// wallClock is the system clock.
type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

// A service whose clock runs an hour ahead of the wall clock (a test's
// fake clock, a host's skewed one) stamps its notices due an hour from
// now by the wall clock. A relay on the service's clock delivers them at
// once; one on the wall clock — what NewRelay used to default to — finds
// none due and delivers nothing, silently.
func TestRelayOnTheServiceClockDeliversWhatTheServiceCommitted(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	svc, err := notary.New(notary.Config{InsecureDevKeys: true,
		Office: notary.Office{
			ID: uuid.New(), Name: "Example Notary Office", AdminEmails: []string{"desk@office.example"},
			MailingAddress: "1 Notary Road, Shenzhen",
		},
		Store: st, Payments: notarytest.NewPayments(), Courier: &notarytest.Courier{},
		Clock:  notarytest.NewClock(time.Now().Add(time.Hour)),
		Logger: slog.New(slog.DiscardHandler),
	})
	require.NoError(t, err)
	_, err = svc.Filings.Submit(ctx, notary.User{ID: "u-1", Email: "u1@example.com", Name: "U1"}, notarytest.FilingContent())
	require.NoError(t, err)
	pending, err := st.ListNotices(ctx, notary.NoticePending, 100)
	require.NoError(t, err)
	require.NotEmpty(t, pending, "submitting a filing tells the office")

	notifiers := func(rec *recorder) map[notary.Channel]notary.Notifier {
		return map[notary.Channel]notary.Notifier{notary.ChannelEmail: rec, notary.ChannelInSite: notify.NewInboxNotifier(st)}
	}
	wall := newRecorder()
	n, err := notify.NewRelay(st, wallClock{}, newRenderer(t), notifiers(wall), notify.WithLogger(quietLogger())).Drain(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "on the wall clock the service's notices are an hour early")

	rec := newRecorder()
	n, err = notify.NewRelay(st, svc.Clock(), newRenderer(t), notifiers(rec), notify.WithLogger(quietLogger())).Drain(ctx)
	require.NoError(t, err)
	assert.Equal(t, len(pending), n)
	for _, p := range pending {
		got := stored(t, st, p.ID)
		assert.Equal(t, notary.NoticeDelivered, got.Status, "notice %s", p.Kind)
		assert.False(t, got.DeliveredAt.Before(p.CreatedAt), "delivered on the service's clock, after it was made")
	}
}

func TestNewRelayRefusesToRunWithoutAClock(t *testing.T) {
	assert.PanicsWithValue(t,
		"notify: NewRelay needs the clock that stamps the notices: pass the service's, Service.Clock()",
		func() { notify.NewRelay(store.NewMemory(), nil, newRenderer(t), nil) })
}
