package postgres

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/notarykit/notarykit/adapters/internal/recorddoc"
	"github.com/notarykit/notarykit/notary"
)

const adminColumns = `id, office_id, email, name, role, password_hash, disabled, failed_logins, locked_until,
	version, audit_head, created_at, updated_at`

const insertAdminSQL = `INSERT INTO admins (` + adminColumns + `)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`

const updateAdminSQL = `WITH u AS (
	UPDATE admins SET office_id = $2, email = $3, name = $4, role = $5, password_hash = $6, disabled = $7,
		failed_logins = $8, locked_until = $9, version = $10, audit_head = $11, created_at = $12, updated_at = $13
	WHERE id = $1 AND version = $14
	RETURNING 1
)
SELECT CASE
	WHEN EXISTS (SELECT FROM u) THEN 1
	WHEN EXISTS (SELECT FROM admins WHERE id = $1) THEN notarykit_raise('NK409', 'the admin account was changed since it was read')
	ELSE notarykit_raise('NK404', 'no such admin account')
END`

func adminArgs(a notary.AdminAccount) []any {
	return []any{pgid(a.ID), pgid(a.OfficeID), a.Email, a.Name, string(a.Role), a.PasswordHash, a.Disabled, a.FailedLogins,
		tz(a.LockedUntil), a.Version, a.AuditHead, utc(a.CreatedAt), utc(a.UpdatedAt)}
}

// adminEvents returns the event to append with an admin change: none for
// the zero Event.
func adminEvents(ev notary.Event) []notary.Event {
	if ev == (notary.Event{}) {
		return nil
	}
	return []notary.Event{ev}
}

// CreateAdmin stores a new account and its first audit event (none for the
// zero Event) in one transaction. It fails with ErrConflict if the ID
// exists or the office already has an account with that email (compared
// case-insensitively), and with ErrInvalidInput without ID or office.
func (s *Store) CreateAdmin(ctx context.Context, a notary.AdminAccount, ev notary.Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if a.ID == uuid.Nil || a.OfficeID == uuid.Nil {
		return invalid("admin account without ID or office")
	}
	b := &pgx.Batch{}
	b.Queue(insertAdminSQL, adminArgs(a)...)
	queueEvents(b, adminEvents(ev), nil)
	return s.send(ctx, b)
}

// UpdateAdmin stores a, whose Version is already incremented, with its
// audit event (none for the zero Event) in one transaction if the stored
// version is expectedVersion: ErrConflict on a version mismatch or an email
// taken by another account of the office, ErrNotFound if absent.
func (s *Store) UpdateAdmin(ctx context.Context, a notary.AdminAccount, expectedVersion int64, ev notary.Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b := &pgx.Batch{}
	b.Queue(updateAdminSQL, append(adminArgs(a), expectedVersion)...)
	queueEvents(b, adminEvents(ev), nil)
	return s.send(ctx, b)
}

// scanAdmin reads the adminColumns of a row. UUIDs are scanned natively:
// a uuid.UUID destination would make pgx go through its text form.
func scanAdmin(row pgx.Row) (notary.AdminAccount, error) {
	var (
		a                notary.AdminAccount
		id, office       pgtype.UUID
		role             string
		locked           pgtype.Timestamptz
		created, updated time.Time
	)
	err := row.Scan(&id, &office, &a.Email, &a.Name, &role, &a.PasswordHash, &a.Disabled, &a.FailedLogins,
		&locked, &a.Version, &a.AuditHead, &created, &updated)
	a.ID, a.OfficeID = uuidPtr(id), uuidPtr(office)
	a.Role, a.LockedUntil, a.CreatedAt, a.UpdatedAt = notary.Role(role), fromTZ(locked), utc(created), utc(updated)
	return a, err
}

