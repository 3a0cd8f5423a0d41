package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

// outboxGroup: the notices outbox: claims, leases, outcomes, dead letters.
var outboxGroup = group{"Outbox", []test{
	{"EnqueueDefaults", testOutboxEnqueueDefaults},
	{"EnqueueKeepsDeliveryHistory", testOutboxEnqueueHistory},
	{"ClaimLeaseAndExpiry", testOutboxClaimLease},
	{"FinishWithStaleClaimIsSkipped", testOutboxStaleClaim},
	{"FinishMixedBatch", testOutboxFinishMixedBatch},
	{"FinishInvalidBatchAppliesNothing", testOutboxFinishInvalid},
	{"DeliveredIsNotClaimable", testOutboxDelivered},
	{"RetryLater", testOutboxRetry},
	{"DeadAndRequeue", testOutboxDeadRequeue},
	{"RequeueOfLiveNoticeInvalid", testOutboxRequeueInvalid},
	{"UnknownNotice", testOutboxUnknown},
	{"ClaimOldestFirstWithLimit", testOutboxClaimOrder},
	{"ListNoticesOldestFirst", testOutboxListOrder},
	{"ConcurrentClaimersClaimEachOnce", testOutboxConcurrentClaimers},
	{"ConcurrentRelaysFinishEachOnce", testOutboxConcurrentFinishers},
}}

func testOutboxEnqueueDefaults(t *testing.T, s notary.Store) {
	office := uuid.New()
	n1 := newNotice(office, uuid.New(), notary.KindFiling, base)
	n2 := newNotice(office, uuid.New(), notary.KindApplication, at(time.Second))
	n2.Channel = notary.ChannelInSite
	n2.To = notary.Recipient{Email: "office@example.com"}
	n2.Data = notary.NoticeData{RecordID: n2.RecordID}
	n2.NextAttemptAt = at(time.Hour)
	enqueue(t, s, n1, n2)

	got := noticesIn(t, s, notary.NoticePending)
	require.Len(t, got, 2)
	want1 := n1
	want1.Status = notary.NoticePending
	want1.NextAttemptAt = n1.CreatedAt
	want2 := n2
	want2.Status = notary.NoticePending
	assert.Equal(t, normNotice(want1), normNotice(got[0]))
	assert.Equal(t, normNotice(want2), normNotice(got[1]))
	assert.Zero(t, got[0].Attempts)
	assert.Equal(t, uuid.Nil, got[0].Claim)
	assert.Empty(t, noticesIn(t, s, notary.NoticeDelivered))
	assert.Empty(t, noticesIn(t, s, notary.NoticeDead))
}

// testOutboxEnqueueHistory commits notices that carry delivery bookkeeping
// (as a host moving its outbox from another store would): each is stored
// as given, not reset to a fresh notice.
func testOutboxEnqueueHistory(t *testing.T, s notary.Store) {
	office := uuid.New()
	dead := newNotice(office, uuid.New(), notary.KindApplication, base)
	dead.Status, dead.Attempts, dead.LastError = notary.NoticeDead, 5, "550 no such user"
	dead.NextAttemptAt = at(time.Hour)
	leased := newNotice(office, uuid.New(), notary.KindApplication, at(time.Second))
	leased.Status, leased.Attempts, leased.LastError = notary.NoticePending, 2, "421 busy"
	leased.Claim, leased.LeaseUntil, leased.NextAttemptAt = uuid.New(), at(time.Minute), at(time.Second)
	sent := newNotice(office, uuid.New(), notary.KindFiling, at(2*time.Second))
	sent.Status, sent.Attempts, sent.DeliveredAt, sent.NextAttemptAt = notary.NoticeDelivered, 1, at(3*time.Second), sent.CreatedAt
	enqueue(t, s, dead, leased, sent)

	assert.Equal(t, []notary.Notice{normNotice(dead)}, normNotices(noticesIn(t, s, notary.NoticeDead)))
	assert.Equal(t, []notary.Notice{normNotice(leased)}, normNotices(noticesIn(t, s, notary.NoticePending)))
	assert.Equal(t, []notary.Notice{normNotice(sent)}, normNotices(noticesIn(t, s, notary.NoticeDelivered)))
	assert.Empty(t, claim(t, s, at(30*time.Second), time.Minute, 10), "the lease holds")
}

