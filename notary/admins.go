package notary

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
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
	AdminEndSessions    AdminTrigger = "end_sessions"    // a supervisor ended all the account's sessions
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

// maxUpdateRetries bounds the retries of an account update that lost an
// optimistic-concurrency race (concurrent logins of one account).
const maxUpdateRetries = 8

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
