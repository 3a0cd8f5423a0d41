package notary

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"golang.org/x/crypto/argon2"
)

// AdminPolicy configures the admin login unit. Zero fields take defaults.
type AdminPolicy struct {
	// Argon2 is the cost of new password hashes (default and minimum:
	// 19456 KiB, 2 passes, 1 lane). A login that verifies against a weaker
	// stored hash re-hashes the password with these parameters.
	Argon2 Argon2Params
	// SessionIdle ends a session not used for this long (default 30m).
	SessionIdle time.Duration
	// SessionTTL ends a session this long after login, however busy
	// (default 12h).
	SessionTTL time.Duration
	// MaxFailures consecutive failed logins lock the account (default 5).
	MaxFailures int
	// Lockout is how long a locked account refuses every login, even with
	// the right password (default 15m).
	Lockout time.Duration
}

// normalize applies defaults and checks bounds.
func (p AdminPolicy) normalize() (AdminPolicy, error) {
	var err error
	if p.Argon2, err = p.Argon2.normalize(); err != nil {
		return p, err
	}
	def := func(d *time.Duration, v time.Duration, field string) error {
		if *d < 0 {
			return invalid(field, "must not be negative")
		}
		if *d == 0 {
			*d = v
		}
		return nil
	}
	if err := errors.Join(
		def(&p.SessionIdle, 30*time.Minute, "admin.session_idle"),
		def(&p.SessionTTL, 12*time.Hour, "admin.session_ttl"),
		def(&p.Lockout, 15*time.Minute, "admin.lockout"),
	); err != nil {
		return p, err
	}
	switch {
	case p.MaxFailures < 0:
		return p, invalid("admin.max_failures", "must not be negative")
	case p.MaxFailures == 0:
		p.MaxFailures = 5
	}
	return p, nil
}

// AdminTrigger names an audited change of an admin account; it is the
// Trigger of the account's audit events.
type AdminTrigger string

// Admin account triggers.
const (
	AdminBootstrap      AdminTrigger = "bootstrap"       // the office's first supervisor was created
	AdminCreate         AdminTrigger = "create"          // a supervisor created the account
	AdminDisable        AdminTrigger = "disable"         // a supervisor disabled the account
	AdminEnable         AdminTrigger = "enable"          // a supervisor enabled it again
	AdminChangePassword AdminTrigger = "change_password" // the admin changed their password
	AdminResetPassword  AdminTrigger = "reset_password"  // a supervisor set a new password
	AdminLogin          AdminTrigger = "login"           // a successful login
	AdminLoginFailed    AdminTrigger = "login_failed"    // a refused login
	AdminLocked         AdminTrigger = "locked"          // a failed login locked the account
	AdminLogout         AdminTrigger = "logout"          // a session was ended by its admin
)

// Admin account states, as recorded in the From and To of audit events.
const (
	AdminStateActive   = "active"
	AdminStateLocked   = "locked"
	AdminStateDisabled = "disabled"
)

// State returns the account's state at time now: AdminStateDisabled,
// AdminStateLocked or AdminStateActive.
func (a AdminAccount) State(now time.Time) string {
	switch {
	case a.Disabled:
		return AdminStateDisabled
	case a.locked(now):
		return AdminStateLocked
	}
	return AdminStateActive
}

func (a AdminAccount) locked(now time.Time) bool {
	return !a.LockedUntil.IsZero() && now.Before(a.LockedUntil)
}

// redacted is the account as services return it: never the password hash.
func (a AdminAccount) redacted() AdminAccount {
	a.PasswordHash = ""
	return a
}

// Admins is the admin login unit (管理员登录单元): the office's admin
// accounts, password login with lockout, and sessions. Passwords are stored
// as argon2id hashes; session tokens are shown once and stored only as
// their SHA-256.
//
// Every change of an account (creation, password, enabling, each login
// outcome) is one version-checked store update with its audit event, so an
// account has a hash-chained trail that Audit.Verify checks.
type Admins struct {
	s      *Service
	policy AdminPolicy

	rand     io.Reader // crypto/rand.Reader
	kdf      kdfFunc   // argon2.IDKey
	kdfCalls atomic.Int64
}

