package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/notarykit/notarykit/adapters/internal/recorddoc"
	"github.com/notarykit/notarykit/notary"
)

// defaultLimit is the page size used when a listing's limit is not positive.
const defaultLimit = notary.DefaultLimit

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: postgres: %s", notary.ErrInvalidInput, fmt.Sprintf(format, args...))
}

func notFound(format string, args ...any) error {
	return fmt.Errorf("%w: %s", notary.ErrNotFound, fmt.Sprintf(format, args...))
}

const (
	insertFilingSQL = `INSERT INTO filings (id, office_id, owner_id, state, version, created_at, updated_at, doc)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`

	// updateFilingSQL writes the filing if its stored version is $2 and
	// otherwise aborts the transaction with NK409 (other version) or NK404
	// (no such filing).
	updateFilingSQL = `WITH u AS (
	UPDATE filings SET office_id = $3, owner_id = $4, state = $5, version = $6,
		created_at = $7, updated_at = $8, doc = $9
	WHERE id = $1 AND version = $2
	RETURNING 1
)
SELECT CASE
	WHEN EXISTS (SELECT FROM u) THEN 1
	WHEN EXISTS (SELECT FROM filings WHERE id = $1) THEN notarykit_raise('NK409', 'the filing was changed since it was read')
	ELSE notarykit_raise('NK404', 'no such filing')
END`

	insertApplicationSQL = `INSERT INTO applications (id, office_id, owner_id, state, version, created_at, updated_at,
	expires_at, idempotency_key, quote_amount, currency, doc)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`

	updateApplicationSQL = `WITH u AS (
	UPDATE applications SET office_id = $3, owner_id = $4, state = $5, version = $6,
		created_at = $7, updated_at = $8, expires_at = $9, idempotency_key = $10,
		quote_amount = $11, currency = $12, doc = $13
	WHERE id = $1 AND version = $2
	RETURNING 1
)
SELECT CASE
	WHEN EXISTS (SELECT FROM u) THEN 1
	WHEN EXISTS (SELECT FROM applications WHERE id = $1) THEN notarykit_raise('NK409', 'the application was changed since it was read')
	ELSE notarykit_raise('NK404', 'no such application')
END`

	releaseSQL = `DELETE FROM evidence_reservations WHERE application_id = $1 AND evidence_id = ANY($2::text[])`

	// reserveSQL inserts the reservations the application does not hold
	// yet; one held by another application violates the primary key.
	reserveSQL = `INSERT INTO evidence_reservations (evidence_id, application_id)
SELECT e, $1::uuid FROM unnest($2::text[]) AS e
WHERE NOT EXISTS (SELECT FROM evidence_reservations r WHERE r.evidence_id = e AND r.application_id = $1::uuid)
ORDER BY e` // one lock order for every transaction: overlapping reservations never deadlock

	eventColumns = `record_id, seq, id, record_kind, office_id, trigger, from_state, to_state,
	actor_kind, actor_id, actor_name, reason, at, prev_hash, hash`

	insertEventSQL = `INSERT INTO events (` + eventColumns + `)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`

	insertEventsSQL = `INSERT INTO events (` + eventColumns + `)
SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::uuid[], $4::text[], $5::uuid[], $6::text[], $7::text[],
	$8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::timestamptz[], $14::text[], $15::text[])`

	// insertHostEventSQL and insertHostEventsSQL also write the host event
	// recorded with the event, or NULLs: its data alone (host_data) when
	// its document is notary.HostEventDocument of the event and the data,
	// else the whole document (host). See hostevents.go.
	insertHostEventSQL = `INSERT INTO events (` + eventColumns + `, host, host_data)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`

	insertHostEventsSQL = `INSERT INTO events (` + eventColumns + `, host, host_data)
SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::uuid[], $4::text[], $5::uuid[], $6::text[], $7::text[],
	$8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::timestamptz[], $14::text[], $15::text[],
	$16::text[], $17::text[])`

	insertNoticeSQL = `INSERT INTO outbox (id, office_id, record_id, kind, channel, status, attempts, next_attempt_at,
	claim, lease_until, last_error, delivered_at, created_at, notice, seq, xid)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
	CASE WHEN $15::boolean THEN nextval('outbox_host_seq') END, CASE WHEN $15::boolean THEN pg_current_xact_id() END)`

	// insertFreshNoticeSQL is insertNoticeSQL for a notice with no
	// delivery history, which is what transitions write: the bookkeeping
	// columns take their initial values rather than six more parameters.
	insertFreshNoticeSQL = `INSERT INTO outbox (id, office_id, record_id, kind, channel, status, attempts, next_attempt_at,
	created_at, notice)
VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $7, $8)`

	// insertHostNoticeSQL is insertFreshNoticeSQL for the delivery of a
	// host event to an endpoint, which takes its place in commit order from
	// its transaction's ID and outbox_host_seq (see hostevents.go).
	insertHostNoticeSQL = `INSERT INTO outbox (id, office_id, record_id, kind, channel, status, attempts, next_attempt_at,
	created_at, notice, seq, xid)
VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $7, $8, nextval('outbox_host_seq'), pg_current_xact_id())`

	insertDedupSQL = `INSERT INTO dedup_keys (key) VALUES ($1)`
)