// prefixedRow is a row whose leading columns go to dest and the rest to the
// destinations given to Scan: it lets scanAdmin read the admin columns that
// follow other columns in a joined row.
type prefixedRow struct {
	row  pgx.Row
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

func (s *Store) admin(ctx context.Context, query string, args []any, missing func() error) (notary.AdminAccount, error) {
	a, err := read(ctx, s, func() (notary.AdminAccount, error) {
		a, err := scanAdmin(s.pool.QueryRow(ctx, query, args...))
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			err = dbError(err)
		}
		return a, err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return notary.AdminAccount{}, missing()
	} else if err != nil {
		return notary.AdminAccount{}, err
	}
	return a, nil
}

// AdminByID returns the account, or an error wrapping ErrNotFound.
func (s *Store) AdminByID(ctx context.Context, id uuid.UUID) (notary.AdminAccount, error) {
	return s.admin(ctx, `SELECT `+adminColumns+` FROM admins WHERE id = $1`, []any{pgid(id)},
		func() error { return notFound("admin %s", id) })
}

// AdminByEmail returns the office's account with that email (compared
// case-insensitively), or an error wrapping ErrNotFound.
func (s *Store) AdminByEmail(ctx context.Context, officeID uuid.UUID, email string) (notary.AdminAccount, error) {
	return s.admin(ctx, `SELECT `+adminColumns+` FROM admins WHERE office_id = $1 AND lower(email) = lower($2)`,
		[]any{pgid(officeID), email}, func() error { return notFound("admin %q at office %s", email, officeID) })
}

// ListAdmins returns the office's accounts ordered by email (byte order,
// then ID).
func (s *Store) ListAdmins(ctx context.Context, officeID uuid.UUID) ([]notary.AdminAccount, error) {
	return read(ctx, s, func() ([]notary.AdminAccount, error) {
		rows, err := s.pool.Query(ctx, `SELECT `+adminColumns+` FROM admins WHERE office_id = $1 ORDER BY email COLLATE "C", id`, pgid(officeID))
		return collect(rows, err, scanAdmin)
	})
}

// CreateSession stores s; ErrConflict if its TokenHash exists,
// ErrInvalidInput if it is empty.
func (s *Store) CreateSession(ctx context.Context, sess notary.Session) error {
	if sess.TokenHash == "" {
		return invalid("session without token hash")
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO sessions (token_hash, admin_id, office_id, created_at, last_seen_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6)`,
		sess.TokenHash, pgid(sess.AdminID), pgid(sess.OfficeID), utc(sess.CreatedAt), utc(sess.LastSeenAt), utc(sess.ExpiresAt))
	return dbError(err)
}

// sessionRow receives the columns of a session row (all but token_hash,
// which the query is keyed by), UUIDs natively.
type sessionRow struct {
	admin, office          pgtype.UUID
	created, seen, expires time.Time
}

const sessionColumns = `admin_id, office_id, created_at, last_seen_at, expires_at`

func (r *sessionRow) dest() []any {
	return []any{&r.admin, &r.office, &r.created, &r.seen, &r.expires}
}

func (r *sessionRow) session(tokenHash string) notary.Session {
	return notary.Session{TokenHash: tokenHash, AdminID: uuidPtr(r.admin), OfficeID: uuidPtr(r.office),
		CreatedAt: utc(r.created), LastSeenAt: utc(r.seen), ExpiresAt: utc(r.expires)}
}

// Session returns the session with that token hash, or an error wrapping
// ErrNotFound.
func (s *Store) Session(ctx context.Context, tokenHash string) (notary.Session, error) {
	return read(ctx, s, func() (notary.Session, error) {
		var r sessionRow
		err := s.pool.QueryRow(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE token_hash = $1`, tokenHash).Scan(r.dest()...)
		if errors.Is(err, pgx.ErrNoRows) {
			return notary.Session{}, notFound("session")
		} else if err != nil {
			return notary.Session{}, dbError(err)
		}
		return r.session(tokenHash), nil
	})
}

