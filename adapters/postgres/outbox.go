package postgres

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/notarykit/notarykit/adapters/internal/recorddoc"
	"github.com/notarykit/notarykit/notary"
)

// queueNotice queues the INSERT of one outbox entry. A notice without
// Status is pending; one without NextAttemptAt is due at CreatedAt. One
// VALUES statement per notice, pipelined in the commit's batch, measured
// twice as fast under concurrency as a single INSERT over unnest arrays.
func queueNotice(b *pgx.Batch, n notary.Notice) {
	status := n.Status
	if status == "" {
		status = notary.NoticePending
	}
	next := n.NextAttemptAt
	if next.IsZero() {
		next = n.CreatedAt
	}
	doc := recorddoc.EncodeNotice(n)
	if status == notary.NoticePending && n.Attempts == 0 && n.Claim == uuid.Nil && n.LeaseUntil.IsZero() &&
		n.LastError == "" && n.DeliveredAt.IsZero() {
		sql := insertFreshNoticeSQL
		if n.Channel == notary.ChannelHost {
			sql = insertHostNoticeSQL
		}
		b.Queue(sql, pgid(n.ID), pgid(n.OfficeID), pgid(n.RecordID), string(n.Kind), string(n.Channel),
			utc(next), utc(n.CreatedAt), doc)
		return
	}
	b.Queue(insertNoticeSQL, pgid(n.ID), pgid(n.OfficeID), pgid(n.RecordID), string(n.Kind), string(n.Channel),
		string(status), int32(n.Attempts), utc(next), nullUUID(n.Claim), tz(n.LeaseUntil), n.LastError,
		tz(n.DeliveredAt), utc(n.CreatedAt), doc, n.Channel == notary.ChannelHost)
}

const outboxColumns = `id, office_id, record_id, kind, channel, status, attempts, next_attempt_at,
	claim, lease_until, last_error, delivered_at, created_at, notice`

// scanNotice reads one outbox row selected with outboxColumns.
func scanNotice(row pgx.Row) (notary.Notice, error) {
	var (
		n                     notary.Notice
		kind, channel, status string
		attempts              int32
		next, created         time.Time
		claim                 pgtype.UUID
		lease, delivered      pgtype.Timestamptz
		doc                   []byte
	)
	if err := row.Scan(&n.ID, &n.OfficeID, &n.RecordID, &kind, &channel, &status, &attempts, &next,
		&claim, &lease, &n.LastError, &delivered, &created, &doc); err != nil {
		return notary.Notice{}, err
	}
	if err := recorddoc.DecodeNotice(doc, &n); err != nil {
		return notary.Notice{}, fmt.Errorf("postgres: notice %s: %w", n.ID, err)
	}
	n.Kind, n.Channel, n.Status = notary.NoticeKind(kind), notary.Channel(channel), notary.NoticeStatus(status)
	n.Attempts, n.NextAttemptAt, n.CreatedAt = int(attempts), utc(next), utc(created)
	n.Claim, n.LeaseUntil, n.DeliveredAt = uuidPtr(claim), fromTZ(lease), fromTZ(delivered)
	return n, nil
}

func (s *Store) queryNotices(ctx context.Context, query string, args ...any) ([]notary.Notice, error) {
	rows, err := s.pool.Query(ctx, query, args...)
	return collect(rows, err, scanNotice)
}

// claimSQL leases the oldest due notices. FOR UPDATE SKIP LOCKED lets
// concurrent relays claim disjoint sets without waiting for each other;
// a row another relay claimed and committed meanwhile is re-checked against
// the WHERE clause and dropped.
const claimSQL = `WITH due AS (
	SELECT id FROM outbox
	WHERE status = 'pending' AND next_attempt_at <= $1
		AND (claim IS NULL OR lease_until IS NULL OR lease_until <= $1)
	ORDER BY created_at, id
	LIMIT $3
	FOR UPDATE SKIP LOCKED
)
UPDATE outbox o SET claim = gen_random_uuid(), lease_until = $2, attempts = o.attempts + 1
FROM due WHERE o.id = due.id
RETURNING ` + "o.id, o.office_id, o.record_id, o.kind, o.channel, o.status, o.attempts, o.next_attempt_at, " +
	"o.claim, o.lease_until, o.last_error, o.delivered_at, o.created_at, o.notice"