func testOutboxClaimLease(t *testing.T, s notary.Store) {
	office := uuid.New()
	var want []uuid.UUID
	var ns []notary.Notice
	for i := range 3 {
		n := newNotice(office, uuid.New(), notary.KindFiling, at(time.Duration(i)*time.Second))
		ns = append(ns, n)
		want = append(want, n.ID)
	}
	enqueue(t, s, ns...)

	now := at(time.Minute)
	first := claim(t, s, now, 30*time.Second, 10)
	require.Equal(t, want, noticeIDs(first))
	tokens := map[uuid.UUID]bool{}
	for i, n := range first {
		assert.NotEqual(t, uuid.Nil, n.Claim)
		tokens[n.Claim] = true
		assert.Equal(t, 1, n.Attempts)
		assert.Equal(t, notary.NoticePending, n.Status)
		assert.Equal(t, nt(now.Add(30*time.Second)), nt(n.LeaseUntil))
		// Everything else is as committed.
		w := ns[i]
		w.Status, w.NextAttemptAt, w.Attempts, w.Claim, w.LeaseUntil = n.Status, w.CreatedAt, n.Attempts, n.Claim, n.LeaseUntil
		assert.Equal(t, normNotice(w), normNotice(n))
	}
	assert.Len(t, tokens, 3, "claim tokens are distinct")

	assert.Empty(t, claim(t, s, now.Add(10*time.Second), 30*time.Second, 10), "leased notices are not claimable")

	second := claim(t, s, now.Add(31*time.Second), 30*time.Second, 10)
	require.Equal(t, want, noticeIDs(second))
	for i, n := range second {
		assert.NotEqual(t, first[i].Claim, n.Claim, "a new claim gets a new token")
		assert.Equal(t, 2, n.Attempts)
	}
}

func testOutboxStaleClaim(t *testing.T, s notary.Store) {
	n := newNotice(uuid.New(), uuid.New(), notary.KindFiling, base)
	other := newNotice(uuid.New(), uuid.New(), notary.KindFiling, at(time.Second))
	enqueue(t, s, n, other)
	now := at(time.Minute)
	old := claim(t, s, now, time.Minute, 10)
	require.Equal(t, ids(n.ID, other.ID), noticeIDs(old))
	// The lease ends and another relay claims both notices.
	cur := claim(t, s, now.Add(2*time.Minute), time.Minute, 10)
	require.Equal(t, ids(n.ID, other.ID), noticeIDs(cur))

	done := notary.NoticeOutcome{Status: notary.NoticeDelivered, At: now.Add(2 * time.Minute)}
	// The old claim of n is stale and skipped; other's current claim is
	// applied in the same call.
	stale := finish(t, s,
		notary.NoticeResult{ID: n.ID, Claim: old[0].Claim, Outcome: done},
		notary.NoticeResult{ID: other.ID, Claim: cur[1].Claim, Outcome: done})
	assert.Equal(t, ids(n.ID), stale)
	got := findNotice(t, s, notary.NoticePending, n.ID)
	assert.Equal(t, cur[0].Claim, got.Claim, "the current claim still holds")
	assert.Equal(t, nt(cur[0].LeaseUntil), nt(got.LeaseUntil))
	assert.Zero(t, got.DeliveredAt)
	assert.Equal(t, nt(done.At), nt(findNotice(t, s, notary.NoticeDelivered, other.ID).DeliveredAt))

	assert.Equal(t, ids(n.ID), finish(t, s, notary.NoticeResult{ID: n.ID, Claim: uuid.New(), Outcome: done}))
	assert.Equal(t, ids(n.ID), finish(t, s, notary.NoticeResult{ID: n.ID, Claim: uuid.Nil, Outcome: done}))
	finishOne(t, s, n.ID, cur[0].Claim, done)
	// The claim is released: finishing again with it is stale.
	assert.Equal(t, ids(n.ID), finish(t, s, notary.NoticeResult{ID: n.ID, Claim: cur[0].Claim, Outcome: done}))
	findNotice(t, s, notary.NoticeDelivered, n.ID)

	// An unclaimed notice cannot be finished.
	m := newNotice(uuid.New(), uuid.New(), notary.KindFiling, base)
	enqueue(t, s, m)
	assert.Equal(t, ids(m.ID), finish(t, s, notary.NoticeResult{ID: m.ID, Claim: uuid.New(), Outcome: done}))
	assert.Equal(t, ids(m.ID), finish(t, s, notary.NoticeResult{ID: m.ID, Claim: uuid.Nil, Outcome: done}))
	got = findNotice(t, s, notary.NoticePending, m.ID)
	assert.Equal(t, uuid.Nil, got.Claim)
	assert.Equal(t, 0, got.Attempts)
}

