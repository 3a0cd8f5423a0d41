package notary_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

// specTable is SPEC's application table written out by hand, independent of
// notary.ApplicationLifecycle, as the reference model.
var specTable = map[notary.ApplicationState]map[string]notary.ApplicationState{
	notary.AwaitingPayment:          {"pay": notary.PendingPreliminaryReview, "fail": notary.AwaitingPayment, "cancel": notary.Cancelled, "expire": notary.Cancelled},
	notary.PendingPreliminaryReview: {"approve1": notary.AwaitingMaterials, "reject1": notary.PreliminaryRejected},
	notary.AwaitingMaterials:        {"materials": notary.PendingFinalReview},
	notary.MaterialsRejected:        {"materials": notary.PendingFinalReview},
	notary.PendingFinalReview:       {"reject2": notary.MaterialsRejected, "approve2": notary.CertificateInProduction},
	notary.CertificateInProduction:  {"ship": notary.CertificateShipped},
	notary.CertificateShipped:       {"confirm": notary.Completed},
}

// idempotent actions succeed without change where the table has no row:
// provider events arriving late or twice are ignored by design.
var idempotent = map[string]bool{"pay": true, "fail": true}

func holds(s notary.ApplicationState) bool {
	switch s {
	case notary.Cancelled, notary.PreliminaryRejected, notary.Completed:
		return false
	}
	return true
}

// TestModelRandomWalk drives the service with random actions and checks it
// against the reference model after each one: states, evidence
// reservations, and that refused actions change nothing.
func TestModelRandomWalk(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		e := newEnv(t)
		e.approvedFiling(alice)
		pool := []string{"e1", "e2", "e3", "e4", "e5"}
		model := map[uuid.UUID]notary.ApplicationState{}
		var ids []uuid.UUID
		evOf := map[uuid.UUID][]string{}

		act := func(name string, id uuid.UUID) (notary.Application, error) {
			a, err := e.store.Application(e.ctx, id)
			require.NoError(rt, err)
			switch name {
			case "pay":
				return e.svc.Applications.HandlePaymentEvent(e.ctx, e.pay.Settle(a.Payment.ID, e.clock.Now()))
			case "fail":
				return e.svc.Applications.HandlePaymentEvent(e.ctx, e.pay.Fail(a.Payment.ID, e.clock.Now()))
			case "cancel":
				return e.svc.Applications.Cancel(e.ctx, alice, id)
			case "expire":
				return e.svc.FireApplication(e.ctx, notary.SystemActor, a, notary.AppExpire)
			case "approve1":
				return e.svc.Reviews.ApprovePreliminary(e.ctx, e.reviewer, id, a.Version)
			case "reject1":
				return e.svc.Reviews.RejectPreliminary(e.ctx, e.reviewer, id, a.Version, "not notarizable")
			case "materials":
				return e.svc.Applications.SubmitMaterials(e.ctx, alice, id, "SF", "SF1234567890123")
			case "reject2":
				return e.svc.Reviews.RejectFinal(e.ctx, e.reviewer, id, a.Version, "missing signature")
			case "approve2":
				return e.svc.Reviews.ApproveFinal(e.ctx, e.reviewer, id, a.Version, "(2026)深证字第1号")
			case "ship":
				return e.svc.Reviews.Ship(e.ctx, e.reviewer, id, a.Version, "SF", "SF1234567890123")
			case "confirm":
				return e.svc.Applications.ConfirmReceipt(e.ctx, alice, id)
			}
			panic(name)
		}
		actions := []string{"pay", "fail", "cancel", "expire", "approve1", "reject1", "materials", "reject2", "approve2", "ship", "confirm"}

		for step := 0; step < 40; step++ {
			if len(ids) == 0 || rapid.Bool().Draw(rt, "apply") {
				sel := rapid.SliceOfNDistinct(rapid.SampledFrom(pool), 1, 3, rapid.ID[string]).Draw(rt, "evidence")
				held := false
				for _, id := range ids {
					for _, ev := range evOf[id] {
						for _, s := range sel {
							held = held || (ev == s && holds(model[id]))
						}
					}
				}
				a, err := e.svc.Applications.Apply(e.ctx, alice, notary.ApplyRequest{Evidence: notarytest.Evidence(sel...)})
				if held {
					require.ErrorIs(rt, err, notary.ErrEvidenceReserved)
					continue
				}
				require.NoError(rt, err)
				model[a.ID] = notary.AwaitingPayment
				ids = append(ids, a.ID)
				evOf[a.ID] = sel
				continue
			}
			id := rapid.SampledFrom(ids).Draw(rt, "app")
			name := rapid.SampledFrom(actions).Draw(rt, "action")
			before := e.snapshot(id, evOf[id])
			to, ok := specTable[model[id]][name]
			a, err := act(name, id)
			switch {
			case ok:
				require.NoError(rt, err, "%s in %s", name, model[id])
				require.Equal(rt, to, a.State)
				model[id] = to
			case name == "pay" && model[id] == notary.Cancelled:
				require.NoError(rt, err)
				require.Equal(rt, notary.Cancelled, a.State)
				require.NotNil(rt, a.Refund, "a payment after cancellation is refunded")
			case idempotent[name]:
				require.NoError(rt, err)
				require.Equal(rt, before, e.snapshot(id, evOf[id]), "ignored provider event changed %s", model[id])
			default:
				require.Error(rt, err, "%s in %s", name, model[id])
				require.Equal(rt, before, e.snapshot(id, evOf[id]))
			}
			// Reservations match the model for every application.
			for _, other := range ids {
				held, err := e.store.Reservations(e.ctx, evOf[other])
				require.NoError(rt, err)
				for _, ev := range evOf[other] {
					if holds(model[other]) {
						require.Equal(rt, other, held[ev], "evidence %s of %s in %s", ev, other, model[other])
					} else if h, ok := held[ev]; ok {
						require.NotEqual(rt, other, h)
					}
				}
				stored, err := e.store.Application(e.ctx, other)
				require.NoError(rt, err)
				require.Equal(rt, model[other], stored.State)
			}
			require.NoError(rt, e.svc.Audit.Verify(e.ctx, e.reviewer, id))
			e.clock.Advance(time.Minute)
		}
	})
}
