package console

import (
	"encoding/base32"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
)

// The staff pages: a supervisor creates reviewers, disables and enables
// accounts, resets passwords, ends sessions and reads an account's login
// audit. The SDK authorizes every one of them (supervisors only); the
// console only offers the forms.

// staffRow is an account as the staff list shows it.
type staffRow struct {
	notary.AdminAccount
	State string // active, locked or disabled, now
}

type staffView struct {
	Accounts []staffRow
	Form     form
	// Issued is a new password, shown once on the page that set it.
	Issued      string
	IssuedEmail string
}

type staffDetail struct {
	Account staffRow
	Trail   []notary.Event
	Self    bool
	Issued  string
}

// newPassword returns a random password for a new or reset account, shown
// once to the supervisor who hands it over: 20 characters from 100 bits.
func newPassword() string {
	s := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(randomBytes(13)))[:20]
	return s[:5] + "-" + s[5:10] + "-" + s[10:15] + "-" + s[15:]
}

func (c *Console) staffPage(w http.ResponseWriter, r *http.Request, s session) error {
	return c.showStaff(w, r, s, http.StatusOK, "", "", staffView{})
}

func (c *Console) showStaff(w http.ResponseWriter, r *http.Request, s session, status int, flash, errMsg string, v staffView) error {
	list, err := c.svc.Admins.List(r.Context(), s.Admin)
	if err != nil {
		return err
	}
	now := c.svc.Clock().Now()
	for _, a := range list {
		v.Accounts = append(v.Accounts, staffRow{AdminAccount: a, State: a.State(now)})
	}
	c.render(w, r, status, "staff", pageData{Lang: s.Lang, Title: t(s.Lang, "staff.title"), Admin: &s.Admin, Waiting: s.Waiting,
		CSRF: s.CSRF, Nav: "staff", Flash: flash, Error: errMsg, P: v})
	return nil
}

// staffCreate creates an account with a generated password, shown once.
func (c *Console) staffCreate(w http.ResponseWriter, r *http.Request, s session) error {
	password := newPassword()
	email, name := r.PostFormValue("email"), r.PostFormValue("name")
	acct, err := c.svc.Admins.Create(r.Context(), s.Admin, email, name, notary.Role(r.PostFormValue("role")), password)
	if err != nil {
		status := c.status(w, r, err)
		if status >= 500 || status == statusClientClosed {
			return err
		}
		f := form{Action: "create", Values: r.PostForm, Errors: map[string]string{}}
		msg := errorMessage(s.Lang, err)
		var fe *notary.FieldError
		if asField(err, &fe) && contains([]string{"email", "name", "role"}, fe.Field) {
			f.Errors[fe.Field], msg = fieldMessage(s.Lang, fe), ""
		}
		return c.showStaff(w, r, s, status, "", msg, staffView{Form: f})
	}
	return c.showStaff(w, r, s, http.StatusCreated, tf(s.Lang, "staff.created", acct.Email), "",
		staffView{Issued: password, IssuedEmail: acct.Email})
}

func (c *Console) staffAccount(w http.ResponseWriter, r *http.Request, s session) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return c.showAccount(w, r, s, id, http.StatusOK, done(s.Lang, r), "")
}

func (c *Console) showAccount(w http.ResponseWriter, r *http.Request, s session, id uuid.UUID, status int, flash, issued string) error {
	trail, err := c.svc.Admins.Trail(r.Context(), s.Admin, id)
	if err != nil {
		return err
	}
	list, err := c.svc.Admins.List(r.Context(), s.Admin)
	if err != nil {
		return err
	}
	var d staffDetail
	for _, a := range list {
		if a.ID == id {
			d.Account = staffRow{AdminAccount: a, State: a.State(c.svc.Clock().Now())}
		}
	}
	if d.Account.ID == uuid.Nil {
		return fmt.Errorf("%w: no admin %s", notary.ErrNotFound, id)
	}
	d.Trail, d.Self, d.Issued = trail, id == s.Admin.ID, issued
	c.render(w, r, status, "account", pageData{Lang: s.Lang, Title: d.Account.Name + " · " + t(s.Lang, "staff.title"),
		Admin: &s.Admin, Waiting: s.Waiting, CSRF: s.CSRF, Nav: "staff", Flash: flash, P: d})
	return nil
}

// staffAction disables, enables, resets the password of or ends the
// sessions of an account.
func (c *Console) staffAction(w http.ResponseWriter, r *http.Request, s session) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx, admins := r.Context(), c.svc.Admins
	action := r.PathValue("action")
	switch action {
	case "disable":
		_, err = admins.Disable(ctx, s.Admin, id)
	case "enable":
		_, err = admins.Enable(ctx, s.Admin, id)
	case "end-sessions":
		err = admins.EndSessions(ctx, s.Admin, id)
	case "reset-password":
		password := newPassword()
		if err = admins.ResetPassword(ctx, s.Admin, id, password); err == nil {
			// Shown once, on this answer; never in a URL or a redirect.
			return c.showAccount(w, r, s, id, http.StatusOK, t(s.Lang, "done.reset-password"), password)
		}
	default:
		return fmt.Errorf("%w: no action %q", notary.ErrNotFound, action)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, c.path("/staff/"+id.String()+"?done="+action), http.StatusSeeOther)
	return nil
}
