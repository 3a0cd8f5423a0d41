package console

import (
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/notarykit/notarykit/adapters/courier"
	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/payment"
)

// pageNames are the page templates, each executed inside layout.html.
var pageNames = []string{"login", "filings", "filing", "applications", "application", "search", "staff", "account", "operations", "dashboard", "home", "revision", "error", "finance", "invoices"}

// parse parses every page once per language, with the language's
// functions.
func (c *Console) parse() (map[Lang]map[string]*template.Template, error) {
	out := make(map[Lang]map[string]*template.Template, len(langs))
	for _, l := range langs {
		out[l] = make(map[string]*template.Template, len(pageNames))
		for _, name := range pageNames {
			tpl, err := template.New(name).Funcs(c.funcs(l)).ParseFS(templateFS,
				"templates/layout.html", "templates/partials.html", "templates/"+name+".html")
			if err != nil {
				return nil, fmt.Errorf("console: %w", err)
			}
			out[l][name] = tpl
		}
	}
	return out, nil
}

// funcs are the template functions of language l.
func (c *Console) funcs(l Lang) template.FuncMap {
	loc := c.svc.Office().TimeZone
	return template.FuncMap{
		"t":       func(key string) string { return t(l, key) },
		"tf":      func(key string, args ...any) string { return tf(l, key, args...) },
		"state":   func(s any) string { return label(states, l, fmt.Sprint(s)) },
		"trigger": func(s string) string { return label(triggers, l, s) },
		// why shows a record's reason: a system reason code in l's words,
		// an admin's typed reason as typed.
		"why":          func(r string) string { return eventReason(l, r) },
		"pii":          func(f any) string { return label(personalFields, l, fmt.Sprint(f)) },
		"idType":       func(v any) string { return label(idTypes, l, fmt.Sprint(v)) },
		"payStatus":    func(v any) string { return label(paymentStatuses, l, fmt.Sprint(v)) },
		"noticeKind":   func(v any) string { return label(noticeKinds, l, fmt.Sprint(v)) },
		"channel":      func(v any) string { return label(channels, l, fmt.Sprint(v)) },
		"duty":         func(v string) string { return label(sweepDuties, l, v) },
		"provider":     func(v string) string { return label(providers, l, v) },
		"invoiceState": func(st notary.InvoiceState) string { return invoiceStateName(l, st) },
		"invoiceType":  func(v any) string { return label(invoiceTypes, l, fmt.Sprint(v)) },
		// carrier names a courier by its code, as the office's list of
		// carriers has it.
		"carrier": func(code string) string {
			for _, k := range c.opts.Carriers {
				if k.Code == code {
					if l == English {
						return k.NameEn
					}
					return k.NameZh
				}
			}
			return code
		},
		// actorName is the name of an audit event's actor: an SDK
		// component's in l's words, a person's as it is.
		"actorName": func(a notary.Actor) string {
			if a.Kind == notary.ActorSystem {
				return label(systemActors, l, a.Name)
			}
			return a.Name
		},
		"chainBroken": chainBroken,
		"nav":         navFor,
		"age": func(d time.Duration) string {
			days, hours := int(d.Hours())/24, int(d.Hours())%24
			if l == English {
				return fmt.Sprintf("%dd %dh", days, hours)
			}
			return fmt.Sprintf("%d 天 %d 小时", days, hours)
		},
		"tracking": func(s notary.TrackingState) string { return label(trackingStates, l, string(s)) },
		// lastScan is the courier's newest scan, or nil.
		"lastScan": func(t *notary.Tracking) *notary.TrackingEvent {
			if t == nil || len(t.Events) == 0 {
				return nil
			}
			return &t.Events[len(t.Events)-1]
		},
		"actor": func(k notary.ActorKind) string { return t(l, "actor."+string(k)) },
		"role":  func(r any) string { return t(l, "role."+fmt.Sprint(r)) },
		"when": func(at time.Time) string {
			if at.IsZero() {
				return "—"
			}
			return at.In(loc).Format("2006-01-02 15:04:05 MST")
		},
		"money": func(q payment.Quote) string { return q.Amount.StringFixed(2) + " " + q.Currency },
		// day is a date as the office reads it (a bank's value date).
		"day": func(at time.Time) string {
			if at.IsZero() {
				return "—"
			}
			return at.In(loc).Format(time.DateOnly)
		},
		"problem": func(p notary.TransferProblem) string { return label(transferProblems, l, string(p)) },
		"amount": func(d decimal.Decimal, currency string) string {
			return d.StringFixed(2) + " " + currency
		},
		"url": func(parts ...any) string {
			var b strings.Builder
			b.WriteString(c.prefix)
			for _, p := range parts {
				fmt.Fprint(&b, p)
			}
			return b.String()
		},
	}
}

