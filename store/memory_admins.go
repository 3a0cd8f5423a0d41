package store

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
)

// Admins.

// CreateAdmin stores a new account and its first audit event. It fails
// with ErrConflict if the ID exists or the office already has an account
// with that email (compared case-insensitively).
func (m *Memory) CreateAdmin(ctx context.Context, a notary.AdminAccount, ev notary.Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if a.ID == uuid.Nil || a.OfficeID == uuid.Nil {
		return invalid("admin account without ID or office")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.admins[a.ID]; ok {
		return conflict("admin %s already exists", a.ID)
	}
	if other, ok := m.adminEmails[adminEmailKey(a)]; ok {
		return conflict("office %s already has admin %s with email %q", a.OfficeID, other, a.Email)
	}
	evs := adminEvents(ev)
	if err := m.checkEvents(evs); err != nil {
		return err
	}
	m.admins[a.ID] = a
	m.adminEmails[adminEmailKey(a)] = a.ID
	m.appendEvents(evs)
	return nil
}

// UpdateAdmin stores a, whose Version is already incremented, with its
// audit event if the stored version is expectedVersion.
func (m *Memory) UpdateAdmin(ctx context.Context, a notary.AdminAccount, expectedVersion int64, ev notary.Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	old, ok := m.admins[a.ID]
	if !ok {
		return notFound("admin %s", a.ID)
	}
	if old.Version != expectedVersion {
		return conflict("admin %s is at version %d, not %d", a.ID, old.Version, expectedVersion)
	}
	if other, ok := m.adminEmails[adminEmailKey(a)]; ok && other != a.ID {
		return conflict("office %s already has admin %s with email %q", a.OfficeID, other, a.Email)
	}
	evs := adminEvents(ev)
	if err := m.checkEvents(evs); err != nil {
		return err
	}
	delete(m.adminEmails, adminEmailKey(old))
	m.admins[a.ID] = a
	m.adminEmails[adminEmailKey(a)] = a.ID
	m.appendEvents(evs)
	return nil
}

// adminEvents returns the event to append with an admin change: none for
// the zero Event.
func adminEvents(ev notary.Event) []notary.Event {
	if ev == (notary.Event{}) {
		return nil
	}
	return []notary.Event{ev}
}

// AdminByID returns the account, or an error wrapping ErrNotFound.
func (m *Memory) AdminByID(ctx context.Context, id uuid.UUID) (notary.AdminAccount, error) {
	if err := ctx.Err(); err != nil {
		return notary.AdminAccount{}, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	a, ok := m.admins[id]
	if !ok {
		return notary.AdminAccount{}, notFound("admin %s", id)
	}
	return a, nil
}

// AdminByEmail returns the office's account with that email (compared
// case-insensitively), or an error wrapping ErrNotFound.
func (m *Memory) AdminByEmail(ctx context.Context, officeID uuid.UUID, email string) (notary.AdminAccount, error) {
	if err := ctx.Err(); err != nil {
		return notary.AdminAccount{}, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	id, ok := m.adminEmails[emailKey{officeID, strings.ToLower(email)}]
	if !ok {
		return notary.AdminAccount{}, notFound("admin %q at office %s", email, officeID)
	}
	return m.admins[id], nil
}

// ListAdmins returns the office's accounts ordered by email (then ID).
func (m *Memory) ListAdmins(ctx context.Context, officeID uuid.UUID) ([]notary.AdminAccount, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	var out []notary.AdminAccount
	for _, a := range m.admins {
		if a.OfficeID == officeID {
			out = append(out, a)
		}
	}
	m.mu.RUnlock()
	slices.SortFunc(out, func(a, b notary.AdminAccount) int {
		if c := strings.Compare(a.Email, b.Email); c != 0 {
			return c
		}
		return bytes.Compare(a.ID[:], b.ID[:])
	})
	return out, nil
}

// CreateSession stores s; ErrConflict if its TokenHash exists.
func (m *Memory) CreateSession(ctx context.Context, s notary.Session) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.TokenHash == "" {
		return invalid("session without token hash")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.sessions[s.TokenHash]; ok {
		return conflict("session already exists")
	}
	m.sessions[s.TokenHash] = s
	set := m.adminSessions[s.AdminID]
	if set == nil {
		set = map[string]struct{}{}
		m.adminSessions[s.AdminID] = set
	}
	set[s.TokenHash] = struct{}{}
	return nil
}

// Session returns the session with that token hash, or an error wrapping
// ErrNotFound.
func (m *Memory) Session(ctx context.Context, tokenHash string) (notary.Session, error) {
	if err := ctx.Err(); err != nil {
		return notary.Session{}, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	s, ok := m.sessions[tokenHash]
	if !ok {
		return notary.Session{}, notFound("session")
	}
	return s, nil
}

// SessionAdmin returns the session with that token hash and its admin's
// account, read together under one lock, or an error wrapping ErrNotFound
// when either is absent.
func (m *Memory) SessionAdmin(ctx context.Context, tokenHash string) (notary.Session, notary.AdminAccount, error) {
	if err := ctx.Err(); err != nil {
		return notary.Session{}, notary.AdminAccount{}, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	l := m.sessionAdmin(tokenHash)
	return l.Session, l.Account, l.Err
}

// sessionAdmin is SessionAdmin with the lock held.
func (m *Memory) sessionAdmin(tokenHash string) notary.SessionLookup {
	s, ok := m.sessions[tokenHash]
	if !ok {
		return notary.SessionLookup{Err: notFound("session")}
	}
	a, ok := m.admins[s.AdminID]
	if !ok {
		return notary.SessionLookup{Err: notFound("admin %s of the session", s.AdminID)}
	}
	return notary.SessionLookup{Session: s, Account: a}
}

// TouchSession sets the session's LastSeenAt, or fails with ErrNotFound.
func (m *Memory) TouchSession(ctx context.Context, tokenHash string, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[tokenHash]
	if !ok {
		return notFound("session")
	}
	s.LastSeenAt = at
	m.sessions[tokenHash] = s
	return nil
}

// DeleteSession removes the session, if it exists.
func (m *Memory) DeleteSession(ctx context.Context, tokenHash string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[tokenHash]
	if !ok {
		return nil
	}
	delete(m.sessions, tokenHash)
	if set := m.adminSessions[s.AdminID]; set != nil {
		delete(set, tokenHash)
		if len(set) == 0 {
			delete(m.adminSessions, s.AdminID)
		}
	}
	return nil
}

// DeleteAdminSessions removes every session of the admin.
func (m *Memory) DeleteAdminSessions(ctx context.Context, adminID uuid.UUID) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for tokenHash := range m.adminSessions[adminID] {
		delete(m.sessions, tokenHash)
	}
	delete(m.adminSessions, adminID)
	return nil
}