// ClaimNotices leases up to limit due pending notices, oldest CreatedAt
// first (ties by ID), each with a fresh random Claim token, LeaseUntil =
// now+lease and Attempts incremented. A limit that is not positive claims
// nothing. Concurrent callers, in this process or others, never receive the
// same notice while its lease holds.
func (s *Store) ClaimNotices(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]notary.Notice, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		return nil, nil
	}
	// A claim changes rows: it is sent again only when it was certainly
	// not applied (an orphaned claim would hold its notices for a lease).
	var out []notary.Notice
	err := write(ctx, s, func() (err error) {
		out, err = s.queryNotices(ctx, claimSQL, utc(now), utc(now.Add(lease)), limit)
		return err
	})
	if err != nil {
		return nil, err
	}
	// RETURNING has no order.
	slices.SortFunc(out, func(a, b notary.Notice) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), bytes.Compare(a.ID[:], b.ID[:]))
	})
	return out, nil
}

// finishSQL applies a batch of outcomes given column-wise: a row is
// updated only while it is claimed with the result's claim (a NULL claim
// never matches), and a NULL next_attempt_at or delivered_at leaves the
// column as it is. RETURNING names the rows updated; the others are stale.
const finishSQL = `UPDATE outbox o SET status = r.status, last_error = r.last_error, claim = NULL, lease_until = NULL,
	next_attempt_at = COALESCE(r.next_attempt_at, o.next_attempt_at),
	delivered_at = COALESCE(r.delivered_at, o.delivered_at)
FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::text[], $6::timestamptz[])
	AS r(id, claim, status, next_attempt_at, last_error, delivered_at)
WHERE o.id = r.id AND o.claim = r.claim
RETURNING o.id`

// FinishNotices records the outcomes of delivery attempts with one UPDATE
// over unnested column arrays — one round trip, one transaction — and
// releases the claims (Claim and LeaseUntil are cleared). A result whose
// notice is unknown or not claimed with its Claim updates nothing and its
// ID is returned in stale. LastError becomes Outcome.Error. A retry
// (pending) outcome is due at Outcome.NextAttemptAt, or at Outcome.At when
// that is zero; a delivered one gets DeliveredAt = Outcome.At. It fails
// with ErrInvalidInput, applying nothing, for an outcome status other than
// pending, delivered or dead, or an ID given twice.
//
// PostgreSQL text cannot hold NUL bytes or invalid UTF-8, which a
// notifier's error may carry: in LastError they are stored as U+FFFD, so
// that one odd error message cannot fail the whole batch.
func (s *Store) FinishNotices(ctx context.Context, results []notary.NoticeResult) ([]uuid.UUID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(results) == 0 {
		return nil, nil
	}
	n := len(results)
	var (
		ids         = make([]uuid.UUID, n)
		claims      = make([]pgtype.UUID, n)
		statuses    = make([]string, n)
		nexts       = make([]pgtype.Timestamptz, n)
		lastErrors  = make([]string, n)
		delivereds  = make([]pgtype.Timestamptz, n)
		outstanding = make(map[uuid.UUID]struct{}, n)
	)
	for i, r := range results {
		o := r.Outcome
		switch o.Status {
		case notary.NoticePending:
			at := o.NextAttemptAt
			if at.IsZero() {
				at = o.At
			}
			nexts[i] = tz(at)
		case notary.NoticeDelivered:
			delivereds[i] = tz(o.At)
		case notary.NoticeDead:
		default:
			return nil, invalid("notice %s: outcome status %q", r.ID, o.Status)
		}
		if _, dup := outstanding[r.ID]; dup {
			return nil, invalid("notice %s finished twice in one call", r.ID)
		}
		outstanding[r.ID] = struct{}{}
		ids[i], claims[i], statuses[i], lastErrors[i] = r.ID, nullUUID(r.Claim), string(o.Status), safeText(o.Error)
	}
	// Applying outcomes is idempotent by claim, so a transient failure is
	// retried even when the update may have been applied: results applied
	// then come back stale, and a dropped connection does not leave a
	// delivered batch to be claimed and sent again.
	updated, err := read(ctx, s, func() ([]uuid.UUID, error) {
		rows, err := s.pool.Query(ctx, finishSQL, ids, claims, statuses, nexts, lastErrors, delivereds)
		return collect(rows, err, func(row pgx.Row) (id uuid.UUID, err error) {
			err = row.Scan(&id)
			return id, err
		})
	})
	if err != nil {
		return nil, err
	}
	for _, id := range updated {
		delete(outstanding, id)
	}
	var stale []uuid.UUID
	for _, r := range results {
		if _, ok := outstanding[r.ID]; ok {
			stale = append(stale, r.ID)
		}
	}
	return stale, nil
}

