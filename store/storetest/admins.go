package storetest

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

// adminGroup: admin accounts.
var adminGroup = group{"Admin", []test{
	{"CreateAndRead", testAdminCreate},
	{"EmailUniquePerOffice", testAdminEmailUnique},
	{"UpdateWithVersionCheck", testAdminUpdate},
	{"ListOrderedByEmail", testAdminList},
}}

// sessionGroup: admin sessions.
var sessionGroup = group{"Session", []test{
	{"Lifecycle", testSessionLifecycle},
	{"DeleteAdminSessions", testSessionDeleteAll},
	{"SessionAdminReadsBoth", testSessionAdmin},
	{"SessionAdminReturnsDisabledAccount", testSessionAdminDisabled},
	{"SessionAdminWithoutAccount", testSessionAdminWithoutAccount},
	{"SessionAdminAfterDelete", testSessionAdminDeleted},
}}

func newAdmin(office uuid.UUID, email string) notary.AdminAccount {
	return notary.AdminAccount{
		ID:           uuid.New(),
		OfficeID:     office,
		Email:        email,
		Name:         "管理员 " + email,
		Role:         notary.RoleReviewer,
		PasswordHash: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$" + hex64(email)[:43],
		Version:      1,
		AuditHead:    hex64("admin", email),
		CreatedAt:    base,
		UpdatedAt:    base,
	}
}

func adminEvent(a notary.AdminAccount, seq int64, prev string) notary.Event {
	e := newEvent(a.ID, notary.KindAdmin, a.OfficeID, seq, prev, a.UpdatedAt)
	e.Actor = notary.Actor{Kind: notary.ActorAdmin, ID: a.ID.String(), Name: a.Email}
	return e
}

func getAdmin(t *testing.T, s notary.Store, id uuid.UUID) notary.AdminAccount {
	t.Helper()
	a, err := s.AdminByID(t.Context(), id)
	require.NoError(t, err)
	return a
}

func testAdminCreate(t *testing.T, s notary.Store) {
	ctx := t.Context()
	a := newAdmin(uuid.New(), "alice@example.com")
	a.Role = notary.RoleSupervisor
	a.FailedLogins = 2
	a.LockedUntil = at(time.Hour)
	ev := adminEvent(a, 1, "")
	require.NoError(t, s.CreateAdmin(ctx, a, ev))

	assert.Equal(t, normAdmin(a), normAdmin(getAdmin(t, s, a.ID)))
	byEmail, err := s.AdminByEmail(ctx, a.OfficeID, "alice@example.com")
	require.NoError(t, err)
	assert.Equal(t, normAdmin(a), normAdmin(byEmail))
	assert.Equal(t, normEvents([]notary.Event{ev}), normEvents(events(t, s, a.ID)))
}

func testAdminEmailUnique(t *testing.T, s notary.Store) {
	ctx := t.Context()
	office := uuid.New()
	a := newAdmin(office, "alice@example.com")
	require.NoError(t, s.CreateAdmin(ctx, a, adminEvent(a, 1, "")))

	same := newAdmin(office, "alice@example.com")
	requireIs(t, s.CreateAdmin(ctx, same, adminEvent(same, 1, "")), notary.ErrConflict)
	upper := newAdmin(office, "Alice@Example.COM")
	requireIs(t, s.CreateAdmin(ctx, upper, adminEvent(upper, 1, "")), notary.ErrConflict)
	sameID := newAdmin(office, "bob@example.com")
	sameID.ID = a.ID
	requireIs(t, s.CreateAdmin(ctx, sameID, adminEvent(sameID, 1, "")), notary.ErrConflict)

	for _, id := range []uuid.UUID{same.ID, upper.ID} {
		_, err := s.AdminByID(ctx, id)
		requireIs(t, err, notary.ErrNotFound)
		assert.Empty(t, events(t, s, id))
	}
	assert.Len(t, events(t, s, a.ID), 1)
	assert.Equal(t, normAdmin(a), normAdmin(getAdmin(t, s, a.ID)))

	elsewhere := newAdmin(uuid.New(), "alice@example.com")
	require.NoError(t, s.CreateAdmin(ctx, elsewhere, adminEvent(elsewhere, 1, "")))
}