// testOutboxFinishMixedBatch records every kind of outcome, with stale and
// unknown results among them, in one call.
func testOutboxFinishMixedBatch(t *testing.T, s notary.Store) {
	office := uuid.New()
	var ns []notary.Notice
	for i := range 5 {
		ns = append(ns, newNotice(office, uuid.New(), notary.KindFiling, at(time.Duration(i)*time.Second)))
	}
	enqueue(t, s, ns...)
	now := at(time.Minute)
	c := claim(t, s, now, time.Hour, 10)
	require.Equal(t, noticeIDs(ns), noticeIDs(c))

	end := now.Add(time.Second)
	unknown := uuid.New()
	stale := finish(t, s,
		notary.NoticeResult{ID: c[0].ID, Claim: c[0].Claim, Outcome: notary.NoticeOutcome{Status: notary.NoticeDelivered, At: end}},
		notary.NoticeResult{ID: unknown, Claim: uuid.New(), Outcome: notary.NoticeOutcome{Status: notary.NoticeDelivered, At: end}},
		notary.NoticeResult{ID: c[1].ID, Claim: c[1].Claim, Outcome: notary.NoticeOutcome{
			Status: notary.NoticePending, NextAttemptAt: now.Add(5 * time.Minute), Error: "421 busy", At: end}},
		notary.NoticeResult{ID: c[2].ID, Claim: uuid.New(), Outcome: notary.NoticeOutcome{Status: notary.NoticeDead, Error: "x", At: end}},
		notary.NoticeResult{ID: c[3].ID, Claim: c[3].Claim, Outcome: notary.NoticeOutcome{Status: notary.NoticeDead, Error: "550 no such user", At: end}},
		// A retry without NextAttemptAt is due when the attempt ended.
		notary.NoticeResult{ID: c[4].ID, Claim: c[4].Claim, Outcome: notary.NoticeOutcome{
			Status: notary.NoticePending, Error: "interrupted", At: end}},
	)
	assert.Equal(t, ids(unknown, c[2].ID), stale, "stale IDs in the order of the results")

	delivered := findNotice(t, s, notary.NoticeDelivered, c[0].ID)
	assert.Equal(t, nt(end), nt(delivered.DeliveredAt))
	assert.Equal(t, uuid.Nil, delivered.Claim)
	assert.Zero(t, delivered.LeaseUntil)
	assert.Equal(t, 1, delivered.Attempts)

	retry := findNotice(t, s, notary.NoticePending, c[1].ID)
	assert.Equal(t, nt(now.Add(5*time.Minute)), nt(retry.NextAttemptAt))
	assert.Equal(t, "421 busy", retry.LastError)
	assert.Equal(t, uuid.Nil, retry.Claim)
	assert.Zero(t, retry.LeaseUntil)

	skipped := findNotice(t, s, notary.NoticePending, c[2].ID)
	assert.Equal(t, c[2].Claim, skipped.Claim, "a stale result changes nothing")
	assert.Empty(t, skipped.LastError)

	dead := findNotice(t, s, notary.NoticeDead, c[3].ID)
	assert.Equal(t, "550 no such user", dead.LastError)
	assert.Equal(t, uuid.Nil, dead.Claim)

	soon := findNotice(t, s, notary.NoticePending, c[4].ID)
	assert.Equal(t, nt(end), nt(soon.NextAttemptAt))
	assert.Equal(t, "interrupted", soon.LastError)

	// Due now: only the interrupted one (the skipped one is still leased,
	// the retry waits for its backoff).
	assert.Equal(t, ids(c[4].ID), noticeIDs(claim(t, s, end, 24*time.Hour, 10)))
	assert.Equal(t, ids(c[1].ID), noticeIDs(claim(t, s, now.Add(5*time.Minute), 24*time.Hour, 10)))
	assert.Equal(t, ids(c[2].ID), noticeIDs(claim(t, s, now.Add(time.Hour), 24*time.Hour, 10)))

	assert.Empty(t, finish(t, s), "no results is a no-op")
}

