package notary

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// EndSessions ends every session of another admin account of the office
// (a lost phone, a shared screen), recorded on the account's audit trail.
// Only a supervisor may. Errors: ErrForbidden (not a supervisor, the
// supervisor's own account, another office's), ErrNotFound,
// ErrUnauthenticated.
func (m *Admins) EndSessions(ctx context.Context, by Admin, id uuid.UUID) error {
	if err := m.manage(ctx, by, id); err != nil {
		return err
	}
	if _, err := m.update(ctx, id, func(*AdminAccount, time.Time) (adminChange, error) {
		return adminChange{trigger: AdminEndSessions, actor: by.actor()}, nil
	}); err != nil {
		return err
	}
	return m.s.store.DeleteAdminSessions(ctx, id)
}

// Trail returns the audit trail of an admin account of the office, oldest
// first: its creation, logins (successful and refused), lockouts, logouts
// and every change a supervisor made. Only a supervisor may read it.
// Errors: ErrForbidden, ErrNotFound, ErrUnauthenticated.
func (m *Admins) Trail(ctx context.Context, by Admin, id uuid.UUID) ([]Event, error) {
	if _, err := m.supervisor(ctx, by); err != nil {
		return nil, err
	}
	target, err := m.s.store.AdminByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if target.OfficeID != m.s.office.ID {
		return nil, wrap(ErrForbidden, "admin %s belongs to another office", id)
	}
	return m.s.store.Events(ctx, id)
}
