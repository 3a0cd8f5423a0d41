package console_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

// TestSystemReasonsInTheConsolesLanguage: a reason the SDK set (a code) is
// shown in the console's language, on the record and in its audit trail,
// never as the code.
func TestSystemReasonsInTheConsolesLanguage(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	u, f := e.filing("乙公司")
	_, err := e.svc.Reviews.ApproveFiling(ctx, e.chief, f.ID, f.Version)
	require.NoError(t, err)
	app, err := e.svc.Applications.Apply(ctx, u, notary.ApplyRequest{Evidence: notarytest.Evidence(u.ID + "-ev-9")})
	require.NoError(t, err)
	app, err = e.svc.Applications.Cancel(ctx, u, app.ID)
	require.NoError(t, err)
	require.Equal(t, notary.ReasonCancelledByUser, app.Reason)

	c := e.client()
	c.login()
	path := "/admin/applications/" + app.ID.String()
	res, page := c.do("GET", path, nil)
	require.Equal(t, 200, res.StatusCode)
	assert.Contains(t, page, "您已撤销申请")
	assert.NotContains(t, page, notary.ReasonCancelledByUser)
	_, page = c.do("GET", path+"?lang=en", nil)
	assert.Contains(t, page, "cancelled by you")
	assert.NotContains(t, page, notary.ReasonCancelledByUser)
}