// --- Login and logout ---

type loginView struct{ Email string }

// loginPage shows the login form. Its CSRF token is bound to a random nonce
// in a short-lived cookie, as no session exists yet.
func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	l := c.lang(w, r)
	d := pageData{Lang: l, Title: t(l, "login.title")}
	if r.URL.Query().Has("out") {
		d.Flash = t(l, "logged.out")
	}
	c.showLogin(w, r, http.StatusOK, d, "")
}

func (c *Console) showLogin(w http.ResponseWriter, r *http.Request, status int, d pageData, email string) {
	nonce := base64.RawURLEncoding.EncodeToString(randomBytes(32))
	c.setCookie(w, loginCookie, nonce, 3600)
	d.CSRF = c.csrf.token(csrfLogin, nonce)
	d.P = loginView{Email: email}
	c.render(w, r, status, "login", d)
}

func (c *Console) loginSubmit(w http.ResponseWriter, r *http.Request) {
	l := c.lang(w, r)
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	email := r.PostFormValue("email")
	d := pageData{Lang: l, Title: t(l, "login.title")}
	if !c.csrf.valid(csrfLogin, cookie(r, loginCookie), r.PostFormValue(csrfField)) {
		d.Error = t(l, "login.expired")
		c.showLogin(w, r, http.StatusForbidden, d, email)
		return
	}
	token, admin, err := c.svc.Admins.Login(r.Context(), email, r.PostFormValue("password"))
	if err != nil {
		status := c.status(w, r, err)
		switch {
		case status == http.StatusUnauthorized:
			d.Error = t(l, "login.wrong")
		case status == http.StatusServiceUnavailable:
			d.Error = t(l, "err.unavailable")
		default:
			d.Error = errorMessage(l, err)
		}
		c.showLogin(w, r, status, d, email)
		return
	}
	c.setCookie(w, loginCookie, "", -1)
	maxAge := int(admin.SessionExpiresAt.Sub(c.svc.Clock().Now()).Seconds()) // the cookie outlives no session
	c.setCookie(w, sessionCookie, token, max(maxAge, 1))
	start := "/" // the start page of what the role does
	if admin.Role.May(notary.DutyReview) {
		start = "/filings"
	}
	http.Redirect(w, r, c.path(start), http.StatusSeeOther)
}

func (c *Console) logoutSubmit(w http.ResponseWriter, r *http.Request, s session) error {
	if err := c.svc.Admins.Logout(r.Context(), s.Token); err != nil {
		return err
	}
	c.setCookie(w, sessionCookie, "", -1)
	http.Redirect(w, r, c.path("/login?out=1"), http.StatusSeeOther)
	return nil
}

// --- Queues ---

// Review queues: the states an admin lists, the first of each being the
// default queue.
var (
	filingQueues = []notary.FilingState{notary.FilingPendingReview, notary.FilingApproved, notary.FilingRejected}

	applicationQueues = []notary.ApplicationState{
		notary.PendingPreliminaryReview, notary.PendingFinalReview, notary.CertificateInProduction,
		notary.AwaitingPayment, notary.AwaitingMaterials, notary.MaterialsRejected,
		notary.CertificateShipped, notary.Completed, notary.PreliminaryRejected, notary.Cancelled,
	}
)

// pageSize is the number of rows of a queue page.
const pageSize = 20

type queueView[S ~string, T any] struct {
	States []S // the queues' tabs, for roles that review
	State  S
	Items  []T
	Next   string // query string of the next page, "" on the last
}

// applicationRow is a queue row: the application and the enterprise it is
// for.
type applicationRow struct {
	notary.Application
	Enterprise string
	CreditCode string
}

// nextQuery is the query string of the page after a full page ending at
// (at, id), or "" after a short page.
func nextQuery(state string, n int, at time.Time, id uuid.UUID) string {
	if n < pageSize {
		return ""
	}
	c, _ := notary.Cursor{CreatedAt: at, ID: id}.MarshalText() // never fails
	return url.Values{"state": {state}, "after": {string(c)}}.Encode()
}

