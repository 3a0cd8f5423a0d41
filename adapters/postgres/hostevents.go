package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/notarykit/notarykit/notary"
)

// Host events are kept in two places. A host event's own notice (the
// event as listed; notary.Change.Validate ties it to one of its change's
// audit events) is kept in that audit event's row: no row or index entry
// of its own, and the events table already carries the transaction ID
// (xid) and the index by (office_id, xid) that the transparency log
// reads. The row keeps the document's data alone (host_data, migration
// 18) when the rest is rebuilt from the event's columns
// (notary.HostEventData), else the whole document (host). Deliveries to
// host endpoints are outbox rows stamped with their transaction's ID and
// an outbox_host_seq value, as are the events' own notices stored before
// migration 00016.
//
// Both are listed in one commit order, by a place (xid, part, seq): the ID
// of the writing transaction; then 0 for an audit event's host event and
// 1 for an outbox row, so that an event comes before its deliveries; then
// the outbox seq (0 for an event: a transaction commits one).

// hostEventWait bounds how long an office-wide listing of host events
// waits for the transactions that keep committed events from being listed.
const hostEventWait = 2 * time.Second

// hostPlace is a host event's place in commit order (see above).
type hostPlace struct {
	xid  string // decimal xid8; "0" before the first
	part int    // 0: an audit event's host event, 1: an outbox row
	seq  int64
}

// outboxAfter is the (xid, seq) of the outbox rows after p: all of p's
// transaction's when p is its event.
func (p hostPlace) outboxAfter() (string, int64) {
	if p.part == 0 {
		return p.xid, -1
	}
	return p.xid, p.seq
}

// hostPlaceSQL finds a cursor's place among the office's host events.
// (The zero UUID is excluded so that events_id_key, partial, serves it.)
const hostPlaceSQL = `SELECT xid::text, 0, 0::bigint FROM events
WHERE id = $1 AND id <> '00000000-0000-0000-0000-000000000000' AND office_id = $2
	AND (host IS NOT NULL OR host_data IS NOT NULL) AND xid IS NOT NULL
UNION ALL
SELECT xid::text, 1, seq FROM outbox WHERE id = $1 AND office_id = $2 AND xid IS NOT NULL
LIMIT 1`

// hostEventsSQL lists host events after a place in commit order: of the
// office $1, or of its record $6 in recordHostEventsSQL. $2 is the place's
// xid, $3 the outbox seq after which rows of that xid come (outboxAfter),
// $4 the limit, $5 the horizon (each row says whether its xid is at or
// above it). Each part reads its index in order and stops at the limit;
// the merge keeps the first $4.
//
// A record's events are read in seq order, from its audit trail's primary
// key: the transactions that append to a record run one after another, so
// their IDs follow the same order.
var (
	hostEventsSQL       = hostEventsQuery("office_id = $1", "xid, record_id, seq")
	recordHostEventsSQL = hostEventsQuery("record_id = $6 AND office_id = $1", "seq")
)

func hostEventsQuery(scope, eventsOrder string) string {
	return `SELECT id, office_id, record_id, kind, channel, status, attempts, next_attempt_at, claim, lease_until,
	last_error, delivered_at, created_at, doc, xid::text, part, xid >= $5::text::xid8, trigger, ev, data_only
FROM (
	(SELECT id, office_id, record_id, record_kind AS kind, 'host' AS channel, 'delivered' AS status, 0 AS attempts,
		at AS next_attempt_at, NULL::uuid AS claim, NULL::timestamptz AS lease_until, '' AS last_error,
		at AS delivered_at, at AS created_at, COALESCE(host, host_data) AS doc, xid, 0 AS part, 0::bigint AS seq,
		record_id AS rec, seq AS ev, trigger, host IS NULL AS data_only
	FROM events
	WHERE ` + scope + ` AND xid IS NOT NULL AND (host IS NOT NULL OR host_data IS NOT NULL) AND xid > $2::text::xid8
	ORDER BY ` + eventsOrder + ` LIMIT $4)
	UNION ALL
	(SELECT id, office_id, record_id, kind, channel, status, attempts, next_attempt_at, claim, lease_until,
		last_error, delivered_at, created_at, notice::text, xid, 1, seq, record_id, 0, '', false
	FROM outbox
	WHERE ` + scope + ` AND xid IS NOT NULL AND (xid, seq) > ($2::text::xid8, $3)
	ORDER BY xid, seq LIMIT $4)
) h
ORDER BY h.xid, h.part, h.seq, h.rec, h.ev LIMIT $4` // h.xid: the column, not the text in the select list
}

