package main

import (
	"context"
	"runtime"
	"testing"

	"github.com/qmuntal/stateless"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/store"
)

// cyclesPerApp is how many times the memory benchmark rejects and resubmits
// one application's materials; each iteration then moves on to a fresh
// application, so every audit trail stays as long as a real one (the four
// transitions that brought it to final review plus eight).
const cyclesPerApp = 4

// benchMemory compares one in-memory transition through notarykit (load,
// authorize, fire, audit hash, notices, atomic commit) with one bare
// stateless FireCtx with external storage.
func benchMemory(ctx context.Context, _ config, r *Report) error {
	f, err := newFixture(ctx, store.NewMemory())
	if err != nil {
		return err
	}
	u := f.user(1)
	if err := f.approve(ctx, u); err != nil {
		return err
	}
	var failed error
	notarykit := testing.Benchmark(func(b *testing.B) {
		// The applications the iterations work on are made first, and
		// their garbage collected, so that the timed loop pays for its
		// own allocations (and the collections they cause) only.
		var apps []notary.Application
		if apps, failed = f.applications(ctx, u, (b.N+cyclesPerApp-1)/cyclesPerApp); failed != nil {
			b.FailNow()
		}
		runtime.GC()
		b.ResetTimer()
		for i := range b.N {
			if failed = f.cycle(ctx, u, &apps[i/cyclesPerApp]); failed != nil {
				b.FailNow()
			}
		}
	})
	if failed != nil {
		return failed
	}
	state := "PendingFinalReview"
	sm := stateless.NewStateMachineWithExternalStorage(
		func(context.Context) (stateless.State, error) { return state, nil },
		func(_ context.Context, s stateless.State) error { state = s.(string); return nil },
		stateless.FiringImmediate)
	sm.Configure("PendingFinalReview").Permit("reject_final", "MaterialsRejected")
	sm.Configure("MaterialsRejected").Permit("submit_materials", "PendingFinalReview")
	bare := testing.Benchmark(func(b *testing.B) {
		for b.Loop() {
			_ = sm.FireCtx(ctx, "reject_final")
			_ = sm.FireCtx(ctx, "submit_materials")
		}
	})
	// Both loops do two transitions per iteration.
	r.MemTransitionN = float64(notarykit.NsPerOp()) / 2
	r.StatelessN = float64(bare.NsPerOp()) / 2
	r.MemVsStateless = r.MemTransitionN / r.StatelessN
	return nil
}

// benchBytes measures the heap the in-memory store holds per application
// (with its filing share, audit events, notices and reservation).
func benchBytes(ctx context.Context, c config, r *Report) error {
	const n = 5000
	st := store.NewMemory()
	f, err := newFixture(ctx, st)
	if err != nil {
		return err
	}
	u := f.user(1)
	if err := f.approve(ctx, u); err != nil {
		return err
	}
	before := heap()
	for range n {
		if _, err := f.application(ctx, u, true); err != nil {
			return err
		}
	}
	after := heap()
	runtime.KeepAlive(st)
	r.BytesPerRecord = float64(after-before) / n
	return nil
}

func heap() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
