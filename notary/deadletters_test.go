package notary_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

// killNotices marks every pending notice of the store dead, as a relay
// does after a permanent failure, and returns their IDs by office.
func (e *env) killNotices() map[uuid.UUID][]uuid.UUID {
	e.t.Helper()
	claimed, err := e.store.ClaimNotices(e.ctx, e.clock.Now(), 0, 1000)
	require.NoError(e.t, err)
	results := make([]notary.NoticeResult, len(claimed))
	byOffice := map[uuid.UUID][]uuid.UUID{}
	for i, n := range claimed {
		results[i] = notary.NoticeResult{ID: n.ID, Claim: n.Claim,
			Outcome: notary.NoticeOutcome{Status: notary.NoticeDead, At: e.clock.Now(), Error: "550 no such user"}}
		byOffice[n.OfficeID] = append(byOffice[n.OfficeID], n.ID)
	}
	_, err = e.store.FinishNotices(e.ctx, results)
	require.NoError(e.t, err)
	return byOffice
}

func ids(ns []notary.Notice) []uuid.UUID {
	out := make([]uuid.UUID, len(ns))
	for i, n := range ns {
		out[i] = n.ID
	}
	return out
}

func TestDeadLettersListAndRetry(t *testing.T) {
	e := newEnv(t)
	other, stranger := e.otherOffice()
	e.approvedFiling(alice)
	_, err := other.Filings.Submit(e.ctx, bob, notarytest.FilingContent())
	require.NoError(t, err)
	dead := e.killNotices()
	require.NotEmpty(t, dead[officeID])
	require.NotEmpty(t, dead[otherOfficeID])

	// Each office's admins see their own office's dead letters only.
	mine, err := e.svc.DeadLetters.List(e.ctx, e.reviewer, 0)
	require.NoError(t, err)
	assert.ElementsMatch(t, dead[officeID], ids(mine))
	for _, n := range mine {
		assert.Equal(t, "550 no such user", n.LastError)
	}
	theirs, err := other.DeadLetters.List(e.ctx, stranger, 0)
	require.NoError(t, err)
	assert.ElementsMatch(t, dead[otherOfficeID], ids(theirs))
	one, err := e.svc.DeadLetters.List(e.ctx, e.reviewer, 1)
	require.NoError(t, err)
	assert.Len(t, one, 1)

	// Only an authenticated admin of the office may list or retry.
	_, err = e.svc.DeadLetters.List(e.ctx, stranger, 0)
	assert.ErrorIs(t, err, notary.ErrForbidden)
	_, err = e.svc.DeadLetters.List(e.ctx, notary.Admin{ID: e.reviewer.ID, OfficeID: officeID, SessionID: "forged"}, 0)
	assert.ErrorIs(t, err, notary.ErrUnauthenticated)
	assert.ErrorIs(t, e.svc.DeadLetters.Retry(e.ctx, stranger, dead[officeID][0]), notary.ErrForbidden)
	assert.ErrorIs(t, e.svc.DeadLetters.Retry(e.ctx, e.reviewer, dead[otherOfficeID][0]), notary.ErrNotFound,
		"another office's notice is not ours to retry")
	assert.ErrorIs(t, e.svc.DeadLetters.Retry(e.ctx, e.reviewer, uuid.New()), notary.ErrNotFound)

	// Retrying makes the notice pending again, due now, with no attempts.
	id := dead[officeID][0]
	require.NoError(t, e.svc.DeadLetters.Retry(e.ctx, e.reviewer, id))
	pending, err := e.store.ListNotices(e.ctx, notary.NoticePending, 100)
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{id}, ids(pending))
	assert.Zero(t, pending[0].Attempts)
	assert.Equal(t, e.clock.Now(), pending[0].NextAttemptAt)
	assert.ErrorIs(t, e.svc.DeadLetters.Retry(e.ctx, e.reviewer, id), notary.ErrNotFound, "no longer dead")
	mine, err = e.svc.DeadLetters.List(e.ctx, e.reviewer, 0)
	require.NoError(t, err)
	assert.NotContains(t, ids(mine), id)
}

// A refund the provider refuses for good (it does not know the payment)
// is not retried by every sweep: the application shows it pending and is
// listed for the office's admins.
func TestStuckRefundIsListedForOperators(t *testing.T) {
	e := newEnv(t)
	e.pay.FailRefund = fmt.Errorf("%w: provider: payment not found", notary.ErrNotFound)
	app := e.appIn(notary.PreliminaryRejected)
	require.Nil(t, app.Refund)

	res, err := e.svc.Applications.Sweep(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, map[string]int{notary.SweepRefund: 1}, res.Failed)
	require.Len(t, res.Errors, 1)
	assert.Equal(t, app.ID, res.Errors[0].Application)

	got, err := e.svc.Applications.Get(e.ctx, alice, app.ID)
	require.NoError(t, err)
	require.NotNil(t, got.Retry, "the owner sees the refund pending")
	assert.Equal(t, notary.SweepRefund, got.Retry.Duty)
	assert.True(t, got.Retry.Permanent)
	assert.Contains(t, got.Retry.LastError, "payment not found")

	e.clock.Advance(24 * time.Hour)
	res, err = e.svc.Applications.Sweep(e.ctx)
	require.NoError(t, err)
	assert.Nil(t, res.Failed, "not tried again")
	assert.Equal(t, 1, res.Stuck)

	stuck, err := e.svc.Applications.Stuck(e.ctx, e.reviewer, 0)
	require.NoError(t, err)
	require.Len(t, stuck, 1)
	assert.Equal(t, app.ID, stuck[0].ID)
	_, stranger := e.otherOffice()
	_, err = e.svc.Applications.Stuck(e.ctx, stranger, 0)
	assert.ErrorIs(t, err, notary.ErrForbidden)
}
