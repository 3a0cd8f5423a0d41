package console_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

// transferApplication files and approves a filing of enterprise and
// returns an application paying by bank transfer, awaiting it.
func (e *env) transferApplication(enterprise string) notary.Application {
	e.t.Helper()
	ctx := e.t.Context()
	u, f := e.filing(enterprise)
	_, err := e.svc.Reviews.ApproveFiling(ctx, e.chief, f.ID, f.Version)
	require.NoError(e.t, err)
	app, err := e.svc.Applications.Apply(ctx, u, notary.ApplyRequest{Evidence: notarytest.Evidence(u.ID + "-bt-1"),
		Method: notary.MethodBankTransfer})
	require.NoError(e.t, err)
	return app
}

// transferForm is the record-transfer form paying app exactly.
func transferForm(app notary.Application, serial string) url.Values {
	return url.Values{"serial": {serial}, "reference": {app.Payment.Transfer.Reference}, "payer_name": {"深圳甲科技有限公司"},
		"amount": {app.Quote.Amount.StringFixed(2)}, "date": {"2026-11-30"}}
}

// TestFinancePageOnlyForFinance: the page and its link follow DutyMoney.
func TestFinancePageOnlyForFinance(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		role notary.Role
		may  bool
	}{{notary.RoleFinance, true}, {notary.RoleReviewer, false}, {notary.RoleSupervisor, false}} {
		c, _ := e.clientAs(tc.role)
		_, home := c.do("GET", "/admin/", nil)
		res, _ := c.do("GET", "/admin/finance", nil)
		if tc.may {
			assert.Contains(t, home, `href="/admin/finance"`, tc.role)
			assert.Equal(t, http.StatusOK, res.StatusCode)
		} else {
			assert.NotContains(t, home, `href="/admin/finance"`, tc.role)
			assert.Equal(t, http.StatusForbidden, res.StatusCode, tc.role)
		}
	}
}

// TestFinanceRecordsTransfers: finance records a transfer; refusals are
// shown next to their field in Chinese and change nothing; an unmatched
// transfer is listed and matched; a refund due is recorded.
func TestFinanceRecordsTransfers(t *testing.T) {
	e := newEnv(t)
	app := e.transferApplication("深圳甲科技有限公司")
	c, _ := e.clientAs(notary.RoleFinance)
	res, page := c.do("GET", "/admin/finance", nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, page, app.Payment.Transfer.Reference, "the application awaits its transfer")
	assert.Contains(t, page, `">深圳甲科技有限公司</a>`, "named by its enterprise, the payer on the bank statement")
	assert.Contains(t, page, `id="unmatched-empty"`)

	short := transferForm(app, "ICBC-0001-0001")
	short.Set("amount", app.Quote.Amount.Sub(decimal.RequireFromString("0.01")).StringFixed(2))
	res, page = c.post("/admin/finance/transfers", short)
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	assert.Regexp(t, `<p class="field-error" id="amount-error">转账 \S+ CNY，应付 \S+ CNY：少了 0\.01 CNY</p>`, page)
	assert.Contains(t, page, `aria-describedby="amount-error"`)
	assert.Contains(t, page, `value="ICBC-0001-0001"`, "what finance typed stays")

	bad := transferForm(app, "ICBC 0001")
	res, page = c.post("/admin/finance/transfers", bad)
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	assert.Regexp(t, `<p class="field-error" id="serial-error">银行流水号须为 8 至 64 位字母或数字`, page)
	noDate := transferForm(app, "ICBC-0001-0001")
	noDate.Set("date", "30/11/2026")
	res, page = c.post("/admin/finance/transfers", noDate)
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	assert.Contains(t, page, `<p class="field-error" id="date-error">须为日期（年-月-日）</p>`)
	got, err := e.svc.Applications.Get(t.Context(), e.chief, app.ID)
	require.NoError(t, err)
	assert.Equal(t, notary.AwaitingPayment, got.State, "refusals change nothing")

	res, page = c.post("/admin/finance/transfers", transferForm(app, "ICBC-0001-0001"))
	require.Equal(t, http.StatusCreated, res.StatusCode)
	assert.Contains(t, page, "已付款")
	got, err = e.svc.Applications.Get(t.Context(), e.chief, app.ID)
	require.NoError(t, err)
	assert.Equal(t, notary.PendingPreliminaryReview, got.State)
	assert.Equal(t, "ICBC-0001-0001", got.Payment.Serial)

	// A transfer without a reference is kept; finance matches it.
	other := e.transferApplication("深圳乙贸易有限公司")
	noRef := transferForm(other, "ICBC-0001-0002")
	noRef.Del("reference")
	res, page = c.post("/admin/finance/transfers", noRef)
	require.Equal(t, http.StatusCreated, res.StatusCode)
	assert.Contains(t, page, "附言中没有付款编号")
	kept, err := e.store.ListTransfers(t.Context(), notary.TransferQuery{OfficeID: e.svc.Office().ID, Status: notary.TransferUnmatched})
	require.NoError(t, err)
	require.Len(t, kept, 1)
	match := "/admin/finance/transfers/" + kept[0].ID.String() + "/match"
	res, page = c.post(match, url.Values{"application_id": {"nonsense"}})
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	assert.Contains(t, page, `id="app-`+kept[0].ID.String()+`-error">不是申请编号</p>`)
	res, _ = c.post(match, url.Values{"application_id": {other.ID.String()}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	got, err = e.svc.Applications.Get(t.Context(), e.chief, other.ID)
	require.NoError(t, err)
	assert.Equal(t, notary.PendingPreliminaryReview, got.State)

	// Rejected: the refund waits for finance's transfer back.
	got, err = e.svc.Reviews.RejectPreliminary(t.Context(), e.chief, other.ID, got.Version, "材料不清晰")
	require.NoError(t, err)
	_, page = c.do("GET", "/admin/finance", nil)
	assert.Contains(t, page, `action="/admin/finance/refunds/`+other.ID.String()+`"`)
	assert.Contains(t, page, `">深圳乙贸易有限公司</a>`, "a refund due is named by its enterprise")
	res, _ = c.post("/admin/finance/refunds/"+other.ID.String(), url.Values{"serial": {"ICBC-OUT-0001"}, "date": {"2026-11-30"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	got, err = e.svc.Applications.Get(t.Context(), e.chief, other.ID)
	require.NoError(t, err)
	require.NotNil(t, got.Refund)
	assert.Equal(t, "ICBC-OUT-0001", got.Refund.ID)

	// Forms without the session's CSRF token are refused.
	res, _ = c.do("POST", "/admin/finance/transfers", transferForm(app, "ICBC-0001-0003"))
	assert.Equal(t, http.StatusForbidden, res.StatusCode)
}
