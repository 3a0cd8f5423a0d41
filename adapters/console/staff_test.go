package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

var issuedPassword = regexp.MustCompile(`id="issued-password">([^<]+)<`)

// TestStaff manages accounts on the staff pages: a supervisor creates a
// reviewer (the password shown once), ends its sessions, resets the
// password, disables and enables it and reads its login audit; a reviewer
// gets none of it, and every POST needs the CSRF token.
func TestStaff(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	c.login()
	res, page := c.do("GET", "/admin/staff", nil)
	require.Equal(t, 200, res.StatusCode)
	assert.Contains(t, page, chiefEmail)
	assert.Contains(t, page, `href="/admin/staff"`, "supervisors see the staff tab")

	res, _ = c.do("POST", "/admin/staff", url.Values{"csrf": {"forged"}, "email": {"rita@notary.example"}, "name": {"李审核"}, "role": {"reviewer"}})
	assert.Equal(t, http.StatusForbidden, res.StatusCode)
	res, page = c.post("/admin/staff", url.Values{"email": {"not an email"}, "name": {"李审核"}, "role": {"reviewer"}})
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	assert.Contains(t, page, `id="new-email-error"`)
	assert.Contains(t, page, `value="李审核"`, "the input is kept")

	res, page = c.post("/admin/staff", url.Values{"email": {"rita@notary.example"}, "name": {"李审核"}, "role": {"reviewer"}})
	require.Equal(t, http.StatusCreated, res.StatusCode)
	m := issuedPassword.FindStringSubmatch(page)
	require.NotNil(t, m, "the password is shown once")
	password := m[1]
	token, rita, err := e.svc.Admins.Login(t.Context(), "rita@notary.example", password)
	require.NoError(t, err, "the shown password works")
	assert.Equal(t, notary.RoleReviewer, rita.Role)
	path := "/admin/staff/" + rita.ID.String()
	_, page = c.do("GET", path, nil)
	assert.NotContains(t, page, password, "never shown again")
	assert.Contains(t, page, "登录", "the login audit")

	// A reviewer has no staff pages: the SDK refuses.
	r := e.client()
	r.do("GET", "/admin/login", nil)
	res, _ = r.do("POST", "/admin/login", url.Values{"csrf": {r.csrf}, "email": {"rita@notary.example"}, "password": {password}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	res, page = r.do("GET", "/admin/filings", nil)
	require.Equal(t, 200, res.StatusCode)
	assert.NotContains(t, page, `href="/admin/staff"`)
	res, _ = r.do("GET", "/admin/staff", nil)
	assert.Equal(t, http.StatusForbidden, res.StatusCode)
	res, _ = r.post("/admin/staff/"+e.chief.ID.String()+"/disable", nil)
	assert.Equal(t, http.StatusForbidden, res.StatusCode)

	// End sessions: the reviewer's browser is logged out.
	c.do("GET", path, nil)
	res, _ = c.post(path+"/end-sessions", nil)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, err = e.svc.Admins.Authenticate(t.Context(), token)
	assert.ErrorIs(t, err, notary.ErrUnauthenticated)
	res, _ = r.do("GET", "/admin/filings", nil)
	assert.Equal(t, http.StatusSeeOther, res.StatusCode)

	// Reset: a new password, shown once; the old one is dead.
	res, page = c.post(path+"/reset-password", nil)
	require.Equal(t, 200, res.StatusCode)
	m = issuedPassword.FindStringSubmatch(page)
	require.NotNil(t, m)
	_, _, err = e.svc.Admins.Login(t.Context(), "rita@notary.example", password)
	assert.ErrorIs(t, err, notary.ErrUnauthenticated)
	_, _, err = e.svc.Admins.Login(t.Context(), "rita@notary.example", m[1])
	require.NoError(t, err)

	// Disable and enable.
	res, _ = c.post(path+"/disable", nil)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, page = c.do("GET", res.Header.Get("Location"), nil)
	assert.Contains(t, page, `data-state="disabled">已停用<`)
	assert.Contains(t, page, "账户已停用")
	res, _ = c.post(path+"/disable", nil)
	assert.Equal(t, http.StatusConflict, res.StatusCode)
	res, _ = c.post(path+"/enable", nil)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, page = c.do("GET", path, nil)
	for _, want := range []string{"创建账户", "登录", "结束全部会话", "重置密码", "停用", "启用"} {
		assert.Contains(t, page, want, "the audit names %s", want)
	}
	res, _ = c.post(path+"/promote", nil)
	assert.Equal(t, http.StatusNotFound, res.StatusCode)
	res, page = c.do("GET", "/admin/staff/"+e.chief.ID.String(), nil)
	require.Equal(t, 200, res.StatusCode)
	assert.NotContains(t, page, `id="disable"`, "no actions on one's own account")
}