// Commit applies c atomically, as documented on [notary.Records]. All its
// statements go to the server in one pipelined batch, which PostgreSQL runs
// as one implicit transaction: the record's write (an INSERT, or an UPDATE
// guarded by the expected version; it comes first, which the listing of
// host events relies on: see hostHorizonSQL), the evidence releases and
// then reservations, the events (a host event's own notice is written with
// its audit event, in its host column), the outbox notices and the
// deduplication key.
// The first failing statement rolls back the whole transaction and its
// error is mapped onto the notary sentinel errors, so nothing is changed.
//
// The checks happen in this order, which decides the error when several
// apply: the record (ErrConflict, ErrNotFound, ErrDuplicate for the
// idempotency key), the reservations (ErrEvidenceReserved), the events and
// notices (ErrConflict for a taken ID or sequence number), the dedup key
// (ErrDuplicate). A malformed change fails with ErrInvalidInput before
// anything is sent.
func (s *Store) Commit(ctx context.Context, c notary.Change) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	// A batch remembers the statements it was prepared as on its
	// connection, so each attempt sends a fresh one.
	return write(ctx, s, func() error {
		b := &pgx.Batch{}
		if c.Filing != nil {
			if err := queueFiling(b, *c.Filing, c.ExpectedVersion); err != nil {
				return err
			}
			if err := queueRevisions(b, c); err != nil {
				return err
			}
		} else {
			a := c.Application
			queueApplication(b, *a, c.ExpectedVersion)
			if len(c.Release) > 0 {
				b.Queue(releaseSQL, pgid(a.ID), c.Release)
			}
			if len(c.Reserve) > 0 {
				b.Queue(reserveSQL, pgid(a.ID), distinct(c.Reserve))
			}
			if c.Match != nil {
				if err := queueMatch(b, a.OfficeID, a.ID, *c.Match); err != nil {
					return err
				}
			}
		}
		host := c.HostEvent()
		queueEvents(b, c.Events, host)
		for _, n := range c.Notices {
			if host == nil || n.ID != host.ID {
				queueNotice(b, n)
			}
		}
		if c.DedupKey != "" {
			b.Queue(insertDedupSQL, c.DedupKey)
		}
		return s.send(ctx, b)
	})
}

// send runs b as one implicit transaction and maps its first error.
func (s *Store) send(ctx context.Context, b *pgx.Batch) error {
	return dbError(s.pool.SendBatch(ctx, b).Close())
}

// distinct returns ids without repetitions, keeping the first occurrence.
func distinct(ids []string) []string {
	if len(ids) < 2 {
		return ids
	}
	seen := make(map[string]struct{}, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if _, ok := seen[id]; !ok {
			seen[id] = struct{}{}
			out = append(out, id)
		}
	}
	return out
}

func queueFiling(b *pgx.Batch, f notary.Filing, expected int64) error {
	doc, err := recorddoc.EncodeFiling(f, docTimes)
	if err != nil {
		return invalid("encode filing: %v", err)
	}
	if expected == 0 {
		b.Queue(insertFilingSQL, pgid(f.ID), pgid(f.OfficeID), f.Owner.ID, string(f.State), f.Version,
			utc(f.CreatedAt), utc(f.UpdatedAt), doc)
	} else {
		b.Queue(updateFilingSQL, pgid(f.ID), expected, pgid(f.OfficeID), f.Owner.ID, string(f.State), f.Version,
			utc(f.CreatedAt), utc(f.UpdatedAt), doc)
	}
	return nil
}

