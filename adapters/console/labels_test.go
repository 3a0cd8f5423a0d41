package console_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLabels: pages name states, payment statuses, ID types, SDK
// components, roles and reasons in the reviewer's language, never by
// their identifiers.
func TestLabels(t *testing.T) {
	e := newEnv(t)
	app := e.paidApplication("甲公司")
	c := e.client()
	c.login()

	res, page := c.do("GET", "/admin/applications/"+app.ID.String(), nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, page, "已支付")
	assert.Contains(t, page, "系统 支付通知", "the SDK component that acted, in words")
	for _, raw := range []string{"succeeded", ">payment<", " payment</td>"} {
		assert.NotContains(t, page, raw)
	}
	_, page = c.do("GET", "/admin/applications/"+app.ID.String()+"?lang=en", nil)
	assert.Contains(t, page, "paid")
	assert.Contains(t, page, "system payment notice")

	byTransfer := e.transferApplication("乙公司")
	_, page = c.do("GET", "/admin/applications/"+byTransfer.ID.String()+"?lang=zh", nil)
	assert.Contains(t, page, "<dd>对公转账 <code>", "the SDK's own provider in words")
	assert.NotContains(t, page, "bank_transfer")

	_, page = c.do("GET", "/admin/filings/"+app.FilingID.String()+"?lang=zh", nil)
	assert.Contains(t, page, "居民身份证")
	assert.NotContains(t, page, "resident_id")

	_, page = c.do("GET", "/admin/staff/"+e.chief.ID.String(), nil)
	assert.Contains(t, page, "系统 初始化")
	assert.Contains(t, page, "角色：主管")
	assert.NotContains(t, page, "role supervisor")
	assert.NotContains(t, page, "bootstrap")
}