func (c *Console) filingsPage(w http.ResponseWriter, r *http.Request, s session) error {
	qq, err := parseQueue(r, filingQueues)
	if err != nil {
		return err
	}
	state := qq.State
	list, err := c.svc.Reviews.FilingQueue(r.Context(), s.Admin, state, qq.After, pageSize)
	if err != nil {
		return err
	}
	q := queueView[notary.FilingState, notary.Filing]{State: state, Items: list}
	if s.Admin.Role.May(notary.DutyReview) {
		q.States = filingQueues
	}
	if n := len(list); n > 0 {
		q.Next = nextQuery(string(state), n, list[n-1].CreatedAt, list[n-1].ID)
	}
	c.render(w, r, http.StatusOK, "filings", pageData{Lang: s.Lang, Title: t(s.Lang, "filings.title") + " · " + label(states, s.Lang, string(state)),
		Admin: &s.Admin, Waiting: s.Waiting, CSRF: s.CSRF, Nav: "filings", P: q})
	return nil
}

func (c *Console) applicationsPage(w http.ResponseWriter, r *http.Request, s session) error {
	qq, err := parseQueue(r, applicationQueues)
	if err != nil {
		return err
	}
	state := qq.State
	list, err := c.svc.Reviews.ApplicationQueue(r.Context(), s.Admin, state, qq.After, pageSize)
	if err != nil {
		return err
	}
	q := queueView[notary.ApplicationState, applicationRow]{State: state}
	if s.Admin.Role.May(notary.DutyReview) {
		q.States = applicationQueues
	}
	if q.Items, err = c.applicationRows(r, s, list, nil); err != nil {
		return err
	}
	if n := len(list); n > 0 {
		q.Next = nextQuery(string(state), n, list[n-1].CreatedAt, list[n-1].ID)
	}
	c.render(w, r, http.StatusOK, "applications", pageData{Lang: s.Lang, Title: t(s.Lang, "applications.title") + " · " + label(states, s.Lang, string(state)),
		Admin: &s.Admin, Waiting: s.Waiting, CSRF: s.CSRF, Nav: string(state), P: q})
	return nil
}

// enterprise returns the content in force of a filing (the approved
// revision, else the latest), remembering it in seen.
// applicationRows returns the rows of apps, each with the enterprise of
// its filing, read once per filing (seen may hold some already).
func (c *Console) applicationRows(r *http.Request, s session, apps []notary.Application, seen map[uuid.UUID]notary.FilingContent) ([]applicationRow, error) {
	if seen == nil {
		seen = map[uuid.UUID]notary.FilingContent{}
	}
	rows := make([]applicationRow, len(apps))
	for i, app := range apps {
		content, err := c.enterprise(r, s, app.FilingID, seen)
		if err != nil {
			return nil, err
		}
		rows[i] = applicationRow{Application: app, Enterprise: content.EnterpriseName, CreditCode: content.CreditCode}
	}
	return rows, nil
}

func (c *Console) enterprise(r *http.Request, s session, id uuid.UUID, seen map[uuid.UUID]notary.FilingContent) (notary.FilingContent, error) {
	if content, ok := seen[id]; ok {
		return content, nil
	}
	f, err := c.svc.Filings.Get(r.Context(), s.Admin, id)
	if err != nil {
		return notary.FilingContent{}, err
	}
	content := f.Content
	if f.Approved != nil {
		content = *f.Approved
	}
	if seen != nil {
		seen[id] = content
	}
	return content, nil
}

// --- Detail pages and decisions ---

// decisionFields are the form fields of each decision; a refusal naming one
// of them is shown next to it.
var decisionFields = map[string][]string{
	"approve":             nil,
	"reject":              {"reason"},
	"approve-preliminary": nil,
	"reject-preliminary":  {"reason"},
	"approve-final":       {"certificate_number"},
	"reject-final":        {"reason"},
	"ship":                {"carrier", "tracking_number"},
}

// form is a decision form as the reviewer sent it, kept when the SDK
// refuses it, with the refusal next to the field it names.
type form struct {
	Action string
	Values url.Values
	Errors map[string]string // field → message in the reviewer's language
}

