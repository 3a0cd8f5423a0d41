package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
)

// Outbox.

// ClaimNotices leases up to limit due pending notices, oldest CreatedAt
// first (ties by ID). A limit that is not positive claims nothing.
func (m *Memory) ClaimNotices(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]notary.Notice, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		return nil, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []notary.Notice
	for _, p := range m.pending {
		n := m.notices[p.id]
		if n.NextAttemptAt.After(now) || (n.Claim != uuid.Nil && n.LeaseUntil.After(now)) {
			continue
		}
		n.Claim = uuid.New()
		n.LeaseUntil = now.Add(lease)
		n.Attempts++
		out = append(out, cloneNotice(*n))
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

// FinishNotices records the outcomes of delivery attempts, all at once
// under the store's lock, and releases the claims (Claim and LeaseUntil are
// cleared). A result whose notice is unknown or not claimed with its Claim
// is skipped and its ID returned in stale. Of an applied result, a retry
// (pending) outcome with a zero NextAttemptAt is due at Outcome.At;
// delivered and dead outcomes keep NextAttemptAt. LastError is set to
// Outcome.Error and, when delivered, DeliveredAt to Outcome.At. An invalid
// outcome status or a repeated ID fails with ErrInvalidInput and applies
// nothing.
func (m *Memory) FinishNotices(ctx context.Context, results []notary.NoticeResult) ([]uuid.UUID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := checkNoticeResults(results); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var stale []uuid.UUID
	for _, r := range results {
		n, ok := m.notices[r.ID]
		if !ok || n.Claim == uuid.Nil || n.Claim != r.Claim {
			stale = append(stale, r.ID)
			continue
		}
		outcome := r.Outcome
		n.Status = outcome.Status
		n.LastError = outcome.Error
		n.Claim = uuid.Nil
		n.LeaseUntil = time.Time{}
		switch outcome.Status {
		case notary.NoticePending:
			n.NextAttemptAt = outcome.NextAttemptAt
			if n.NextAttemptAt.IsZero() {
				n.NextAttemptAt = outcome.At
			}
		case notary.NoticeDelivered:
			n.DeliveredAt = outcome.At
			m.pending.remove(pos(n.CreatedAt, n.ID))
		case notary.NoticeDead:
			m.pending.remove(pos(n.CreatedAt, n.ID))
		}
	}
	return stale, nil
}

// checkNoticeResults rejects an outcome status other than pending,
// delivered or dead, and an ID given twice.
func checkNoticeResults(results []notary.NoticeResult) error {
	seen := make(map[uuid.UUID]struct{}, len(results))
	for _, r := range results {
		switch r.Outcome.Status {
		case notary.NoticePending, notary.NoticeDelivered, notary.NoticeDead:
		default:
			return invalid("notice %s: outcome status %q", r.ID, r.Outcome.Status)
		}
		if _, dup := seen[r.ID]; dup {
			return invalid("notice %s finished twice in one call", r.ID)
		}
		seen[r.ID] = struct{}{}
	}
	return nil
}

// ListNotices returns up to limit notices in the given status, oldest
// CreatedAt first (ties by ID). A limit that is not positive means 50.
func (m *Memory) ListNotices(ctx context.Context, status notary.NoticeStatus, limit int) ([]notary.Notice, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = defaultLimit
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	src := m.noticeOrder
	if status == notary.NoticePending {
		src = m.pending
	}
	var out []notary.Notice
	for _, p := range src {
		n := m.notices[p.id]
		if n.Status != status {
			continue
		}
		out = append(out, cloneNotice(*n))
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

// RequeueNotice makes a dead notice pending again, due at now, with its
// Attempts reset to zero and no claim.
func (m *Memory) RequeueNotice(ctx context.Context, id uuid.UUID, now time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n, ok := m.notices[id]
	if !ok {
		return notFound("notice %s", id)
	}
	if n.Status != notary.NoticeDead {
		return fmt.Errorf("%w: notice %s is %s, not dead", notary.ErrInvalidTransition, id, n.Status)
	}
	n.Status = notary.NoticePending
	n.Attempts = 0
	n.NextAttemptAt = now
	n.Claim = uuid.Nil
	n.LeaseUntil = time.Time{}
	m.pending.insert(pos(n.CreatedAt, n.ID))
	return nil
}

// ---------------------------------------------------------------------------

// OutboxStats counts the pending and dead notices and finds the oldest
// pending one (notary.OutboxStatser).
func (m *Memory) OutboxStats(ctx context.Context) (notary.OutboxStats, error) {
	if err := ctx.Err(); err != nil {
		return notary.OutboxStats{}, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	var st notary.OutboxStats
	for _, n := range m.notices {
		switch n.Status {
		case notary.NoticePending:
			st.Pending++
			if st.OldestPending.IsZero() || n.CreatedAt.Before(st.OldestPending) {
				st.OldestPending = n.CreatedAt
			}
		case notary.NoticeDead:
			st.Dead++
		}
	}
	return st, nil
}
