package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
)

// emailKey is the case-insensitive form of an admin email, unique per
// office. It is computed in Go (Unicode-aware), not with SQLite's ASCII-only
// lower().
func emailKey(email string) string { return strings.ToLower(email) }

// adminEvents returns the event to append with an admin change: none for
// the zero Event.
func adminEvents(ev notary.Event) []notary.Event {
	if ev == (notary.Event{}) {
		return nil
	}
	return []notary.Event{ev}
}

func adminArgs(a notary.AdminAccount) []any {
	return []any{uid(a.OfficeID), a.Email, emailKey(a.Email), a.Name, string(a.Role), a.PasswordHash,
		a.Disabled, a.FailedLogins, tsNull(a.LockedUntil), a.Version, a.AuditHead, ts(a.CreatedAt), ts(a.UpdatedAt)}
}

// adminUniqueErr maps a unique violation on admins to ErrConflict.
func adminUniqueErr(a notary.AdminAccount, err error) error {
	switch {
	case isUnique(err, "admins.id"):
		return conflict("admin %s already exists", a.ID)
	case isUnique(err, "admins.office_id", "admins.email_key"):
		return conflict("office %s already has an admin with email %q", a.OfficeID, a.Email)
	case err != nil:
		return fmt.Errorf("sqlite: store admin: %w", err)
	}
	return nil
}

// CreateAdmin stores a new account and its first audit event (none for the
// zero Event) atomically. It fails with ErrConflict if the ID exists or the
// office already has an account with that email (compared
// case-insensitively).
func (s *Store) CreateAdmin(ctx context.Context, a notary.AdminAccount, ev notary.Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if a.ID == uuid.Nil || a.OfficeID == uuid.Nil {
		return invalid("admin account without ID or office")
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO admins (id, office_id, email, email_key, name, role, password_hash, disabled,
				failed_logins, locked_until, version, audit_head, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			append([]any{uid(a.ID)}, adminArgs(a)...)...)
		if err := adminUniqueErr(a, err); err != nil {
			return err
		}
		return insertEvents(ctx, tx, adminEvents(ev))
	})
}

// UpdateAdmin stores a, whose Version is already incremented, with its
// audit event (none for the zero Event) if the stored version is
// expectedVersion. ErrConflict on a version mismatch or an email taken by
// another account of the office, ErrNotFound if absent.
func (s *Store) UpdateAdmin(ctx context.Context, a notary.AdminAccount, expectedVersion int64, ev notary.Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		var version int64
		err := tx.QueryRowContext(ctx, `SELECT version FROM admins WHERE id = ?`, uid(a.ID)).Scan(&version)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return notFound("admin %s", a.ID)
		case err != nil:
			return fmt.Errorf("sqlite: update admin: %w", err)
		}
		if version != expectedVersion {
			return conflict("admin %s is at version %d, not %d", a.ID, version, expectedVersion)
		}
		_, err = tx.ExecContext(ctx, `
			UPDATE admins SET office_id = ?, email = ?, email_key = ?, name = ?, role = ?, password_hash = ?,
				disabled = ?, failed_logins = ?, locked_until = ?, version = ?, audit_head = ?,
				created_at = ?, updated_at = ?
			WHERE id = ? AND version = ?`,
			append(adminArgs(a), uid(a.ID), expectedVersion)...)
		if err := adminUniqueErr(a, err); err != nil {
			return err
		}
		return insertEvents(ctx, tx, adminEvents(ev))
	})
}

const adminColumns = `id, office_id, email, name, role, password_hash, disabled, failed_logins, locked_until,
	version, audit_head, created_at, updated_at`

// scanner is a row: *sql.Row, *sql.Rows or a prefixedRow.
type scanner interface{ Scan(...any) error }

// prefixedRow is a row whose leading columns go to dest and the rest to the
// destinations given to Scan: it lets scanAdmin read the admin columns that
// follow other columns in a joined row.
type prefixedRow struct {
	row  scanner
	dest []any
}

func (r prefixedRow) Scan(dest ...any) error { return r.row.Scan(append(r.dest, dest...)...) }