func testAdminUpdate(t *testing.T, s notary.Store) {
	ctx := t.Context()
	office := uuid.New()
	a := newAdmin(office, "alice@example.com")
	ev1 := adminEvent(a, 1, "")
	require.NoError(t, s.CreateAdmin(ctx, a, ev1))

	a2 := a
	a2.Version = 2
	a2.Name = "Alice Li"
	a2.FailedLogins = 5
	a2.LockedUntil = at(15 * time.Minute)
	a2.Disabled = true
	a2.Role = notary.RoleSupervisor
	a2.UpdatedAt = at(time.Minute)
	ev2 := adminEvent(a2, 2, ev1.Hash)
	a2.AuditHead = ev2.Hash
	require.NoError(t, s.UpdateAdmin(ctx, a2, 1, ev2))
	assert.Equal(t, normAdmin(a2), normAdmin(getAdmin(t, s, a.ID)))
	assert.Equal(t, normEvents([]notary.Event{ev1, ev2}), normEvents(events(t, s, a.ID)))

	stale := a2
	stale.Name = "stale"
	requireIs(t, s.UpdateAdmin(ctx, stale, 1, adminEvent(stale, 3, ev2.Hash)), notary.ErrConflict)
	assert.Equal(t, normAdmin(a2), normAdmin(getAdmin(t, s, a.ID)))
	assert.Len(t, events(t, s, a.ID), 2)

	missing := newAdmin(office, "ghost@example.com")
	requireIs(t, s.UpdateAdmin(ctx, missing, 1, adminEvent(missing, 2, "")), notary.ErrNotFound)

	// Changing the email moves the lookup; taking another's email conflicts.
	b := newAdmin(office, "bob@example.com")
	require.NoError(t, s.CreateAdmin(ctx, b, adminEvent(b, 1, "")))
	b2 := b
	b2.Version = 2
	b2.Email = "alice@example.com"
	requireIs(t, s.UpdateAdmin(ctx, b2, 1, adminEvent(b2, 2, "x")), notary.ErrConflict)
	b2.Email = "robert@example.com"
	require.NoError(t, s.UpdateAdmin(ctx, b2, 1, adminEvent(b2, 2, "x")))
	got, err := s.AdminByEmail(ctx, office, "robert@example.com")
	require.NoError(t, err)
	assert.Equal(t, b.ID, got.ID)
	_, err = s.AdminByEmail(ctx, office, "bob@example.com")
	requireIs(t, err, notary.ErrNotFound)
}

func testAdminList(t *testing.T, s notary.Store) {
	ctx := t.Context()
	office := uuid.New()
	var want []uuid.UUID
	created := map[string]uuid.UUID{}
	for _, email := range []string{"carol@example.com", "alice@example.com", "bob@example.com"} {
		a := newAdmin(office, email)
		require.NoError(t, s.CreateAdmin(ctx, a, adminEvent(a, 1, "")))
		created[email] = a.ID
	}
	d := newAdmin(uuid.New(), "dave@example.com")
	require.NoError(t, s.CreateAdmin(ctx, d, adminEvent(d, 1, "")))
	for _, email := range []string{"alice@example.com", "bob@example.com", "carol@example.com"} {
		want = append(want, created[email])
	}

	list, err := s.ListAdmins(ctx, office)
	require.NoError(t, err)
	var got []uuid.UUID
	for _, a := range list {
		got = append(got, a.ID)
	}
	assert.Equal(t, want, got)
	empty, err := s.ListAdmins(ctx, uuid.New())
	require.NoError(t, err)
	assert.Empty(t, empty)
}

func newSession(admin notary.AdminAccount, token string) notary.Session {
	return notary.Session{
		TokenHash:  hex64(token),
		AdminID:    admin.ID,
		OfficeID:   admin.OfficeID,
		CreatedAt:  base,
		LastSeenAt: base,
		ExpiresAt:  at(12 * time.Hour),
	}
}