var sessionAdminSQL = `SELECT ` + qualify("s", sessionColumns) + `, ` + qualify("a", adminColumns) + `
FROM sessions s JOIN admins a ON a.id = s.admin_id
WHERE s.token_hash = $1`

// SessionAdmin returns the session with that token hash and its admin's
// account, read with one query, or an error wrapping ErrNotFound when the
// session or its account is absent.
func (s *Store) SessionAdmin(ctx context.Context, tokenHash string) (notary.Session, notary.AdminAccount, error) {
	l, _ := read(ctx, s, func() (notary.SessionLookup, error) {
		l := scanSessionAdmin(s.pool.QueryRow(ctx, sessionAdminSQL, tokenHash), tokenHash)
		return l, l.Err
	})
	return l.Session, l.Account, l.Err
}

// scanSessionAdmin reads the row of sessionAdminSQL.
func scanSessionAdmin(row pgx.Row, tokenHash string) notary.SessionLookup {
	var r sessionRow
	a, err := scanAdmin(prefixedRow{row: row, dest: r.dest()})
	if errors.Is(err, pgx.ErrNoRows) {
		return notary.SessionLookup{Err: notFound("session with its admin")}
	} else if err != nil {
		return notary.SessionLookup{Err: dbError(err)}
	}
	return notary.SessionLookup{Session: r.session(tokenHash), Account: a}
}

// ApplicationForReview reads the application and the admin's session with
// its account in one round trip: the two queries go in one pipelined batch,
// which runs as one implicit transaction and so reads one snapshot.
func (s *Store) ApplicationForReview(ctx context.Context, id uuid.UUID, tokenHash string) (notary.Application, notary.SessionLookup, error) {
	return forReview(ctx, s, `SELECT doc FROM applications WHERE id = $1`, id, tokenHash, recorddoc.DecodeApplication,
		func() error { return notFound("application %s", id) })
}

// FilingForReview is ApplicationForReview for a filing.
func (s *Store) FilingForReview(ctx context.Context, id uuid.UUID, tokenHash string) (notary.Filing, notary.SessionLookup, error) {
	return forReview(ctx, s, `SELECT doc FROM filings WHERE id = $1`, id, tokenHash, recorddoc.DecodeFiling,
		func() error { return notFound("filing %s", id) })
}

func forReview[T any](ctx context.Context, s *Store, query string, id uuid.UUID, tokenHash string,
	decode func([]byte) (T, error), missing func() error,
) (T, notary.SessionLookup, error) {
	type both struct {
		rec    T
		lookup notary.SessionLookup
	}
	r, err := read(ctx, s, func() (both, error) {
		b := &pgx.Batch{}
		b.Queue(query, pgid(id))
		b.Queue(sessionAdminSQL, tokenHash)
		br := s.pool.SendBatch(ctx, b)
		rec, err := scanDoc(br.QueryRow(), decode, missing)
		lookup := scanSessionAdmin(br.QueryRow(), tokenHash)
		if cerr := br.Close(); err == nil && cerr != nil {
			err = dbError(cerr)
		}
		if err == nil && errors.Is(lookup.Err, notary.ErrUnavailable) {
			err = lookup.Err
		}
		return both{rec, lookup}, err
	})
	if err != nil {
		var zero T
		return zero, notary.SessionLookup{}, err
	}
	return r.rec, r.lookup, nil
}

// TouchSession sets the session's LastSeenAt, or fails with ErrNotFound.
func (s *Store) TouchSession(ctx context.Context, tokenHash string, at time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1`, tokenHash, utc(at))
	if err != nil {
		return dbError(err)
	}
	if tag.RowsAffected() == 0 {
		return notFound("session")
	}
	return nil
}

// DeleteSession removes the session, if it exists.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash)
	return dbError(err)
}

// DeleteAdminSessions removes every session of the admin.
func (s *Store) DeleteAdminSessions(ctx context.Context, adminID uuid.UUID) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE admin_id = $1`, pgid(adminID))
	return dbError(err)
}