// ListHostEvents returns the host events selected by q in commit order,
// as documented on [notary.Outbox]: by the ID of the transaction that
// wrote them, an event before its deliveries. An unknown q.After is
// ErrNotFound.
//
// A transaction may take its ID before another and commit after it. An
// office-wide listing therefore returns only the events below the
// horizon (hostHorizon): the smallest ID of a transaction in progress
// that may write host events, or when there is none the next ID to be
// assigned. Every event committed later is above it, so a reader at the
// head that passes the last ID it got never skips one. When committed
// events wait behind a writer still running, the listing waits for it
// (up to hostEventWait; then it returns the events below it). A record's
// listing does not wait: a transaction that appends to a record starts
// after the record's previous one committed, so the record's events are
// listed in order as soon as they commit.
func (s *Store) ListHostEvents(ctx context.Context, q notary.HostEventQuery) ([]notary.Notice, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	return read(ctx, s, func() ([]notary.Notice, error) {
		after := hostPlace{xid: "0", part: 1, seq: -1}
		if q.After != uuid.Nil {
			err := s.pool.QueryRow(ctx, hostPlaceSQL, pgid(q.After), pgid(q.OfficeID)).Scan(&after.xid, &after.part, &after.seq)
			switch {
			case errors.Is(err, pgx.ErrNoRows):
				return nil, notFound("host event %s", q.After)
			case err != nil:
				return nil, err
			}
		}
		if q.RecordID != uuid.Nil {
			settled, _, err := s.hostEvents(ctx, q, after, "")
			return settled, err
		}
		return s.settledHostEvents(ctx, q, after)
	})
}

// hostEvents runs hostEventsSQL for q after the place, with the horizon
// horizon ("" for none), and returns the events below it in order and
// the greatest xid of those at or above it (0 when none is).
func (s *Store) hostEvents(ctx context.Context, q notary.HostEventQuery, after hostPlace, horizon string) ([]notary.Notice, uint64, error) {
	afterXID, afterSeq := after.outboxAfter()
	if horizon == "" {
		horizon = "18446744073709551615" // above every xid
	}
	query, args := hostEventsSQL, []any{pgid(q.OfficeID), afterXID, afterSeq, q.PageSize(), horizon}
	if q.RecordID != uuid.Nil {
		query, args = recordHostEventsSQL, append(args, pgid(q.RecordID))
	}
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var (
		settled []notary.Notice
		held    uint64 // the greatest xid of a listed event above the horizon
	)
	for rows.Next() {
		n, xid, above, err := scanHostRow(rows)
		if err != nil {
			return nil, 0, err
		}
		// Rows come in xid order: after the first one above, all are.
		if above {
			if held, err = strconv.ParseUint(xid, 10, 64); err != nil {
				return nil, 0, err
			}
		} else {
			settled = append(settled, n)
		}
	}
	return settled, held, rows.Err()
}

