// Package console is the notary office's review console: server-rendered
// pages a host mounts under a prefix of its own HTTP server, the way River
// ships River UI. Reviewers log in with the SDK's admin accounts, work the
// filing and application queues and decide records; every decision goes
// through the SDK (notary.Reviews), which authorizes it and records it in
// the audit trail.
//
// What an admin sees follows the SDK's duty table (notary.Role.May):
// reviewers the review queues with their counts and the decision forms,
// supervisors also the staff pages, finance its own pages and no review
// queue. Personal fields stay masked unless a reviewer deciding a filing
// reveals chosen ones for one page view (Filings.Reveal, audited).
//
// The console is Chinese first, with English one click away; times are
// shown in the office's time zone (notary.Office.TimeZone). It needs no
// JavaScript: pages carry a strict Content-Security-Policy, every POST a
// CSRF token bound to the session, and the session cookie is HttpOnly,
// Secure and SameSite=Strict.
//
// Mount it in a few lines:
//
//	con, err := console.New(svc, console.Options{Prefix: "/admin"})
//	if err != nil { ... }
//	mux.Handle("/admin/", con)
package console

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/notarykit/notarykit/adapters/courier"
	"github.com/notarykit/notarykit/notary"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// maxFormBody bounds the form bodies of the console.
const maxFormBody = 64 << 10

// Options configure a Console.
type Options struct {
	// Prefix is the path the console is mounted under, e.g. "/admin"
	// (no trailing slash; required). Mount the Console at Prefix + "/".
	Prefix string
	// Secret keys the CSRF tokens (at least MinSecretLen bytes). Nil means
	// a random key: tokens then die with the process, and several
	// instances behind one load balancer need a shared Secret.
	Secret []byte
	// InsecureCookies drops the Secure attribute of the console's cookies.
	// Only for plain-HTTP development on a host other than localhost.
	InsecureCookies bool
	// Carriers are the couriers offered when shipping a certificate; nil
	// means courier.Carriers().
	Carriers []courier.Carrier
	// Logger receives server-side failures; nil means slog.Default().
	Logger *slog.Logger
}

// Console is the review console, an http.Handler. Create it with New.
type Console struct {
	svc    *notary.Service
	opts   Options
	prefix string
	log    *slog.Logger
	csrf   csrfKey
	pages  map[Lang]map[string]*template.Template
	mux    *http.ServeMux
}

// New returns the console of svc. It fails on a malformed prefix, a short
// secret or a template that does not parse.
func New(svc *notary.Service, opts Options) (*Console, error) {
	if svc == nil {
		return nil, errors.New("console: a notary service is required")
	}
	p := opts.Prefix
	if p == "" || p[0] != '/' || strings.HasSuffix(p, "/") || path.Clean(p) != p || strings.ContainsAny(p, "{}?#% ") {
		return nil, fmt.Errorf("console: Options.Prefix %q: want a clean absolute path without a trailing slash, e.g. /admin", p)
	}
	c := &Console{svc: svc, opts: opts, prefix: p, log: opts.Logger}
	if c.log == nil {
		c.log = slog.Default()
	}
	if c.opts.Carriers == nil {
		c.opts.Carriers = courier.Carriers()
	}
	var err error
	if c.csrf, err = newCSRFKey(opts.Secret); err != nil {
		return nil, err
	}
	if c.pages, err = c.parse(); err != nil {
		return nil, err
	}
	c.routes()
	return c, nil
}

// ServeHTTP serves the console's pages.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w.Header())
	c.mux.ServeHTTP(w, r)
}

// securityHeaders are sent with every answer of the console, pages,
// errors, redirects and the stylesheet alike.
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}

// path is the URL path of a console route.
func (c *Console) path(p string) string { return c.prefix + p }

