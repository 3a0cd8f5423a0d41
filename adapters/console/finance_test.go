package console_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

// TestStaffFinance: the staff form offers the finance role (财务), and a
// supervisor creates a finance account with it.
func TestStaffFinance(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	c.login()
	_, page := c.do("GET", "/admin/staff", nil)
	assert.Contains(t, page, `<option value="finance">财务</option>`)

	res, page := c.post("/admin/staff", url.Values{"email": {"zhao@notary.example"}, "name": {"赵会计"}, "role": {"finance"}})
	require.Equal(t, http.StatusCreated, res.StatusCode)
	m := issuedPassword.FindStringSubmatch(page)
	require.NotNil(t, m, "the password is shown once")
	_, zhao, err := e.svc.Admins.Login(t.Context(), "zhao@notary.example", m[1])
	require.NoError(t, err)
	assert.Equal(t, notary.RoleFinance, zhao.Role)
}
