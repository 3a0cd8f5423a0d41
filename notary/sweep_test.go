package notary_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

// rejectedUnrefunded returns a paid application rejected while the
// provider's refunds fail, so it is left without a refund.
func rejectedUnrefunded(e *env) notary.Application {
	e.t.Helper()
	e.pay.FailRefund = errors.New("provider down")
	a := e.appIn(notary.PreliminaryRejected)
	require.Nil(e.t, a.Refund, "the rejection stands while the refund fails")
	return a
}

func TestSweepRetriesRefundWithinWindow(t *testing.T) {
	e := newEnv(t)
	a := rejectedUnrefunded(e)

	e.clock.Advance(notary.DefaultRefundRetryWindow - time.Hour)
	res, err := e.svc.Applications.Sweep(e.ctx)
	require.NoError(t, err)
	assert.Zero(t, res.Refunded, "the provider still fails")

	e.clock.Advance(time.Hour) // exactly at the window's edge: still retried
	e.pay.FailRefund = nil
	res, err = e.svc.Applications.Sweep(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, res.Refunded)
	got, err := e.store.Application(e.ctx, a.ID)
	require.NoError(t, err)
	assert.NotNil(t, got.Refund)
}

func TestSweepLeavesRefundAfterWindow(t *testing.T) {
	e := newEnv(t)
	a := rejectedUnrefunded(e)

	e.clock.Advance(notary.DefaultRefundRetryWindow + time.Minute)
	e.pay.FailRefund = nil
	res, err := e.svc.Applications.Sweep(e.ctx)
	require.NoError(t, err)
	assert.Zero(t, res.Refunded, "rejected before the window: not looked at")
	got, err := e.store.Application(e.ctx, a.ID)
	require.NoError(t, err)
	assert.Nil(t, got.Refund, "left to an operator")
	assert.Equal(t, notary.PreliminaryRejected, got.State)
}

func TestSweepRefundRetryWindowConfigured(t *testing.T) {
	e := newEnv(t, func(c *notary.Config) { c.Office.RefundRetryWindow = time.Hour })
	a := rejectedUnrefunded(e)

	e.clock.Advance(2 * time.Hour)
	e.pay.FailRefund = nil
	res, err := e.svc.Applications.Sweep(e.ctx)
	require.NoError(t, err)
	assert.Zero(t, res.Refunded)
	got, err := e.store.Application(e.ctx, a.ID)
	require.NoError(t, err)
	assert.Nil(t, got.Refund)
}