func (c *Console) routes() {
	m := http.NewServeMux()
	p := c.prefix
	m.Handle("GET "+p+"/{$}", c.page(c.home))
	m.HandleFunc("GET "+p+"/static/{file}", c.static)
	m.HandleFunc("GET "+p+"/login", c.loginPage)
	m.HandleFunc("POST "+p+"/login", c.loginSubmit)
	m.Handle("POST "+p+"/logout", c.page(c.logoutSubmit))
	m.Handle("GET "+p+"/filings", c.page(c.filingsPage))
	m.Handle("GET "+p+"/filings/{id}", c.page(c.filingPage))
	m.Handle("POST "+p+"/filings/{id}/{action}", c.page(c.filingAction))
	m.Handle("GET "+p+"/filings/{id}/revisions/{n}", c.page(c.revisionPage))
	m.Handle("POST "+p+"/filings/{id}/reveal", c.page(c.revealFiling))
	m.Handle("GET "+p+"/applications", c.page(c.applicationsPage))
	m.Handle("GET "+p+"/applications/{id}", c.page(c.applicationPage))
	m.Handle("GET "+p+"/search", c.page(c.searchPage))
	m.Handle("GET "+p+"/export.csv", c.page(c.exportCSV))
	m.Handle("GET "+p+"/operations", c.page(c.operationsPage))
	m.Handle("POST "+p+"/operations/dead-letters/{id}/retry", c.page(c.retryDeadLetter))
	m.Handle("GET "+p+"/staff", c.page(c.staffPage))
	m.Handle("POST "+p+"/staff", c.page(c.staffCreate))
	m.Handle("GET "+p+"/staff/{id}", c.page(c.staffAccount))
	m.Handle("POST "+p+"/staff/{id}/{action}", c.page(c.staffAction))
	m.Handle("POST "+p+"/applications/{id}/{action}", c.page(c.applicationAction))
	m.Handle("GET "+p+"/finance", c.page(c.financePage))
	m.Handle("GET "+p+"/invoices", c.page(c.invoicesPage))
	m.Handle("POST "+p+"/invoices/{id}/{action}", c.page(c.invoiceAction))
	m.Handle("POST "+p+"/finance/transfers", c.page(c.recordTransfer))
	m.Handle("POST "+p+"/finance/transfers/{id}/match", c.page(c.matchTransfer))
	m.Handle("POST "+p+"/finance/refunds/{id}", c.page(c.recordRefund))
	// Everything else: a styled 404, or 405 with Allow when another
	// method has a route there.
	m.HandleFunc(p+"/", c.noRoute)
	m.HandleFunc(p, c.noRoute)
	c.mux = m
}