// scanHostRow reads a row of hostEventsSQL: an outbox notice, or an audit
// event's host event made into the notice it was committed as (see
// notary.Change.Validate: delivered at its event's time), its document
// rebuilt from the event when the row keeps only its data.
func scanHostRow(row pgx.Row) (n notary.Notice, xid string, above bool, err error) {
	var (
		r        noticeRow
		part     int32
		trigger  string
		seq      int64
		dataOnly bool
	)
	if err := row.Scan(append(r.dest(), &xid, &part, &above, &trigger, &seq, &dataOnly)...); err != nil {
		return n, xid, above, err
	}
	if part == 1 {
		n, err = r.notice()
		return n, xid, above, err
	}
	n = r.columns()
	// The kind column holds the event's record kind.
	n.RecordKind, n.Data = notary.RecordKind(r.kind), notary.NoticeData{RecordID: n.RecordID}
	if dataOnly {
		ev := notary.Event{ID: n.ID, RecordID: n.RecordID, RecordKind: n.RecordKind, OfficeID: n.OfficeID, Seq: seq,
			Trigger: trigger, At: n.CreatedAt}
		n.Kind = notary.NoticeKind(notary.HostEventTypeOf(n.RecordKind, trigger))
		n.Event, err = notary.HostEventDocument(ev, r.doc)
		return n, xid, above, err
	}
	var head struct {
		Type notary.NoticeKind `json:"type"`
	}
	if err := json.Unmarshal(r.doc, &head); err != nil {
		return n, xid, above, fmt.Errorf("postgres: host event %s: %w", n.ID, err)
	}
	n.Kind, n.Event = head.Type, r.doc
	return n, xid, above, nil
}

// settledHostEvents returns up to q's limit of the office's host events
// after the place, below the horizon, waiting once for the writers that
// hold back committed ones; see ListHostEvents.
func (s *Store) settledHostEvents(ctx context.Context, q notary.HostEventQuery, after hostPlace) ([]notary.Notice, error) {
	for waited := false; ; waited = true {
		// The horizon is read before the events, so that a writer ending
		// in between has its events listed, or is still above it.
		horizon, err := s.hostHorizon(ctx)
		if err != nil {
			return nil, err
		}
		settled, held, err := s.hostEvents(ctx, q, after, strconv.FormatUint(horizon, 10))
		if err != nil || held == 0 || waited {
			return settled, err
		}
		if err := s.awaitHorizon(ctx, held); err != nil {
			return nil, err
		}
	}
}

// hostHorizonSQL reads the next transaction ID to be assigned and the
// (32-bit) IDs of the transactions that hold a row-exclusive lock on the
// filings or applications table. Every transaction that writes host events
// takes one before it has an ID: Commit writes the record first, and a
// statement locks its table before it changes a row, which is when the
// transaction takes its ID. Readers and other writers do not hold the
// listing back.
const hostHorizonSQL = `SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint,
	ARRAY(SELECT DISTINCT t.transactionid::text::bigint FROM pg_locks l
		JOIN pg_locks t ON t.pid = l.pid AND t.locktype = 'transactionid' AND t.mode = 'ExclusiveLock' AND t.granted
		WHERE l.locktype = 'relation' AND l.mode = 'RowExclusiveLock' AND l.granted
			AND l.relation IN ('filings'::regclass, 'applications'::regclass)
			AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()))`

// hostHorizon returns the horizon of host events (see ListHostEvents).
func (s *Store) hostHorizon(ctx context.Context) (uint64, error) {
	var (
		next    int64
		writers []int64
	)
	if err := s.pool.QueryRow(ctx, hostHorizonSQL).Scan(&next, &writers); err != nil {
		return 0, err
	}
	h := uint64(next)
	for _, x := range writers {
		// Widen the 32-bit ID with the epoch of the next one: a running
		// transaction's ID is below it, by less than 2^31.
		full := uint64(next)&^0xFFFFFFFF | uint64(x)
		if full >= uint64(next) {
			full -= 1 << 32
		}
		h = min(h, full)
	}
	return h, nil
}

// awaitHorizon waits until the horizon of host events is above xid, or
// the store's wait has passed.
func (s *Store) awaitHorizon(ctx context.Context, xid uint64) error {
	wait := s.hostWait
	if wait <= 0 {
		wait = hostEventWait
	}
	deadline := time.Now().Add(wait)
	for pause := time.Millisecond; ; pause = min(2*pause, 20*time.Millisecond) {
		h, err := s.hostHorizon(ctx)
		if err != nil {
			return err
		}
		if h > xid || time.Now().After(deadline) {
			return nil
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}
