package postgres

import (
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/notarykit/notarykit/adapters/internal/recorddoc"
)

// docTimes makes the doc column of filings and applications, which holds the
// full record in the storage format of package recorddoc, keep times with
// microsecond precision, the precision of timestamptz.
var docTimes = recorddoc.Precision(time.Microsecond)

// utc normalises a time to what timestamptz keeps: UTC, microseconds. The
// zero time stays zero.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

// tz encodes a time for a nullable timestamptz column: NULL for zero.
func tz(t time.Time) pgtype.Timestamptz {
	return pgtype.Timestamptz{Time: utc(t), Valid: !t.IsZero()}
}

// fromTZ decodes a nullable timestamptz column: zero for NULL, else UTC.
func fromTZ(t pgtype.Timestamptz) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return utc(t.Time)
}

func uuidPtr(u pgtype.UUID) uuid.UUID {
	if !u.Valid {
		return uuid.Nil
	}
	return uuid.UUID(u.Bytes)
}

// pgid passes a UUID to pgx natively: uuid.UUID is a driver.Valuer, which
// pgx would encode through its string form.
func pgid(u uuid.UUID) pgtype.UUID { return pgtype.UUID{Bytes: u, Valid: true} }

func nullUUID(u uuid.UUID) pgtype.UUID {
	return pgtype.UUID{Bytes: u, Valid: u != uuid.Nil}
}