func newAdmins(s *Service, p AdminPolicy) *Admins {
	return &Admins{s: s, policy: p, rand: rand.Reader, kdf: argon2.IDKey}
}

// Policy returns the admin policy in force (with defaults applied).
func (m *Admins) Policy() AdminPolicy { return m.policy }

// errBadCredentials answers every refused login alike: unknown email, wrong
// password, locked or disabled account.
var errBadCredentials = wrap(ErrUnauthenticated, "wrong email or password")

// maxUpdateRetries bounds the retries of an account update that lost an
// optimistic-concurrency race (concurrent logins of one account).
const maxUpdateRetries = 8

// tokenBytes is the entropy of a session token.
const tokenBytes = 32

// Bootstrap creates the office's first admin, a supervisor, when the office
// has no admin yet. The account's ID is derived from the office ID, so two
// racing bootstraps cannot both succeed. Errors: ErrInvalidInput (a
// *FieldError on "email", "name" or "password"), ErrConflict (the office
// already has an admin).
func (m *Admins) Bootstrap(ctx context.Context, email, name, password string) (AdminAccount, error) {
	s := m.s
	email, name, err := m.checkAccount(email, name, password)
	if err != nil {
		return AdminAccount{}, err
	}
	existing, err := s.store.ListAdmins(ctx, s.office.ID)
	if err != nil {
		return AdminAccount{}, err
	}
	if len(existing) > 0 {
		return AdminAccount{}, wrap(ErrConflict, "office %s already has admins", s.office.ID)
	}
	id := uuid.NewSHA1(s.office.ID, []byte("notarykit/bootstrap-admin"))
	return m.create(ctx, id, email, name, RoleSupervisor, password, AdminBootstrap, systemActor("bootstrap"))
}

// Create adds an admin account to the office. Only a supervisor may.
// The email is lower-cased. Errors: ErrUnauthenticated, ErrForbidden (not
// a supervisor of the office), ErrInvalidInput (a *FieldError on "email",
// "name", "role" or "password"), ErrConflict (the email is taken).
func (m *Admins) Create(ctx context.Context, by Admin, email, name string, role Role, password string) (AdminAccount, error) {
	if _, err := m.supervisor(ctx, by); err != nil {
		return AdminAccount{}, err
	}
	email, name, err := m.checkAccount(email, name, password)
	if err != nil {
		return AdminAccount{}, err
	}
	if role != RoleReviewer && role != RoleSupervisor {
		return AdminAccount{}, invalid("role", "must be %q or %q", RoleReviewer, RoleSupervisor)
	}
	return m.create(ctx, m.s.ids.NewID(), email, name, role, password, AdminCreate, by.actor())
}

// List returns the office's admin accounts ordered by email, without their
// password hashes. Only a supervisor may. Errors: ErrUnauthenticated,
// ErrForbidden.
func (m *Admins) List(ctx context.Context, by Admin) ([]AdminAccount, error) {
	if _, err := m.supervisor(ctx, by); err != nil {
		return nil, err
	}
	list, err := m.s.store.ListAdmins(ctx, m.s.office.ID)
	if err != nil {
		return nil, err
	}
	for i := range list {
		list[i] = list[i].redacted()
	}
	return list, nil
}

