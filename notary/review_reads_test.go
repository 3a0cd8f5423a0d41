package notary_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
	"github.com/notarykit/notarykit/store"
)

// readCounter counts how a review reads the admin's session: alone
// (SessionAdmin) or together with the record (notary.ReviewReader).
type readCounter struct {
	*store.Memory
	alone, joint atomic.Int32
}

func (c *readCounter) SessionAdmin(ctx context.Context, hash string) (notary.Session, notary.AdminAccount, error) {
	c.alone.Add(1)
	return c.Memory.SessionAdmin(ctx, hash)
}

func (c *readCounter) ApplicationForReview(ctx context.Context, id uuid.UUID, hash string) (notary.Application, notary.SessionLookup, error) {
	c.joint.Add(1)
	return c.Memory.ApplicationForReview(ctx, id, hash)
}

func (c *readCounter) FilingForReview(ctx context.Context, id uuid.UUID, hash string) (notary.Filing, notary.SessionLookup, error) {
	c.joint.Add(1)
	return c.Memory.FilingForReview(ctx, id, hash)
}

// TestReviewReadsSessionWithRecord checks that a decision reads the
// reviewed record and the admin's session in one store call when the
// store is a ReviewReader.
func TestReviewReadsSessionWithRecord(t *testing.T) {
	counter := &readCounter{}
	e := newEnv(t, func(c *notary.Config) {
		counter.Memory = c.Store.(*store.Memory)
		c.Store = counter
	})
	app := e.appIn(notary.PendingFinalReview)
	fl, err := e.svc.Filings.Submit(e.ctx, bob, notarytest.FilingContent())
	require.NoError(t, err)

	counter.alone.Store(0)
	counter.joint.Store(0)
	_, err = e.svc.Reviews.ApproveFiling(e.ctx, e.reviewer, fl.ID, fl.Version)
	require.NoError(t, err)
	_, err = e.svc.Reviews.RejectFinal(e.ctx, e.reviewer, app.ID, app.Version, "missing signature")
	require.NoError(t, err)
	assert.Equal(t, int32(2), counter.joint.Load(), "one joint read per decision")
	assert.Zero(t, counter.alone.Load(), "no separate session read")

	// A session ended between two decisions is refused on the joint path.
	require.NoError(t, e.svc.Admins.Logout(e.ctx, e.reviewerToken))
	_, err = e.svc.Reviews.ApproveFinal(e.ctx, e.reviewer, app.ID, app.Version+1, "NK-1")
	require.ErrorIs(t, err, notary.ErrUnauthenticated)
}

// TestInspectIsGetAndActions checks that Inspect returns what Get and
// Actions return, to the owner and to an admin, and that an admin's
// Inspect reads the record and the session in one store call.
func TestInspectIsGetAndActions(t *testing.T) {
	counter := &readCounter{}
	e := newEnv(t, func(c *notary.Config) {
		counter.Memory = c.Store.(*store.Memory)
		c.Store = counter
	})
	app := e.appIn(notary.PendingFinalReview)
	fl, err := e.svc.Filings.Mine(e.ctx, alice)
	require.NoError(t, err)
	for _, actor := range []notary.Principal{alice, e.reviewer} {
		gotApp, appActions, err := e.svc.Applications.Inspect(e.ctx, actor, app.ID)
		require.NoError(t, err)
		wantApp, err := e.svc.Applications.Get(e.ctx, actor, app.ID)
		require.NoError(t, err)
		wantActions, err := e.svc.Applications.Actions(e.ctx, actor, app.ID)
		require.NoError(t, err)
		assert.Equal(t, wantApp, gotApp)
		assert.Equal(t, wantActions, appActions)

		gotFiling, filingActions, err := e.svc.Filings.Inspect(e.ctx, actor, fl.ID)
		require.NoError(t, err)
		wantFiling, err := e.svc.Filings.Get(e.ctx, actor, fl.ID)
		require.NoError(t, err)
		wantFilingActions, err := e.svc.Filings.Actions(e.ctx, actor, fl.ID)
		require.NoError(t, err)
		assert.Equal(t, wantFiling, gotFiling)
		assert.Equal(t, wantFilingActions, filingActions)
	}
	_, adminActions, err := e.svc.Applications.Inspect(e.ctx, e.reviewer, app.ID)
	require.NoError(t, err)
	assert.ElementsMatch(t, []notary.ApplicationTrigger{notary.AppApproveFinal, notary.AppRejectFinal}, adminActions)

	counter.alone.Store(0)
	counter.joint.Store(0)
	_, _, err = e.svc.Applications.Inspect(e.ctx, e.reviewer, app.ID)
	require.NoError(t, err)
	assert.Equal(t, int32(1), counter.joint.Load())
	assert.Zero(t, counter.alone.Load())
}