// testOutboxFinishInvalid checks that a malformed call applies none of its
// results.
func testOutboxFinishInvalid(t *testing.T, s notary.Store) {
	ctx := t.Context()
	a := newNotice(uuid.New(), uuid.New(), notary.KindFiling, base)
	b := newNotice(uuid.New(), uuid.New(), notary.KindFiling, at(time.Second))
	enqueue(t, s, a, b)
	c := claim(t, s, at(time.Minute), time.Hour, 10)
	require.Len(t, c, 2)
	done := notary.NoticeOutcome{Status: notary.NoticeDelivered, At: at(time.Minute)}

	_, err := s.FinishNotices(ctx, []notary.NoticeResult{
		{ID: a.ID, Claim: c[0].Claim, Outcome: done},
		{ID: b.ID, Claim: c[1].Claim, Outcome: notary.NoticeOutcome{Status: "sent", At: at(time.Minute)}},
	})
	requireIs(t, err, notary.ErrInvalidInput)
	_, err = s.FinishNotices(ctx, []notary.NoticeResult{
		{ID: a.ID, Claim: c[0].Claim, Outcome: done},
		{ID: b.ID, Claim: c[1].Claim, Outcome: done},
		{ID: a.ID, Claim: c[0].Claim, Outcome: done},
	})
	requireIs(t, err, notary.ErrInvalidInput)
	for i, n := range c {
		got := findNotice(t, s, notary.NoticePending, n.ID)
		assert.Equal(t, c[i].Claim, got.Claim, "nothing applied")
	}
	finishOne(t, s, a.ID, c[0].Claim, done)
	finishOne(t, s, b.ID, c[1].Claim, done)
}

func testOutboxDelivered(t *testing.T, s notary.Store) {
	n := newNotice(uuid.New(), uuid.New(), notary.KindFiling, base)
	enqueue(t, s, n)
	now := at(time.Minute)
	c := claim(t, s, now, time.Minute, 10)
	require.Len(t, c, 1)
	finishOne(t, s, n.ID, c[0].Claim, notary.NoticeOutcome{Status: notary.NoticeDelivered, At: now.Add(time.Second)})

	assert.Empty(t, claim(t, s, at(1000*time.Hour), time.Minute, 10))
	assert.Empty(t, noticesIn(t, s, notary.NoticePending))
	got := findNotice(t, s, notary.NoticeDelivered, n.ID)
	assert.Equal(t, notary.NoticeDelivered, got.Status)
	assert.Equal(t, nt(now.Add(time.Second)), nt(got.DeliveredAt))
	assert.Equal(t, uuid.Nil, got.Claim)
	assert.Equal(t, 1, got.Attempts)
	assert.Empty(t, got.LastError)
}