// Disable disables another admin account of the office and ends all its
// sessions; a disabled admin can neither log in nor act. Only a supervisor
// may, and not on their own account. Errors: ErrUnauthenticated,
// ErrForbidden (not a supervisor, own account, or another office's
// account), ErrNotFound, ErrInvalidTransition (already disabled),
// ErrConflict.
func (m *Admins) Disable(ctx context.Context, by Admin, id uuid.UUID) (AdminAccount, error) {
	if err := m.manage(ctx, by, id); err != nil {
		return AdminAccount{}, err
	}
	acct, err := m.update(ctx, id, func(a *AdminAccount, _ time.Time) (adminChange, error) {
		if a.Disabled {
			return adminChange{}, wrap(ErrInvalidTransition, "admin %s is already disabled", id)
		}
		a.Disabled = true
		return adminChange{trigger: AdminDisable, actor: by.actor()}, nil
	})
	if err != nil {
		return AdminAccount{}, err
	}
	return acct.redacted(), m.s.store.DeleteAdminSessions(ctx, id)
}

// Enable enables a disabled admin account of the office again, with its
// failed-login count cleared. Errors: as Disable (ErrInvalidTransition when
// the account is not disabled).
func (m *Admins) Enable(ctx context.Context, by Admin, id uuid.UUID) (AdminAccount, error) {
	if err := m.manage(ctx, by, id); err != nil {
		return AdminAccount{}, err
	}
	acct, err := m.update(ctx, id, func(a *AdminAccount, _ time.Time) (adminChange, error) {
		if !a.Disabled {
			return adminChange{}, wrap(ErrInvalidTransition, "admin %s is not disabled", id)
		}
		a.Disabled, a.FailedLogins, a.LockedUntil = false, 0, time.Time{}
		return adminChange{trigger: AdminEnable, actor: by.actor()}, nil
	})
	return acct.redacted(), err
}

// ResetPassword sets a new password on another admin account of the office
// (one who forgot theirs), unlocks it and ends all its sessions. Only a
// supervisor may; admins change their own password with ChangePassword.
// Errors: as Disable (without ErrInvalidTransition), plus ErrInvalidInput
// (a *FieldError on "password").
func (m *Admins) ResetPassword(ctx context.Context, by Admin, id uuid.UUID, password string) error {
	if err := m.manage(ctx, by, id); err != nil {
		return err
	}
	target, err := m.s.store.AdminByID(ctx, id)
	if err != nil {
		return err
	}
	if err := CheckPassword(password, target.Email); err != nil {
		return invalid("password", "%v", err)
	}
	hash, err := m.hashPassword(password)
	if err != nil {
		return err
	}
	if _, err := m.update(ctx, id, func(a *AdminAccount, _ time.Time) (adminChange, error) {
		a.PasswordHash, a.FailedLogins, a.LockedUntil = hash, 0, time.Time{}
		return adminChange{trigger: AdminResetPassword, actor: by.actor()}, nil
	}); err != nil {
		return err
	}
	return m.s.store.DeleteAdminSessions(ctx, id)
}

// ChangePassword replaces the admin's own password after checking the
// current one, and ends all the admin's sessions, this one included: the
// admin logs in again with the new password. A wrong current password
// counts as a failed login (and may lock the account). Errors:
// ErrUnauthenticated (no live session, or a wrong current password),
// ErrForbidden, ErrInvalidInput (a *FieldError on "password": the policy,
// or equal to the current one), ErrConflict.
func (m *Admins) ChangePassword(ctx context.Context, self Admin, oldPassword, newPassword string) error {
	acct, err := m.s.liveAdmin(ctx, self)
	if err != nil {
		return err
	}
	if err := CheckPassword(newPassword, acct.Email); err != nil {
		return invalid("password", "%v", err)
	}
	if subtle.ConstantTimeCompare([]byte(oldPassword), []byte(newPassword)) == 1 {
		return invalid("password", "must differ from the current password")
	}
	ok, _ := m.verifyPassword(acct.PasswordHash, oldPassword)
	if !ok {
		if _, err := m.update(ctx, acct.ID, func(a *AdminAccount, now time.Time) (adminChange, error) {
			return m.failure(a, now, "wrong current password on password change"), nil
		}); err != nil {
			return err
		}
		return wrap(ErrUnauthenticated, "wrong current password")
	}
	hash, err := m.hashPassword(newPassword)
	if err != nil {
		return err
	}
	if _, err := m.update(ctx, acct.ID, func(a *AdminAccount, _ time.Time) (adminChange, error) {
		if a.PasswordHash != acct.PasswordHash {
			return adminChange{}, wrap(ErrConflict, "the password changed meanwhile")
		}
		a.PasswordHash, a.FailedLogins, a.LockedUntil = hash, 0, time.Time{}
		return adminChange{trigger: AdminChangePassword, actor: self.actor()}, nil
	}); err != nil {
		return err
	}
	return m.s.store.DeleteAdminSessions(ctx, acct.ID)
}

