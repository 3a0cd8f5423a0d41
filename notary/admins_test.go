package notary_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/argon2"

	"github.com/notarykit/notarykit/notary"
)

// wrongPassword is the attacker's guess (one guess, so its hash is
// memoized across attempts).
const wrongPassword = "not the password"

// realSessions restores the default session and lockout policy.
func realSessions(c *notary.Config) { c.Admin = notary.AdminPolicy{} }

// adminEvents returns "trigger from→to" for each audit event of an admin.
func (e *env) adminEvents(id uuid.UUID) []string {
	e.t.Helper()
	evs, err := e.store.Events(e.ctx, id)
	require.NoError(e.t, err)
	out := make([]string, len(evs))
	for i, ev := range evs {
		require.Equal(e.t, notary.KindAdmin, ev.RecordKind)
		out[i] = fmt.Sprintf("%s %s→%s", ev.Trigger, ev.From, ev.To)
	}
	return out
}

func (e *env) account(id uuid.UUID) notary.AdminAccount {
	e.t.Helper()
	a, err := e.store.AdminByID(e.ctx, id)
	require.NoError(e.t, err)
	return a
}

func TestAdminPolicyDefaultsAndBounds(t *testing.T) {
	e := newEnv(t, realSessions)
	assert.Equal(t, notary.AdminPolicy{
		Argon2:      notary.Argon2Params{Memory: 19456, Time: 2, Threads: 1},
		SessionIdle: 30 * time.Minute, SessionTTL: 12 * time.Hour, MaxFailures: 5, Lockout: 15 * time.Minute,
	}, e.svc.Admins.Policy())
	for field, p := range map[string]notary.AdminPolicy{
		"admin.argon2.memory": {Argon2: notary.Argon2Params{Memory: 19455}},
		"admin.argon2.time":   {Argon2: notary.Argon2Params{Time: 1}},
		"admin.session_idle":  {SessionIdle: -time.Second},
		"admin.session_ttl":   {SessionTTL: -time.Second},
		"admin.lockout":       {Lockout: -time.Second},
		"admin.max_failures":  {MaxFailures: -1},
	} {
		cfg := e.cfg
		cfg.Admin = p
		_, err := notary.New(cfg)
		var fe *notary.FieldError
		require.ErrorAs(t, err, &fe, field)
		assert.Equal(t, field, fe.Field)
	}
}

