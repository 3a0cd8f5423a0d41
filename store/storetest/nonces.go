package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/payment/webhook"
)

// noncesGroup checks the replay memory of signed messages (notary.Nonces).
var noncesGroup = group{"Nonces", []test{
	{"SecondSightingRefused", testNoncesSecondSighting},
	{"ForgottenAfterExpiry", testNoncesExpiry},
	{"ExpiredOnesArePruned", testNoncesPruned},
	{"ConcurrentSightingsOneWins", testNoncesConcurrent},
	{"IsTheWebhookReplayStore", testNoncesWebhook},
}}

func remember(t *testing.T, s notary.Store, nonce string, until, now time.Time) bool {
	t.Helper()
	fresh, err := s.RememberNonce(context.Background(), nonce, until, now)
	require.NoError(t, err)
	return fresh
}

func testNoncesSecondSighting(t *testing.T, s notary.Store) {
	until := at(5 * time.Minute)
	assert.True(t, remember(t, s, "mockpay:n-1", until, at(0)))
	assert.False(t, remember(t, s, "mockpay:n-1", until, at(0)), "replayed at once")
	assert.False(t, remember(t, s, "mockpay:n-1", at(time.Hour), at(4*time.Minute)), "replayed within the window, whatever its claimed expiry")
	assert.True(t, remember(t, s, "mockpay:n-2", until, at(0)), "another nonce")
	assert.True(t, remember(t, s, "webhooks:n-1", until, at(0)), "the same nonce in another scope")
}

func testNoncesExpiry(t *testing.T, s notary.Store) {
	until := at(5 * time.Minute)
	require.True(t, remember(t, s, "n", until, at(0)))
	assert.False(t, remember(t, s, "n", at(10*time.Minute), until.Add(-time.Microsecond)), "still remembered just before its expiry")
	assert.True(t, remember(t, s, "n", at(10*time.Minute), until), "forgotten at its expiry")
	assert.False(t, remember(t, s, "n", at(15*time.Minute), at(9*time.Minute)), "remembered again, until its new expiry")
}

func testNoncesPruned(t *testing.T, s notary.Store) {
	// Many nonces remembered for one minute, then one more sighting an hour
	// later: every old nonce is new again (pruned), none was lost early.
	for i := range 50 {
		require.True(t, remember(t, s, fmt.Sprint("old-", i), at(time.Minute), at(0)))
	}
	require.True(t, remember(t, s, "later", at(time.Hour+time.Minute), at(time.Hour)))
	for i := range 50 {
		assert.True(t, remember(t, s, fmt.Sprint("old-", i), at(time.Hour+time.Minute), at(time.Hour)), i)
	}
	assert.False(t, remember(t, s, "later", at(2*time.Hour), at(time.Hour)))
}

func testNoncesConcurrent(t *testing.T, s notary.Store) {
	for round := range 5 {
		nonce := fmt.Sprint("race-", round)
		var fresh atomic.Int32
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				ok, err := s.RememberNonce(context.Background(), nonce, at(5*time.Minute), at(0))
				assert.NoError(t, err)
				if ok {
					fresh.Add(1)
				}
			})
		}
		wg.Wait()
		assert.EqualValues(t, 1, fresh.Load(), nonce)
	}
}

func testNoncesWebhook(t *testing.T, s notary.Store) {
	ctx := context.Background()
	secret := []byte("secret")
	body := []byte(`{"id":"evt_1"}`)
	now := at(0)
	v := webhook.NewVerifier(webhook.Options{Secrets: [][]byte{secret}, Clock: func() time.Time { return now }, Replay: s, Scope: "test"})
	h := make(map[string][]string)
	webhook.Signer{Secrets: [][]byte{secret}}.Sign(h, now, "", body)
	_, err := v.Verify(ctx, h, body)
	require.NoError(t, err)
	_, err = v.Verify(ctx, h, body)
	assert.ErrorIs(t, err, webhook.ErrReplayed)
	assert.ErrorIs(t, err, notary.ErrForbidden)
}