// Login checks an admin's email and password and opens a session. It
// returns the session token, which is shown only this once (the store
// keeps only its SHA-256), and the authenticated Admin.
//
// An unknown email, a wrong password, a disabled account and a locked
// account are all refused with the same error after the same password
// hashing work, so a caller cannot tell them apart. MaxFailures consecutive
// failures lock the account for the Lockout period; a success resets the
// count. A password verified against a hash weaker than the current
// parameters is re-hashed. Each outcome on an existing account is audited
// ("login", "login_failed", "locked"). Errors: ErrUnauthenticated,
// ErrConflict (too many concurrent logins of one account).
func (m *Admins) Login(ctx context.Context, email, password string) (string, Admin, error) {
	s := m.s
	email = strings.ToLower(strings.TrimSpace(email))
	if CheckEmail(email) != nil {
		m.dummyVerify(password)
		return "", Admin{}, errBadCredentials
	}
	acct, err := s.store.AdminByEmail(ctx, s.office.ID, email)
	if errors.Is(err, ErrNotFound) {
		m.dummyVerify(password)
		return "", Admin{}, errBadCredentials
	} else if err != nil {
		return "", Admin{}, err
	}
	verified := acct.PasswordHash
	ok, stale := m.verifyPassword(verified, password)
	var rehash string
	var refused bool
	acct, err = m.update(ctx, acct.ID, func(a *AdminAccount, now time.Time) (adminChange, error) {
		if a.PasswordHash != verified { // changed by a racing update: verify again
			verified = a.PasswordHash
			ok, stale = m.verifyPassword(verified, password)
		}
		refused = true
		switch {
		case a.Disabled:
			return adminChange{trigger: AdminLoginFailed, actor: systemActor("login"), reason: "account disabled"}, nil
		case !ok || a.locked(now):
			return m.failure(a, now, "wrong password"), nil
		}
		refused = false
		if stale {
			if rehash == "" {
				h, err := m.hashPassword(password)
				if err != nil {
					return adminChange{}, err
				}
				rehash = h
			}
			a.PasswordHash = rehash
		}
		a.FailedLogins, a.LockedUntil = 0, time.Time{}
		reason := ""
		if stale {
			reason = "password re-hashed with current parameters"
		}
		return adminChange{trigger: AdminLogin, actor: a.principal("").actor(), reason: reason}, nil
	})
	if err != nil {
		return "", Admin{}, err
	}
	if refused {
		return "", Admin{}, errBadCredentials
	}
	raw := make([]byte, tokenBytes)
	if _, err := io.ReadFull(m.rand, raw); err != nil {
		return "", Admin{}, fmt.Errorf("notary: session token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	now := s.now()
	sess := Session{TokenHash: TokenHash(token), AdminID: acct.ID, OfficeID: acct.OfficeID,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(m.policy.SessionTTL)}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return "", Admin{}, err
	}
	return token, acct.session(sess), nil
}

// failure records a refused password check on a: refused because the
// account is locked (not counted), or a wrong password, counted and locking
// the account when the count reaches MaxFailures. A lock that ran out
// starts a fresh count.
func (m *Admins) failure(a *AdminAccount, now time.Time, reason string) adminChange {
	if a.locked(now) {
		return adminChange{trigger: AdminLoginFailed, actor: systemActor("login"), reason: "account locked"}
	}
	if !a.LockedUntil.IsZero() {
		a.LockedUntil, a.FailedLogins = time.Time{}, 0
	}
	a.FailedLogins++
	if a.FailedLogins >= m.policy.MaxFailures {
		a.LockedUntil = now.Add(m.policy.Lockout)
		return adminChange{trigger: AdminLocked, actor: systemActor("login"),
			reason: fmt.Sprintf("%s; %d consecutive failures, locked until %s", reason, a.FailedLogins, a.LockedUntil.Format(time.RFC3339))}
	}
	return adminChange{trigger: AdminLoginFailed, actor: systemActor("login"), reason: reason}
}

// Authenticate returns the Admin of a session token: the session must
// exist and be neither idle longer than SessionIdle nor older than
// SessionTTL, and its account must exist and be enabled. It records the
// session's use, which postpones its idle expiry. Errors:
// ErrUnauthenticated (malformed, unknown, expired or ended session;
// disabled or deleted account), ErrForbidden (a session of another office).
func (m *Admins) Authenticate(ctx context.Context, token string) (Admin, error) {
	s := m.s
	if !wellFormedToken(token) {
		return Admin{}, wrap(ErrUnauthenticated, "malformed session token")
	}
	hash := TokenHash(token)
	sess, acct, err := s.session(ctx, hash, nil)
	if err != nil {
		return Admin{}, err
	}
	if err := s.store.TouchSession(ctx, hash, s.now()); errors.Is(err, ErrNotFound) {
		return Admin{}, wrap(ErrUnauthenticated, "session ended")
	} else if err != nil {
		return Admin{}, err
	}
	return acct.session(sess), nil
}

// Logout ends the session of token; ending an unknown or already ended
// session (or one of another office) is not an error. The logout is
// audited on the admin's account. Errors: only the store's.
func (m *Admins) Logout(ctx context.Context, token string) error {
	s := m.s
	if !wellFormedToken(token) {
		return nil
	}
	hash := TokenHash(token)
	sess, err := s.store.Session(ctx, hash)
	if errors.Is(err, ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if sess.OfficeID != s.office.ID {
		return nil // another office's session is that office's business
	}
	if err := s.store.DeleteSession(ctx, hash); err != nil {
		return err
	}
	_, err = m.update(ctx, sess.AdminID, func(a *AdminAccount, _ time.Time) (adminChange, error) {
		return adminChange{trigger: AdminLogout, actor: a.principal("").actor()}, nil
	})
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// TokenHash returns the hex SHA-256 of a session token: the Session's
// TokenHash and the Admin principal's SessionID.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func wellFormedToken(token string) bool {
	if len(token) != base64.RawURLEncoding.EncodedLen(tokenBytes) {
		return false
	}
	_, err := base64.RawURLEncoding.Strict().DecodeString(token)
	return err == nil
}

// principal is the Admin of a session of the account.
// session is the Admin of the live session sess of the account.
func (a AdminAccount) session(sess Session) Admin {
	p := a.principal(sess.TokenHash)
	p.SessionExpiresAt = sess.ExpiresAt
	return p
}

func (a AdminAccount) principal(sessionID string) Admin {
	return Admin{ID: a.ID, OfficeID: a.OfficeID, Email: a.Email, Name: a.Name, Role: a.Role, SessionID: sessionID}
}

// liveAdmin authorizes an admin principal: its SessionID must name an
// unexpired session of that admin at this office, and its account must
// exist, be enabled and belong to this office. It returns the stored
// account, whose Role (not the principal's) is what counts. Errors:
// ErrUnauthenticated, ErrForbidden (another office, no admin role).
func (s *Service) liveAdmin(ctx context.Context, a Admin) (AdminAccount, error) {
	return s.liveAdminRead(ctx, a, nil)
}

// liveAdminRead is liveAdmin for a session already looked up along with
// the record under review; a nil lookup reads the session.
func (s *Service) liveAdminRead(ctx context.Context, a Admin, lookup *SessionLookup) (AdminAccount, error) {
	if a.ID == uuid.Nil {
		return AdminAccount{}, wrap(ErrUnauthenticated, "admin: no identity")
	}
	if a.OfficeID != s.office.ID {
		return AdminAccount{}, wrap(ErrForbidden, "admin %s belongs to another office", a.ID)
	}
	if a.SessionID == "" {
		return AdminAccount{}, wrap(ErrUnauthenticated, "admin %s: no session", a.ID)
	}
	sess, acct, err := s.session(ctx, a.SessionID, lookup)
	if err != nil {
		return AdminAccount{}, err
	}
	if sess.AdminID != a.ID {
		return AdminAccount{}, wrap(ErrUnauthenticated, "admin %s: not the session's admin", a.ID)
	}
	if acct.Role != RoleReviewer && acct.Role != RoleSupervisor {
		return AdminAccount{}, wrap(ErrForbidden, "admin %s has no review role", a.ID)
	}
	return acct, nil
}

// session loads a live session by token hash and its enabled account of
// this office. Expired sessions, and sessions of disabled or deleted
// accounts, are removed.
//
// The session and its account are read together, in one store read (or
// taken from lookup, when a ReviewReader read them with the record). When
// that read finds nothing, the session is read alone to tell an unknown
// session from one whose account is gone: a rare path, which then checks
// exactly as the common one does.
func (s *Service) session(ctx context.Context, hash string, lookup *SessionLookup) (Session, AdminAccount, error) {
	var (
		sess Session
		acct AdminAccount
		err  error
	)
	if lookup != nil {
		sess, acct, err = lookup.Session, lookup.Account, lookup.Err
	} else {
		sess, acct, err = s.store.SessionAdmin(ctx, hash)
	}
	loaded := err == nil
	if errors.Is(err, ErrNotFound) {
		sess, err = s.store.Session(ctx, hash)
	}
	if errors.Is(err, ErrNotFound) {
		return Session{}, AdminAccount{}, wrap(ErrUnauthenticated, "no such session")
	} else if err != nil {
		return Session{}, AdminAccount{}, err
	}
	if subtle.ConstantTimeCompare([]byte(sess.TokenHash), []byte(hash)) != 1 {
		return Session{}, AdminAccount{}, wrap(ErrUnauthenticated, "no such session")
	}
	end := func(reason string) (Session, AdminAccount, error) {
		if err := s.store.DeleteSession(ctx, hash); err != nil {
			return Session{}, AdminAccount{}, err
		}
		return Session{}, AdminAccount{}, wrap(ErrUnauthenticated, "%s", reason)
	}
	if sess.OfficeID != s.office.ID {
		return Session{}, AdminAccount{}, wrap(ErrForbidden, "session of another office")
	}
	now := s.now()
	p := s.Admins.policy
	if !now.Before(sess.LastSeenAt.Add(p.SessionIdle)) {
		return end("session expired (idle)")
	}
	if !now.Before(sess.ExpiresAt) {
		return end("session expired")
	}
	if !loaded {
		acct, err = s.store.AdminByID(ctx, sess.AdminID)
		if errors.Is(err, ErrNotFound) {
			return end("account deleted")
		} else if err != nil {
			return Session{}, AdminAccount{}, err
		}
	}
	if acct.OfficeID != s.office.ID {
		return Session{}, AdminAccount{}, wrap(ErrForbidden, "admin %s belongs to another office", acct.ID)
	}
	if acct.Disabled {
		return end("account disabled")
	}
	return sess, acct, nil
}

// supervisor authorizes a supervisor of the office.
func (m *Admins) supervisor(ctx context.Context, by Admin) (AdminAccount, error) {
	acct, err := m.s.liveAdmin(ctx, by)
	if err != nil {
		return AdminAccount{}, err
	}
	if acct.Role != RoleSupervisor {
		return AdminAccount{}, wrap(ErrForbidden, "admin %s is not a supervisor", by.ID)
	}
	return acct, nil
}

// manage authorizes a supervisor to manage another account of the office.
func (m *Admins) manage(ctx context.Context, by Admin, id uuid.UUID) error {
	if _, err := m.supervisor(ctx, by); err != nil {
		return err
	}
	if id == by.ID {
		return wrap(ErrForbidden, "admins cannot disable, enable or reset their own account")
	}
	target, err := m.s.store.AdminByID(ctx, id)
	if err != nil {
		return err
	}
	if target.OfficeID != m.s.office.ID {
		return wrap(ErrForbidden, "admin %s belongs to another office", id)
	}
	return nil
}

// checkAccount validates and normalizes the fields of a new account.
func (m *Admins) checkAccount(email, name, password string) (string, string, error) {
	email = strings.TrimSpace(email)
	if err := CheckEmail(email); err != nil { // before case folding, which would hide invalid UTF-8
		return "", "", invalid("email", "%v", err)
	}
	email = strings.ToLower(email)
	if err := CheckEmail(email); err != nil {
		return "", "", invalid("email", "%v", err)
	}
	name = strings.TrimSpace(name)
	if err := CheckText(name, 1, 128); err != nil {
		return "", "", invalid("name", "%v", err)
	}
	if err := CheckPassword(password, email); err != nil {
		return "", "", invalid("password", "%v", err)
	}
	return email, name, nil
}

// create stores a new account with its first audit event.
func (m *Admins) create(ctx context.Context, id uuid.UUID, email, name string, role Role, password string, trigger AdminTrigger, by Actor) (AdminAccount, error) {
	s := m.s
	hash, err := m.hashPassword(password)
	if err != nil {
		return AdminAccount{}, err
	}
	now := s.now()
	acct := AdminAccount{ID: id, OfficeID: s.office.ID, Email: email, Name: name, Role: role,
		PasswordHash: hash, Version: 1, CreatedAt: now, UpdatedAt: now}
	ev := s.event(step{kind: KindAdmin, recordID: id, version: 0, from: "New", to: acct.State(now),
		trigger: string(trigger), actor: by, at: now, reason: "role " + string(role)})
	acct.AuditHead = ev.Hash
	if err := s.store.CreateAdmin(ctx, acct, ev); err != nil {
		return AdminAccount{}, err
	}
	return acct.redacted(), nil
}

// adminChange is what an account update records in the audit trail.
type adminChange struct {
	trigger AdminTrigger
	actor   Actor
	reason  string
}

// update applies change to the stored account as one version-checked
// update with its audit event, reloading and retrying when a concurrent
// update won the race. change may refuse with an error, which is returned
// with nothing stored.
func (m *Admins) update(ctx context.Context, id uuid.UUID, change func(a *AdminAccount, now time.Time) (adminChange, error)) (AdminAccount, error) {
	s := m.s
	for range maxUpdateRetries {
		acct, err := s.store.AdminByID(ctx, id)
		if err != nil {
			return AdminAccount{}, err
		}
		if acct.OfficeID != s.office.ID {
			return AdminAccount{}, wrap(ErrForbidden, "admin %s belongs to another office", id)
		}
		now := s.now()
		next := acct
		c, err := change(&next, now)
		if err != nil {
			return AdminAccount{}, err
		}
		next.Version = acct.Version + 1
		next.UpdatedAt = now
		ev := s.event(step{kind: KindAdmin, recordID: id, version: acct.Version, head: acct.AuditHead,
			from: acct.State(now), to: next.State(now), trigger: string(c.trigger), actor: c.actor, reason: c.reason, at: now})
		next.AuditHead = ev.Hash
		err = s.store.UpdateAdmin(ctx, next, acct.Version, ev)
		if err == nil {
			return next, nil
		}
		if !errors.Is(err, ErrConflict) {
			return AdminAccount{}, err
		}
	}
	return AdminAccount{}, wrap(ErrConflict, "admin %s: too many concurrent updates", id)
}