func testOutboxRetry(t *testing.T, s notary.Store) {
	n := newNotice(uuid.New(), uuid.New(), notary.KindFiling, base)
	enqueue(t, s, n)
	now := at(time.Minute)
	c := claim(t, s, now, time.Hour, 10)
	require.Len(t, c, 1)
	finishOne(t, s, n.ID, c[0].Claim, notary.NoticeOutcome{
		Status:        notary.NoticePending,
		NextAttemptAt: now.Add(5 * time.Minute),
		Error:         "451 try again later",
		At:            now.Add(time.Second),
	})

	got := findNotice(t, s, notary.NoticePending, n.ID)
	assert.Equal(t, nt(now.Add(5*time.Minute)), nt(got.NextAttemptAt))
	assert.Equal(t, "451 try again later", got.LastError)
	assert.Equal(t, uuid.Nil, got.Claim)
	assert.Equal(t, 1, got.Attempts)

	assert.Empty(t, claim(t, s, now.Add(4*time.Minute), time.Hour, 10), "not due yet")
	// Due exactly at NextAttemptAt, although the old lease would still hold.
	again := claim(t, s, now.Add(5*time.Minute), time.Hour, 10)
	require.Len(t, again, 1)
	assert.Equal(t, 2, again[0].Attempts)
	assert.Equal(t, "451 try again later", again[0].LastError)
}

func testOutboxDeadRequeue(t *testing.T, s notary.Store) {
	ctx := t.Context()
	n := newNotice(uuid.New(), uuid.New(), notary.KindFiling, base)
	enqueue(t, s, n)
	now := at(time.Minute)
	c := claim(t, s, now, time.Minute, 10)
	require.Len(t, c, 1)
	finishOne(t, s, n.ID, c[0].Claim, notary.NoticeOutcome{
		Status: notary.NoticeDead, Error: "550 no such user", At: now.Add(time.Second),
	})

	assert.Empty(t, claim(t, s, at(1000*time.Hour), time.Minute, 10))
	assert.Empty(t, noticesIn(t, s, notary.NoticePending))
	dead := findNotice(t, s, notary.NoticeDead, n.ID)
	assert.Equal(t, "550 no such user", dead.LastError)
	assert.Equal(t, uuid.Nil, dead.Claim)

	requeued := at(2 * time.Hour)
	require.NoError(t, s.RequeueNotice(ctx, n.ID, requeued))
	assert.Empty(t, noticesIn(t, s, notary.NoticeDead))
	got := findNotice(t, s, notary.NoticePending, n.ID)
	assert.Equal(t, 0, got.Attempts)
	assert.Equal(t, nt(requeued), nt(got.NextAttemptAt))
	assert.Equal(t, uuid.Nil, got.Claim)

	assert.Empty(t, claim(t, s, requeued.Add(-time.Second), time.Minute, 10))
	again := claim(t, s, requeued, time.Minute, 10)
	require.Len(t, again, 1)
	assert.Equal(t, n.ID, again[0].ID)
	assert.Equal(t, 1, again[0].Attempts)
}

func testOutboxRequeueInvalid(t *testing.T, s notary.Store) {
	ctx := t.Context()
	pending := newNotice(uuid.New(), uuid.New(), notary.KindFiling, base)
	delivered := newNotice(uuid.New(), uuid.New(), notary.KindFiling, at(time.Second))
	enqueue(t, s, pending, delivered)
	requireIs(t, s.RequeueNotice(ctx, pending.ID, at(time.Hour)), notary.ErrInvalidTransition)

	c := claim(t, s, at(time.Minute), time.Minute, 10)
	require.Len(t, c, 2)
	requireIs(t, s.RequeueNotice(ctx, pending.ID, at(time.Hour)), notary.ErrInvalidTransition)
	finishOne(t, s, delivered.ID, c[1].Claim, notary.NoticeOutcome{Status: notary.NoticeDelivered, At: at(time.Minute)})
	requireIs(t, s.RequeueNotice(ctx, delivered.ID, at(time.Hour)), notary.ErrInvalidTransition)
	findNotice(t, s, notary.NoticeDelivered, delivered.ID)
}

