package mockpay

import (
	"testing"
	"time"
)

func TestNonceCacheExpiresAndBounds(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := newNonceCache(3)
	for i, n := range []string{"a", "b", "c"} {
		if !c.add(n, t0.Add(time.Duration(i+1)*time.Minute), t0) {
			t.Fatalf("%s: new nonce refused", n)
		}
	}
	if c.add("b", t0.Add(time.Hour), t0) {
		t.Fatal("b replayed")
	}
	if !c.add("d", t0.Add(time.Hour), t0) || c.len() != 3 {
		t.Fatalf("full cache: len %d, want 3", c.len())
	}
	// a (the earliest expiry) was forgotten to make room for d.
	if !c.add("a", t0.Add(time.Hour), t0) {
		t.Fatal("evicted a refused")
	}
	// At t0+3m c (until t0+3m) has expired: it is purged, not evicted.
	if !c.add("c", t0.Add(time.Hour), t0.Add(3*time.Minute)) {
		t.Fatal("expired c refused")
	}
	if c.len() != 3 {
		t.Fatalf("len %d, want 3", c.len())
	}
}