// Val is what the reviewer typed into field of action's form, if that
// form was refused.
func (f form) Val(action, field string) string {
	if f.Action != action {
		return ""
	}
	return f.Values.Get(field)
}

// Err is the refusal of field of action's form, if any.
func (f form) Err(action, field string) string {
	if f.Action != action {
		return ""
	}
	return f.Errors[field]
}

type auditView struct {
	Events   []notary.Event
	Verified bool
	Problem  string
}

type filingDetail struct {
	F      notary.Filing
	Can    map[string]bool
	Audit  auditView
	Form   form
	Reveal revealView
	// History lists the filing's revisions, newest first; Diff compares
	// the revision under review with the one in force (or, without one,
	// the one before).
	History []historyRow
	Diff    *diffView
}

type applicationDetail struct {
	A          notary.Application
	Enterprise notary.FilingContent
	Can        map[string]bool
	Audit      auditView
	Carriers   []courier.Carrier
	Form       form
}

// audit returns a record's audit trail with the result of verifying it.
func (c *Console) audit(r *http.Request, s session, id uuid.UUID) (auditView, error) {
	report, err := c.svc.Audit.Report(r.Context(), s.Admin, id)
	if err != nil {
		return auditView{}, err
	}
	v := auditView{Events: report.Events, Verified: report.Problem == nil}
	if report.Problem != nil {
		v.Problem = strings.TrimPrefix(report.Problem.Error(), "notary: ")
	}
	return v, nil
}

// pathID parses the {id} path segment.
func pathID(r *http.Request) (uuid.UUID, error) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return uuid.Nil, fmt.Errorf("%w: no record %q", notary.ErrNotFound, r.PathValue("id"))
	}
	return id, nil
}

// done is the confirmation of a decision, from ?done=.
func done(l Lang, r *http.Request) string {
	a := r.URL.Query().Get("done")
	if _, ok := decisionFields[a]; !ok && !contains(staffActions, a) {
		return ""
	}
	return t(l, "done."+a)
}

// staffActions are the actions of the staff pages that redirect.
var staffActions = []string{"disable", "enable", "end-sessions"}

// asField is errors.As for a *notary.FieldError.
func asField(err error, fe **notary.FieldError) bool { return errors.As(err, fe) }

func (c *Console) filingPage(w http.ResponseWriter, r *http.Request, s session) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return c.showFiling(w, r, s, id, http.StatusOK, done(s.Lang, r), "", form{}, nil)
}

// showFiling renders a filing page; shown, if not nil, is the filing with
// personal fields in full from Filings.Reveal, used while it is the
// filing's current version.
func (c *Console) showFiling(w http.ResponseWriter, r *http.Request, s session, id uuid.UUID, status int, flash, errMsg string, f form, shown *shownFiling) error {
	filing, actions, err := c.svc.Filings.Inspect(r.Context(), s.Admin, id)
	if err != nil {
		return err
	}
	var full []notary.PersonalField
	if shown != nil && shown.ID == filing.ID && shown.Version == filing.Version {
		filing.Content, filing.Approved, full = shown.Content, shown.Approved, shown.Fields
	}
	audit, err := c.audit(r, s, id)
	if err != nil {
		return err
	}
	history, diff, err := c.history(r, s, filing, audit.Events)
	if err != nil {
		return err
	}
	d := filingDetail{F: filing, Can: set(actions), Audit: audit, Form: f,
		Reveal: newRevealView(filing.Content, len(actions) > 0, full), History: history, Diff: diff}
	c.render(w, r, status, "filing", pageData{Lang: s.Lang, Title: filing.Content.EnterpriseName, Admin: &s.Admin, Waiting: s.Waiting,
		CSRF: s.CSRF, Nav: "filings", Flash: flash, Error: errMsg, P: d})
	return nil
}

func (c *Console) filingAction(w http.ResponseWriter, r *http.Request, s session) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	action := r.PathValue("action")
	version, err := formVersion(r)
	if err == nil {
		switch action {
		case "approve":
			_, err = c.svc.Reviews.ApproveFiling(r.Context(), s.Admin, id, version)
		case "reject":
			_, err = c.svc.Reviews.RejectFiling(r.Context(), s.Admin, id, version, r.PostFormValue("reason"))
		default:
			return fmt.Errorf("%w: no action %q", notary.ErrNotFound, action)
		}
	}
	if err != nil {
		return c.refused(w, r, s, action, err, func(status int, msg string, f form) error {
			return c.showFiling(w, r, s, id, status, "", msg, f, nil)
		})
	}
	http.Redirect(w, r, c.path("/filings/"+id.String()+"?done="+action), http.StatusSeeOther)
	return nil
}