// qualify prefixes each column of a column list with a table alias.
func qualify(alias, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// scanAdmin reads the adminColumns of a row.
func scanAdmin(sc scanner) (notary.AdminAccount, error) {
	var (
		a                        notary.AdminAccount
		id, office               sql.NullString
		locked, created, updated sql.NullString
		role                     string
		err                      error
	)
	if err = sc.Scan(&id, &office, &a.Email, &a.Name, &role, &a.PasswordHash, &a.Disabled, &a.FailedLogins,
		&locked, &a.Version, &a.AuditHead, &created, &updated); err != nil {
		return a, err
	}
	a.Role = notary.Role(role)
	if a.ID, err = parseUID(id); err != nil {
		return a, err
	}
	if a.OfficeID, err = parseUID(office); err != nil {
		return a, err
	}
	if a.LockedUntil, err = parseTS(locked); err != nil {
		return a, err
	}
	if a.CreatedAt, err = parseTS(created); err != nil {
		return a, err
	}
	a.UpdatedAt, err = parseTS(updated)
	return a, err
}

// AdminByID returns the account, or an error wrapping ErrNotFound.
func (s *Store) AdminByID(ctx context.Context, id uuid.UUID) (notary.AdminAccount, error) {
	a, err := scanAdmin(s.r.QueryRowContext(ctx, `SELECT `+adminColumns+` FROM admins WHERE id = ?`, uid(id)))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return notary.AdminAccount{}, notFound("admin %s", id)
	case err != nil:
		return notary.AdminAccount{}, s.fail(ctx, "admin", err)
	}
	return a, nil
}

// AdminByEmail returns the office's account with that email (compared
// case-insensitively), or an error wrapping ErrNotFound.
func (s *Store) AdminByEmail(ctx context.Context, officeID uuid.UUID, email string) (notary.AdminAccount, error) {
	a, err := scanAdmin(s.r.QueryRowContext(ctx,
		`SELECT `+adminColumns+` FROM admins WHERE office_id = ? AND email_key = ?`, uid(officeID), emailKey(email)))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return notary.AdminAccount{}, notFound("admin %q at office %s", email, officeID)
	case err != nil:
		return notary.AdminAccount{}, s.fail(ctx, "admin by email", err)
	}
	return a, nil
}

// ListAdmins returns the office's accounts ordered by email (then ID).
func (s *Store) ListAdmins(ctx context.Context, officeID uuid.UUID) ([]notary.AdminAccount, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx,
		`SELECT `+adminColumns+` FROM admins WHERE office_id = ? ORDER BY email, id`, uid(officeID))
	if err != nil {
		return nil, s.fail(ctx, "list admins", err)
	}
	defer rows.Close()
	var out []notary.AdminAccount
	for rows.Next() {
		a, err := scanAdmin(rows)
		if err != nil {
			return nil, s.fail(ctx, "list admins", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "list admins", err)
	}
	return out, nil
}

// CreateSession stores sess; ErrConflict if its TokenHash exists.
func (s *Store) CreateSession(ctx context.Context, sess notary.Session) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if sess.TokenHash == "" {
		return invalid("session without token hash")
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO sessions (token_hash, admin_id, office_id, created_at, last_seen_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?)`,
			sess.TokenHash, uid(sess.AdminID), uid(sess.OfficeID), ts(sess.CreatedAt), ts(sess.LastSeenAt),
			ts(sess.ExpiresAt))
		switch {
		case isUnique(err, "sessions.token_hash"):
			return conflict("session already exists")
		case err != nil:
			return fmt.Errorf("sqlite: create session: %w", err)
		}
		return nil
	})
}

const sessionColumns = `token_hash, admin_id, office_id, created_at, last_seen_at, expires_at`

// sessionRow receives the sessionColumns of a row.
type sessionRow struct {
	tokenHash              string
	admin, office          sql.NullString
	created, seen, expires sql.NullString
}

func (r *sessionRow) dest() []any {
	return []any{&r.tokenHash, &r.admin, &r.office, &r.created, &r.seen, &r.expires}
}

func (r *sessionRow) session() (notary.Session, error) {
	sess := notary.Session{TokenHash: r.tokenHash}
	var err error
	if sess.AdminID, err = parseUID(r.admin); err != nil {
		return notary.Session{}, err
	}
	if sess.OfficeID, err = parseUID(r.office); err != nil {
		return notary.Session{}, err
	}
	if sess.CreatedAt, err = parseTS(r.created); err != nil {
		return notary.Session{}, err
	}
	if sess.LastSeenAt, err = parseTS(r.seen); err != nil {
		return notary.Session{}, err
	}
	if sess.ExpiresAt, err = parseTS(r.expires); err != nil {
		return notary.Session{}, err
	}
	return sess, nil
}

// Session returns the session with that token hash, or an error wrapping
// ErrNotFound.
func (s *Store) Session(ctx context.Context, tokenHash string) (notary.Session, error) {
	var r sessionRow
	err := s.r.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE token_hash = ?`, tokenHash).
		Scan(r.dest()...)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return notary.Session{}, notFound("session")
	case err != nil:
		return notary.Session{}, s.fail(ctx, "session", err)
	}
	return r.session()
}

