package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/adapters/internal/recorddoc"
	"github.com/notarykit/notarykit/notary"
)

// defaultLimit is the page size used when a listing's limit is not positive.
const defaultLimit = notary.DefaultLimit

// Commit applies c in one write transaction, as documented on
// [notary.Records]: the record is inserted (ExpectedVersion 0) or updated
// with "WHERE id = ? AND version = ?"; evidence is released (only what the
// application holds), then reserved; events, notices and the dedup key are
// inserted. Unique constraints of the schema decide the outcome (ErrConflict,
// ErrEvidenceReserved, ErrDuplicate) and any error rolls the whole
// transaction back, so a failed Commit changes nothing.
func (s *Store) Commit(ctx context.Context, c notary.Change) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	var (
		doc []byte
		err error
	)
	if c.Filing != nil {
		doc, err = recorddoc.EncodeFiling(*c.Filing)
	} else {
		doc = recorddoc.EncodeApplication(*c.Application)
	}
	if err != nil {
		return fmt.Errorf("%w: sqlite: %v", notary.ErrInvalidInput, err)
	}
	notices := make([]noticeRow, len(c.Notices))
	for i, n := range c.Notices {
		if notices[i], err = encodeNotice(n); err != nil {
			return err
		}
	}

	return s.write(ctx, func(tx *sql.Tx) error {
		if c.Filing != nil {
			if err := putFiling(ctx, tx, *c.Filing, string(doc), c.ExpectedVersion); err != nil {
				return err
			}
			if err := putRevisions(ctx, tx, c); err != nil {
				return err
			}
		} else {
			a := *c.Application
			if err := putApplication(ctx, tx, a, string(doc), c.ExpectedVersion); err != nil {
				return err
			}
			if err := release(ctx, tx, a.ID, c.Release); err != nil {
				return err
			}
			if err := reserve(ctx, tx, a.ID, c.Reserve); err != nil {
				return err
			}
			if c.Match != nil {
				if err := matchTransfer(ctx, tx, a.OfficeID, a.ID, *c.Match); err != nil {
					return err
				}
			}
		}
		if err := insertEvents(ctx, tx, c.Events); err != nil {
			return err
		}
		for _, n := range notices {
			if err := insertNotice(ctx, tx, n); err != nil {
				return err
			}
		}
		if c.DedupKey != "" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO dedup_keys (dedup_key) VALUES (?)`, c.DedupKey); err != nil {
				if isUnique(err, "dedup_keys.dedup_key") {
					return duplicate("dedup key %q already used", c.DedupKey)
				}
				return fmt.Errorf("sqlite: record dedup key: %w", err)
			}
		}
		return nil
	})
}

func putFiling(ctx context.Context, tx *sql.Tx, f notary.Filing, doc string, expected int64) error {
	var (
		res sql.Result
		err error
	)
	if expected == 0 {
		res, err = tx.ExecContext(ctx, `
			INSERT INTO filings (id, office_id, owner_id, state, version, revision, created_at, updated_at, doc)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			uid(f.ID), uid(f.OfficeID), f.Owner.ID, string(f.State), f.Version, f.Revision,
			ts(f.CreatedAt), ts(f.UpdatedAt), doc)
	} else {
		res, err = tx.ExecContext(ctx, `
			UPDATE filings SET office_id = ?, owner_id = ?, state = ?, version = ?, revision = ?,
				created_at = ?, updated_at = ?, doc = ?
			WHERE id = ? AND version = ?`,
			uid(f.OfficeID), f.Owner.ID, string(f.State), f.Version, f.Revision,
			ts(f.CreatedAt), ts(f.UpdatedAt), doc, uid(f.ID), expected)
	}
	switch {
	case isUnique(err, "filings.id"):
		return conflict("filing %s already exists", f.ID)
	case isUnique(err, "filings.office_id", "filings.owner_id"):
		return conflict("user %q already has a filing at office %s", f.Owner.ID, f.OfficeID)
	case err != nil:
		return fmt.Errorf("sqlite: store filing: %w", err)
	}
	return checkUpdated(ctx, tx, res, "filings", "filing", f.ID, expected)
}

