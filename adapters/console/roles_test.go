package console_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

// staffPassword is the password of the accounts clientAs creates.
const staffPassword = "staff password 12345"

// clientAs creates an account of role (through the SDK, by the
// supervisor) and returns a client logged in as it through the login form.
func (e *env) clientAs(role notary.Role) (*client, notary.AdminAccount) {
	e.t.Helper()
	e.users++
	email := fmt.Sprintf("%s%d@notary.example", role, e.users)
	acct, err := e.svc.Admins.Create(e.t.Context(), e.chief, email, "职员"+fmt.Sprint(e.users), role, staffPassword)
	require.NoError(e.t, err)
	c := e.client()
	res, _ := c.do("GET", "/admin/login", nil)
	require.Equal(e.t, http.StatusOK, res.StatusCode)
	res, _ = c.do("POST", "/admin/login", url.Values{"csrf": {c.csrf}, "email": {email}, "password": {staffPassword}})
	require.Equal(e.t, http.StatusSeeOther, res.StatusCode)
	return c, acct
}

// TestRoles: the navigation, the start page, the queue tabs and counts and
// the decision forms follow the role's duties (notary.Role.May): finance
// sees no review queue and no decision, but what it may do.
func TestRoles(t *testing.T) {
	e := newEnv(t)
	app := e.paidApplication("甲公司")
	_, filing := e.filing("乙公司")
	for _, tc := range []struct {
		role           notary.Role
		review, staff  bool
		startPageShows string
		afterLogin     string
	}{
		{notary.RoleReviewer, true, false, `id="waiting-chart"`, "/admin/filings"},
		{notary.RoleSupervisor, true, true, `id="waiting-chart"`, "/admin/filings"},
		{notary.RoleFinance, false, false, `id="duty-money"`, "/admin/"},
	} {
		t.Run(string(tc.role), func(t *testing.T) {
			c, acct := e.clientAs(tc.role)
			again := e.client()
			again.do("GET", "/admin/login", nil)
			res, _ := again.do("POST", "/admin/login", url.Values{"csrf": {again.csrf}, "email": {acct.Email}, "password": {staffPassword}})
			assert.Equal(t, tc.afterLogin, res.Header.Get("Location"), "the role's start page after login")
			res, page := c.do("GET", "/admin/", nil)
			require.Equal(t, http.StatusOK, res.StatusCode)
			assert.Contains(t, page, tc.startPageShows)
			check := func(want bool, page, s, what string) {
				t.Helper()
				if want {
					assert.Contains(t, page, s, what)
				} else {
					assert.NotContains(t, page, s, what)
				}
			}
			check(tc.review, page, `href="/admin/filings"`, "the filings queue in the navigation")
			check(tc.review, page, `href="/admin/applications?state=PendingPreliminaryReview"`, "the preliminary queue in the navigation")
			check(tc.review, page, `class="count"`, "waiting counts")
			check(tc.staff, page, `href="/admin/staff"`, "staff management")
			check(!tc.review, page, `id="export-form"`, "finance starts with its own work")
			assert.Contains(t, page, `href="/admin/operations"`, "every admin")

			res, page = c.do("GET", "/admin/applications?state=PendingPreliminaryReview", nil)
			require.Equal(t, http.StatusOK, res.StatusCode)
			check(tc.review, page, `class="tabs"`, "queue tabs")
			check(tc.review, page, `class="count"`, "counts on the tabs")
			assert.Contains(t, page, `id="export-form"`)

			res, page = c.do("GET", "/admin/applications/"+app.ID.String(), nil)
			require.Equal(t, http.StatusOK, res.StatusCode, "every admin reads the office's records")
			check(tc.review, page, `id="approve-preliminary-form"`, "decision forms")
			check(tc.review, page, `id="reject-preliminary-form"`, "decision forms")
			res, page = c.do("GET", "/admin/filings/"+filing.ID.String(), nil)
			require.Equal(t, http.StatusOK, res.StatusCode)
			check(tc.review, page, `id="approve-form"`, "decision forms")
			check(tc.review, page, `id="reveal-form"`, "reveal")
		})
	}
}
