package main

import (
	"bytes"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/adapters/courier"
	"github.com/notarykit/notarykit/notary"
)

// The admin review pages: server-rendered HTML, no JavaScript. Admins log in
// with the SDK's login unit; the session cookie holds the SDK session
// token, checked with Admins.Authenticate on every request; every POST
// carries a CSRF token derived from the session (session.go).

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// maxFormBody bounds the form bodies of the admin pages.
const maxFormBody = 64 << 10

// errCSRF refuses a POST without a valid CSRF token.
var errCSRF = fmt.Errorf("%w: invalid or missing CSRF token: reload the page and try again", notary.ErrForbidden)

// pageNames are the page templates, each executed inside layout.html.
var pageNames = []string{"login", "filings", "filing", "applications", "application", "error"}

// pages holds the parsed page templates.
type pages struct{ t map[string]*template.Template }

var pageFuncs = template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04:05 UTC")
	},
	"short": func(s string) string {
		if len(s) > 12 {
			return s[:12] + "…"
		}
		return s
	},
	"money": func(v quoteView) string { return v.Amount + " " + v.Currency },
	// lastScan is the courier's newest scan, or nil.
	"lastScan": func(t *notary.Tracking) *notary.TrackingEvent {
		if t == nil || len(t.Events) == 0 {
			return nil
		}
		return &t.Events[len(t.Events)-1]
	},
}

func newPages() (*pages, error) {
	p := &pages{t: make(map[string]*template.Template, len(pageNames))}
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(pageFuncs).ParseFS(templateFS,
			"templates/layout.html", "templates/partials.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("admin pages: %w", err)
		}
		p.t[name] = t
	}
	return p, nil
}

// pageData is what every page template gets; P holds the page's own data.
type pageData struct {
	Title  string
	Office string
	Admin  *notary.Admin
	CSRF   string
	Nav    string
	Flash  string
	Error  string
	P      any
}

// adminSession is an authenticated admin on the pages.
type adminSession struct {
	Admin notary.Admin
	Token string // the SDK session token from the cookie
	CSRF  string // the session's CSRF token
}

// pageFunc is a page handler of an authenticated admin; a returned error
// is rendered as an error page.
type pageFunc func(w http.ResponseWriter, r *http.Request, s adminSession) error

// pageRoutes mounts the admin pages.
func (a *App) pageRoutes(mux *http.ServeMux) {
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /admin/static/", http.StripPrefix("/admin/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /admin/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/admin/filings", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /admin/login", a.loginPage)
	mux.HandleFunc("POST /admin/login", a.loginSubmit)
	mux.Handle("POST /admin/logout", a.page(a.logoutSubmit))
	mux.Handle("GET /admin/filings", a.page(a.filingsPage))
	mux.Handle("GET /admin/filings/{id}", a.page(a.filingPage))
	mux.Handle("POST /admin/filings/{id}/{action}", a.page(a.filingAction))
	mux.Handle("GET /admin/applications", a.page(a.applicationsPage))
	mux.Handle("GET /admin/applications/{id}", a.page(a.applicationPage))
	mux.Handle("POST /admin/applications/{id}/{action}", a.page(a.applicationAction))
}

// page authenticates the admin of a page request: no or an ended session
// goes to the login page; a POST must carry the session's CSRF token.
func (a *App) page(h pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := cookie(r, sessionCookie)
		if token == "" {
			http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
			if !a.csrf.valid(csrfSession, token, r.PostFormValue(csrfField)) {
				a.renderError(w, r, nil, errCSRF)
				return
			}
		}
		admin, err := a.svc.Admins.Authenticate(r.Context(), token)
		if errors.Is(err, notary.ErrUnauthenticated) || errors.Is(err, notary.ErrForbidden) {
			a.setCookie(w, sessionCookie, "", -1)
			http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
			return
		} else if err != nil {
			a.renderError(w, r, nil, err)
			return
		}
		s := adminSession{Admin: admin, Token: token, CSRF: a.csrf.token(csrfSession, token)}
		if err := h(w, r, s); err != nil {
			a.renderError(w, r, &s, err)
		}
	})
}

