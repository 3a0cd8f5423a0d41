package notify_test

import (
	"context"
	"testing"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notify"
	"github.com/notarykit/notarykit/store"
)

// discard is a notifier that accepts every message.
type discard struct{}

func (discard) Notify(context.Context, notary.Message) error { return nil }

// BenchmarkRelayDrain measures the relay's own work per notice: claim,
// render (zh-CN and en alternately), deliver to a no-op notifier and
// record the outcome, on the memory store. The notices are committed with
// the timer stopped.
func BenchmarkRelayDrain(b *testing.B) {
	const batch = 500
	ctx := context.Background()
	st := store.NewMemory()
	relay := notify.NewRelay(st, newClock(), newRenderer(b), map[notary.Channel]notary.Notifier{notary.ChannelEmail: discard{}},
		notify.WithLogger(quietLogger()))
	b.ReportAllocs()
	delivered := 0
	for b.Loop() {
		b.StopTimer()
		seed(b, st, notices(batch, notary.NoticeFinalRejected, notary.ChannelEmail)...)
		b.StartTimer()
		n, err := relay.Drain(ctx)
		if err != nil || n != batch {
			b.Fatalf("drained %d of %d: %v", n, batch, err)
		}
		delivered += n
	}
	b.ReportMetric(float64(delivered)/b.Elapsed().Seconds(), "notices/s")
}
