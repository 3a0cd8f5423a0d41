package notary_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

// TestEndSessions checks that a supervisor ends every session of another
// account, on its audit trail, and that no one else may.
func TestEndSessions(t *testing.T) {
	e := newEnv(t, realSessions)
	second, _ := e.login(e.svc, reviewerEmail, adminPassword)
	require.ErrorIs(t, e.svc.Admins.EndSessions(e.ctx, e.reviewer, e.supervisor.ID), notary.ErrForbidden, "reviewers may not")
	require.ErrorIs(t, e.svc.Admins.EndSessions(e.ctx, e.supervisor, e.supervisor.ID), notary.ErrForbidden, "not one's own")
	require.ErrorIs(t, e.svc.Admins.EndSessions(e.ctx, e.supervisor, uuid.New()), notary.ErrNotFound)
	_, stranger := e.otherOffice()
	require.ErrorIs(t, e.svc.Admins.EndSessions(e.ctx, stranger, e.reviewer.ID), notary.ErrForbidden)

	require.NoError(t, e.svc.Admins.EndSessions(e.ctx, e.supervisor, e.reviewer.ID))
	for _, tok := range []string{e.reviewerToken, second} {
		_, err := e.svc.Admins.Authenticate(e.ctx, tok)
		require.ErrorIs(t, err, notary.ErrUnauthenticated)
	}
	_, _, err := e.svc.Admins.Login(e.ctx, reviewerEmail, adminPassword)
	require.NoError(t, err, "the account itself is untouched")
	assert.Equal(t, []string{"create New→active", "login active→active", "login active→active",
		"end_sessions active→active", "login active→active"}, e.adminEvents(e.reviewer.ID))
	require.NoError(t, e.svc.Audit.Verify(e.ctx, e.supervisor, e.reviewer.ID))
}

// TestAdminTrail checks that supervisors read an account's login audit
// and no one else does.
func TestAdminTrail(t *testing.T) {
	e := newEnv(t, realSessions)
	_, _, err := e.svc.Admins.Login(e.ctx, reviewerEmail, "wrong password!")
	require.ErrorIs(t, err, notary.ErrUnauthenticated)
	trail, err := e.svc.Admins.Trail(e.ctx, e.supervisor, e.reviewer.ID)
	require.NoError(t, err)
	var triggers []string
	for _, ev := range trail {
		triggers = append(triggers, ev.Trigger)
	}
	assert.Equal(t, []string{"create", "login", "login_failed"}, triggers)
	_, err = e.svc.Admins.Trail(e.ctx, e.reviewer, e.supervisor.ID)
	require.ErrorIs(t, err, notary.ErrForbidden)
	_, err = e.svc.Admins.Trail(e.ctx, e.supervisor, uuid.New())
	require.ErrorIs(t, err, notary.ErrNotFound)
	_, stranger := e.otherOffice()
	_, err = e.svc.Admins.Trail(e.ctx, stranger, e.reviewer.ID)
	require.ErrorIs(t, err, notary.ErrForbidden)
}