func queueApplication(b *pgx.Batch, a notary.Application, expected int64) {
	doc := recorddoc.EncodeApplication(a, docTimes)
	amount := a.Quote.Amount.String()
	if expected == 0 {
		b.Queue(insertApplicationSQL, pgid(a.ID), pgid(a.OfficeID), a.Owner.ID, string(a.State), a.Version,
			utc(a.CreatedAt), utc(a.UpdatedAt), tz(a.ExpiresAt), a.IdempotencyKey, amount, a.Quote.Currency, doc)
	} else {
		b.Queue(updateApplicationSQL, pgid(a.ID), expected, pgid(a.OfficeID), a.Owner.ID, string(a.State), a.Version,
			utc(a.CreatedAt), utc(a.UpdatedAt), tz(a.ExpiresAt), a.IdempotencyKey, amount, a.Quote.Currency, doc)
	}
}

// hostColumns are the host and host_data columns of the event e: NULLs
// unless host is e's host event; then its data alone when the rest of its
// document is rebuilt from e as stored (notary.HostEventData), else the
// whole document.
func hostColumns(e notary.Event, host *notary.Notice) (whole, data pgtype.Text) {
	if host == nil || host.ID != e.ID {
		return whole, data
	}
	e.At = utc(e.At)
	if d, ok := notary.HostEventData(e, host.Event); ok {
		return whole, pgtype.Text{String: string(d), Valid: true}
	}
	return pgtype.Text{String: string(host.Event), Valid: true}, data
}

// queueEvents inserts events, the host event with its event, with one
// statement: a plain VALUES row for the usual single event, unnest over
// column arrays for several.
func queueEvents(b *pgx.Batch, evs []notary.Event, host *notary.Notice) {
	switch len(evs) {
	case 0:
		return
	case 1:
		e := evs[0]
		args := []any{pgid(e.RecordID), e.Seq, pgid(e.ID), string(e.RecordKind), pgid(e.OfficeID), e.Trigger, e.From, e.To,
			string(e.Actor.Kind), e.Actor.ID, e.Actor.Name, e.Reason, utc(e.At), e.PrevHash, e.Hash}
		if host == nil {
			b.Queue(insertEventSQL, args...)
		} else {
			whole, data := hostColumns(e, host)
			b.Queue(insertHostEventSQL, append(args, whole, data)...)
		}
		return
	}
	n := len(evs)
	var (
		recordIDs, ids, officeIDs                                  = make([]pgtype.UUID, n), make([]pgtype.UUID, n), make([]pgtype.UUID, n)
		seqs                                                       = make([]int64, n)
		kinds, triggers, froms, tos, actorKinds, actorIDs, actorNm = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		reasons, prevs, hashes                                     = make([]string, n), make([]string, n), make([]string, n)
		ats                                                        = make([]time.Time, n)
		wholes, datas                                              = make([]pgtype.Text, n), make([]pgtype.Text, n)
	)
	for i, e := range evs {
		recordIDs[i], seqs[i], ids[i], kinds[i], officeIDs[i] = pgid(e.RecordID), e.Seq, pgid(e.ID), string(e.RecordKind), pgid(e.OfficeID)
		triggers[i], froms[i], tos[i] = e.Trigger, e.From, e.To
		actorKinds[i], actorIDs[i], actorNm[i] = string(e.Actor.Kind), e.Actor.ID, e.Actor.Name
		reasons[i], ats[i], prevs[i], hashes[i] = e.Reason, utc(e.At), e.PrevHash, e.Hash
		wholes[i], datas[i] = hostColumns(e, host)
	}
	args := []any{recordIDs, seqs, ids, kinds, officeIDs, triggers, froms, tos,
		actorKinds, actorIDs, actorNm, reasons, ats, prevs, hashes}
	if host == nil {
		b.Queue(insertEventsSQL, args...)
	} else {
		b.Queue(insertHostEventsSQL, append(args, wholes, datas)...)
	}
}

// Filing returns the filing with id, or an error wrapping ErrNotFound.
func (s *Store) Filing(ctx context.Context, id uuid.UUID) (notary.Filing, error) {
	return s.filing(ctx, `SELECT doc FROM filings WHERE id = $1`, []any{pgid(id)}, func() error { return notFound("filing %s", id) })
}