func putApplication(ctx context.Context, tx *sql.Tx, a notary.Application, doc string, expected int64) error {
	var (
		res sql.Result
		err error
	)
	if expected == 0 {
		res, err = tx.ExecContext(ctx, `
			INSERT INTO applications (id, office_id, owner_id, filing_id, state, version, idempotency_key,
				quote_amount, quote_currency, payment_id, created_at, updated_at, expires_at, doc)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			uid(a.ID), uid(a.OfficeID), a.Owner.ID, uid(a.FilingID), string(a.State), a.Version, a.IdempotencyKey,
			recorddoc.DecimalString(a.Quote.Amount), a.Quote.Currency, a.Payment.ID, ts(a.CreatedAt), ts(a.UpdatedAt),
			tsNull(a.ExpiresAt), doc)
	} else {
		res, err = tx.ExecContext(ctx, `
			UPDATE applications SET office_id = ?, owner_id = ?, filing_id = ?, state = ?, version = ?,
				idempotency_key = ?, quote_amount = ?, quote_currency = ?, payment_id = ?,
				created_at = ?, updated_at = ?, expires_at = ?, doc = ?
			WHERE id = ? AND version = ?`,
			uid(a.OfficeID), a.Owner.ID, uid(a.FilingID), string(a.State), a.Version, a.IdempotencyKey,
			recorddoc.DecimalString(a.Quote.Amount), a.Quote.Currency, a.Payment.ID, ts(a.CreatedAt), ts(a.UpdatedAt),
			tsNull(a.ExpiresAt), doc, uid(a.ID), expected)
	}
	switch {
	case isUnique(err, "applications.id"):
		return conflict("application %s already exists", a.ID)
	case isUnique(err, "applications.office_id", "applications.owner_id", "applications.idempotency_key"):
		if expected == 0 {
			// A record that exists is a conflict first, whatever its key.
			var one int
			switch qerr := tx.QueryRowContext(ctx, `SELECT 1 FROM applications WHERE id = ?`, uid(a.ID)).Scan(&one); {
			case qerr == nil:
				return conflict("application %s already exists", a.ID)
			case !errors.Is(qerr, sql.ErrNoRows):
				return fmt.Errorf("sqlite: store application: %w", qerr)
			}
		}
		return duplicate("idempotency key %q already used", a.IdempotencyKey)
	case err != nil:
		return fmt.Errorf("sqlite: store application: %w", err)
	}
	return checkUpdated(ctx, tx, res, "applications", "application", a.ID, expected)
}

// checkUpdated turns an update that matched no row into ErrNotFound (no
// such record) or ErrConflict (another version is stored).
func checkUpdated(ctx context.Context, tx *sql.Tx, res sql.Result, table, kind string, id uuid.UUID, expected int64) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlite: store %s: %w", kind, err)
	}
	if n == 1 {
		return nil
	}
	var version int64
	// table is one of two constants, never input.
	err = tx.QueryRowContext(ctx, `SELECT version FROM `+table+` WHERE id = ?`, uid(id)).Scan(&version)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return notFound("%s %s", kind, id)
	case err != nil:
		return fmt.Errorf("sqlite: store %s: %w", kind, err)
	}
	return conflict("%s %s is at version %d, not %d", kind, id, version, expected)
}

func release(ctx context.Context, tx *sql.Tx, app uuid.UUID, ids []string) error {
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx,
			`DELETE FROM evidence_reservations WHERE evidence_id = ? AND application_id = ?`, id, uid(app)); err != nil {
			return fmt.Errorf("sqlite: release evidence: %w", err)
		}
	}
	return nil
}

func reserve(ctx context.Context, tx *sql.Tx, app uuid.UUID, ids []string) error {
	for _, id := range ids {
		_, err := tx.ExecContext(ctx,
			`INSERT INTO evidence_reservations (evidence_id, application_id) VALUES (?, ?)`, id, uid(app))
		if err == nil {
			continue
		}
		if !isUnique(err, "evidence_reservations.evidence_id") {
			return fmt.Errorf("sqlite: reserve evidence: %w", err)
		}
		var holder string
		if err := tx.QueryRowContext(ctx,
			`SELECT application_id FROM evidence_reservations WHERE evidence_id = ?`, id).Scan(&holder); err != nil {
			return fmt.Errorf("sqlite: reserve evidence: %w", err)
		}
		if holder != uid(app) {
			return fmt.Errorf("%w: evidence %q is held by application %s", notary.ErrEvidenceReserved, id, holder)
		}
		// Already held by this application: reserving again is a no-op.
	}
	return nil
}

func insertEvents(ctx context.Context, tx *sql.Tx, evs []notary.Event) error {
	for _, ev := range evs {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO events (id, record_id, record_kind, office_id, seq, trigger_name, from_state, to_state,
				actor_kind, actor_id, actor_name, reason, at, prev_hash, hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			uidNull(ev.ID), uid(ev.RecordID), string(ev.RecordKind), uid(ev.OfficeID), ev.Seq, ev.Trigger,
			ev.From, ev.To, string(ev.Actor.Kind), ev.Actor.ID, ev.Actor.Name, ev.Reason, ts(ev.At),
			ev.PrevHash, ev.Hash)
		switch {
		case isUnique(err, "events.id"):
			return conflict("event %s already exists", ev.ID)
		case isUnique(err, "events.record_id", "events.seq"):
			return conflict("record %s already has event seq %d", ev.RecordID, ev.Seq)
		case err != nil:
			return fmt.Errorf("sqlite: append event: %w", err)
		}
	}
	return nil
}

const eventColumns = `id, record_id, record_kind, office_id, seq, trigger_name, from_state, to_state,
	actor_kind, actor_id, actor_name, reason, at, prev_hash, hash`

func scanEvent(sc interface{ Scan(...any) error }) (notary.Event, error) {
	var (
		ev                  notary.Event
		id, rec, office, at sql.NullString
		kind, actorKind     string
		err                 error
	)
	if err = sc.Scan(&id, &rec, &kind, &office, &ev.Seq, &ev.Trigger, &ev.From, &ev.To,
		&actorKind, &ev.Actor.ID, &ev.Actor.Name, &ev.Reason, &at, &ev.PrevHash, &ev.Hash); err != nil {
		return ev, err
	}
	ev.RecordKind, ev.Actor.Kind = notary.RecordKind(kind), notary.ActorKind(actorKind)
	if ev.ID, err = parseUID(id); err != nil {
		return ev, err
	}
	if ev.RecordID, err = parseUID(rec); err != nil {
		return ev, err
	}
	if ev.OfficeID, err = parseUID(office); err != nil {
		return ev, err
	}
	ev.At, err = parseTS(at)
	return ev, err
}

// queryRower is what a read needs: a *sql.DB or a *sql.Tx.
type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Filing returns the filing with id, or an error wrapping ErrNotFound.
func (s *Store) Filing(ctx context.Context, id uuid.UUID) (notary.Filing, error) {
	return s.filing(ctx, s.r, id)
}

func (s *Store) filing(ctx context.Context, q queryRower, id uuid.UUID) (notary.Filing, error) {
	var doc []byte
	err := q.QueryRowContext(ctx, `SELECT doc FROM filings WHERE id = ?`, uid(id)).Scan(&doc)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return notary.Filing{}, notFound("filing %s", id)
	case err != nil:
		return notary.Filing{}, s.fail(ctx, "filing", err)
	}
	return recorddoc.DecodeFiling(doc)
}

// FilingByOwner returns the user's filing at the office, or an error
// wrapping ErrNotFound.
func (s *Store) FilingByOwner(ctx context.Context, officeID uuid.UUID, ownerID string) (notary.Filing, error) {
	var doc []byte
	err := s.r.QueryRowContext(ctx,
		`SELECT doc FROM filings WHERE office_id = ? AND owner_id = ?`, uid(officeID), ownerID).Scan(&doc)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return notary.Filing{}, notFound("filing of user %q at office %s", ownerID, officeID)
	case err != nil:
		return notary.Filing{}, s.fail(ctx, "filing by owner", err)
	}
	return recorddoc.DecodeFiling(doc)
}

// Application returns the application with id, or an error wrapping
// ErrNotFound.
func (s *Store) Application(ctx context.Context, id uuid.UUID) (notary.Application, error) {
	return s.application(ctx, s.r, id)
}

func (s *Store) application(ctx context.Context, q queryRower, id uuid.UUID) (notary.Application, error) {
	var doc []byte
	err := q.QueryRowContext(ctx, `SELECT doc FROM applications WHERE id = ?`, uid(id)).Scan(&doc)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return notary.Application{}, notFound("application %s", id)
	case err != nil:
		return notary.Application{}, s.fail(ctx, "application", err)
	}
	return recorddoc.DecodeApplication(doc)
}

// ApplicationByKey returns the owner's application created with the
// idempotency key, or an error wrapping ErrNotFound (always for an empty
// key).
func (s *Store) ApplicationByKey(ctx context.Context, officeID uuid.UUID, ownerID, key string) (notary.Application, error) {
	if err := ctx.Err(); err != nil {
		return notary.Application{}, err
	}
	if key == "" {
		return notary.Application{}, notFound("application of user %q with key %q", ownerID, key)
	}
	var doc []byte
	err := s.r.QueryRowContext(ctx, `
		SELECT doc FROM applications
		WHERE office_id = ? AND owner_id = ? AND idempotency_key = ? AND idempotency_key <> ''`,
		uid(officeID), ownerID, key).Scan(&doc)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return notary.Application{}, notFound("application of user %q with key %q", ownerID, key)
	case err != nil:
		return notary.Application{}, s.fail(ctx, "application by key", err)
	}
	return recorddoc.DecodeApplication(doc)
}

// listQuery builds the keyset-paginated query of ListFilings and
// ListApplications. table is one of two constants, never input.
func listQuery(table string, q notary.ListQuery) (string, []any, error) {
	if err := q.Validate(); err != nil {
		return "", nil, err
	}
	var b strings.Builder
	args := []any{uid(q.OfficeID)}
	b.WriteString(`SELECT doc FROM ` + table + ` WHERE office_id = ?`)
	if q.OwnerID != "" {
		b.WriteString(` AND owner_id = ?`)
		args = append(args, q.OwnerID)
	}
	if len(q.States) > 0 {
		b.WriteString(` AND state IN (?` + strings.Repeat(`, ?`, len(q.States)-1) + `)`)
		for _, st := range q.States {
			args = append(args, st)
		}
	}
	if len(q.InvoiceStates) > 0 && table == "applications" {
		// The expression of the applications_invoice_state index.
		b.WriteString(` AND json_extract(doc, '$.invoice.state') IN (?` + strings.Repeat(`, ?`, len(q.InvoiceStates)-1) + `)`)
		for _, st := range q.InvoiceStates {
			args = append(args, st)
		}
	}
	if !q.CreatedBefore.IsZero() {
		b.WriteString(` AND created_at < ?`)
		args = append(args, ts(q.CreatedBefore))
	}
	if !q.UpdatedBefore.IsZero() {
		b.WriteString(` AND updated_at < ?`)
		args = append(args, ts(q.UpdatedBefore))
	}
	if !q.UpdatedAfter.IsZero() {
		b.WriteString(` AND updated_at >= ?`)
		args = append(args, ts(q.UpdatedAfter))
	}
	if q.After != nil {
		b.WriteString(` AND (created_at, id) > (?, ?)`)
		args = append(args, ts(q.After.CreatedAt), uid(q.After.ID))
	}
	limit := q.PageSize()
	b.WriteString(` ORDER BY created_at, id LIMIT ?`)
	args = append(args, limit)
	return b.String(), args, nil
}

// listDocs runs a listing query and decodes each row's doc.
func listDocs[T any](ctx context.Context, s *Store, table string, q notary.ListQuery, decode func([]byte) (T, error)) ([]T, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	query, args, err := listQuery(table, q)
	if err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, s.fail(ctx, "list "+table, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, s.fail(ctx, "list "+table, err)
		}
		v, err := decode(doc)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "list "+table, err)
	}
	return out, nil
}

// ListFilings returns the office's filings matching q, ordered by
// (CreatedAt, ID). A query without OfficeID fails with ErrInvalidInput.
func (s *Store) ListFilings(ctx context.Context, q notary.ListQuery) ([]notary.Filing, error) {
	return listDocs(ctx, s, "filings", q, recorddoc.DecodeFiling)
}

// ListApplications returns the office's applications matching q, ordered
// by (CreatedAt, ID). A query without OfficeID fails with ErrInvalidInput.
func (s *Store) ListApplications(ctx context.Context, q notary.ListQuery) ([]notary.Application, error) {
	return listDocs(ctx, s, "applications", q, recorddoc.DecodeApplication)
}

// reservationBatch bounds the number of parameters of one query.
const reservationBatch = 500

// Reservations returns the holder of each of the evidence IDs that is
// currently reserved.
func (s *Store) Reservations(ctx context.Context, evidenceIDs []string) (map[string]uuid.UUID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make(map[string]uuid.UUID, len(evidenceIDs))
	for start := 0; start < len(evidenceIDs); start += reservationBatch {
		batch := evidenceIDs[start:min(start+reservationBatch, len(evidenceIDs))]
		args := make([]any, len(batch))
		for i, id := range batch {
			args[i] = id
		}
		rows, err := s.r.QueryContext(ctx, `
			SELECT evidence_id, application_id FROM evidence_reservations
			WHERE evidence_id IN (?`+strings.Repeat(`, ?`, len(batch)-1)+`)`, args...)
		if err != nil {
			return nil, s.fail(ctx, "reservations", err)
		}
		for rows.Next() {
			var ev string
			var holder sql.NullString
			if err := rows.Scan(&ev, &holder); err != nil {
				rows.Close()
				return nil, s.fail(ctx, "reservations", err)
			}
			id, err := parseUID(holder)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[ev] = id
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, s.fail(ctx, "reservations", err)
		}
	}
	return out, nil
}

// Events returns the record's audit events in Seq order (empty for an
// unknown record).
func (s *Store) Events(ctx context.Context, recordID uuid.UUID) ([]notary.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx,
		`SELECT `+eventColumns+` FROM events WHERE record_id = ? ORDER BY seq`, uid(recordID))
	if err != nil {
		return nil, s.fail(ctx, "events", err)
	}
	defer rows.Close()
	var out []notary.Event
	for rows.Next() {
		ev, err := scanEvent(rows)
		if err != nil {
			return nil, s.fail(ctx, "events", err)
		}
		out = append(out, ev)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "events", err)
	}
	return out, nil
}

// jsonText encodes v for a JSON column.
func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("%w: sqlite: encode: %v", notary.ErrInvalidInput, err)
	}
	return string(b), nil
}