func testOutboxUnknown(t *testing.T, s notary.Store) {
	ctx := t.Context()
	unknown := uuid.New()
	assert.Equal(t, ids(unknown), finish(t, s, notary.NoticeResult{ID: unknown, Claim: uuid.New(),
		Outcome: notary.NoticeOutcome{Status: notary.NoticeDelivered, At: base}}), "an unknown ID is stale")
	requireIs(t, s.RequeueNotice(ctx, uuid.New(), base), notary.ErrNotFound)
	assert.Empty(t, claim(t, s, at(time.Hour), time.Minute, 10))
}

func testOutboxClaimOrder(t *testing.T, s notary.Store) {
	office := uuid.New()
	n3 := newNotice(office, uuid.New(), notary.KindFiling, at(3*time.Second))
	n1 := newNotice(office, uuid.New(), notary.KindFiling, at(1*time.Second))
	n2 := newNotice(office, uuid.New(), notary.KindFiling, at(2*time.Second))
	late := newNotice(office, uuid.New(), notary.KindFiling, base)
	late.NextAttemptAt = at(time.Hour)
	enqueue(t, s, n3, late)
	enqueue(t, s, n1, n2)

	now := at(time.Minute)
	assert.Equal(t, ids(n1.ID, n2.ID), noticeIDs(claim(t, s, now, time.Hour, 2)))
	assert.Equal(t, ids(n3.ID), noticeIDs(claim(t, s, now, time.Hour, 2)))
	assert.Empty(t, claim(t, s, now, time.Hour, 2))
	assert.Equal(t, ids(late.ID), noticeIDs(claim(t, s, at(time.Hour), time.Hour, 2)))
}

func testOutboxListOrder(t *testing.T, s notary.Store) {
	office := uuid.New()
	var ns []notary.Notice
	for k := range 5 {
		i := (k * 3) % 5
		ns = append(ns, newNotice(office, uuid.New(), notary.KindFiling, at(time.Duration(i)*time.Second)))
	}
	enqueue(t, s, ns...)
	slices.SortFunc(ns, func(a, b notary.Notice) int { return a.CreatedAt.Compare(b.CreatedAt) })

	got, err := s.ListNotices(t.Context(), notary.NoticePending, 3)
	require.NoError(t, err)
	assert.Equal(t, noticeIDs(ns[:3]), noticeIDs(got))
	assert.Equal(t, noticeIDs(ns), noticeIDs(noticesIn(t, s, notary.NoticePending)))
}

func testOutboxConcurrentClaimers(t *testing.T, s notary.Store) {
	office := uuid.New()
	const total = 200
	var ns []notary.Notice
	for i := range total {
		ns = append(ns, newNotice(office, uuid.New(), notary.KindFiling, at(time.Duration(i)*time.Millisecond)))
	}
	for i := 0; i < total; i += 50 {
		enqueue(t, s, ns[i:i+50]...)
	}

	now := at(time.Minute)
	var mu sync.Mutex
	seen := map[uuid.UUID]int{}
	claims := 0 // bounds the loop for a store that hands out leased notices
	var failed error
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			<-start
			for {
				batch, err := s.ClaimNotices(context.Background(), now, time.Hour, 7)
				mu.Lock()
				if err != nil && failed == nil {
					failed = err
				}
				for _, n := range batch {
					seen[n.ID]++
				}
				claims += len(batch)
				tooMany := claims > total
				mu.Unlock()
				if err != nil || len(batch) == 0 || tooMany {
					return
				}
			}
		})
	}
	close(start)
	wg.Wait()

	require.NoError(t, failed)
	assert.Len(t, seen, total)
	for _, n := range ns {
		assert.Equal(t, 1, seen[n.ID], "notice %s claimed %d times", n.ID, seen[n.ID])
	}
}

