package notary_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/qmuntal/stateless"

	"github.com/notarykit/notarykit/notary"
)

// BenchmarkTransition measures one in-memory transition through the whole
// service: load, authorize, fire, audit hash, notices and atomic commit.
// Each iteration is two transitions (reject the materials, submit again)
// on an application cycled four times in all, so audit trails stay as
// long as real ones. The applications are made before the timer starts,
// and their garbage collected, so the loop pays for its own allocations.
func BenchmarkTransition(b *testing.B) {
	e := newEnv(b)
	const cycles = 4
	apps := make([]notary.Application, (b.N+cycles-1)/cycles)
	for i := range apps {
		apps[i] = e.appIn(notary.PendingFinalReview)
	}
	runtime.GC()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		app := &apps[i/cycles]
		rejected, err := e.svc.Reviews.RejectFinal(e.ctx, e.reviewer, app.ID, app.Version, "missing signature")
		if err != nil {
			b.Fatal(err)
		}
		if *app, err = e.svc.Applications.SubmitMaterials(e.ctx, alice, rejected.ID, "SF", "SF1234567890123"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLifecycleFire measures notarykit's lifecycle alone.
func BenchmarkLifecycleFire(b *testing.B) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		s, err := notary.ApplicationLifecycle.Fire(ctx, notary.PendingFinalReview, notary.AppRejectFinal, notary.PartyAdmin)
		if err != nil || s != notary.MaterialsRejected {
			b.Fatal(s, err)
		}
	}
}

// BenchmarkBareStateless is the baseline: a stateless machine with external
// storage firing the same kind of transition.
func BenchmarkBareStateless(b *testing.B) {
	state := "PendingFinalReview"
	sm := stateless.NewStateMachineWithExternalStorage(
		func(context.Context) (stateless.State, error) { return state, nil },
		func(_ context.Context, s stateless.State) error { state = s.(string); return nil },
		stateless.FiringImmediate)
	sm.Configure("PendingFinalReview").Permit("reject_final", "MaterialsRejected")
	sm.Configure("MaterialsRejected").Permit("submit_materials", "PendingFinalReview")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := sm.FireCtx(ctx, "reject_final"); err != nil {
			b.Fatal(err)
		}
		if err := sm.FireCtx(ctx, "submit_materials"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPaymentSuccess compares the two ways an application is paid,
// on the memory store: a wallet provider's verified notice
// (HandlePaymentEvent) and finance recording the bank transfer
// (Finance.RecordTransfer, which also authorizes finance's session and
// parses the reference). Applications are made before the timer starts.
func BenchmarkPaymentSuccess(b *testing.B) {
	b.Run("wallet notice", func(b *testing.B) {
		e := newFinanceEnv(b)
		apps := make([]notary.Application, b.N)
		for i := range apps {
			apps[i] = e.env.appIn(notary.AwaitingPayment)
		}
		runtime.GC()
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if _, err := e.svc.Applications.HandlePaymentEvent(e.ctx, e.pay.Settle(apps[i].Payment.ID, e.clock.Now())); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("bank transfer", func(b *testing.B) {
		e := newFinanceEnv(b)
		transfers := make([]notary.ReceivedTransfer, b.N)
		for i := range transfers {
			transfers[i] = e.transferFor(e.transferApp())
		}
		runtime.GC()
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if _, err := e.svc.Finance.RecordTransfer(e.ctx, e.finance, transfers[i]); err != nil {
				b.Fatal(err)
			}
		}
	})
}
