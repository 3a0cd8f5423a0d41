package notary

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRandomIDsAreVersion7AndUnique(t *testing.T) {
	g := newRandomIDs()
	seen := sync.Map{}
	var wg sync.WaitGroup
	before := time.Now().UnixMilli()
	for range 4 {
		wg.Go(func() {
			for range 5000 {
				id := g.NewID()
				_, dup := seen.LoadOrStore(id, true)
				assert.False(t, dup, "duplicate %s", id)
				assert.Equal(t, uuid.Version(7), id.Version())
				assert.Equal(t, uuid.RFC4122, id.Variant())
			}
		})
	}
	wg.Wait()
	id := g.NewID()
	sec, nsec := id.Time().UnixTime()
	ms := sec*1000 + nsec/1e6
	require.GreaterOrEqual(t, ms, before)
	require.LessOrEqual(t, ms, time.Now().UnixMilli())
}

func TestRandomIDsIncreaseWithinAMillisecond(t *testing.T) {
	g := newRandomIDs()
	prev := g.NewID()
	for range 10000 {
		id := g.NewID()
		require.Negative(t, bytes.Compare(prev[:], id[:]), "%s then %s", prev, id)
		prev = id
	}
}

func BenchmarkRandomIDs(b *testing.B) {
	g := newRandomIDs()
	for b.Loop() {
		_ = g.NewID()
	}
}