// testOutboxConcurrentFinishers runs relays that claim and finish batches
// concurrently: every notice is claimed once and ends delivered. Then a
// relay whose leases expired races the relay that reclaimed its notices:
// only the current claims apply.
func testOutboxConcurrentFinishers(t *testing.T, s notary.Store) {
	office := uuid.New()
	const total = 200
	var ns []notary.Notice
	for i := range total {
		ns = append(ns, newNotice(office, uuid.New(), notary.KindFiling, at(time.Duration(i)*time.Millisecond)))
	}
	for i := 0; i < total; i += 50 {
		enqueue(t, s, ns[i:i+50]...)
	}

	now := at(time.Minute)
	var mu sync.Mutex
	seen := map[uuid.UUID]int{}
	claims := 0
	var failed []error
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			ctx := context.Background()
			for {
				batch, err := s.ClaimNotices(ctx, now, time.Hour, 7)
				var stale []uuid.UUID
				if err == nil && len(batch) > 0 {
					results := make([]notary.NoticeResult, len(batch))
					for i, n := range batch {
						results[i] = notary.NoticeResult{ID: n.ID, Claim: n.Claim,
							Outcome: notary.NoticeOutcome{Status: notary.NoticeDelivered, At: now}}
					}
					stale, err = s.FinishNotices(ctx, results)
				}
				mu.Lock()
				if err != nil {
					failed = append(failed, err)
				}
				if len(stale) > 0 {
					failed = append(failed, fmt.Errorf("stale: %v", stale))
				}
				for _, n := range batch {
					seen[n.ID]++
				}
				claims += len(batch)
				tooMany := claims > total
				mu.Unlock()
				if err != nil || len(batch) == 0 || tooMany {
					return
				}
			}
		})
	}
	wg.Wait()
	require.Empty(t, failed)
	assert.Len(t, seen, total)
	for _, n := range ns {
		assert.Equal(t, 1, seen[n.ID], "notice %s claimed %d times", n.ID, seen[n.ID])
	}
	assert.Empty(t, noticesIn(t, s, notary.NoticePending))
	assert.Len(t, noticesIn(t, s, notary.NoticeDelivered), total)

	// Expired leases: old and current claims finish concurrently.
	more := make([]notary.Notice, 60)
	for i := range more {
		more[i] = newNotice(office, uuid.New(), notary.KindFiling, at(time.Hour+time.Duration(i)*time.Millisecond))
	}
	enqueue(t, s, more...)
	later := at(2 * time.Hour)
	old := claim(t, s, later, time.Minute, 100)
	cur := claim(t, s, later.Add(2*time.Minute), time.Hour, 100)
	require.Len(t, old, len(more))
	require.Len(t, cur, len(more))
	results := func(ns []notary.Notice, st notary.NoticeStatus) []notary.NoticeResult {
		out := make([]notary.NoticeResult, len(ns))
		for i, n := range ns {
			out[i] = notary.NoticeResult{ID: n.ID, Claim: n.Claim, Outcome: notary.NoticeOutcome{Status: st, Error: string(st), At: later}}
		}
		return out
	}
	var oldStale, curStale []uuid.UUID
	var oldErr, curErr error
	wg.Go(func() { oldStale, oldErr = s.FinishNotices(context.Background(), results(old, notary.NoticeDead)) })
	wg.Go(func() { curStale, curErr = s.FinishNotices(context.Background(), results(cur, notary.NoticeDelivered)) })
	wg.Wait()
	require.NoError(t, oldErr)
	require.NoError(t, curErr)
	assert.Equal(t, noticeIDs(old), oldStale)
	assert.Empty(t, curStale)
	assert.Empty(t, noticesIn(t, s, notary.NoticeDead))
	assert.Len(t, noticesIn(t, s, notary.NoticeDelivered), total+len(more))
}