func TestLoginSuccess(t *testing.T) {
	e := newEnv(t, realSessions)
	token, admin, err := e.svc.Admins.Login(e.ctx, "  REV@Office.Example ", adminPassword)
	require.NoError(t, err)
	raw, err := base64.RawURLEncoding.DecodeString(token)
	require.NoError(t, err)
	assert.Len(t, raw, 32)

	sum := sha256.Sum256([]byte(token))
	hash := hex.EncodeToString(sum[:])
	assert.Equal(t, hash, notary.TokenHash(token))
	assert.Equal(t, notary.Admin{ID: e.reviewer.ID, OfficeID: officeID, Email: reviewerEmail, Name: "Rita Reviewer",
		Role: notary.RoleReviewer, SessionID: hash, SessionExpiresAt: e.clock.Now().Add(12 * time.Hour)}, admin)
	got, err := e.svc.Admins.Authenticate(e.ctx, token)
	require.NoError(t, err)
	assert.Equal(t, admin, got)

	// The store holds the token's hash only.
	_, err = e.store.Session(e.ctx, token)
	require.ErrorIs(t, err, notary.ErrNotFound)
	sess, err := e.store.Session(e.ctx, hash)
	require.NoError(t, err)
	assert.NotContains(t, fmt.Sprintf("%#v", sess), token)
	assert.Equal(t, notary.Session{TokenHash: hash, AdminID: admin.ID, OfficeID: officeID,
		CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(12 * time.Hour)}, sess)
	acct := e.account(admin.ID)
	assert.NotContains(t, fmt.Sprintf("%#v", acct), token)
	evs, err := e.store.Events(e.ctx, admin.ID)
	require.NoError(t, err)
	assert.NotContains(t, fmt.Sprintf("%#v", evs), token)

	// Two logins are two sessions with different tokens.
	token2, admin2, err := e.svc.Admins.Login(e.ctx, reviewerEmail, adminPassword)
	require.NoError(t, err)
	assert.NotEqual(t, token, token2)
	assert.NotEqual(t, admin.SessionID, admin2.SessionID)

	assert.Equal(t, []string{"create New→active", "login active→active", "login active→active", "login active→active"}, e.adminEvents(admin.ID))
	require.NoError(t, e.svc.Audit.Verify(e.ctx, e.supervisor, admin.ID))
	ev := must(e.store.Events(e.ctx, admin.ID))[1]
	assert.Equal(t, notary.Actor{Kind: notary.ActorAdmin, ID: admin.ID.String(), Name: reviewerEmail}, ev.Actor)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestLoginRefusalsLookAlike: a wrong password, an unknown email and a
// malformed email get the same error after the same hashing work.
func TestLoginRefusalsLookAlike(t *testing.T) {
	e := newEnv(t, realSessions)
	attempt := func(email, password string) error {
		t.Helper()
		before := e.svc.Admins.KDFCalls()
		token, admin, err := e.svc.Admins.Login(e.ctx, email, password)
		assert.Empty(t, token)
		assert.Zero(t, admin)
		assert.Equal(t, int64(1), e.svc.Admins.KDFCalls()-before, "one argon2id derivation for %q", email)
		return err
	}
	wrong := attempt(reviewerEmail, "not the password")
	require.ErrorIs(t, wrong, notary.ErrUnauthenticated)
	for _, email := range []string{"nobody@office.example", "not an email", "", strings.Repeat("x", 300)} {
		err := attempt(email, adminPassword)
		require.ErrorIs(t, err, notary.ErrUnauthenticated)
		assert.Equal(t, wrong.Error(), err.Error())
	}
	// Only the existing account has an audit trail of the refusal.
	assert.Equal(t, []string{"create New→active", "login active→active", "login_failed active→active"}, e.adminEvents(e.reviewer.ID))
	assert.Equal(t, 1, e.account(e.reviewer.ID).FailedLogins)
}

func TestLockout(t *testing.T) {
	e := newEnv(t, realSessions)
	login := func(password string) error {
		_, _, err := e.svc.Admins.Login(e.ctx, reviewerEmail, password)
		return err
	}
	// A success resets the count.
	for range 3 {
		require.ErrorIs(t, login(wrongPassword), notary.ErrUnauthenticated)
	}
	require.NoError(t, login(adminPassword))
	assert.Zero(t, e.account(e.reviewer.ID).FailedLogins)

	for i := 1; i <= 4; i++ {
		require.ErrorIs(t, login(wrongPassword), notary.ErrUnauthenticated)
		acct := e.account(e.reviewer.ID)
		assert.Equal(t, i, acct.FailedLogins)
		assert.Equal(t, notary.AdminStateActive, acct.State(e.clock.Now()))
	}
	wrong := login(wrongPassword)
	require.ErrorIs(t, wrong, notary.ErrUnauthenticated)
	acct := e.account(e.reviewer.ID)
	assert.Equal(t, t0.Add(15*time.Minute), acct.LockedUntil)
	assert.Equal(t, notary.AdminStateLocked, acct.State(e.clock.Now()))

	// Locked: the right password is refused too, with the same error and
	// the same hashing work.
	before := e.svc.Admins.KDFCalls()
	err := login(adminPassword)
	require.ErrorIs(t, err, notary.ErrUnauthenticated)
	assert.Equal(t, wrong.Error(), err.Error())
	assert.Equal(t, int64(1), e.svc.Admins.KDFCalls()-before)
	e.clock.Advance(15*time.Minute - time.Second)
	require.ErrorIs(t, login(adminPassword), notary.ErrUnauthenticated)
	assert.Equal(t, 5, e.account(e.reviewer.ID).FailedLogins, "refusals while locked do not extend the count")

	// Sessions opened before the lockout still work.
	_, err = e.svc.Admins.Authenticate(e.ctx, e.reviewerToken)
	require.NoError(t, err)

	e.clock.Advance(time.Second)
	require.NoError(t, login(adminPassword))
	acct = e.account(e.reviewer.ID)
	assert.Zero(t, acct.FailedLogins)
	assert.True(t, acct.LockedUntil.IsZero())

	// After a lock runs out, a failure starts a fresh count.
	require.ErrorIs(t, login(wrongPassword), notary.ErrUnauthenticated)
	assert.Equal(t, 1, e.account(e.reviewer.ID).FailedLogins)

	f := "login_failed active→active"
	assert.Equal(t, []string{
		"create New→active", "login active→active",
		f, f, f, "login active→active",
		f, f, f, f, "locked active→locked",
		"login_failed locked→locked", "login_failed locked→locked",
		"login active→active", f,
	}, e.adminEvents(e.reviewer.ID))
	require.NoError(t, e.svc.Audit.Verify(e.ctx, e.supervisor, e.reviewer.ID))
	evs := must(e.store.Events(e.ctx, e.reviewer.ID))
	assert.Contains(t, evs[10].Reason, "5 consecutive failures")
	assert.Equal(t, "account locked", evs[11].Reason)
	assert.Equal(t, notary.ActorSystem, evs[10].Actor.Kind)
}

// TestConcurrentFailuresAreAllCounted: racing failed logins of one
// account each land once in the count and the trail.
func TestConcurrentFailuresAreAllCounted(t *testing.T) {
	e := newEnv(t, realSessions)
	const n = 6
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { _, _, errs[i] = e.svc.Admins.Login(e.ctx, reviewerEmail, wrongPassword) })
	}
	wg.Wait()
	for _, err := range errs {
		require.ErrorIs(t, err, notary.ErrUnauthenticated)
	}
	acct := e.account(e.reviewer.ID)
	assert.Equal(t, 5, acct.FailedLogins)
	assert.False(t, acct.LockedUntil.IsZero())
	assert.Len(t, e.adminEvents(e.reviewer.ID), 2+n)
	require.NoError(t, e.svc.Audit.Verify(e.ctx, e.supervisor, e.reviewer.ID))
}

