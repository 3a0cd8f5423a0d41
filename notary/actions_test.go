package notary_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

// ActionsAfter, computed from the record a transition returned, lists
// what Actions reads from the store, for the owner and for an admin, in
// every state; strangers get nothing.
func TestActionsAfterMatchesActions(t *testing.T) {
	e := newEnv(t)
	_, stranger := e.otherOffice()
	for _, state := range []notary.ApplicationState{
		notary.AwaitingPayment, notary.Cancelled, notary.PendingPreliminaryReview, notary.PreliminaryRejected,
		notary.AwaitingMaterials, notary.PendingFinalReview, notary.MaterialsRejected,
		notary.CertificateInProduction, notary.CertificateShipped, notary.Completed,
	} {
		t.Run(string(state), func(t *testing.T) {
			app := e.appIn(state)
			require.Equal(t, state, app.State)
			for name, actor := range map[string]notary.Principal{"owner": alice, "reviewer": e.reviewer} {
				want, err := e.svc.Applications.Actions(e.ctx, actor, app.ID)
				require.NoError(t, err)
				assert.Equal(t, want, e.svc.Applications.ActionsAfter(app, actor), name)
			}
			assert.Nil(t, e.svc.Applications.ActionsAfter(app, bob), "not the owner")
			assert.Nil(t, e.svc.Applications.ActionsAfter(app, stranger), "an admin of another office")
		})
	}

	f, err := e.svc.Filings.Submit(e.ctx, bob, notarytest.FilingContent())
	require.NoError(t, err)
	for name, actor := range map[string]notary.Principal{"owner": bob, "reviewer": e.reviewer} {
		want, err := e.svc.Filings.Actions(e.ctx, actor, f.ID)
		require.NoError(t, err)
		assert.Equal(t, want, e.svc.Filings.ActionsAfter(f, actor), name)
	}
	assert.NotEmpty(t, e.svc.Filings.ActionsAfter(f, e.reviewer), "a reviewer decides a pending filing")
	assert.Nil(t, e.svc.Filings.ActionsAfter(f, alice))
}