func (c *Console) applicationPage(w http.ResponseWriter, r *http.Request, s session) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return c.showApplication(w, r, s, id, http.StatusOK, done(s.Lang, r), "", form{})
}

func (c *Console) showApplication(w http.ResponseWriter, r *http.Request, s session, id uuid.UUID, status int, flash, errMsg string, f form) error {
	app, actions, err := c.svc.Applications.Inspect(r.Context(), s.Admin, id)
	if err != nil {
		return err
	}
	content, err := c.enterprise(r, s, app.FilingID, nil)
	if err != nil {
		return err
	}
	audit, err := c.audit(r, s, id)
	if err != nil {
		return err
	}
	d := applicationDetail{A: app, Enterprise: content, Can: set(actions), Audit: audit, Carriers: c.opts.Carriers, Form: f}
	c.render(w, r, status, "application", pageData{Lang: s.Lang, Title: content.EnterpriseName + " · " + t(s.Lang, "application"),
		Admin: &s.Admin, Waiting: s.Waiting, CSRF: s.CSRF, Nav: string(app.State), Flash: flash, Error: errMsg, P: d})
	return nil
}

func (c *Console) applicationAction(w http.ResponseWriter, r *http.Request, s session) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	action := r.PathValue("action")
	version, err := formVersion(r)
	if err == nil {
		ctx, rv := r.Context(), c.svc.Reviews
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
		return c.refused(w, r, s, action, err, func(status int, msg string, f form) error {
			return c.showApplication(w, r, s, id, status, "", msg, f)
		})
	}
	http.Redirect(w, r, c.path("/applications/"+id.String()+"?done="+action), http.StatusSeeOther)
	return nil
}

// refused shows a refused decision on the record's page as it is now, with
// what the reviewer typed kept and the refusal next to its field (or at
// the top); server errors go to the error page.
func (c *Console) refused(w http.ResponseWriter, r *http.Request, s session, action string, err error, show func(int, string, form) error) error {
	status := c.status(w, r, err)
	if status >= 500 || status == statusClientClosed {
		return err
	}
	f := form{Action: action, Values: r.PostForm, Errors: map[string]string{}}
	var fe *notary.FieldError
	if errors.As(err, &fe) && contains(decisionFields[action], fe.Field) {
		f.Errors[fe.Field] = fieldMessage(s.Lang, fe)
		return show(status, "", f)
	}
	return show(status, errorMessage(s.Lang, err), f)
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

// --- Search ---

// searchView is what a search found: filings, and applications with the
// enterprise each is for.
type searchView struct {
	Query        string
	Filings      []notary.Filing
	Applications []applicationRow
}

// searchLimit bounds each kind of search result.
const searchLimit = 50

func (c *Console) searchPage(w http.ResponseWriter, r *http.Request, s session) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	v := searchView{Query: q}
	d := pageData{Lang: s.Lang, Title: t(s.Lang, "search.title"), Admin: &s.Admin, Waiting: s.Waiting, CSRF: s.CSRF,
		Nav: "search", Query: q, P: &v}
	if q == "" {
		c.render(w, r, http.StatusOK, "search", d)
		return nil
	}
	res, err := c.svc.Reviews.Search(r.Context(), s.Admin, q, searchLimit)
	if err != nil {
		return err
	}
	v.Filings = res.Filings
	names := map[uuid.UUID]notary.FilingContent{}
	for _, f := range res.Filings {
		names[f.ID] = f.Content
		if f.Approved != nil {
			names[f.ID] = *f.Approved
		}
	}
	if v.Applications, err = c.applicationRows(r, s, res.Applications, names); err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "search", d)
	return nil
}

// chainBroken reports whether a page shows a record whose audit chain
// does not verify: the layout then puts a banner above everything.
func chainBroken(p any) bool {
	switch d := p.(type) {
	case filingDetail:
		return !d.Audit.Verified
	case applicationDetail:
		return !d.Audit.Verified
	}
	return false
}
