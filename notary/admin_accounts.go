package notary

import (
	"context"
	"crypto/subtle"
	"strings"
	"time"

	"github.com/google/uuid"
)

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
	if err := checkRole("role", role); err != nil {
		return AdminAccount{}, err
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

// supervisor authorizes a supervisor of the office.
func (m *Admins) supervisor(ctx context.Context, by Admin) (AdminAccount, error) {
	return m.s.dutyAdmin(ctx, by, DutyStaff)
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
