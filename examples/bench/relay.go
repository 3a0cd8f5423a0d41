package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notify"
)

type noop struct{}

func (noop) Notify(context.Context, notary.Message) error { return nil }

// benchRelay fills the PostgreSQL outbox, then drains it with four relays
// (as four host instances would) rendering every notice and delivering it
// to a no-op Notifier, and reports notices delivered per second.
func benchRelay(ctx context.Context, c config, r *Report) error {
	total := 20000
	if c.quick {
		total = 8000
	}
	env, err := openPG(ctx, c, 16)
	if err != nil {
		return err
	}
	defer env.close(ctx)
	f, err := newFixture(ctx, env.store)
	if err != nil {
		return err
	}
	u := f.user(1)
	if err := f.approve(ctx, u); err != nil {
		return err
	}
	app, err := f.application(ctx, u, false)
	if err != nil {
		return err
	}
	// Each cycle enqueues five notices; fill with concurrent writers.
	cycles := total / 5
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for w := range 4 {
		wg.Go(func() {
			wu := f.user(100 + w)
			if err := f.approve(ctx, wu); err != nil {
				errs[w] = err
				return
			}
			a, err := f.application(ctx, wu, false)
			if err != nil {
				errs[w] = err
				return
			}
			for range cycles / 4 {
				if err := f.cycle(ctx, wu, &a); err != nil {
					errs[w] = err
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	_ = app
	pending, err := env.store.ListNotices(ctx, notary.NoticePending, 1_000_000)
	if err != nil {
		return err
	}
	renderer, err := notify.NewRenderer()
	if err != nil {
		return err
	}
	notifiers := map[notary.Channel]notary.Notifier{notary.ChannelEmail: noop{}, notary.ChannelInSite: noop{}}
	start := time.Now()
	delivered := make([]int, 4)
	for w := range 4 {
		wg.Go(func() {
			relay := notify.NewRelay(env.store, f.svc.Clock(), renderer, notifiers, notify.WithBatchSize(200))
			delivered[w], errs[w] = relay.Drain(ctx)
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	sum := 0
	for w := range 4 {
		if errs[w] != nil {
			return errs[w]
		}
		sum += delivered[w]
	}
	if sum != len(pending) {
		return fmt.Errorf("relay delivered %d of %d notices", sum, len(pending))
	}
	r.RelayPerS = float64(sum) / elapsed.Seconds()
	fmt.Fprintf(c.log, "bench: relay delivered %d notices in %s\n", sum, elapsed.Round(time.Millisecond))
	return nil
}
