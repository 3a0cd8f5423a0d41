package console_test

import (
	"fmt"
	"net/http"
	"net/url"

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