// FilingByOwner returns the user's filing at the office, or an error
// wrapping ErrNotFound.
func (s *Store) FilingByOwner(ctx context.Context, officeID uuid.UUID, ownerID string) (notary.Filing, error) {
	return s.filing(ctx, `SELECT doc FROM filings WHERE office_id = $1 AND owner_id = $2`, []any{officeID, ownerID},
		func() error { return notFound("filing of user %q at office %s", ownerID, officeID) })
}

func (s *Store) filing(ctx context.Context, query string, args []any, missing func() error) (notary.Filing, error) {
	return read(ctx, s, func() (notary.Filing, error) {
		return scanDoc(s.pool.QueryRow(ctx, query, args...), recorddoc.DecodeFiling, missing)
	})
}

// scanDoc decodes the doc column of a row; no row is missing().
func scanDoc[T any](row pgx.Row, decode func([]byte) (T, error), missing func() error) (T, error) {
	var (
		doc  []byte
		zero T
	)
	err := row.Scan(&doc)
	if errors.Is(err, pgx.ErrNoRows) {
		return zero, missing()
	} else if err != nil {
		return zero, dbError(err)
	}
	return decode(doc)
}

// Application returns the application with id, or an error wrapping
// ErrNotFound.
func (s *Store) Application(ctx context.Context, id uuid.UUID) (notary.Application, error) {
	return s.application(ctx, `SELECT doc FROM applications WHERE id = $1`, []any{pgid(id)},
		func() error { return notFound("application %s", id) })
}

// ApplicationByKey returns the owner's application created with the
// idempotency key, or an error wrapping ErrNotFound (always for an empty
// key).
func (s *Store) ApplicationByKey(ctx context.Context, officeID uuid.UUID, ownerID, key string) (notary.Application, error) {
	missing := func() error { return notFound("application of user %q with key %q", ownerID, key) }
	if key == "" {
		if err := ctx.Err(); err != nil {
			return notary.Application{}, err
		}
		return notary.Application{}, missing()
	}
	return s.application(ctx,
		`SELECT doc FROM applications WHERE office_id = $1 AND owner_id = $2 AND idempotency_key = $3 AND idempotency_key <> ''`,
		[]any{officeID, ownerID, key}, missing)
}

func (s *Store) application(ctx context.Context, query string, args []any, missing func() error) (notary.Application, error) {
	return read(ctx, s, func() (notary.Application, error) {
		return scanDoc(s.pool.QueryRow(ctx, query, args...), recorddoc.DecodeApplication, missing)
	})
}

// listSQL builds the keyset-paginated query of a listing. Only the filters
// q sets appear in the statement, so each shape gets a plan that uses the
// (office_id, state, created_at, id), (office_id, state, updated_at) or
// (office_id, created_at, id) indexes.
func listSQL(table string, q notary.ListQuery) (string, []any, error) {
	if err := q.Validate(); err != nil {
		return "", nil, err
	}
	var sb strings.Builder
	args := []any{q.OfficeID}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	sb.WriteString("SELECT doc FROM ")
	sb.WriteString(table)
	sb.WriteString(" WHERE office_id = $1")
	if q.OwnerID != "" {
		sb.WriteString(" AND owner_id = " + arg(q.OwnerID))
	}
	switch len(q.States) {
	case 0:
	case 1:
		sb.WriteString(" AND state = " + arg(q.States[0]))
	default:
		sb.WriteString(" AND state = ANY(" + arg(q.States) + "::text[])")
	}
	if len(q.InvoiceStates) > 0 && table == "applications" {
		// The expression of the applications_invoice_state_idx index; one
		// state reads the index in the queue's order, without a sort.
		if len(q.InvoiceStates) == 1 {
			sb.WriteString(" AND doc->'invoice'->>'state' = " + arg(q.InvoiceStates[0]))
		} else {
			sb.WriteString(" AND doc->'invoice'->>'state' = ANY(" + arg(q.InvoiceStates) + "::text[])")
		}
	}
	if !q.CreatedBefore.IsZero() {
		sb.WriteString(" AND created_at < " + arg(utc(q.CreatedBefore)))
	}
	if !q.UpdatedBefore.IsZero() {
		sb.WriteString(" AND updated_at < " + arg(utc(q.UpdatedBefore)))
	}
	if !q.UpdatedAfter.IsZero() {
		sb.WriteString(" AND updated_at >= " + arg(utc(q.UpdatedAfter)))
	}
	if q.After != nil {
		at := arg(utc(q.After.CreatedAt))
		sb.WriteString(" AND (created_at, id) > (" + at + ", " + arg(q.After.ID) + "::uuid)")
	}
	limit := q.PageSize()
	sb.WriteString(" ORDER BY created_at, id LIMIT " + arg(limit))
	return sb.String(), args, nil
}

