package console_test

import (
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/adapters/console"
	"github.com/notarykit/notarykit/notary"
)

// TestSecurity checks the cookies, the CSRF protection of every POST, the
// security headers and the login and logout of the console.
func TestSecurity(t *testing.T) {
	e := newEnv(t)
	c := e.client()

	res, _ := c.do("GET", "/admin/filings", nil)
	assert.Equal(t, http.StatusSeeOther, res.StatusCode, "no session: to the login page")
	assert.Equal(t, "/admin/login", res.Header.Get("Location"))
	assert.Contains(t, res.Header.Get("Content-Security-Policy"), "default-src 'none'", "redirects carry the headers too")

	res, page := c.do("GET", "/admin/login", nil)
	require.Equal(t, 200, res.StatusCode)
	assert.Equal(t, "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
		res.Header.Get("Content-Security-Policy"))
	assert.Equal(t, "DENY", res.Header.Get("X-Frame-Options"))
	assert.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
	assert.Equal(t, "no-referrer", res.Header.Get("Referrer-Policy"))
	assert.Contains(t, page, `name="csrf"`)
	assert.Contains(t, page, `lang="zh-CN"`)
	assert.Contains(t, page, "管理员登录", "Chinese first")
	assert.NotContains(t, page, "<script", "no JavaScript")

	// A login without the form's token, or with a token of another nonce,
	// is refused before the password is looked at.
	res, page = c.do("POST", "/admin/login", url.Values{"email": {chiefEmail}, "password": {chiefPassword}})
	assert.Equal(t, http.StatusForbidden, res.StatusCode)
	assert.Contains(t, page, "表单已过期")
	other := e.client()
	other.do("GET", "/admin/login", nil)
	res, _ = c.do("POST", "/admin/login", url.Values{"csrf": {other.csrf}, "email": {chiefEmail}, "password": {chiefPassword}})
	assert.Equal(t, http.StatusForbidden, res.StatusCode)
	res, page = c.do("POST", "/admin/login", url.Values{"csrf": {c.csrf}, "email": {chiefEmail}, "password": {"wrong password!"}})
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
	assert.Contains(t, page, "邮箱或密码错误")
	assert.Contains(t, page, `value="`+chiefEmail+`"`, "the email is kept")

	c.login()
	session := c.cookies["notarykit_admin"]
	require.NotNil(t, session)
	assert.True(t, session.HttpOnly)
	assert.True(t, session.Secure)
	assert.Equal(t, http.SameSiteStrictMode, session.SameSite)
	assert.Equal(t, "/admin", session.Path)
	assert.Positive(t, session.MaxAge)
	admin, err := e.svc.Admins.Authenticate(t.Context(), session.Value)
	require.NoError(t, err, "the cookie holds the SDK session token")
	assert.Equal(t, chiefEmail, admin.Email)
	assert.Nil(t, c.cookies["notarykit_login"], "the login nonce is dropped")

	_, filing := e.filing("甲公司")
	path := "/admin/filings/" + filing.ID.String()
	res, _ = c.do("GET", path, nil)
	require.Equal(t, 200, res.StatusCode)
	token := c.csrf

	// Every POST needs the session's CSRF token.
	for _, bad := range []string{"", "forged", e.client().csrf, other.csrf} {
		res, page = c.do("POST", path+"/approve", url.Values{"csrf": {bad}, "version": {"1"}})
		assert.Equal(t, http.StatusForbidden, res.StatusCode, "csrf %q", bad)
		assert.Contains(t, page, "表单已失效")
	}
	res, _ = c.do("POST", "/admin/logout", url.Values{})
	assert.Equal(t, http.StatusForbidden, res.StatusCode, "logout needs the token too")
	got, err := e.svc.Filings.Get(t.Context(), admin, filing.ID)
	require.NoError(t, err)
	assert.Equal(t, notary.FilingPendingReview, got.State, "nothing changed")

	// A second session has its own token; the first one's is refused there.
	g := e.client()
	g.login()
	g.do("GET", path, nil)
	assert.NotEqual(t, token, g.csrf)
	res, _ = g.do("POST", "/admin/logout", url.Values{"csrf": {token}})
	assert.Equal(t, http.StatusForbidden, res.StatusCode)

	// Logout ends the SDK session.
	res, _ = c.do("POST", "/admin/logout", url.Values{"csrf": {token}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	assert.Equal(t, "/admin/login?out=1", res.Header.Get("Location"))
	assert.Nil(t, c.cookies["notarykit_admin"])
	_, err = e.svc.Admins.Authenticate(t.Context(), session.Value)
	assert.ErrorIs(t, err, notary.ErrUnauthenticated)
	c.cookies["notarykit_admin"] = session // a stolen cookie is worthless now
	res, _ = c.do("GET", "/admin/filings", nil)
	assert.Equal(t, http.StatusSeeOther, res.StatusCode)
	assert.Equal(t, "/admin/login", res.Header.Get("Location"))
	_, page = c.do("GET", "/admin/login?out=1", nil)
	assert.Contains(t, page, "您已退出登录")
}

// TestFilingDecisions decides filings on the console: a stale version is a
// conflict in Chinese, a rejection without a reason keeps the page with the
// error next to the field, approval shows the new state.
func TestFilingDecisions(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	c.login()
	_, filing := e.filing("甲公司（待驳回）")
	_, other := e.filing("乙公司（待通过）")

	res, page := c.do("GET", "/admin/filings", nil)
	require.Equal(t, 200, res.StatusCode)
	assert.Contains(t, page, "甲公司（待驳回）", "rows name the enterprise")
	assert.Contains(t, page, filing.ID.String(), "IDs shown whole")
	assert.Contains(t, page, other.ID.String())
	assert.Contains(t, page, "2026-11-30 17:00:00 CST", "times in the office's time zone")
	assert.Contains(t, page, `>待审核 <span class="count">2</span></a>`, "states in Chinese, with the count waiting")
	assert.Contains(t, page, `企业备案 <span class="count">2</span></a>`, "the count on the main tabs too")

	path := "/admin/filings/" + filing.ID.String()
	c.do("GET", path, nil)
	res, page = c.post(path+"/approve", url.Values{"version": {"7"}})
	assert.Equal(t, http.StatusConflict, res.StatusCode)
	assert.Contains(t, page, "该记录已被他人修改")

	res, page = c.post(path+"/reject", url.Values{"version": {"1"}, "reason": {"   "}})
	assert.Equal(t, http.StatusBadRequest, res.StatusCode, "a rejection needs a reason")
	assert.Contains(t, page, `id="reason-error">必填<`, "the error is next to the field, in Chinese")
	assert.Contains(t, page, `aria-invalid="true"`)
	assert.NotContains(t, page, `id="error"`, "not at the top")

	long := strings.Repeat("模糊", 501)
	res, page = c.post(path+"/reject", url.Values{"version": {"1"}, "reason": {long}})
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	assert.Contains(t, page, "过长（最多 1000 个字符）")
	assert.Contains(t, page, ">"+long+"</textarea>", "what the reviewer typed is kept")

	res, _ = c.post(path+"/reject", url.Values{"version": {"1"}, "reason": {"营业执照扫描件不清晰"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	assert.Equal(t, path+"?done=reject", res.Header.Get("Location"))
	res, page = c.do("GET", res.Header.Get("Location"), nil)
	require.Equal(t, 200, res.StatusCode)
	assert.Contains(t, page, "备案已驳回")
	assert.Contains(t, page, `data-state="Rejected">已驳回<`)
	assert.Contains(t, page, "营业执照扫描件不清晰")
	assert.Contains(t, page, "哈希链校验通过")

	path = "/admin/filings/" + other.ID.String()
	c.do("GET", path, nil)
	res, _ = c.post(path+"/approve", url.Values{"version": {"1"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, page = c.do("GET", res.Header.Get("Location"), nil)
	assert.Contains(t, page, `data-state="Approved">已通过<`)
	assert.Contains(t, page, "备案已通过")
	assert.NotContains(t, page, `class="decision"`, "nothing left to decide")

	for _, version := range []string{"", "0", "x"} {
		res, page = c.post(path+"/approve", url.Values{"version": {version}})
		assert.Equal(t, http.StatusBadRequest, res.StatusCode, "version %q", version)
		assert.Contains(t, page, "版本号", "the page says what was wrong")
	}
	res, _ = c.post(path+"/promote", url.Values{"version": {"2"}})
	assert.Equal(t, http.StatusNotFound, res.StatusCode, "no such action")
	res, _ = c.do("GET", "/admin/filings/not-a-uuid", nil)
	assert.Equal(t, http.StatusNotFound, res.StatusCode)
	res, page = c.do("GET", "/admin/filings?state=Nonsense", nil)
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	assert.Contains(t, page, "没有这个队列")
	res, _ = c.do("GET", "/admin/filings?after=@@@", nil)
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
}

// TestApplicationDecisions takes an application through every decision
// form of the application page, in Chinese, and checks that a refused
// shipment keeps what was typed with the error next to its field.
func TestApplicationDecisions(t *testing.T) {
	e := newEnv(t)
	app := e.paidApplication("深圳甲科技有限公司")
	c := e.client()
	c.login()

	res, page := c.do("GET", "/admin/applications?state=PendingPreliminaryReview", nil)
	require.Equal(t, 200, res.StatusCode)
	assert.Contains(t, page, `href="/admin/applications/`+app.ID.String()+`"`)
	assert.Contains(t, page, "深圳甲科技有限公司", "rows name the enterprise")
	assert.Contains(t, page, app.ID.String(), "whole IDs")
	assert.Contains(t, page, app.Quote.Amount.StringFixed(2)+" CNY")
	res, page = c.do("GET", "/admin/applications", nil)
	require.Equal(t, 200, res.StatusCode)
	assert.Contains(t, page, app.ID.String(), "the preliminary queue is the default")

	path := "/admin/applications/" + app.ID.String()
	version := app.Version
	decide := func(action string, fields url.Values, want notary.ApplicationState, label string) string {
		t.Helper()
		res, page := c.do("GET", path, nil)
		require.Equal(t, 200, res.StatusCode)
		require.Contains(t, page, `action="`+path+"/"+action+`"`, "the page offers %s", action)
		if fields == nil {
			fields = url.Values{}
		}
		fields.Set("version", strconv.FormatInt(version, 10))
		res, _ = c.post(path+"/"+action, fields)
		require.Equal(t, http.StatusSeeOther, res.StatusCode, action)
		res, page = c.do("GET", res.Header.Get("Location"), nil)
		require.Equal(t, 200, res.StatusCode)
		require.Contains(t, page, `data-state="`+string(want)+`">`+label+`<`)
		require.Contains(t, page, "哈希链校验通过")
		got, err := e.svc.Applications.Get(t.Context(), e.chief, app.ID)
		require.NoError(t, err)
		version = got.Version
		return page
	}
	user := notary.User{ID: app.Owner.ID, Email: app.Owner.Email}
	page = decide("approve-preliminary", nil, notary.AwaitingMaterials, "待寄送材料")
	assert.Contains(t, page, "初审已通过")
	_, err := e.svc.Applications.SubmitMaterials(t.Context(), user, app.ID, "SF", "SF1234567890123")
	require.NoError(t, err)
	version++
	decide("reject-final", url.Values{"reason": {"缺少公章"}}, notary.MaterialsRejected, "材料未通过")
	_, err = e.svc.Applications.SubmitMaterials(t.Context(), user, app.ID, "SF", "SF1234567890124")
	require.NoError(t, err)
	version++
	page = decide("approve-final", url.Values{"certificate_number": {"（2026）深示证经字第 00007 号"}}, notary.CertificateInProduction, "制证中（待寄送）")
	assert.Contains(t, page, "（2026）深示证经字第 00007 号")

	// A tracking number the SDK refuses: the page keeps the carrier and
	// the number, with the error next to the number.
	res, page = c.post(path+"/ship", url.Values{"version": {strconv.FormatInt(version, 10)}, "carrier": {"EMS"}, "tracking_number": {"12"}})
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	assert.Contains(t, page, `value="12"`)
	assert.Contains(t, page, `<option value="EMS" selected>`)
	assert.Contains(t, page, `id="tracking_number-error"`)
	assert.NotContains(t, page, `id="error"`)

	page = decide("ship", url.Values{"carrier": {"EMS"}, "tracking_number": {"EE123456785CN"}}, notary.CertificateShipped, "已寄出")
	assert.Contains(t, page, "EE123456785CN")
	assert.NotContains(t, page, `class="decision"`, "nothing left for the office to decide")
	assert.Contains(t, page, "寄出公证书", "the audit trail names actions in Chinese")

	// The courier reports the certificate delivered: the page shows it.
	require.NoError(t, e.track.MarkDelivered("EMS", "EE123456785CN", e.clock.Now()))
	_, err = e.svc.Applications.Track(t.Context())
	require.NoError(t, err)
	_, page = c.do("GET", path, nil)
	assert.Contains(t, page, "物流状态：<strong>已签收</strong> · 签收于 2026-11-30 17:00:00 CST")
}

// TestEnglish switches the console to English: the choice is kept in a
// cookie, and states, labels and errors follow it.
func TestEnglish(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	c.login()
	_, filing := e.filing("甲公司")
	path := "/admin/filings/" + filing.ID.String()
	res, page := c.do("GET", path+"?lang=en", nil)
	require.Equal(t, 200, res.StatusCode)
	assert.Contains(t, page, `lang="en"`)
	assert.Contains(t, page, `data-state="PendingReview">Pending review<`)
	assert.Contains(t, page, `href="`+path+`?lang=zh"`, "a link back to Chinese")
	require.NotNil(t, c.cookies["notarykit_console_lang"])
	_, page = c.do("GET", path, nil)
	assert.Contains(t, page, "Reason, shown to the user", "the choice is kept")
	res, page = c.post(path+"/reject", url.Values{"version": {"1"}, "reason": {""}})
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	assert.Contains(t, page, `id="reason-error">required<`)
	res, page = c.post(path+"/approve", url.Values{"version": {"9"}})
	assert.Equal(t, http.StatusConflict, res.StatusCode)
	assert.Contains(t, page, "Someone else changed this record")
	_, page = c.do("GET", path+"?lang=zh", nil)
	assert.Contains(t, page, `data-state="PendingReview">待审核<`)
}

// TestNoRoute checks the styled 404 and 405 pages, with the security
// headers, and that the stylesheet has no directory listing.
func TestNoRoute(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	for _, tc := range []struct {
		method, path string
		status       int
		allow        string
	}{
		{"GET", "/admin/nowhere", 404, ""},
		{"GET", "/admin/static/", 404, ""},
		{"GET", "/admin/static/missing.css", 404, ""},
		{"GET", "/admin/filings/x/y/z", 404, ""},
		{"PUT", "/admin/login", 405, "GET, POST, HEAD"},
		{"DELETE", "/admin/filings", 405, "GET, HEAD"},
		{"GET", "/admin/logout", 405, "POST"},
		{"GET", "/admin/filings/0190a000-0000-7000-8000-000000000001/approve", 405, "POST"},
	} {
		res, page := c.do(tc.method, tc.path, nil)
		assert.Equal(t, tc.status, res.StatusCode, "%s %s", tc.method, tc.path)
		assert.Equal(t, tc.allow, res.Header.Get("Allow"), "%s %s", tc.method, tc.path)
		assert.Contains(t, res.Header.Get("Content-Security-Policy"), "default-src 'none'")
		assert.Equal(t, "DENY", res.Header.Get("X-Frame-Options"))
		assert.Contains(t, page, `<link rel="stylesheet" href="/admin/static/console.css">`, "styled")
	}
	res, css := c.do("GET", "/admin/static/console.css", nil)
	assert.Equal(t, 200, res.StatusCode)
	assert.Equal(t, "text/css; charset=utf-8", res.Header.Get("Content-Type"))
	assert.Contains(t, css, ".table-wrap")
	res, _ = c.do("GET", "/admin/", nil)
	assert.Equal(t, http.StatusSeeOther, res.StatusCode, "the dashboard needs a session")
	assert.Equal(t, "/admin/login", res.Header.Get("Location"))
}

// TestNew checks the options New refuses.
func TestNew(t *testing.T) {
	e := newEnv(t)
	for _, p := range []string{"", "admin", "/admin/", "/a/../b", "/a b", "/{x}"} {
		_, err := console.New(e.svc, console.Options{Prefix: p})
		assert.Error(t, err, "prefix %q", p)
	}
	_, err := console.New(e.svc, console.Options{Prefix: "/admin", Secret: []byte("short")})
	assert.Error(t, err)
	_, err = console.New(nil, console.Options{Prefix: "/admin"})
	assert.Error(t, err)
	_, err = console.New(e.svc, console.Options{Prefix: "/office/review", Secret: []byte("0123456789abcdef"), Logger: slog.New(slog.DiscardHandler)})
	assert.NoError(t, err)
}

// TestSearch finds records by every key a reviewer has at hand, with the
// enterprise named on each row.
func TestSearch(t *testing.T) {
	e := newEnv(t)
	app := e.paidApplication("深圳甲科技有限公司")
	_, other := e.filing("广州乙贸易有限公司")
	c := e.client()
	c.login()
	ctx := t.Context()
	app, err := e.svc.Reviews.ApprovePreliminary(ctx, e.chief, app.ID, app.Version)
	require.NoError(t, err)
	user := notary.User{ID: app.Owner.ID, Email: app.Owner.Email}
	app, err = e.svc.Applications.SubmitMaterials(ctx, user, app.ID, "SF", "SF1234567890123")
	require.NoError(t, err)
	app, err = e.svc.Reviews.ApproveFinal(ctx, e.chief, app.ID, app.Version, "（2026）深示证经字第 00042 号")
	require.NoError(t, err)

	appLink := `href="/admin/applications/` + app.ID.String() + `"`
	for _, q := range []string{app.ID.String(), app.ID.String()[24:], strings.ToUpper(app.ID.String()[24:]),
		"SF1234567890123", "sf1234567890123", "（2026）深示证经字第 00042 号", "深圳甲", "91350100M000100Y43"} {
		res, page := c.do("GET", "/admin/search?q="+url.QueryEscape(q), nil)
		require.Equal(t, 200, res.StatusCode, q)
		assert.Contains(t, page, appLink, "search %q", q)
		assert.Contains(t, page, "深圳甲科技有限公司", "rows name the enterprise")
		assert.Contains(t, page, `value="`+q+`"`, "the search box keeps the text")
	}
	res, page := c.do("GET", "/admin/search?q="+url.QueryEscape("广州"), nil)
	require.Equal(t, 200, res.StatusCode)
	assert.Contains(t, page, `href="/admin/filings/`+other.ID.String()+`"`)
	assert.NotContains(t, page, appLink)
	res, page = c.do("GET", "/admin/search?q=nothing-like-it", nil)
	require.Equal(t, 200, res.StatusCode)
	assert.Contains(t, page, "没有找到匹配的记录")
	res, page = c.do("GET", "/admin/search", nil)
	require.Equal(t, 200, res.StatusCode, "an empty search shows the form")
	assert.Contains(t, page, `id="q2"`)
	res, page = c.do("GET", "/admin/search?q="+strings.Repeat("x", 101), nil)
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	assert.Contains(t, page, "搜索内容")
	res, _ = c.do("POST", "/admin/search", url.Values{"csrf": {c.csrf}})
	assert.Equal(t, http.StatusMethodNotAllowed, res.StatusCode)
	res, _ = e.client().do("GET", "/admin/search?q=x", nil)
	assert.Equal(t, http.StatusSeeOther, res.StatusCode, "search needs a session")

	_, page = c.do("GET", "/admin/applications?state=CertificateInProduction", nil)
	assert.Contains(t, page, `待寄送 <span class="count">1</span>`)
}
