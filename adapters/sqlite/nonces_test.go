package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/adapters/mockpay"
	"github.com/notarykit/notarykit/adapters/sqlite"
	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/payment/webhook"
)

// A payment notice accepted by one service is refused when replayed to a
// second service on the same database file, and after both restart.
func TestReplayRefusedAcrossServicesAndRestarts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	secret := []byte("secret")
	one, path := openFile(t)
	two, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	t.Cleanup(func() { two.Close() })
	service := func(s notary.Store) *mockpay.Client {
		return mockpay.NewClient(mockpay.ClientOptions{Secret: secret, Clock: func() time.Time { return now }, Replay: s})
	}
	body := []byte(`{"id":"evt_1","payment_id":"pay_1","application_id":"` + uuid.NewString() +
		`","status":"succeeded","amount":"300.00","currency":"CNY","time":"2026-03-01T09:00:00Z"}`)
	h := mockpay.SignedHeaders(secret, now, "", body)

	_, err = service(one).VerifyNotification(ctx, h, body)
	require.NoError(t, err)
	_, err = service(two).VerifyNotification(ctx, h, body)
	assert.ErrorIs(t, err, webhook.ErrReplayed, "second service")

	require.NoError(t, two.Close())
	restarted, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	t.Cleanup(func() { restarted.Close() })
	_, err = service(restarted).VerifyNotification(ctx, h, body)
	assert.ErrorIs(t, err, webhook.ErrReplayed, "after a restart")
	assert.ErrorIs(t, err, notary.ErrForbidden)
}
