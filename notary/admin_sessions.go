package notary

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"
)

// errBadCredentials answers every refused login alike: unknown email, wrong
// password, locked or disabled account.
var errBadCredentials = wrap(ErrUnauthenticated, "wrong email or password")

// tokenBytes is the entropy of a session token.
const tokenBytes = 32

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
	if !acct.Role.Valid() {
		return AdminAccount{}, wrap(ErrForbidden, "admin %s has no admin role", a.ID)
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