// ListFilings returns the office's filings matching q, ordered by
// (CreatedAt, ID). A query without OfficeID fails with ErrInvalidInput.
func (s *Store) ListFilings(ctx context.Context, q notary.ListQuery) ([]notary.Filing, error) {
	query, args, err := listSQL("filings", q)
	if err != nil {
		return nil, err
	}
	return queryDocs(ctx, s, query, args, recorddoc.DecodeFiling)
}

// ListApplications returns the office's applications matching q, ordered
// by (CreatedAt, ID). A query without OfficeID fails with ErrInvalidInput.
func (s *Store) ListApplications(ctx context.Context, q notary.ListQuery) ([]notary.Application, error) {
	query, args, err := listSQL("applications", q)
	if err != nil {
		return nil, err
	}
	return queryDocs(ctx, s, query, args, recorddoc.DecodeApplication)
}

func queryDocs[T any](ctx context.Context, s *Store, query string, args []any, decode func([]byte) (T, error)) ([]T, error) {
	return read(ctx, s, func() ([]T, error) {
		rows, err := s.pool.Query(ctx, query, args...)
		return collect(rows, err, func(row pgx.Row) (T, error) {
			var doc []byte
			if err := row.Scan(&doc); err != nil {
				var zero T
				return zero, err
			}
			return decode(doc)
		})
	})
}

// collect reads every row of a query with scan and maps the error, if
// any, onto the notary sentinels. err is the query's own error.
func collect[T any](rows pgx.Rows, err error, scan func(pgx.Row) (T, error)) ([]T, error) {
	if err != nil {
		return nil, dbError(err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (T, error) { return scan(row) })
	if err != nil {
		return nil, dbError(err)
	}
	return out, nil
}

// Reservations returns the holder of each of the evidence IDs that is
// currently reserved.
func (s *Store) Reservations(ctx context.Context, evidenceIDs []string) (map[string]uuid.UUID, error) {
	if len(evidenceIDs) == 0 {
		return map[string]uuid.UUID{}, ctx.Err()
	}
	return read(ctx, s, func() (map[string]uuid.UUID, error) { return s.reservations(ctx, evidenceIDs) })
}

func (s *Store) reservations(ctx context.Context, evidenceIDs []string) (map[string]uuid.UUID, error) {
	out := make(map[string]uuid.UUID, len(evidenceIDs))
	rows, err := s.pool.Query(ctx,
		`SELECT evidence_id, application_id FROM evidence_reservations WHERE evidence_id = ANY($1::text[])`, evidenceIDs)
	if err != nil {
		return nil, dbError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id     string
			holder uuid.UUID
		)
		if err := rows.Scan(&id, &holder); err != nil {
			return nil, dbError(err)
		}
		out[id] = holder
	}
	if err := rows.Err(); err != nil {
		return nil, dbError(err)
	}
	return out, nil
}

// Events returns the record's audit events in Seq order (empty for an
// unknown record).
func (s *Store) Events(ctx context.Context, recordID uuid.UUID) ([]notary.Event, error) {
	return read(ctx, s, func() ([]notary.Event, error) { return s.events(ctx, recordID) })
}

func (s *Store) events(ctx context.Context, recordID uuid.UUID) ([]notary.Event, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+eventColumns+` FROM events WHERE record_id = $1 ORDER BY seq`, recordID)
	return collect(rows, err, func(row pgx.Row) (notary.Event, error) {
		var (
			e               notary.Event
			kind, actorKind string
			at              time.Time
		)
		err := row.Scan(&e.RecordID, &e.Seq, &e.ID, &kind, &e.OfficeID, &e.Trigger, &e.From, &e.To,
			&actorKind, &e.Actor.ID, &e.Actor.Name, &e.Reason, &at, &e.PrevHash, &e.Hash)
		e.RecordKind, e.Actor.Kind, e.At = notary.RecordKind(kind), notary.ActorKind(actorKind), utc(at)
		return e, err
	})
}
