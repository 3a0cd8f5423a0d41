package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/adapters/mockpay"
	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/payment/webhook"
)

// A payment notice accepted by one service is refused when replayed to a
// second service on the same database, and to a service started afterwards.
func TestReplayRefusedAcrossServicesAndRestarts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	secret := []byte("secret")
	one, url, schema := newStore(t)
	two := openStore(t, url, schema)
	service := func(s notary.Store) *mockpay.Client {
		return mockpay.NewClient(mockpay.ClientOptions{Secret: secret, Clock: func() time.Time { return now }, Replay: s})
	}
	body := []byte(`{"id":"evt_1","payment_id":"pay_1","application_id":"` + uuid.NewString() +
		`","status":"succeeded","amount":"300.00","currency":"CNY","time":"2026-03-01T09:00:00Z"}`)
	h := mockpay.SignedHeaders(secret, now, "", body)

	if _, err := service(one).VerifyNotification(ctx, h, body); err != nil {
		t.Fatal(err)
	}
	if _, err := service(two).VerifyNotification(ctx, h, body); !errors.Is(err, webhook.ErrReplayed) {
		t.Fatalf("second service: %v, want ErrReplayed", err)
	}
	two.Close()
	restarted := openStore(t, url, schema)
	_, err := service(restarted).VerifyNotification(ctx, h, body)
	if !errors.Is(err, webhook.ErrReplayed) || !errors.Is(err, notary.ErrForbidden) {
		t.Fatalf("after a restart: %v, want ErrReplayed and ErrForbidden", err)
	}
}
