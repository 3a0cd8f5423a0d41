package postgres

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/notarykit/notarykit/notary"
)

// SQLSTATEs raised by the schema's functions: notarykit_raise, and
// notarykit_append_only, the trigger function that refuses to change or
// remove audit events.
const (
	codeConflict   = "NK409"
	codeNotFound   = "NK404"
	codeAppendOnly = "NK405"
)

// uniqueErrors maps the name of each unique constraint or index to the
// sentinel its violation means.
var uniqueErrors = map[string]error{
	"filings_pkey":                 notary.ErrConflict,
	"filings_office_owner_key":     notary.ErrConflict,
	"applications_pkey":            notary.ErrConflict,
	"applications_idempotency_key": notary.ErrDuplicate,
	"evidence_reservations_pkey":   notary.ErrEvidenceReserved,
	"events_record_seq_key":        notary.ErrConflict,
	"events_id_key":                notary.ErrConflict,
	"dedup_keys_pkey":              notary.ErrDuplicate,
	"outbox_pkey":                  notary.ErrConflict,
	"admins_pkey":                  notary.ErrConflict,
	"admins_office_email_key":      notary.ErrConflict,
	"sessions_pkey":                notary.ErrConflict,
	"inbox_pkey":                   notary.ErrConflict,
	"filing_revisions_pkey":        notary.ErrConflict,
	"bank_transfers_pkey":          notary.ErrConflict,
}

// dbError translates a database error into the sentinel errors of package
// notary where one applies, keeping the original error in the chain.
// Transient failures (see transient) wrap notary.ErrUnavailable.
func dbError(err error) error {
	if err == nil {
		return nil
	}
	if transient(err) {
		return fmt.Errorf("%w: postgres: %w", notary.ErrUnavailable, err)
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return fmt.Errorf("postgres: %w", err)
	}
	var sentinel error
	switch pe.Code {
	case codeConflict:
		sentinel = notary.ErrConflict
	case codeNotFound:
		sentinel = notary.ErrNotFound
	case codeAppendOnly:
		sentinel = notary.ErrForbidden // the audit trail is append-only
	case "23505": // unique_violation
		sentinel = uniqueErrors[pe.ConstraintName]
		if sentinel == nil {
			sentinel = notary.ErrConflict
		}
	case "23514", // check_violation
		"23502", // not_null_violation
		"22001", // string_data_right_truncation
		"22003", // numeric_value_out_of_range
		"22008", // datetime_field_overflow
		"22021", // character_not_in_repertoire (a NUL byte in text)
		"22P02", // invalid_text_representation
		"22P05": // untranslatable_character (\u0000 cast to jsonb)
		sentinel = notary.ErrInvalidInput
	}
	if sentinel == nil {
		return fmt.Errorf("postgres: %w", err)
	}
	return fmt.Errorf("%w: postgres: %w", sentinel, err)
}
