package postgres

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
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

// noticeRow holds the columns of an outbox row selected with
// outboxColumns, in that order (dest).
type noticeRow struct {
	n                     notary.Notice
	kind, channel, status string
	attempts              int32
	next, created         time.Time
	claim                 pgtype.UUID
	lease, delivered      pgtype.Timestamptz
	doc                   []byte
}

func (r *noticeRow) dest() []any {
	return []any{&r.n.ID, &r.n.OfficeID, &r.n.RecordID, &r.kind, &r.channel, &r.status, &r.attempts, &r.next,
		&r.claim, &r.lease, &r.n.LastError, &r.delivered, &r.created, &r.doc}
}

// notice returns the notice of the row, its document decoded.
func (r *noticeRow) notice() (notary.Notice, error) {
	n := r.columns()
	if err := recorddoc.DecodeNotice(r.doc, &n); err != nil {
		return notary.Notice{}, fmt.Errorf("postgres: notice %s: %w", n.ID, err)
	}
	return n, nil
}

// columns returns the notice of the row's columns alone.
func (r *noticeRow) columns() notary.Notice {
	n := r.n
	n.Kind, n.Channel, n.Status = notary.NoticeKind(r.kind), notary.Channel(r.channel), notary.NoticeStatus(r.status)
	n.Attempts, n.NextAttemptAt, n.CreatedAt = int(r.attempts), utc(r.next), utc(r.created)
	n.Claim, n.LeaseUntil, n.DeliveredAt = uuidPtr(r.claim), fromTZ(r.lease), fromTZ(r.delivered)
	return n
}

// scanNotice reads one outbox row selected with outboxColumns.
func scanNotice(row pgx.Row) (notary.Notice, error) {
	var r noticeRow
	if err := row.Scan(r.dest()...); err != nil {
		return notary.Notice{}, err
	}
	return r.notice()
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
