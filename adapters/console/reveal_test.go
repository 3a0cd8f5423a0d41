package console_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

// TestReveal: a reviewer deciding a filing sees chosen personal fields in
// full for one page view, the reveal is on the audit trail, the decision
// forms carry the version after it; a finance admin, a reveal without the
// CSRF token and a reveal of a decided filing are refused.
func TestReveal(t *testing.T) {
	e := newEnv(t)
	_, f := e.filing("甲公司")
	c := e.client()
	c.login()
	path := "/admin/filings/" + f.ID.String()

	res, page := c.do("GET", path, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, page, `id="reveal-form"`)
	assert.Contains(t, page, `value="legal_rep.id_number"> 法定代表人证件号码`)
	assert.NotContains(t, page, `value="agent.person.name"`, "no agent, no agent fields")
	assert.NotContains(t, page, "11010519491231002X", "masked")
	assert.Contains(t, page, "居民身份证", "the ID type in words")
	assert.NotContains(t, page, "resident_id")

	// Without the session's CSRF token: refused, nothing audited.
	res, page = c.do("POST", path+"/reveal", url.Values{"field": {"legal_rep.id_number"}})
	assert.Equal(t, http.StatusForbidden, res.StatusCode)
	assert.NotContains(t, page, "11010519491231002X")
	// No field chosen: refused, naming what to choose.
	res, page = c.post(path+"/reveal", url.Values{})
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	assert.Contains(t, page, "请至少选择一项")
	// Not a personal field: the SDK refuses it.
	res, _ = c.post(path+"/reveal", url.Values{"field": {"enterprise_name"}})
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	report, err := e.svc.Audit.Report(t.Context(), e.chief, f.ID)
	require.NoError(t, err)
	require.Len(t, report.Events, 1, "refusals are not reveals")

	res, page = c.post(path+"/reveal", url.Values{"field": {"legal_rep.id_number", "contact_phone"}})
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, page, "11010519491231002X", "the ID number in full")
	assert.Contains(t, page, "13800138000", "the phone in full")
	assert.NotContains(t, page, "Zhang San", "the name was not chosen")
	assert.Contains(t, page, "已显示完整信息：法定代表人证件号码、联系电话")
	assert.Contains(t, page, `value="contact_phone" checked>`)
	assert.Contains(t, page, "查看完整个人信息", "the audit trail shows the reveal")
	assert.Contains(t, page, "完整查看：法定代表人证件号码、联系电话")
	assert.Contains(t, page, `name="version" value="2"`, "decisions go on the version after the reveal")
	report, err = e.svc.Audit.Report(t.Context(), e.chief, f.ID)
	require.NoError(t, err)
	require.Len(t, report.Events, 2)
	assert.Equal(t, notary.TriggerReveal, report.Events[1].Trigger)
	assert.Equal(t, e.chief.Email, report.Events[1].Actor.Name)

	// The next page view is masked again.
	_, page = c.do("GET", path, nil)
	assert.NotContains(t, page, "11010519491231002X")

	// English names the fields in English.
	_, page = c.post(path+"/reveal?lang=en", url.Values{"field": {"legal_rep.name"}})
	assert.Contains(t, page, "Shown in full: legal representative&#39;s name.")
	assert.Contains(t, page, "Zhang San")

	// A finance admin may read the filing but not reveal: no form, 403.
	fin, _ := e.clientAs(notary.RoleFinance)
	res, page = fin.do("GET", path, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.NotContains(t, page, `id="reveal-form"`)
	res, page = fin.post(path+"/reveal", url.Values{"field": {"legal_rep.id_number"}})
	assert.Equal(t, http.StatusForbidden, res.StatusCode)
	assert.Contains(t, page, "无权执行此操作")
	assert.NotContains(t, page, "11010519491231002X")

	// Once decided, the office has no decision to make: no reveal.
	cur, err := e.svc.Filings.Get(t.Context(), e.chief, f.ID)
	require.NoError(t, err)
	_, err = e.svc.Reviews.ApproveFiling(t.Context(), e.chief, f.ID, cur.Version)
	require.NoError(t, err)
	res, page = c.do("GET", path, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.NotContains(t, page, `id="reveal-form"`)
	res, page = c.post(path+"/reveal", url.Values{"field": {"legal_rep.id_number"}})
	assert.Equal(t, http.StatusForbidden, res.StatusCode)
	assert.NotContains(t, page, "11010519491231002X")
}