var phcRE = regexp.MustCompile(`^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

func TestPasswordHashEncoding(t *testing.T) {
	e := newEnv(t, realSessions)
	_, a := e.newAdmin("second@office.example", notary.RoleReviewer)
	h1, h2 := e.account(e.reviewer.ID).PasswordHash, e.account(a.ID).PasswordHash
	for _, h := range []string{h1, h2} {
		m := phcRE.FindStringSubmatch(h)
		require.NotNil(t, m, h)
		assert.Equal(t, []string{"19456", "2", "1"}, m[1:])
		assert.NotContains(t, h, adminPassword)
	}
	assert.NotEqual(t, h1[:len(h1)-44], h2[:len(h2)-44], "same password, different salts")

	// Services never hand out password hashes.
	list, err := e.svc.Admins.List(e.ctx, e.supervisor)
	require.NoError(t, err)
	require.Len(t, list, 3)
	for _, acct := range list {
		assert.Empty(t, acct.PasswordHash)
	}
	emails := []string{list[0].Email, list[1].Email, list[2].Email}
	assert.Equal(t, []string{supervisorEmail, reviewerEmail, "second@office.example"}, emails, "ordered by email")
}

// TestRehashOnWeakerParameters: a login re-hashes a password stored with
// parameters weaker than the current ones, and never downgrades.
func TestRehashOnWeakerParameters(t *testing.T) {
	e := newEnv(t, realSessions)
	stronger := e.cfg
	stronger.Admin.Argon2.Time = 3
	svc2, err := notary.New(stronger)
	require.NoError(t, err)
	svc2.Admins.SetKDF(memoKDF) // and the real crypto/rand source

	before := e.account(e.reviewer.ID)
	_, _, err = svc2.Admins.Login(e.ctx, reviewerEmail, adminPassword)
	require.NoError(t, err)
	after := e.account(e.reviewer.ID)
	assert.Equal(t, []string{"19456", "3", "1"}, phcRE.FindStringSubmatch(after.PasswordHash)[1:])
	assert.NotEqual(t, before.PasswordHash, after.PasswordHash)
	last := must(e.store.Events(e.ctx, e.reviewer.ID))
	assert.Equal(t, "password re-hashed with current parameters", last[len(last)-1].Reason)

	// The weaker policy of the first service verifies the stronger hash
	// and keeps it.
	_, _, err = e.svc.Admins.Login(e.ctx, reviewerEmail, adminPassword)
	require.NoError(t, err)
	assert.Equal(t, after.PasswordHash, e.account(e.reviewer.ID).PasswordHash)

	// A legacy hash below today's minimum (as a migration might leave) is
	// upgraded on the next login: one derivation to verify, one to re-hash.
	acct := e.account(e.reviewer.ID)
	salt := []byte("legacy-salt-0123")
	key := argon2.IDKey([]byte(adminPassword), salt, 1, 8192, 1, 16)
	acct.PasswordHash = fmt.Sprintf("$argon2id$v=19$m=8192,t=1,p=1$%s$%s",
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
	require.NoError(t, e.store.UpdateAdmin(e.ctx, acct, acct.Version, notary.Event{}))
	calls := e.svc.Admins.KDFCalls()
	_, _, err = e.svc.Admins.Login(e.ctx, reviewerEmail, adminPassword)
	require.NoError(t, err)
	assert.Equal(t, int64(2), e.svc.Admins.KDFCalls()-calls)
	assert.Equal(t, []string{"19456", "2", "1"}, phcRE.FindStringSubmatch(e.account(e.reviewer.ID).PasswordHash)[1:])
	_, _, err = e.svc.Admins.Login(e.ctx, reviewerEmail, adminPassword)
	require.NoError(t, err)
	require.NoError(t, e.svc.Audit.Verify(e.ctx, e.supervisor, e.reviewer.ID))
}

// TestCorruptStoredHash: a stored hash that does not parse never matches,
// and costs the same single derivation.
func TestCorruptStoredHash(t *testing.T) {
	e := newEnv(t, realSessions)
	good := e.account(e.reviewer.ID).PasswordHash
	parts := strings.Split(good, "$")
	for _, bad := range []string{
		"", "plaintext", "$argon2i$v=19$m=19456,t=2,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=16$m=19456,t=2,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$t=2,m=19456,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=19456,t=2$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=019456,t=2,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=19456,t=0,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=19456,t=2,p=0$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=19456,t=2,p=256$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=99999999,t=2,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=19456,t=2,p=1$" + parts[4] + "=$" + parts[5],
		"$argon2id$v=19$m=19456,t=2,p=1$AAAA$" + parts[5],
		"$argon2id$v=19$m=19456,t=2,p=1$" + parts[4] + "$AAAA",
		"$argon2id$v=19$m=19456,t=2,p=1$" + parts[4] + "$" + parts[5] + "$",
	} {
		acct := e.account(e.reviewer.ID)
		acct.PasswordHash = bad
		require.NoError(t, e.store.UpdateAdmin(e.ctx, acct, acct.Version, notary.Event{}))
		calls := e.svc.Admins.KDFCalls()
		_, _, err := e.svc.Admins.Login(e.ctx, reviewerEmail, adminPassword)
		require.ErrorIs(t, err, notary.ErrUnauthenticated, bad)
		assert.Equal(t, int64(1), e.svc.Admins.KDFCalls()-calls, bad)
		acct = e.account(e.reviewer.ID)
		acct.FailedLogins = 0
		require.NoError(t, e.store.UpdateAdmin(e.ctx, acct, acct.Version, notary.Event{}))
	}
	acct := e.account(e.reviewer.ID)
	acct.PasswordHash = good
	require.NoError(t, e.store.UpdateAdmin(e.ctx, acct, acct.Version, notary.Event{}))
	_, _, err := e.svc.Admins.Login(e.ctx, reviewerEmail, adminPassword)
	require.NoError(t, err)
}

func TestSessionIdleExpiry(t *testing.T) {
	e := newEnv(t, realSessions)
	for range 3 {
		e.clock.Advance(29 * time.Minute)
		_, err := e.svc.Admins.Authenticate(e.ctx, e.reviewerToken)
		require.NoError(t, err, "use postpones the idle expiry")
	}
	_, err := e.svc.Reviews.FilingQueue(e.ctx, e.reviewer, notary.FilingPendingReview, nil, 0)
	require.NoError(t, err)
	e.clock.Advance(30 * time.Minute)
	_, err = e.svc.Reviews.FilingQueue(e.ctx, e.reviewer, notary.FilingPendingReview, nil, 0)
	require.ErrorIs(t, err, notary.ErrUnauthenticated, "the domain refuses an idle session")
	_, err = e.svc.Admins.Authenticate(e.ctx, e.reviewerToken)
	require.ErrorIs(t, err, notary.ErrUnauthenticated)
	_, err = e.store.Session(e.ctx, e.reviewer.SessionID)
	require.ErrorIs(t, err, notary.ErrNotFound, "an expired session is removed")
}

func TestSessionAbsoluteExpiry(t *testing.T) {
	e := newEnv(t, realSessions)
	for elapsed := 25 * time.Minute; elapsed < 12*time.Hour; elapsed += 25 * time.Minute {
		e.clock.Set(t0.Add(elapsed))
		_, err := e.svc.Admins.Authenticate(e.ctx, e.reviewerToken)
		require.NoError(t, err, "after %s", elapsed)
	}
	e.clock.Set(t0.Add(12 * time.Hour))
	_, err := e.svc.Reviews.FilingQueue(e.ctx, e.reviewer, notary.FilingPendingReview, nil, 0)
	require.ErrorIs(t, err, notary.ErrUnauthenticated)
	_, err = e.svc.Admins.Authenticate(e.ctx, e.reviewerToken)
	require.ErrorIs(t, err, notary.ErrUnauthenticated)
}

func TestAuthenticateRefusals(t *testing.T) {
	e := newEnv(t, realSessions)
	unknown := base64.RawURLEncoding.EncodeToString(make([]byte, 32))
	for _, tok := range []string{"", "abc", unknown, strings.Repeat("+", 43), e.reviewerToken + "A", e.reviewer.SessionID} {
		_, err := e.svc.Admins.Authenticate(e.ctx, tok)
		require.ErrorIs(t, err, notary.ErrUnauthenticated, tok)
	}
	// A session of another office sharing the store is no session here.
	other, _ := e.otherOffice()
	tok, _, err := other.Admins.Login(e.ctx, "chief@other.example", adminPassword)
	require.NoError(t, err)
	_, err = e.svc.Admins.Authenticate(e.ctx, tok)
	require.ErrorIs(t, err, notary.ErrForbidden)
	require.NoError(t, e.svc.Admins.Logout(e.ctx, tok))
	_, err = other.Admins.Authenticate(e.ctx, tok)
	require.NoError(t, err, "an office does not end another office's sessions")
	// Nor can the other office's admins log in here.
	_, _, err = e.svc.Admins.Login(e.ctx, "chief@other.example", adminPassword)
	require.ErrorIs(t, err, notary.ErrUnauthenticated)
}

func TestLogout(t *testing.T) {
	e := newEnv(t, realSessions)
	other, _ := e.login(e.svc, reviewerEmail, adminPassword)
	require.NoError(t, e.svc.Admins.Logout(e.ctx, e.reviewerToken))
	_, err := e.svc.Admins.Authenticate(e.ctx, e.reviewerToken)
	require.ErrorIs(t, err, notary.ErrUnauthenticated)
	_, err = e.svc.Reviews.FilingQueue(e.ctx, e.reviewer, notary.FilingPendingReview, nil, 0)
	require.ErrorIs(t, err, notary.ErrUnauthenticated)
	_, err = e.svc.Admins.Authenticate(e.ctx, other)
	require.NoError(t, err, "logout ends one session only")
	require.NoError(t, e.svc.Admins.Logout(e.ctx, e.reviewerToken), "logging out twice is fine")
	require.NoError(t, e.svc.Admins.Logout(e.ctx, "garbage"))
	assert.Equal(t, []string{"create New→active", "login active→active", "login active→active", "logout active→active"}, e.adminEvents(e.reviewer.ID))
	require.NoError(t, e.svc.Audit.Verify(e.ctx, e.supervisor, e.reviewer.ID))
}

func TestChangePasswordEndsAllSessions(t *testing.T) {
	e := newEnv(t, realSessions)
	second, _ := e.login(e.svc, reviewerEmail, adminPassword)
	const newPassword = "a much better passphrase"

	err := e.svc.Admins.ChangePassword(e.ctx, e.reviewer, "not my password", newPassword)
	require.ErrorIs(t, err, notary.ErrUnauthenticated)
	assert.Equal(t, 1, e.account(e.reviewer.ID).FailedLogins, "a wrong current password counts as a failure")
	var fe *notary.FieldError
	for _, bad := range []string{"short", adminPassword, strings.ToUpper(reviewerEmail)} {
		err = e.svc.Admins.ChangePassword(e.ctx, e.reviewer, adminPassword, bad)
		require.ErrorAs(t, err, &fe, bad)
		assert.Equal(t, "password", fe.Field)
	}
	for _, tok := range []string{e.reviewerToken, second} {
		_, err := e.svc.Admins.Authenticate(e.ctx, tok)
		require.NoError(t, err, "refused changes end no session")
	}

	require.NoError(t, e.svc.Admins.ChangePassword(e.ctx, e.reviewer, adminPassword, newPassword))
	for _, tok := range []string{e.reviewerToken, second} {
		_, err := e.svc.Admins.Authenticate(e.ctx, tok)
		require.ErrorIs(t, err, notary.ErrUnauthenticated)
	}
	err = e.svc.Admins.ChangePassword(e.ctx, e.reviewer, newPassword, "yet another passphrase")
	require.ErrorIs(t, err, notary.ErrUnauthenticated, "the changing session ended too")
	_, _, err = e.svc.Admins.Login(e.ctx, reviewerEmail, adminPassword)
	require.ErrorIs(t, err, notary.ErrUnauthenticated)
	_, _, err = e.svc.Admins.Login(e.ctx, reviewerEmail, newPassword)
	require.NoError(t, err)
	assert.Equal(t, []string{"create New→active", "login active→active", "login active→active",
		"login_failed active→active", "change_password active→active", "login_failed active→active", "login active→active"},
		e.adminEvents(e.reviewer.ID))
	require.NoError(t, e.svc.Audit.Verify(e.ctx, e.supervisor, e.reviewer.ID))
}

func TestDisableEndsAllSessions(t *testing.T) {
	e := newEnv(t, realSessions)
	second, _ := e.login(e.svc, reviewerEmail, adminPassword)
	_, err := e.svc.Admins.Disable(e.ctx, e.supervisor, e.supervisor.ID)
	require.ErrorIs(t, err, notary.ErrForbidden, "no one disables themselves")

	acct, err := e.svc.Admins.Disable(e.ctx, e.supervisor, e.reviewer.ID)
	require.NoError(t, err)
	assert.True(t, acct.Disabled)
	assert.Empty(t, acct.PasswordHash)
	for _, tok := range []string{e.reviewerToken, second} {
		_, err := e.svc.Admins.Authenticate(e.ctx, tok)
		require.ErrorIs(t, err, notary.ErrUnauthenticated)
	}
	_, err = e.svc.Reviews.FilingQueue(e.ctx, e.reviewer, notary.FilingPendingReview, nil, 0)
	require.ErrorIs(t, err, notary.ErrUnauthenticated)
	_, _, err = e.svc.Admins.Login(e.ctx, reviewerEmail, adminPassword)
	require.ErrorIs(t, err, notary.ErrUnauthenticated)
	_, err = e.svc.Admins.Disable(e.ctx, e.supervisor, e.reviewer.ID)
	require.ErrorIs(t, err, notary.ErrInvalidTransition)
	_, err = e.svc.Admins.Disable(e.ctx, e.supervisor, uuid.New())
	require.ErrorIs(t, err, notary.ErrNotFound)

	_, err = e.svc.Admins.Enable(e.ctx, e.supervisor, e.reviewer.ID)
	require.NoError(t, err)
	_, err = e.svc.Admins.Enable(e.ctx, e.supervisor, e.reviewer.ID)
	require.ErrorIs(t, err, notary.ErrInvalidTransition)
	_, _, err = e.svc.Admins.Login(e.ctx, reviewerEmail, adminPassword)
	require.NoError(t, err)
	assert.Equal(t, []string{"create New→active", "login active→active", "login active→active",
		"disable active→disabled", "login_failed disabled→disabled", "enable disabled→active", "login active→active"},
		e.adminEvents(e.reviewer.ID))
	require.NoError(t, e.svc.Audit.Verify(e.ctx, e.supervisor, e.reviewer.ID))
	ev := must(e.store.Events(e.ctx, e.reviewer.ID))[3]
	assert.Equal(t, e.supervisor.ID.String(), ev.Actor.ID)
}

func TestResetPassword(t *testing.T) {
	e := newEnv(t, realSessions)
	for range 5 {
		_, _, _ = e.svc.Admins.Login(e.ctx, reviewerEmail, "forgotten password")
	}
	require.Equal(t, notary.AdminStateLocked, e.account(e.reviewer.ID).State(e.clock.Now()))
	err := e.svc.Admins.ResetPassword(e.ctx, e.supervisor, e.reviewer.ID, "short")
	var fe *notary.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "password", fe.Field)
	require.ErrorIs(t, e.svc.Admins.ResetPassword(e.ctx, e.supervisor, e.supervisor.ID, "a fresh passphrase"), notary.ErrForbidden)
	require.ErrorIs(t, e.svc.Admins.ResetPassword(e.ctx, e.reviewer, e.supervisor.ID, "a fresh passphrase"), notary.ErrForbidden)

	require.NoError(t, e.svc.Admins.ResetPassword(e.ctx, e.supervisor, e.reviewer.ID, "a fresh passphrase"))
	_, err = e.svc.Admins.Authenticate(e.ctx, e.reviewerToken)
	require.ErrorIs(t, err, notary.ErrUnauthenticated)
	_, _, err = e.svc.Admins.Login(e.ctx, reviewerEmail, "a fresh passphrase")
	require.NoError(t, err, "a reset also unlocks")
	require.NoError(t, e.svc.Audit.Verify(e.ctx, e.supervisor, e.reviewer.ID))
}

func TestBootstrap(t *testing.T) {
	e := newEnv(t, realSessions)
	_, err := e.svc.Admins.Bootstrap(e.ctx, "second@office.example", "Second", adminPassword)
	require.ErrorIs(t, err, notary.ErrConflict, "only an office without admins bootstraps")

	// A fresh office on the same store: racing bootstraps, one winner.
	cfg := e.cfg
	cfg.Office.ID = otherOfficeID
	svc, err := notary.New(cfg)
	require.NoError(t, err)
	fastAdmins(svc)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = svc.Admins.Bootstrap(e.ctx, fmt.Sprintf("boss%d@other.example", i), "Boss", adminPassword)
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
		} else {
			require.ErrorIs(t, err, notary.ErrConflict)
		}
	}
	assert.Equal(t, 1, won)
	list, err := e.store.ListAdmins(e.ctx, otherOfficeID)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, notary.RoleSupervisor, list[0].Role)
	assert.Equal(t, []string{"bootstrap New→active"}, e.adminEvents(list[0].ID))
}

func TestAccountValidation(t *testing.T) {
	e := newEnv(t, realSessions)
	tests := []struct {
		email, name, password string
		role                  notary.Role
		field                 string
	}{
		{"not-an-email", "N", adminPassword, notary.RoleReviewer, "email"},
		{"n@office.example", " ", adminPassword, notary.RoleReviewer, "name"},
		{"n@office.example", "N", "nine char", notary.RoleReviewer, "password"},
		{"n@office.example", "N", strings.Repeat("密", 257), notary.RoleReviewer, "password"},
		{"n@office.example", "N", "N@Office.Example", notary.RoleReviewer, "password"},
		{"n@office.example", "N", "bad utf-8 \xff\xfe", notary.RoleReviewer, "password"},
		{"n@office.example", "N", adminPassword, "root", "role"},
	}
	for _, tc := range tests {
		_, err := e.svc.Admins.Create(e.ctx, e.supervisor, tc.email, tc.name, tc.role, tc.password)
		var fe *notary.FieldError
		require.ErrorAs(t, err, &fe, "%+v", tc)
		assert.Equal(t, tc.field, fe.Field, "%+v", tc)
	}
	// Ten characters are enough, whatever their byte length.
	a, err := e.svc.Admins.Create(e.ctx, e.supervisor, "  Zhang@Office.EXAMPLE ", "张三", notary.RoleSupervisor, "公证处的管理员密码好")
	require.NoError(t, err)
	assert.Equal(t, "zhang@office.example", a.Email)
	assert.Empty(t, a.PasswordHash)
	_, err = e.svc.Admins.Create(e.ctx, e.supervisor, "ZHANG@office.example", "Dup", notary.RoleReviewer, adminPassword)
	require.ErrorIs(t, err, notary.ErrConflict)
	tok, admin, err := e.svc.Admins.Login(e.ctx, "zhang@office.example", "公证处的管理员密码好")
	require.NoError(t, err)
	assert.NotEmpty(t, tok)
	assert.Equal(t, notary.RoleSupervisor, admin.Role)
	_, err = e.svc.Admins.Create(e.ctx, admin, "new@office.example", "New", notary.RoleReviewer, adminPassword)
	require.NoError(t, err, "a created supervisor manages accounts")
}