// render executes a page into a buffer and sends it with the pages'
// security headers, or a bare 500 when the template fails.
func (a *App) render(w http.ResponseWriter, r *http.Request, status int, name string, d pageData) {
	d.Office = a.svc.Office().Name
	var buf bytes.Buffer
	if err := a.pages.t[name].ExecuteTemplate(&buf, "layout", d); err != nil {
		a.log.ErrorContext(r.Context(), "render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// renderError shows err on the error page with its status.
func (a *App) renderError(w http.ResponseWriter, r *http.Request, s *adminSession, err error) {
	status, _ := classify(err)
	d := pageData{Title: http.StatusText(status), Error: a.pageMessage(w, r, err)}
	if s != nil {
		d.Admin, d.CSRF = &s.Admin, s.CSRF
	}
	a.render(w, r, status, "error", d)
}

// pageMessage is what a page shows of an error: the SDK's message for a
// client error, nothing internal for a server error.
func (a *App) pageMessage(w http.ResponseWriter, r *http.Request, err error) string {
	status, _ := classify(err)
	if status >= 500 || status == statusClientClosed {
		a.failed(w, r, status, err)
		if status == http.StatusServiceUnavailable {
			return "Temporarily unavailable. Please try again in a moment."
		}
		return "Internal error. Please try again later."
	}
	var fe *notary.FieldError
	if errors.As(err, &fe) {
		return fe.Field + ": " + fe.Reason
	}
	return publicMessage(err)
}

// --- Login and logout ---

type loginView struct {
	Email string
}

// loginPage shows the login form. Its CSRF token is bound to a random nonce
// in a short-lived cookie, as no session exists yet.
func (a *App) loginPage(w http.ResponseWriter, r *http.Request) {
	d := pageData{Title: "Log in"}
	if r.URL.Query().Has("out") {
		d.Flash = "You are logged out."
	}
	a.showLogin(w, r, http.StatusOK, d, "")
}

func (a *App) showLogin(w http.ResponseWriter, r *http.Request, status int, d pageData, email string) {
	nonce := base64.RawURLEncoding.EncodeToString(randomSecret(32))
	a.setCookie(w, loginCookie, nonce, 3600)
	d.CSRF = a.csrf.token(csrfLogin, nonce)
	d.P = loginView{Email: email}
	a.render(w, r, status, "login", d)
}

func (a *App) loginSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	email := r.PostFormValue("email")
	d := pageData{Title: "Log in"}
	if !a.csrf.valid(csrfLogin, cookie(r, loginCookie), r.PostFormValue(csrfField)) {
		d.Error = "The form expired. Please log in again."
		a.showLogin(w, r, http.StatusForbidden, d, email)
		return
	}
	token, admin, err := a.svc.Admins.Login(r.Context(), email, r.PostFormValue("password"))
	if err != nil {
		status, _ := classify(err)
		d.Error = "Wrong email or password, or the account is locked."
		if status != http.StatusUnauthorized {
			d.Error = a.pageMessage(w, r, err)
		}
		a.showLogin(w, r, status, d, email)
		return
	}
	a.setCookie(w, loginCookie, "", -1)
	a.setCookie(w, sessionCookie, token, int(admin.SessionExpiresAt.Sub(a.clock.Now()).Seconds())) // the cookie outlives no session
	http.Redirect(w, r, "/admin/filings", http.StatusSeeOther)
}

func (a *App) logoutSubmit(w http.ResponseWriter, r *http.Request, s adminSession) error {
	if err := a.svc.Admins.Logout(r.Context(), s.Token); err != nil {
		return err
	}
	a.setCookie(w, sessionCookie, "", -1)
	http.Redirect(w, r, "/admin/login?out=1", http.StatusSeeOther)
	return nil
}

// --- Queues ---

type queueView[S ~string, T any] struct {
	States []S
	State  S
	Items  []T
	Next   string // query string of the next page, "" on the last
}

// nextQuery is the query string of the page after the last of n items.
func nextQuery(state string, n, limit int, at time.Time, id uuid.UUID) string {
	c := nextCursor(n, limit, at, id)
	if c == "" {
		return ""
	}
	return url.Values{"state": {state}, "after": {c}}.Encode()
}

func (a *App) filingsPage(w http.ResponseWriter, r *http.Request, s adminSession) error {
	state, err := queueState(r, filingQueues)
	if err != nil {
		return err
	}
	after, err := decodeCursor(r, "after")
	if err != nil {
		return err
	}
	list, err := a.svc.Reviews.FilingQueue(r.Context(), s.Admin, state, after, defaultPageSize)
	if err != nil {
		return err
	}
	q := queueView[notary.FilingState, notary.Filing]{States: filingQueues, State: state, Items: list}
	if n := len(list); n > 0 {
		q.Next = nextQuery(string(state), n, defaultPageSize, list[n-1].CreatedAt, list[n-1].ID)
	}
	a.render(w, r, http.StatusOK, "filings", pageData{Title: "Filings · " + string(state), Admin: &s.Admin,
		CSRF: s.CSRF, Nav: "filings", P: q})
	return nil
}

func (a *App) applicationsPage(w http.ResponseWriter, r *http.Request, s adminSession) error {
	state, err := queueState(r, applicationQueues)
	if err != nil {
		return err
	}
	after, err := decodeCursor(r, "after")
	if err != nil {
		return err
	}
	list, err := a.svc.Reviews.ApplicationQueue(r.Context(), s.Admin, state, after, defaultPageSize)
	if err != nil {
		return err
	}
	q := queueView[notary.ApplicationState, applicationView]{States: applicationQueues, State: state,
		Items: make([]applicationView, len(list))}
	for i, app := range list {
		q.Items[i] = newApplicationView(app)
	}
	if n := len(list); n > 0 {
		q.Next = nextQuery(string(state), n, defaultPageSize, list[n-1].CreatedAt, list[n-1].ID)
	}
	a.render(w, r, http.StatusOK, "applications", pageData{Title: "Applications · " + string(state), Admin: &s.Admin,
		CSRF: s.CSRF, Nav: string(state), P: q})
	return nil
}

// --- Detail pages and decisions ---

// doneMessages are the confirmations shown after a decision, by action.
var doneMessages = map[string]string{
	"approve":             "Filing approved; the user is notified.",
	"reject":              "Filing rejected; the user is told the reason.",
	"approve-preliminary": "Preliminary review passed; the user receives the 初审通过告知书.",
	"reject-preliminary":  "Preliminary review rejected; evidence released, fee refunded per policy.",
	"approve-final":       "Final review passed; the certificate is in production.",
	"reject-final":        "Paper materials rejected; the user is told the reason.",
	"ship":                "Certificate shipment recorded; the user is notified.",
}

type filingDetail struct {
	F     notary.Filing
	Can   map[string]bool
	Audit auditView
}

type applicationDetail struct {
	A        applicationView
	Can      map[string]bool
	Audit    auditView
	Carriers []courier.Carrier
}

func (a *App) filingPage(w http.ResponseWriter, r *http.Request, s adminSession) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return a.showFiling(w, r, s, id, http.StatusOK, doneMessages[r.URL.Query().Get("done")], "")
}

func (a *App) showFiling(w http.ResponseWriter, r *http.Request, s adminSession, id uuid.UUID, status int, flash, errMsg string) error {
	ctx := r.Context()
	f, actions, err := a.svc.Filings.Inspect(ctx, s.Admin, id)
	if err != nil {
		return err
	}
	audit, err := a.audit(ctx, s.Admin, id)
	if err != nil {
		return err
	}
	d := filingDetail{F: f, Can: set(actions), Audit: audit}
	a.render(w, r, status, "filing", pageData{Title: "Filing · " + f.Content.EnterpriseName, Admin: &s.Admin,
		CSRF: s.CSRF, Nav: "filings", Flash: flash, Error: errMsg, P: d})
	return nil
}

func (a *App) filingAction(w http.ResponseWriter, r *http.Request, s adminSession) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	action := r.PathValue("action")
	version, err := formVersion(r)
	if err == nil {
		switch action {
		case "approve":
			_, err = a.svc.Reviews.ApproveFiling(r.Context(), s.Admin, id, version)
		case "reject":
			_, err = a.svc.Reviews.RejectFiling(r.Context(), s.Admin, id, version, r.PostFormValue("reason"))
		default:
			return fmt.Errorf("%w: no action %q", notary.ErrNotFound, action)
		}
	}
	if err != nil {
		return a.decisionFailed(w, r, s, err, func(status int, msg string) error {
			return a.showFiling(w, r, s, id, status, "", msg)
		})
	}
	http.Redirect(w, r, "/admin/filings/"+id.String()+"?done="+action, http.StatusSeeOther)
	return nil
}