// ListNotices returns up to limit notices in the given status, oldest
// CreatedAt first (ties by ID). A limit that is not positive means 50.
func (s *Store) ListNotices(ctx context.Context, status notary.NoticeStatus, limit int) ([]notary.Notice, error) {
	if limit <= 0 {
		limit = defaultLimit
	}
	return read(ctx, s, func() ([]notary.Notice, error) {
		return s.queryNotices(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE status = $1 ORDER BY created_at, id LIMIT $2`,
			string(status), limit)
	})
}

const requeueSQL = `WITH u AS (
	UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $2, claim = NULL, lease_until = NULL
	WHERE id = $1 AND status = 'dead'
	RETURNING 1
)
SELECT EXISTS (SELECT FROM u), (SELECT status FROM outbox WHERE id = $1)`

// RequeueNotice makes a dead notice pending again, due at now, with its
// Attempts reset to zero and no claim. It fails with ErrNotFound for an
// unknown ID and ErrInvalidTransition for a notice that is not dead.
func (s *Store) RequeueNotice(ctx context.Context, id uuid.UUID, now time.Time) error {
	var (
		updated bool
		status  pgtype.Text
	)
	if err := s.pool.QueryRow(ctx, requeueSQL, id, utc(now)).Scan(&updated, &status); err != nil {
		return dbError(err)
	}
	switch {
	case updated:
		return nil
	case status.Valid:
		return fmt.Errorf("%w: notice %s is %s, not dead", notary.ErrInvalidTransition, id, status.String)
	default:
		return notFound("notice %s", id)
	}
}

// safeText replaces what PostgreSQL text cannot hold — invalid UTF-8 and
// NUL bytes — with U+FFFD.
func safeText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
}

// OutboxStats counts the pending and dead notices and finds the oldest
// pending one, in one query (notary.OutboxStatser).
func (s *Store) OutboxStats(ctx context.Context) (notary.OutboxStats, error) {
	return read(ctx, s, func() (notary.OutboxStats, error) {
		var (
			st            notary.OutboxStats
			pending, dead int64
			oldest        pgtype.Timestamptz
		)
		err := s.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'pending'), min(created_at) FILTER (WHERE status = 'pending'),
	count(*) FILTER (WHERE status = 'dead') FROM outbox`).Scan(&pending, &oldest, &dead)
		if err != nil {
			return st, dbError(err)
		}
		st.Pending, st.OldestPending, st.Dead = int(pending), fromTZ(oldest), int(dead)
		return st, nil
	})
}

// hostEventWait bounds how long an office-wide listing of host events
// waits for the transactions that keep committed events from being listed.
const hostEventWait = 2 * time.Second

// hostWriterLockSQL is the first statement of a commit that writes host
// events: a shared advisory lock of the store's schema (hostWriterKey),
// taken before the transaction writes anything and so before it has an
// ID. Readers find the writers in progress by it.
const hostWriterLockSQL = `SELECT pg_advisory_xact_lock_shared($1::int4, $2::int4)`

// hostWriterKey is the advisory lock key of a schema's host event writers.
func hostWriterKey(schema string) (int32, int32) {
	h := fnv.New64a()
	h.Write([]byte("github.com/notarykit/notarykit/adapters/postgres.hostEvents\x00" + schema))
	k := h.Sum64()
	return int32(k >> 32), int32(k)
}

// ListHostEvents returns the host events selected by q in commit order,
// as documented on [notary.Outbox]: by the ID of the transaction that
// wrote them (xid), then by seq, which orders one transaction's events. An
// unknown q.After is ErrNotFound.
//
// A transaction may take its ID before another and commit after it. An
// office-wide listing therefore returns only the events below the
// horizon: the smallest ID of a transaction in progress that writes host
// events (each holds hostWriterLockSQL's lock from before it took its ID),
// or when there is none the next ID to be assigned. Every event committed
// later is above it, so a reader at the head that passes the last ID it
// got never skips one. Transactions that write no host events do not hold
// the listing back. When committed events wait behind a writer still
// running, the listing waits for it (up to hostEventWait; then it returns
// the events below it). A record's listing does not wait: a transaction
// that appends to a record starts after the record's previous one
// committed, so the record's events are listed in order as soon as they
// commit.
func (s *Store) ListHostEvents(ctx context.Context, q notary.HostEventQuery) ([]notary.Notice, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	return read(ctx, s, func() ([]notary.Notice, error) {
		afterXID, afterSeq := "0", int64(-1)
		if q.After != uuid.Nil {
			err := s.pool.QueryRow(ctx, `SELECT xid::text, seq FROM outbox WHERE id = $1 AND office_id = $2 AND xid IS NOT NULL`,
				pgid(q.After), pgid(q.OfficeID)).Scan(&afterXID, &afterSeq)
			switch {
			case errors.Is(err, pgx.ErrNoRows):
				return nil, notFound("host event %s", q.After)
			case err != nil:
				return nil, err
			}
		}
		if q.RecordID != uuid.Nil {
			return s.queryNotices(ctx, `SELECT `+outboxColumns+` FROM outbox
				WHERE record_id = $1 AND xid IS NOT NULL AND (xid, seq) > ($2::text::xid8, $3) AND office_id = $4
				ORDER BY xid, seq LIMIT $5`,
				pgid(q.RecordID), afterXID, afterSeq, pgid(q.OfficeID), q.PageSize())
		}
		return s.settledHostEvents(ctx, q.OfficeID, afterXID, afterSeq, q.PageSize())
	})
}