func testSessionLifecycle(t *testing.T, s notary.Store) {
	ctx := t.Context()
	a := newAdmin(uuid.New(), "alice@example.com")
	require.NoError(t, s.CreateAdmin(ctx, a, adminEvent(a, 1, "")))
	sess := newSession(a, "token-1")
	require.NoError(t, s.CreateSession(ctx, sess))
	requireIs(t, s.CreateSession(ctx, sess), notary.ErrConflict)

	got, err := s.Session(ctx, sess.TokenHash)
	require.NoError(t, err)
	assert.Equal(t, normSession(sess), normSession(got))

	require.NoError(t, s.TouchSession(ctx, sess.TokenHash, at(time.Hour)))
	got, err = s.Session(ctx, sess.TokenHash)
	require.NoError(t, err)
	want := sess
	want.LastSeenAt = at(time.Hour)
	assert.Equal(t, normSession(want), normSession(got))
	requireIs(t, s.TouchSession(ctx, hex64("unknown"), at(time.Hour)), notary.ErrNotFound)

	require.NoError(t, s.DeleteSession(ctx, sess.TokenHash))
	_, err = s.Session(ctx, sess.TokenHash)
	requireIs(t, err, notary.ErrNotFound)
	require.NoError(t, s.DeleteSession(ctx, sess.TokenHash))
	requireIs(t, s.TouchSession(ctx, sess.TokenHash, at(2*time.Hour)), notary.ErrNotFound)
}

func testSessionDeleteAll(t *testing.T, s notary.Store) {
	ctx := t.Context()
	office := uuid.New()
	a := newAdmin(office, "alice@example.com")
	b := newAdmin(office, "bob@example.com")
	for _, x := range []notary.AdminAccount{a, b} {
		require.NoError(t, s.CreateAdmin(ctx, x, adminEvent(x, 1, "")))
	}
	sessions := []notary.Session{newSession(a, "a1"), newSession(a, "a2"), newSession(b, "b1")}
	for _, x := range sessions {
		require.NoError(t, s.CreateSession(ctx, x))
	}

	require.NoError(t, s.DeleteAdminSessions(ctx, a.ID))
	for _, x := range sessions[:2] {
		_, err := s.Session(ctx, x.TokenHash)
		requireIs(t, err, notary.ErrNotFound)
	}
	_, err := s.Session(ctx, sessions[2].TokenHash)
	require.NoError(t, err)
	require.NoError(t, s.DeleteAdminSessions(ctx, a.ID))
	require.NoError(t, s.DeleteAdminSessions(ctx, uuid.New()))

	// A new session of the same admin works after the purge.
	require.NoError(t, s.CreateSession(ctx, newSession(a, "a3")))
	_, err = s.Session(ctx, hex64("a3"))
	require.NoError(t, err)
}

// sessionAdmin reads a session with its account and checks that they are
// what Session and AdminByID return.
func sessionAdmin(t *testing.T, s notary.Store, tokenHash string) (notary.Session, notary.AdminAccount) {
	t.Helper()
	ctx := t.Context()
	sess, acct, err := s.SessionAdmin(ctx, tokenHash)
	require.NoError(t, err)
	alone, err := s.Session(ctx, tokenHash)
	require.NoError(t, err)
	assert.Equal(t, normSession(alone), normSession(sess), "SessionAdmin's session is what Session returns")
	assert.Equal(t, normAdmin(getAdmin(t, s, sess.AdminID)), normAdmin(acct), "SessionAdmin's account is what AdminByID returns")
	return sess, acct
}

