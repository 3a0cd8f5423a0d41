package store

import (
	"context"
	"sync"
	"time"

	"github.com/notarykit/notarykit/payment/webhook"
)

// maxNonces bounds the memory store's replay memory. It only holds nonces
// of correctly signed messages for the tolerance window (minutes), so it is
// reached only by more than this many genuine messages in one window.
const maxNonces = 1_000_000

// nonceMemory is the replay memory of a Memory store; the zero value is
// ready to use.
type nonceMemory struct {
	once sync.Once
	m    *webhook.MemoryReplay
}

// RememberNonce implements [notary.Nonces]: it records nonce until until
// and reports whether it was new. Expired nonces are pruned on every call.
func (s *Memory) RememberNonce(ctx context.Context, nonce string, until, now time.Time) (bool, error) {
	s.nonces.once.Do(func() { s.nonces.m = webhook.NewMemoryReplay(maxNonces) })
	return s.nonces.m.RememberNonce(ctx, nonce, until, now)
}
