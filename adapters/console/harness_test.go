package console_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/adapters/banktransfer"
	"github.com/notarykit/notarykit/adapters/console"
	"github.com/notarykit/notarykit/adapters/courier"
	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
	"github.com/notarykit/notarykit/store"
)

// Credentials of the supervisor of test consoles.
const (
	chiefEmail    = "chief@notary.example"
	chiefPassword = "correct horse battery"
)

// t0 is the test clock's start: 09:00 UTC is 17:00 in Shanghai.
var t0 = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

// env is a console mounted at /admin of an httptest server, on a notary
// service with a memory store, a fake clock and fake payments.
type env struct {
	t     *testing.T
	svc   *notary.Service
	clock *notarytest.Clock
	pay   *notarytest.Payments
	track *courier.Manual
	store *store.Memory
	chief notary.Admin // the bootstrap supervisor, logged in through the SDK
	srv   *httptest.Server
	users int
}

// newEnv starts a console; wrap, if given, wraps the memory store the
// service runs on.
func newEnv(t *testing.T, wrap ...func(*store.Memory) notary.Store) *env {
	t.Helper()
	e := &env{t: t, clock: notarytest.NewClock(t0), pay: notarytest.NewPayments(), track: courier.NewManual(), store: store.NewMemory()}
	var st notary.Store = e.store
	for _, w := range wrap {
		st = w(e.store)
	}
	svc, err := notary.New(notary.Config{InsecureDevKeys: true,
		Office: notary.Office{
			ID: uuid.MustParse("0190a000-0000-7000-8000-0000000000c1"), Name: "深圳示例公证处",
			AdminEmails: []string{"desk@notary.example"}, MailingAddress: "深圳市南山区科技园 8 号",
			Materials:   []string{"申请表"},
			BankAccount: notary.BankAccount{Name: "深圳示例公证处", Bank: "中国工商银行深圳南山支行", Number: "4000 0231 0901 2345 678"},
		},
		Store: st, Payments: e.pay, BankTransfer: banktransfer.New(), Courier: e.track, Clock: e.clock,
		Logger: slog.New(slog.DiscardHandler),
		Admin:  notary.AdminPolicy{SessionIdle: 30 * 24 * time.Hour, SessionTTL: 30 * 24 * time.Hour},
	})
	require.NoError(t, err)
	e.svc = svc
	_, err = svc.Admins.Bootstrap(t.Context(), chiefEmail, "王主任", chiefPassword)
	require.NoError(t, err)
	token, _, err := svc.Admins.Login(t.Context(), chiefEmail, chiefPassword)
	require.NoError(t, err)
	e.chief, err = svc.Admins.Authenticate(t.Context(), token)
	require.NoError(t, err)
	con, err := console.New(svc, console.Options{Prefix: "/admin", Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/admin/", con)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	return e
}

// user returns a new host user.
func (e *env) user() notary.User {
	e.users++
	return notary.User{ID: fmt.Sprintf("acct-%d", e.users), Email: fmt.Sprintf("u%d@acme.example", e.users), Name: fmt.Sprintf("用户%d", e.users)}
}

// filing submits a filing of enterprise for a new user.
func (e *env) filing(enterprise string) (notary.User, notary.Filing) {
	e.t.Helper()
	u := e.user()
	c := notarytest.FilingContent()
	c.EnterpriseName = enterprise
	f, err := e.svc.Filings.Submit(e.t.Context(), u, c)
	require.NoError(e.t, err)
	return u, f
}

// paidApplication files and approves a filing of enterprise and returns a
// paid application waiting for the preliminary review.
func (e *env) paidApplication(enterprise string, evidence ...string) notary.Application {
	e.t.Helper()
	ctx := e.t.Context()
	u, f := e.filing(enterprise)
	_, err := e.svc.Reviews.ApproveFiling(ctx, e.chief, f.ID, f.Version)
	require.NoError(e.t, err)
	if len(evidence) == 0 {
		evidence = []string{u.ID + "-ev-1", u.ID + "-ev-2"}
	}
	app, err := e.svc.Applications.Apply(ctx, u, notary.ApplyRequest{Evidence: notarytest.Evidence(evidence...)})
	require.NoError(e.t, err)
	app, err = e.svc.Applications.HandlePaymentEvent(ctx, e.pay.Settle(app.Payment.ID, e.clock.Now()))
	require.NoError(e.t, err)
	require.Equal(e.t, notary.PendingPreliminaryReview, app.State)
	return app
}

// client is a cookie-keeping HTTP client of the console, without a
// browser: it reads the CSRF token from the forms like a browser would
// submit it, and follows no redirects.
type client struct {
	e       *env
	cookies map[string]*http.Cookie
	csrf    string // the token of the last page that had one
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (e *env) client() *client { return &client{e: e, cookies: map[string]*http.Cookie{}} }

// do sends a request with the kept cookies, keeps the cookies of the
// answer and the CSRF token of its page, and returns answer and body.
func (c *client) do(method, path string, form url.Values) (*http.Response, string) {
	c.e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.e.srv.URL+path, body)
	require.NoError(c.e.t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, k := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k.Name, Value: k.Value})
	}
	hc := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	res, err := hc.Do(req)
	require.NoError(c.e.t, err)
	raw, err := io.ReadAll(res.Body)
	res.Body.Close()
	require.NoError(c.e.t, err)
	for _, k := range res.Cookies() {
		if k.MaxAge < 0 {
			delete(c.cookies, k.Name)
		} else {
			c.cookies[k.Name] = k
		}
	}
	if m := csrfInput.FindSubmatch(raw); m != nil {
		c.csrf = string(m[1])
	}
	return res, string(raw)
}

// login logs the supervisor in through the login form.
func (c *client) login() {
	c.e.t.Helper()
	res, _ := c.do("GET", "/admin/login", nil)
	require.Equal(c.e.t, 200, res.StatusCode)
	res, _ = c.do("POST", "/admin/login", url.Values{"csrf": {c.csrf}, "email": {chiefEmail}, "password": {chiefPassword}})
	require.Equal(c.e.t, http.StatusSeeOther, res.StatusCode)
	require.Equal(c.e.t, "/admin/filings", res.Header.Get("Location"))
}

// post submits a form with the page's CSRF token.
func (c *client) post(path string, form url.Values) (*http.Response, string) {
	c.e.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", c.csrf)
	return c.do("POST", path, form)
}