var sessionAdminSQL = `SELECT ` + qualify("s", sessionColumns) + `, ` + qualify("a", adminColumns) + `
	FROM sessions s JOIN admins a ON a.id = s.admin_id
	WHERE s.token_hash = ?`

// SessionAdmin returns the session with that token hash and its admin's
// account, read with one query, or an error wrapping ErrNotFound when the
// session or its account is absent.
func (s *Store) SessionAdmin(ctx context.Context, tokenHash string) (notary.Session, notary.AdminAccount, error) {
	l := s.sessionAdmin(ctx, s.r, tokenHash)
	return l.Session, l.Account, l.Err
}

func (s *Store) sessionAdmin(ctx context.Context, q queryRower, tokenHash string) notary.SessionLookup {
	var r sessionRow
	a, err := scanAdmin(prefixedRow{row: q.QueryRowContext(ctx, sessionAdminSQL, tokenHash), dest: r.dest()})
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return notary.SessionLookup{Err: notFound("session with its admin")}
	case err != nil:
		return notary.SessionLookup{Err: s.fail(ctx, "session with its admin", err)}
	}
	sess, err := r.session()
	if err != nil {
		return notary.SessionLookup{Err: err}
	}
	return notary.SessionLookup{Session: sess, Account: a}
}

// ApplicationForReview returns what Application and SessionAdmin return,
// read in one transaction and so from one snapshot.
func (s *Store) ApplicationForReview(ctx context.Context, id uuid.UUID, tokenHash string) (notary.Application, notary.SessionLookup, error) {
	return forReview(ctx, s, tokenHash, func(q queryRower) (notary.Application, error) { return s.application(ctx, q, id) })
}

// FilingForReview returns what Filing and SessionAdmin return, read in one
// transaction and so from one snapshot.
func (s *Store) FilingForReview(ctx context.Context, id uuid.UUID, tokenHash string) (notary.Filing, notary.SessionLookup, error) {
	return forReview(ctx, s, tokenHash, func(q queryRower) (notary.Filing, error) { return s.filing(ctx, q, id) })
}

func forReview[T any](ctx context.Context, s *Store, tokenHash string, read func(queryRower) (T, error)) (T, notary.SessionLookup, error) {
	var zero T
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return zero, notary.SessionLookup{}, s.fail(ctx, "begin a read", err)
	}
	defer func() { _ = tx.Rollback() }() // it only read: nothing to keep
	rec, err := read(tx)
	if err != nil {
		return zero, notary.SessionLookup{}, err
	}
	return rec, s.sessionAdmin(ctx, tx, tokenHash), nil
}

// TouchSession sets the session's LastSeenAt, or fails with ErrNotFound.
func (s *Store) TouchSession(ctx context.Context, tokenHash string, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?`, ts(at), tokenHash)
		if err != nil {
			return fmt.Errorf("sqlite: touch session: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("sqlite: touch session: %w", err)
		} else if n == 0 {
			return notFound("session")
		}
		return nil
	})
}

// DeleteSession removes the session, if it exists.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash); err != nil {
			return fmt.Errorf("sqlite: delete session: %w", err)
		}
		return nil
	})
}

// DeleteAdminSessions removes every session of the admin.
func (s *Store) DeleteAdminSessions(ctx context.Context, adminID uuid.UUID) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE admin_id = ?`, uid(adminID)); err != nil {
			return fmt.Errorf("sqlite: delete admin sessions: %w", err)
		}
		return nil
	})
}
