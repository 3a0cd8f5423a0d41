package webhook

import (
	"container/heap"
	"context"
	"sync"
	"time"
)

// DefaultMaxNonces bounds a [MemoryReplay] made with max <= 0.
const DefaultMaxNonces = 100_000

// MemoryReplay is a [ReplayStore] in process memory: it protects one
// process until it restarts. It holds at most its max nonces; when full it
// forgets the one that expires first. Only nonces of correctly signed
// messages reach it, so nobody without a secret can fill it.
type MemoryReplay struct {
	mu   sync.Mutex
	max  int
	seen map[string]time.Time
	exp  expiryHeap
}

// NewMemoryReplay returns an empty replay memory of at most max nonces
// (DefaultMaxNonces when max <= 0).
func NewMemoryReplay(max int) *MemoryReplay {
	if max <= 0 {
		max = DefaultMaxNonces
	}
	return &MemoryReplay{max: max, seen: map[string]time.Time{}}
}

var _ ReplayStore = (*MemoryReplay)(nil)

// RememberNonce implements [ReplayStore]. It never fails.
func (m *MemoryReplay) RememberNonce(_ context.Context, nonce string, until, now time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for len(m.exp) > 0 && !m.exp[0].until.After(now) {
		m.forgetFirst()
	}
	if _, ok := m.seen[nonce]; ok {
		return false, nil
	}
	for len(m.seen) >= m.max && len(m.exp) > 0 {
		m.forgetFirst()
	}
	m.seen[nonce] = until
	heap.Push(&m.exp, nonceEntry{nonce: nonce, until: until})
	return true, nil
}

// forgetFirst forgets the nonce that expires first.
func (m *MemoryReplay) forgetFirst() {
	e := heap.Pop(&m.exp).(nonceEntry)
	delete(m.seen, e.nonce)
}

// Len returns how many nonces are remembered.
func (m *MemoryReplay) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.seen)
}

type nonceEntry struct {
	nonce string
	until time.Time
}

// expiryHeap is a min-heap of nonces by expiry.
type expiryHeap []nonceEntry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].until.Before(h[j].until) }
func (h expiryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)        { *h = append(*h, x.(nonceEntry)) }
func (h *expiryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}
