package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/notarykit/notarykit/notary"
)

// ---------------------------------------------------------------------------
// Column encodings.

// timeLayout is fixed-width UTC with nanoseconds, so that text order is
// time order (for years 0001 to 9999).
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// ts encodes a time for a NOT NULL column.
func ts(t time.Time) string { return t.UTC().Format(timeLayout) }

// tsNull encodes an optional time: NULL when zero.
func tsNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ts(t)
}

// parseTS decodes ts or tsNull output; NULL and "" decode to the zero time.
func parseTS(s sql.NullString) (time.Time, error) {
	if !s.Valid || s.String == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(timeLayout, s.String)
	if err != nil {
		return time.Time{}, fmt.Errorf("sqlite: bad time %q: %w", s.String, err)
	}
	return t, nil
}

// uid encodes a UUID as canonical lower-case text.
func uid(id uuid.UUID) string { return id.String() }

// uidNull encodes an optional UUID: NULL when nil.
func uidNull(id uuid.UUID) any {
	if id == uuid.Nil {
		return nil
	}
	return id.String()
}

// parseUID decodes uid or uidNull output; NULL decodes to uuid.Nil.
func parseUID(s sql.NullString) (uuid.UUID, error) {
	if !s.Valid || s.String == "" {
		return uuid.Nil, nil
	}
	id, err := uuid.Parse(s.String)
	if err != nil {
		return uuid.Nil, fmt.Errorf("sqlite: bad uuid %q: %w", s.String, err)
	}
	return id, nil
}

// ---------------------------------------------------------------------------
// Errors.

func conflict(format string, args ...any) error {
	return fmt.Errorf("%w: %s", notary.ErrConflict, fmt.Sprintf(format, args...))
}

func notFound(format string, args ...any) error {
	return fmt.Errorf("%w: %s", notary.ErrNotFound, fmt.Sprintf(format, args...))
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: store: %s", notary.ErrInvalidInput, fmt.Sprintf(format, args...))
}

func duplicate(format string, args ...any) error {
	return fmt.Errorf("%w: %s", notary.ErrDuplicate, fmt.Sprintf(format, args...))
}

// constraint reports whether err is an SQLite constraint violation
// (SQLITE_CONSTRAINT or one of its extended codes), with the extended code
// and the message, which names the table and columns involved (e.g.
// "UNIQUE constraint failed: filings.office_id, filings.owner_id").
func constraint(err error) (code int, msg string, ok bool) {
	var se *sqlite.Error
	if !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_CONSTRAINT {
		return 0, "", false
	}
	return se.Code(), se.Error(), true
}

// appendOnly reports whether err is the refusal of one of the triggers that
// keep the audit trail and the transparency log append-only (events_no_update,
// events_no_delete, log_*_no_change, log_*_no_delete), whose messages all
// say "append-only".
func appendOnly(err error) bool {
	code, msg, ok := constraint(err)
	return ok && code == sqlite3.SQLITE_CONSTRAINT_TRIGGER && strings.Contains(msg, "append-only")
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation of
// exactly the given "table.column" list, as SQLite names it in the message
// (e.g. "UNIQUE constraint failed: filings.office_id, filings.owner_id").
func isUnique(err error, columns ...string) bool {
	code, msg, ok := constraint(err)
	if !ok || (code != sqlite3.SQLITE_CONSTRAINT_UNIQUE && code != sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY) {
		return false
	}
	const marker = "constraint failed: "
	i := strings.LastIndex(msg, marker)
	if i < 0 {
		return false
	}
	list := msg[i+len(marker):]
	if j := strings.Index(list, " ("); j >= 0 {
		list = list[:j]
	}
	got := strings.Split(list, ",")
	if len(got) != len(columns) {
		return false
	}
	for k, c := range got {
		if strings.TrimSpace(c) != columns[k] {
			return false
		}
	}
	return true
}