func testSessionAdmin(t *testing.T, s notary.Store) {
	ctx := t.Context()
	office := uuid.New()
	a := newAdmin(office, "alice@example.com")
	a.Role = notary.RoleSupervisor
	a.FailedLogins = 2
	a.LockedUntil = at(time.Hour)
	b := newAdmin(office, "bob@example.com")
	for _, x := range []notary.AdminAccount{a, b} {
		require.NoError(t, s.CreateAdmin(ctx, x, adminEvent(x, 1, "")))
	}
	sa, sb := newSession(a, "a1"), newSession(b, "b1")
	sb.LastSeenAt, sb.ExpiresAt = at(time.Minute), at(6*time.Hour)
	for _, x := range []notary.Session{sa, sb, newSession(a, "a2")} {
		require.NoError(t, s.CreateSession(ctx, x))
	}

	for _, tc := range []struct {
		sess notary.Session
		acct notary.AdminAccount
	}{{sa, a}, {sb, b}} {
		sess, acct := sessionAdmin(t, s, tc.sess.TokenHash)
		assert.Equal(t, normSession(tc.sess), normSession(sess))
		assert.Equal(t, normAdmin(tc.acct), normAdmin(acct))
	}

	// Both halves are read as they are now.
	require.NoError(t, s.TouchSession(ctx, sa.TokenHash, at(2*time.Hour)))
	a2 := a
	a2.Version, a2.Name, a2.FailedLogins, a2.LockedUntil, a2.UpdatedAt = 2, "Alice Li", 0, time.Time{}, at(time.Minute)
	ev2 := adminEvent(a2, 2, a.AuditHead)
	a2.AuditHead = ev2.Hash
	require.NoError(t, s.UpdateAdmin(ctx, a2, 1, ev2))
	sess, acct := sessionAdmin(t, s, sa.TokenHash)
	want := sa
	want.LastSeenAt = at(2 * time.Hour)
	assert.Equal(t, normSession(want), normSession(sess))
	assert.Equal(t, normAdmin(a2), normAdmin(acct))
}

func testSessionAdminDisabled(t *testing.T, s notary.Store) {
	ctx := t.Context()
	a := newAdmin(uuid.New(), "alice@example.com")
	a.Disabled = true
	require.NoError(t, s.CreateAdmin(ctx, a, adminEvent(a, 1, "")))
	sess := newSession(a, "token-1")
	require.NoError(t, s.CreateSession(ctx, sess))

	_, acct := sessionAdmin(t, s, sess.TokenHash)
	assert.True(t, acct.Disabled, "a disabled account is returned: the domain decides")
	assert.Equal(t, normAdmin(a), normAdmin(acct))
}

func testSessionAdminWithoutAccount(t *testing.T, s notary.Store) {
	ctx := t.Context()
	ghost := newAdmin(uuid.New(), "ghost@example.com") // never created
	sess := newSession(ghost, "token-1")
	require.NoError(t, s.CreateSession(ctx, sess))

	_, _, err := s.SessionAdmin(ctx, sess.TokenHash)
	requireIs(t, err, notary.ErrNotFound, "a session whose account does not exist")
	got, err := s.Session(ctx, sess.TokenHash)
	require.NoError(t, err, "the session alone is still there")
	assert.Equal(t, normSession(sess), normSession(got))
}

func testSessionAdminDeleted(t *testing.T, s notary.Store) {
	ctx := t.Context()
	a := newAdmin(uuid.New(), "alice@example.com")
	require.NoError(t, s.CreateAdmin(ctx, a, adminEvent(a, 1, "")))
	s1, s2 := newSession(a, "token-1"), newSession(a, "token-2")
	for _, x := range []notary.Session{s1, s2} {
		require.NoError(t, s.CreateSession(ctx, x))
	}
	sessionAdmin(t, s, s1.TokenHash)

	require.NoError(t, s.DeleteSession(ctx, s1.TokenHash))
	_, _, err := s.SessionAdmin(ctx, s1.TokenHash)
	requireIs(t, err, notary.ErrNotFound)
	sessionAdmin(t, s, s2.TokenHash)

	require.NoError(t, s.DeleteAdminSessions(ctx, a.ID))
	_, _, err = s.SessionAdmin(ctx, s2.TokenHash)
	requireIs(t, err, notary.ErrNotFound)
}