func (a *App) applicationPage(w http.ResponseWriter, r *http.Request, s adminSession) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return a.showApplication(w, r, s, id, http.StatusOK, doneMessages[r.URL.Query().Get("done")], "")
}

func (a *App) showApplication(w http.ResponseWriter, r *http.Request, s adminSession, id uuid.UUID, status int, flash, errMsg string) error {
	ctx := r.Context()
	app, actions, err := a.svc.Applications.Inspect(ctx, s.Admin, id)
	if err != nil {
		return err
	}
	audit, err := a.audit(ctx, s.Admin, id)
	if err != nil {
		return err
	}
	d := applicationDetail{A: newApplicationView(app), Can: set(actions), Audit: audit, Carriers: courier.Carriers()}
	a.render(w, r, status, "application", pageData{Title: "Application " + id.String(), Admin: &s.Admin,
		CSRF: s.CSRF, Nav: string(app.State), Flash: flash, Error: errMsg, P: d})
	return nil
}

func (a *App) applicationAction(w http.ResponseWriter, r *http.Request, s adminSession) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	action := r.PathValue("action")
	version, err := formVersion(r)
	if err == nil {
		ctx, rv := r.Context(), a.svc.Reviews
		switch action {
		case "approve-preliminary":
			_, err = rv.ApprovePreliminary(ctx, s.Admin, id, version)
		case "reject-preliminary":
			_, err = rv.RejectPreliminary(ctx, s.Admin, id, version, r.PostFormValue("reason"))
		case "approve-final":
			_, err = rv.ApproveFinal(ctx, s.Admin, id, version, r.PostFormValue("certificate_number"))
		case "reject-final":
			_, err = rv.RejectFinal(ctx, s.Admin, id, version, r.PostFormValue("reason"))
		case "ship":
			_, err = rv.Ship(ctx, s.Admin, id, version, r.PostFormValue("carrier"), r.PostFormValue("tracking_number"))
		default:
			return fmt.Errorf("%w: no action %q", notary.ErrNotFound, action)
		}
	}
	if err != nil {
		return a.decisionFailed(w, r, s, err, func(status int, msg string) error {
			return a.showApplication(w, r, s, id, status, "", msg)
		})
	}
	http.Redirect(w, r, "/admin/applications/"+id.String()+"?done="+action, http.StatusSeeOther)
	return nil
}

// decisionFailed shows a refused decision on the record's page (with the
// reason and the record as it is now), or an error page for server errors.
func (a *App) decisionFailed(w http.ResponseWriter, r *http.Request, s adminSession, err error, show func(status int, msg string) error) error {
	status, _ := classify(err)
	if status >= 500 || status == statusClientClosed {
		return err
	}
	msg := a.pageMessage(w, r, err)
	if errors.Is(err, notary.ErrConflict) {
		msg = "Someone else changed this record meanwhile; review it as it is now. (" + msg + ")"
	}
	return show(status, msg)
}

// formVersion parses the version field of a decision form; the SDK
// refuses a version that is not the record's as shown.
func formVersion(r *http.Request) (int64, error) {
	v, err := strconv.ParseInt(strings.TrimSpace(r.PostFormValue("version")), 10, 64)
	if err != nil {
		return 0, &notary.FieldError{Field: "version", Reason: "missing or not a number"}
	}
	return v, nil
}

// set turns a list of triggers into a set for the templates.
func set[T ~string](list []T) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, t := range list {
		m[string(t)] = true
	}
	return m
}