// hostHorizonSQL reads the next transaction ID to be assigned and the
// (32-bit) IDs of the transactions holding the host writers' lock.
const hostHorizonSQL = `SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint,
	ARRAY(SELECT t.transactionid::text::bigint FROM pg_locks l
		JOIN pg_locks t ON t.pid = l.pid AND t.locktype = 'transactionid' AND t.mode = 'ExclusiveLock' AND t.granted
		WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = $1::bigint & 4294967295
			AND l.objid::bigint = $2::bigint & 4294967295 AND l.objsubid = 2
			AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()))`

// hostHorizon returns the horizon of host events (see ListHostEvents).
func (s *Store) hostHorizon(ctx context.Context) (uint64, error) {
	var (
		next    int64
		writers []int64
	)
	k1, k2 := hostWriterKey(s.schema)
	if err := s.pool.QueryRow(ctx, hostHorizonSQL, int64(k1), int64(k2)).Scan(&next, &writers); err != nil {
		return 0, err
	}
	h := uint64(next)
	for _, x := range writers {
		// Widen the 32-bit ID with the epoch of the next one: a running
		// transaction's ID is below it, by less than 2^31.
		full := h&^0xFFFFFFFF | uint64(x)
		if full >= uint64(next) {
			full -= 1 << 32
		}
		h = min(h, full)
	}
	return h, nil
}

// settledHostEventsSQL lists an office's host events after a place, each
// with its xid and whether it is at or above the horizon $5.
const settledHostEventsSQL = `SELECT ` + outboxColumns + `, xid::text, xid >= $5::text::xid8
FROM outbox WHERE office_id = $1 AND xid IS NOT NULL AND (xid, seq) > ($2::text::xid8, $3)
ORDER BY xid, seq LIMIT $4`

// settledHostEvents returns up to limit host events of the office after
// the place, below the horizon, waiting once for the writers that hold
// back committed ones; see ListHostEvents.
func (s *Store) settledHostEvents(ctx context.Context, officeID uuid.UUID, afterXID string, afterSeq int64, limit int) ([]notary.Notice, error) {
	for waited := false; ; waited = true {
		// The horizon is read before the events, so that a writer ending
		// in between has its events listed, or is still above it.
		horizon, err := s.hostHorizon(ctx)
		if err != nil {
			return nil, err
		}
		var (
			settled []notary.Notice
			held    uint64 // the greatest xid of a listed event above the horizon
		)
		rows, err := s.pool.Query(ctx, settledHostEventsSQL, pgid(officeID), afterXID, afterSeq, limit,
			strconv.FormatUint(horizon, 10))
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var (
				xid   string
				above bool
			)
			n, err := scanNotice(suffixedRow{row: rows, dest: []any{&xid, &above}})
			if err != nil {
				rows.Close()
				return nil, err
			}
			// Rows come in xid order: after the first one above, all are.
			if above {
				if held, err = strconv.ParseUint(xid, 10, 64); err != nil {
					rows.Close()
					return nil, err
				}
			} else {
				settled = append(settled, n)
			}
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if held == 0 || waited {
			return settled, nil
		}
		if err := s.awaitHorizon(ctx, held); err != nil {
			return nil, err
		}
	}
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

// suffixedRow is a row whose trailing columns go to dest, after those
// given to Scan.
type suffixedRow struct {
	row  pgx.Row
	dest []any
}

func (r suffixedRow) Scan(dest ...any) error { return r.row.Scan(append(dest, r.dest...)...) }