// static serves the embedded stylesheet; there are no directory listings.
func (c *Console) static(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	b, err := fs.ReadFile(staticFS, "static/"+name)
	if err != nil || !strings.HasSuffix(name, ".css") {
		c.noRoute(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(b)
}

// noRoute answers a path without a route: 405 with Allow when the path has
// routes for other methods, else 404, both as styled pages.
func (c *Console) noRoute(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		if m == r.Method || (m == http.MethodGet && r.Method == http.MethodHead) {
			continue
		}
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := c.mux.Handler(probe); pattern != "" && pattern != c.prefix+"/" && pattern != c.prefix {
			allow = append(allow, m)
		}
	}
	l := c.lang(w, r)
	if len(allow) > 0 {
		if contains(allow, http.MethodGet) {
			allow = append(allow, http.MethodHead)
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		c.render(w, r, http.StatusMethodNotAllowed, "error", pageData{Lang: l, Title: t(l, "title.method"), P: t(l, "err.method")})
		return
	}
	c.render(w, r, http.StatusNotFound, "error", pageData{Lang: l, Title: t(l, "title.notfound"), P: t(l, "err.notfound")})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// pageData is what every page template gets; P holds the page's own data.
type pageData struct {
	Lang    Lang
	Title   string
	Office  string
	Prefix  string
	Admin   *notary.Admin
	CSRF    string
	Nav     string
	Flash   string
	Error   string
	LangURL string // this page in the other language
	// Waiting counts each review queue (by state) for the tabs; nil
	// when the store cannot count.
	Waiting map[string]int
	Query   string // the search text
	P       any
}

// session is an authenticated admin on the console.
type session struct {
	Admin notary.Admin
	Token string // the SDK session token from the cookie
	CSRF  string // the session's CSRF token
	Lang  Lang
	// Waiting counts each review queue, for the tabs.
	Waiting map[string]int
}

// pageFunc is a page handler of an authenticated admin; a returned error
// is rendered as an error page.
type pageFunc func(w http.ResponseWriter, r *http.Request, s session) error

// page authenticates the admin of a page request: no or an ended session
// goes to the login page; a POST must carry the session's CSRF token.
func (c *Console) page(h pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l := c.lang(w, r)
		token := cookie(r, sessionCookie)
		if token == "" {
			http.Redirect(w, r, c.path("/login"), http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
			if !c.csrf.valid(csrfSession, token, r.PostFormValue(csrfField)) {
				c.renderError(w, r, &session{Lang: l}, errCSRF)
				return
			}
		}
		admin, err := c.svc.Admins.Authenticate(r.Context(), token)
		if errors.Is(err, notary.ErrUnauthenticated) || errors.Is(err, notary.ErrForbidden) {
			c.setCookie(w, sessionCookie, "", -1)
			http.Redirect(w, r, c.path("/login"), http.StatusSeeOther)
			return
		} else if err != nil {
			c.renderError(w, r, &session{Lang: l}, err)
			return
		}
		s := session{Admin: admin, Token: token, CSRF: c.csrf.token(csrfSession, token), Lang: l}
		if admin.Role.May(notary.DutyReview) {
			if s.Waiting, err = c.svc.Reviews.Waiting(r.Context(), admin); err != nil {
				c.log.WarnContext(r.Context(), "console: counting the queues", "err", err)
			}
		}
		if err := h(w, r, s); err != nil {
			c.renderError(w, r, &s, err)
		}
	})
}

// lang is the request's language; a ?lang= choice is kept in a cookie.
func (c *Console) lang(w http.ResponseWriter, r *http.Request) Lang {
	l, chosen := requestLang(r)
	if chosen {
		c.setCookie(w, langCookie, string(l), 365*24*60*60)
	}
	return l
}

// render executes a page into a buffer and sends it, or a bare 500 when
// the template fails. The security headers are already set.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name string, d pageData) {
	if d.Lang == "" {
		d.Lang = Chinese
	}
	d.Office = c.svc.Office().Name
	d.Prefix = c.prefix
	other := English
	if d.Lang == English {
		other = Chinese
	}
	q := url.Values{}
	if r.Method == http.MethodGet {
		q = r.URL.Query()
	}
	q.Set("lang", string(other))
	d.LangURL = r.URL.Path + "?" + q.Encode()
	var buf bytes.Buffer
	if err := c.pages[d.Lang][name].ExecuteTemplate(&buf, "layout", d); err != nil {
		c.log.ErrorContext(r.Context(), "console: render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// errorTitles are the headings of the error page by status.
var errorTitles = map[int]string{
	http.StatusBadRequest:       "title.bad",
	http.StatusForbidden:        "title.forbidden",
	http.StatusNotFound:         "title.notfound",
	http.StatusMethodNotAllowed: "title.method",
	http.StatusConflict:         "title.conflict",
}

// renderError shows err on the error page with its status: a heading
// that says what kind of error, and the message below it (P).
func (c *Console) renderError(w http.ResponseWriter, r *http.Request, s *session, err error) {
	status := c.status(w, r, err)
	l := s.Lang
	title, ok := errorTitles[status]
	if !ok {
		title = "title.error"
	}
	d := pageData{Lang: l, Title: t(l, title), P: errorMessage(l, err)}
	if status == http.StatusServiceUnavailable {
		d.P = t(l, "err.unavailable")
	}
	if s.Token != "" {
		d.Admin, d.CSRF, d.Waiting = &s.Admin, s.CSRF, s.Waiting
	}
	c.render(w, r, status, "error", d)
}

// statusClientClosed answers a request whose client went away (nginx's 499).
const statusClientClosed = 499

// status maps an SDK error to an HTTP status with errors.Is, and logs a
// server-side failure at the level it deserves.
func (c *Console) status(w http.ResponseWriter, r *http.Request, err error) int {
	var status int
	switch {
	case errors.Is(err, notary.ErrInvalidInput):
		status = http.StatusBadRequest
	case errors.Is(err, notary.ErrUnauthenticated):
		status = http.StatusUnauthorized
	case errors.Is(err, notary.ErrForbidden):
		status = http.StatusForbidden
	case errors.Is(err, notary.ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, notary.ErrConflict), errors.Is(err, notary.ErrInvalidTransition),
		errors.Is(err, notary.ErrDuplicate), errors.Is(err, notary.ErrEvidenceReserved):
		status = http.StatusConflict
	case errors.Is(err, notary.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		status = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", "1")
		c.log.WarnContext(r.Context(), "console: request failed temporarily", "method", r.Method, "path", r.URL.Path, "err", err)
	case errors.Is(err, context.Canceled):
		status = statusClientClosed
	default:
		status = http.StatusInternalServerError
		c.log.ErrorContext(r.Context(), "console: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	return status
}
