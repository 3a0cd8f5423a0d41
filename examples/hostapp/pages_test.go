package main

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

// formClient is a cookie-keeping HTTP client for the admin pages, without
// a browser: it reads the CSRF token from the forms like a browser would
// submit it.
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

// login logs in through the login form.
func (f *formClient) login() {
	f.h.t.Helper()
	res, _ := f.do("GET", "/admin/login", nil)
	require.Equal(f.h.t, 200, res.StatusCode)
	res, _ = f.do("POST", "/admin/login", url.Values{"csrf": {f.csrf}, "email": {testAdminEmail}, "password": {testAdminPassword}})
	require.Equal(f.h.t, http.StatusSeeOther, res.StatusCode)
	require.Equal(f.h.t, "/admin/filings", res.Header.Get("Location"))
}

// TestAdminPagesSecurity checks the cookies, the CSRF protection of every
// POST and the login and logout of the admin pages.
func TestAdminPagesSecurity(t *testing.T) {
	h := start(t)
	f := h.forms()

	res, _ := f.do("GET", "/admin/filings", nil)
	assert.Equal(t, http.StatusSeeOther, res.StatusCode, "no session: to the login page")
	assert.Equal(t, "/admin/login", res.Header.Get("Location"))

	res, page := f.do("GET", "/admin/login", nil)
	require.Equal(t, 200, res.StatusCode)
	assert.Contains(t, res.Header.Get("Content-Security-Policy"), "default-src 'none'")
	assert.Equal(t, "DENY", res.Header.Get("X-Frame-Options"))
	assert.Contains(t, page, `name="csrf"`)

	// A login without the form's token, or with a token of another nonce,
	// is refused before the password is looked at.
	res, _ = f.do("POST", "/admin/login", url.Values{"email": {testAdminEmail}, "password": {testAdminPassword}})
	assert.Equal(t, http.StatusForbidden, res.StatusCode)
	other := h.forms()
	other.do("GET", "/admin/login", nil)
	res, _ = f.do("POST", "/admin/login", url.Values{"csrf": {other.csrf}, "email": {testAdminEmail}, "password": {testAdminPassword}})
	assert.Equal(t, http.StatusForbidden, res.StatusCode)
	res, page = f.do("POST", "/admin/login", url.Values{"csrf": {f.csrf}, "email": {testAdminEmail}, "password": {"wrong password!"}})
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
	assert.Contains(t, page, "Wrong email or password")

	f.login()
	session := f.cookies[sessionCookie]
	require.NotNil(t, session)
	assert.True(t, session.HttpOnly)
	assert.True(t, session.Secure)
	assert.Equal(t, http.SameSiteStrictMode, session.SameSite)
	assert.Equal(t, "/admin", session.Path)
	admin, err := h.app.Service().Admins.Authenticate(t.Context(), session.Value)
	require.NoError(t, err, "the cookie holds the SDK session token")
	assert.Equal(t, testAdminEmail, admin.Email)
	assert.Nil(t, f.cookies[loginCookie], "the login nonce is dropped")

	// A filing to decide on.
	var filing filingView
	h.user("acct-7", "seven@acme.example", "Seven").call("POST", "/api/filings", filingContent(), 201, &filing)
	path := "/admin/filings/" + filing.ID.String()
	res, _ = f.do("GET", path, nil)
	require.Equal(t, 200, res.StatusCode)
	token := f.csrf

	// Every POST needs the session's CSRF token.
	for _, bad := range []string{"", "forged", h.forms().csrf} {
		res, _ = f.do("POST", path+"/approve", url.Values{"csrf": {bad}, "version": {"1"}})
		assert.Equal(t, http.StatusForbidden, res.StatusCode, "csrf %q", bad)
	}
	res, _ = f.do("POST", "/admin/logout", url.Values{})
	assert.Equal(t, http.StatusForbidden, res.StatusCode, "logout needs the token too")
	got, err := h.app.Service().Filings.Get(t.Context(), admin, filing.ID)
	require.NoError(t, err)
	assert.Equal(t, notary.FilingPendingReview, got.State, "nothing changed")

	// A stale version is refused on the page, with the record as it is.
	res, page = f.do("POST", path+"/approve", url.Values{"csrf": {token}, "version": {"7"}})
	assert.Equal(t, http.StatusConflict, res.StatusCode)
	assert.Contains(t, page, "Someone else changed this record")
	res, page = f.do("POST", path+"/reject", url.Values{"csrf": {token}, "version": {"1"}})
	assert.Equal(t, http.StatusBadRequest, res.StatusCode, "a rejection needs a reason")
	assert.Contains(t, page, "reason")

	res, _ = f.do("POST", path+"/approve", url.Values{"csrf": {token}, "version": {"1"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	res, page = f.do("GET", res.Header.Get("Location"), nil)
	require.Equal(t, 200, res.StatusCode)
	assert.Contains(t, page, "Filing approved")
	assert.Contains(t, page, `id="state">Approved<`)

	// A second session has its own token; the first one's is refused there.
	g := h.forms()
	g.login()
	g.do("GET", path, nil)
	assert.NotEqual(t, token, g.csrf)
	res, _ = g.do("POST", "/admin/logout", url.Values{"csrf": {token}})
	assert.Equal(t, http.StatusForbidden, res.StatusCode)

	// Logout ends the SDK session.
	res, _ = f.do("POST", "/admin/logout", url.Values{"csrf": {token}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	assert.Nil(t, f.cookies[sessionCookie])
	_, err = h.app.Service().Admins.Authenticate(t.Context(), session.Value)
	assert.ErrorIs(t, err, notary.ErrUnauthenticated)
	f.cookies[sessionCookie] = session // a stolen cookie is worthless now
	res, _ = f.do("GET", "/admin/filings", nil)
	assert.Equal(t, http.StatusSeeOther, res.StatusCode)
}

// TestAdminApplicationPages takes an application through every decision
// form of the application page: preliminary approval, materials
// rejection, final approval with a certificate number, and shipping.
func TestAdminApplicationPages(t *testing.T) {
	h := start(t)
	user := h.user("acct-8", "eight@acme.example", "Eight")
	var filing filingView
	user.call("POST", "/api/filings", filingContent(), 201, &filing)
	api := h.admin(testAdminEmail, testAdminPassword)
	api.call("POST", "/api/admin/filings/"+filing.ID.String()+"/approve", versionRequest{Version: filing.Version}, 200, &filing)
	var evidence page[evidenceView]
	user.call("GET", "/api/evidence", nil, 200, &evidence)
	var app applicationView
	user.call("POST", "/api/applications", applyRequest{EvidenceIDs: []string{evidence.Items[0].ID, evidence.Items[1].ID}}, 201, &app)
	h.pay(app.Payment.CheckoutURL, "400.00 CNY")
	user.waitState(app.ID, notary.PendingPreliminaryReview)

	f := h.forms()
	f.login()
	res, page := f.do("GET", "/admin/applications?state=PendingPreliminaryReview", nil)
	require.Equal(t, 200, res.StatusCode)
	assert.Contains(t, page, "/admin/applications/"+app.ID.String())
	assert.Contains(t, page, "400.00 CNY")

	path := "/admin/applications/" + app.ID.String()
	decide := func(action string, version int, fields url.Values, want notary.ApplicationState) string {
		t.Helper()
		res, page := f.do("GET", path, nil)
		require.Equal(t, 200, res.StatusCode)
		require.Contains(t, page, `action="`+path+"/"+action+`"`, "the page offers %s", action)
		if fields == nil {
			fields = url.Values{}
		}
		fields.Set("csrf", f.csrf)
		fields.Set("version", strconv.Itoa(version))
		res, _ = f.do("POST", path+"/"+action, fields)
		require.Equal(t, http.StatusSeeOther, res.StatusCode, action)
		res, page = f.do("GET", res.Header.Get("Location"), nil)
		require.Equal(t, 200, res.StatusCode)
		require.Contains(t, page, `id="state">`+string(want)+`<`)
		require.Contains(t, page, "Hash chain verified")
		return page
	}
	decide("approve-preliminary", 2, nil, notary.AwaitingMaterials)
	user.call("POST", "/api/applications/"+app.ID.String()+"/materials", shipmentRequest{Carrier: "SF", TrackingNumber: "SF1234567890123"}, 200, &app)
	decide("reject-final", 4, url.Values{"reason": {"缺少公章"}}, notary.MaterialsRejected)
	user.call("POST", "/api/applications/"+app.ID.String()+"/materials", shipmentRequest{Carrier: "SF", TrackingNumber: "SF1234567890124"}, 200, &app)
	page = decide("approve-final", 6, url.Values{"certificate_number": {"（2026）深示证经字第 00007 号"}}, notary.CertificateInProduction)
	assert.Contains(t, page, "（2026）深示证经字第 00007 号")
	page = decide("ship", 7, url.Values{"carrier": {"EMS"}, "tracking_number": {"EE123456785CN"}}, notary.CertificateShipped)
	assert.Contains(t, page, "EE123456785CN")
	assert.NotContains(t, page, `class="decision"`, "nothing left for the office to decide")

	// The certificate is reported delivered: the page shows the courier's status.
	api.call("POST", "/api/admin/applications/"+app.ID.String()+"/delivered", nil, 200, &app)
	res, page = f.do("GET", path, nil)
	require.Equal(t, 200, res.StatusCode)
	assert.Contains(t, page, "Courier status 物流状态: <strong>delivered</strong>, signed for 已签收")
}
