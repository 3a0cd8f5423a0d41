package mockpay

import (
	"container/heap"
	"sync"
	"time"
)

// nonceCache remembers notification nonces until their timestamp leaves the
// tolerance window (after that the staleness check refuses a replay
// anyway). It holds at most max nonces: when full it forgets the one that
// expires first. Only nonces of correctly signed notifications are added,
// so nobody without the secret can fill it.
type nonceCache struct {
	mu   sync.Mutex
	max  int
	seen map[string]time.Time
	exp  expiryHeap
}

func newNonceCache(max int) *nonceCache {
	return &nonceCache{max: max, seen: map[string]time.Time{}}
}

// add records nonce as valid until until and reports whether it was new.
func (c *nonceCache) add(nonce string, until, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.exp) > 0 && !c.exp[0].until.After(now) {
		delete(c.seen, heap.Pop(&c.exp).(nonceEntry).nonce)
	}
	if _, ok := c.seen[nonce]; ok {
		return false
	}
	for len(c.seen) >= c.max && len(c.exp) > 0 {
		delete(c.seen, heap.Pop(&c.exp).(nonceEntry).nonce)
	}
	c.seen[nonce] = until
	heap.Push(&c.exp, nonceEntry{nonce: nonce, until: until})
	return true
}

// len returns how many nonces are remembered.
func (c *nonceCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.seen)
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
