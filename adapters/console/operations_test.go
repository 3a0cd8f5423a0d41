package console_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/store"
)

// TestOperations lists a dead letter with its last error and retries it
// through the SDK; the retry needs the CSRF token.
func TestOperations(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	c.login()
	res, page := c.do("GET", "/admin/operations", nil)
	require.Equal(t, 200, res.StatusCode)
	assert.Contains(t, page, "没有投递失败的通知")

	_, filing := e.filing("甲公司")
	claimed, err := e.store.ClaimNotices(t.Context(), e.clock.Now(), time.Minute, 100)
	require.NoError(t, err)
	require.NotEmpty(t, claimed)
	dead := claimed[0]
	var results []notary.NoticeResult
	for _, n := range claimed {
		o := notary.NoticeOutcome{Status: notary.NoticeDelivered, At: e.clock.Now()}
		if n.ID == dead.ID {
			o = notary.NoticeOutcome{Status: notary.NoticeDead, Error: "550 mailbox unavailable", At: e.clock.Now()}
		}
		results = append(results, notary.NoticeResult{ID: n.ID, Claim: n.Claim, Outcome: o})
	}
	_, err = e.store.FinishNotices(t.Context(), results)
	require.NoError(t, err)

	res, page = c.do("GET", "/admin/operations", nil)
	require.Equal(t, 200, res.StatusCode)
	assert.Contains(t, page, "550 mailbox unavailable")
	assert.Contains(t, page, `<td>备案待审核（告知公证处）<br><span class="muted">邮件</span></td>`, "the notice's kind and channel in words")
	assert.Contains(t, page, `href="/admin/filings/`+filing.ID.String()+`"`)
	retry := "/admin/operations/dead-letters/" + dead.ID.String() + "/retry"
	assert.Contains(t, page, `action="`+retry+`"`)

	res, _ = c.do("POST", retry, nil)
	assert.Equal(t, http.StatusForbidden, res.StatusCode, "the CSRF token is needed")
	res, _ = c.post(retry, nil)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, page = c.do("GET", res.Header.Get("Location"), nil)
	assert.Contains(t, page, "已重新排队")
	assert.Contains(t, page, "没有投递失败的通知")
	pending, err := e.store.ListNotices(t.Context(), notary.NoticePending, 100)
	require.NoError(t, err)
	assert.Contains(t, ids(pending), dead.ID, "pending again")
	res, _ = c.post(retry, nil)
	assert.Equal(t, http.StatusNotFound, res.StatusCode, "no longer dead")
}

func ids(ns []notary.Notice) []uuid.UUID {
	out := make([]uuid.UUID, len(ns))
	for i, n := range ns {
		out[i] = n.ID
	}
	return out
}

// tamperedStore edits the audit trail it returns, as an attacker with
// database access would.
type tamperedStore struct {
	*store.Memory
}

func (s tamperedStore) Events(ctx context.Context, id uuid.UUID) ([]notary.Event, error) {
	evs, err := s.Memory.Events(ctx, id)
	for i := range evs {
		if evs[i].Reason != "" {
			evs[i].Reason = "edited"
		}
	}
	return evs, err
}

// TestBrokenChainBanner puts a banner above a record whose audit chain
// does not verify, and none above one whose chain does.
func TestBrokenChainBanner(t *testing.T) {
	e := newEnv(t, func(m *store.Memory) notary.Store { return tamperedStore{m} })
	_, bad := e.filing("甲公司")
	_, err := e.svc.Reviews.RejectFiling(t.Context(), e.chief, bad.ID, bad.Version, "模糊")
	require.NoError(t, err)
	_, good := e.filing("乙公司")
	c := e.client()
	c.login()
	res, page := c.do("GET", "/admin/filings/"+bad.ID.String(), nil)
	require.Equal(t, 200, res.StatusCode)
	assert.Contains(t, page, `id="chain-broken"`)
	assert.Contains(t, page, "审计哈希链校验失败")
	_, page = c.do("GET", "/admin/filings/"+good.ID.String(), nil)
	assert.NotContains(t, page, `id="chain-broken"`)
}
