package main

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

// formClient is a cookie-keeping HTTP client for the review console
// mounted at /admin, without a browser: it reads the CSRF token from the
// forms like a browser would submit it. The console's own tests
// (adapters/console) cover its pages; these check the host's mount.
type formClient struct {
	h       *harness
	cookies map[string]*http.Cookie
	csrf    string // the token of the last page that had one
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (h *harness) forms() *formClient {
	return &formClient{h: h, cookies: map[string]*http.Cookie{}}
}

// do sends a request with the kept cookies, keeps the cookies of the
// answer and the CSRF token of its page, and returns status and body.
func (f *formClient) do(method, path string, form url.Values) (*http.Response, string) {
	f.h.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, f.h.base+path, body)
	require.NoError(f.h.t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, c := range f.cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	res, err := f.h.http.Do(req)
	require.NoError(f.h.t, err)
	raw, err := io.ReadAll(res.Body)
	res.Body.Close()
	require.NoError(f.h.t, err)
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 {
			delete(f.cookies, c.Name)
		} else {
			f.cookies[c.Name] = c
		}
	}
	if m := csrfInput.FindSubmatch(raw); m != nil {
		f.csrf = string(m[1])
	}
	return res, string(raw)
}

// login logs in through the console's login form.
func (f *formClient) login() {
	f.h.t.Helper()
	res, _ := f.do("GET", "/admin/login", nil)
	require.Equal(f.h.t, 200, res.StatusCode)
	res, _ = f.do("POST", "/admin/login", url.Values{"csrf": {f.csrf}, "email": {testAdminEmail}, "password": {testAdminPassword}})
	require.Equal(f.h.t, http.StatusSeeOther, res.StatusCode)
	require.Equal(f.h.t, "/admin/filings", res.Header.Get("Location"))
}

// TestConsoleMounted checks the host's mount of the review console: the
// root sends browsers to it, its cookies are Secure and scoped to /admin,
// and a decision made on it is the SDK's.
func TestConsoleMounted(t *testing.T) {
	h := start(t)
	res, _ := h.forms().do("GET", "/", nil)
	assert.Equal(t, http.StatusSeeOther, res.StatusCode)
	assert.Equal(t, "/admin/", res.Header.Get("Location"))

	f := h.forms()
	f.login()
	session := f.cookies["notarykit_admin"]
	require.NotNil(t, session)
	assert.True(t, session.Secure, "Secure unless Config.InsecureCookies")
	assert.True(t, session.HttpOnly)
	assert.Equal(t, "/admin", session.Path)

	var filing filingView
	h.user("acct-7", "seven@acme.example", "Seven").call("POST", "/api/filings", filingContent(), 201, &filing)
	path := "/admin/filings/" + filing.ID.String()
	res, page := f.do("GET", path, nil)
	require.Equal(t, 200, res.StatusCode)
	assert.Contains(t, page, filing.Content.EnterpriseName)
	res, _ = f.do("POST", path+"/approve", url.Values{"csrf": {"forged"}, "version": {"1"}})
	assert.Equal(t, http.StatusForbidden, res.StatusCode)
	res, _ = f.do("POST", path+"/approve", url.Values{"csrf": {f.csrf}, "version": {"1"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	admin := h.admin(testAdminEmail, testAdminPassword)
	var now filingView
	admin.call("GET", "/api/admin/filings/"+filing.ID.String(), nil, 200, &now)
	assert.Equal(t, notary.FilingApproved, now.State)

	res, _ = f.do("GET", "/admin/nowhere", nil)
	assert.Equal(t, http.StatusNotFound, res.StatusCode)
	assert.Contains(t, res.Header.Get("Content-Security-Policy"), "default-src 'none'")
}
