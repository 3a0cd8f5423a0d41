package console_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

// TestSweepProblems: the operations page lists the applications the sweep
// cannot progress, each linked, named by its enterprise, with the duty in
// words, its attempts and last error, and whether it needs an operator.
func TestSweepProblems(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	c.login()
	res, page := c.do("GET", "/admin/operations", nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, page, `id="stuck-empty"`)
	assert.Contains(t, page, "定时任务没有遇到问题")

	// Two rejected applications whose refunds fail: one for good (the
	// provider does not know the payment), one for now.
	reject := func(enterprise string) notary.Application {
		app := e.paidApplication(enterprise)
		app, err := e.svc.Reviews.RejectPreliminary(t.Context(), e.chief, app.ID, app.Version, "证据与申请事项无关")
		require.NoError(t, err)
		return app
	}
	e.pay.FailRefund = fmt.Errorf("%w: provider: payment not found", notary.ErrNotFound)
	permanent := reject("甲公司")
	_, err := e.svc.Applications.Sweep(t.Context())
	require.NoError(t, err)
	e.pay.FailRefund = errors.New("provider: 502 bad gateway")
	transient := reject("乙公司")
	_, err = e.svc.Applications.Sweep(t.Context())
	require.NoError(t, err)
	stuck, err := e.svc.Applications.Stuck(t.Context(), e.chief, 0)
	require.NoError(t, err)
	require.Len(t, stuck, 2, "the SDK lists both")

	res, page = c.do("GET", "/admin/operations", nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.NotContains(t, page, `id="stuck-empty"`)
	for _, app := range []notary.Application{permanent, transient} {
		assert.Contains(t, page, `<a href="/admin/applications/`+app.ID.String()+`">`)
	}
	assert.Contains(t, page, ">甲公司</a>")
	assert.Contains(t, page, ">乙公司</a>")
	assert.Contains(t, page, "<td>初审未通过</td><td>退款</td>", "state and duty in words")
	assert.Contains(t, page, "payment not found")
	assert.Contains(t, page, "502 bad gateway")
	assert.Contains(t, page, `<strong class="needs-operator">需人工处理</strong>`, "the permanent failure waits for an operator")
	next := stuck[1].Retry.NextAt
	if stuck[1].Retry.Permanent {
		next = stuck[0].Retry.NextAt
	}
	assert.Contains(t, page, next.In(e.svc.Office().TimeZone).Format("2006-01-02 15:04:05 MST"), "when the other is tried again")

	_, page = c.do("GET", "/admin/operations?lang=en", nil)
	assert.Contains(t, page, "Sweep problems")
	assert.Contains(t, page, "needs an operator")
	assert.Contains(t, page, "<td>Preliminary review rejected</td><td>refund</td>")

	// Finance sees them too: refunds are its work.
	fin, _ := e.clientAs(notary.RoleFinance)
	res, page = fin.do("GET", "/admin/operations", nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, page, permanent.ID.String())
}

// stuckRefund returns an application of enterprise rejected in the
// preliminary review whose refund the provider refuses for good, after a
// sweep: Applications.Stuck lists it.
func (e *env) stuckRefund(enterprise string) notary.Application {
	e.t.Helper()
	app := e.paidApplication(enterprise)
	e.pay.FailRefund = fmt.Errorf("%w: provider: payment not found", notary.ErrNotFound)
	defer func() { e.pay.FailRefund = nil }()
	app, err := e.svc.Reviews.RejectPreliminary(e.t.Context(), e.chief, app.ID, app.Version, "证据与申请事项无关")
	require.NoError(e.t, err)
	_, err = e.svc.Applications.Sweep(e.t.Context())
	require.NoError(e.t, err)
	return app
}

// deadLetters makes every pending notice a dead letter, as the relay does
// after its last attempt fails.
func (e *env) deadLetters(why string) {
	e.t.Helper()
	claimed, err := e.store.ClaimNotices(e.t.Context(), e.clock.Now(), time.Minute, 100)
	require.NoError(e.t, err)
	var results []notary.NoticeResult
	for _, n := range claimed {
		results = append(results, notary.NoticeResult{ID: n.ID, Claim: n.Claim,
			Outcome: notary.NoticeOutcome{Status: notary.NoticeDead, Error: why, At: e.clock.Now()}})
	}
	_, err = e.store.FinishNotices(e.t.Context(), results)
	require.NoError(e.t, err)
}
