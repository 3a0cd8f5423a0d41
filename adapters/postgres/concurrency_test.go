package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
)

// Two stores with separate pools (two host instances) race the same
// transition, many times: each time exactly one wins and the other gets
// ErrConflict.
func TestConcurrentTransitionAcrossPools(t *testing.T) {
	t.Parallel()
	st1, url, schema := newStore(t)
	st2 := openStore(t, url, schema)
	ctx := context.Background()

	a := testApplication(uuid.New(), "u", 3)
	if err := st1.Commit(ctx, createChange(a)); err != nil {
		t.Fatal(err)
	}
	for round := range 20 {
		cur, err := st1.Application(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		changes := []notary.Change{nextChange(cur, fmt.Sprintf("r%d-a", round)), nextChange(cur, fmt.Sprintf("r%d-b", round))}
		errs := make([]error, 2)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, st := range []notary.Store{st1, st2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = st.Commit(ctx, changes[i])
			}()
		}
		close(start)
		wg.Wait()
		wins, conflicts := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				wins++
			case errors.Is(err, notary.ErrConflict):
				conflicts++
			default:
				t.Fatalf("round %d: unexpected error %v", round, err)
			}
		}
		if wins != 1 || conflicts != 1 {
			t.Fatalf("round %d: %d wins and %d conflicts, want 1 and 1 (%v)", round, wins, conflicts, errs)
		}
		after, err := st2.Application(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if after.Version != cur.Version+1 {
			t.Fatalf("round %d: version %d, want %d", round, after.Version, cur.Version+1)
		}
		evs, err := st2.Events(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(evs)) != after.Version {
			t.Fatalf("round %d: %d events for version %d: the loser left an event", round, len(evs), after.Version)
		}
	}
}

// Four relays, each with its own pool, drain 1,000 notices: every notice
// is claimed exactly once and ends delivered.
func TestOutboxWorkersClaimEachNoticeOnce(t *testing.T) {
	t.Parallel()
	st, url, schema := newStore(t)
	ctx := context.Background()

	const total = 1000
	want := make(map[uuid.UUID]bool, total)
	for i := 0; i < total; i += 100 {
		a := testApplication(uuid.New(), fmt.Sprintf("u%d", i), 1)
		c := createChange(a)
		c.Notices = nil
		for j := range 100 {
			n := testNotice(a, base.Add(time.Duration(i+j)*time.Millisecond))
			c.Notices = append(c.Notices, n)
			want[n.ID] = true
		}
		if err := st.Commit(ctx, c); err != nil {
			t.Fatal(err)
		}
	}

	now := base.Add(time.Hour)
	var (
		mu      sync.Mutex
		claimed = make(map[uuid.UUID]int, total)
		wg      sync.WaitGroup
		errs    = make(chan error, 4)
	)
	for w := range 4 {
		relay := openStore(t, url, schema)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				batch, err := relay.ClaimNotices(ctx, now, time.Hour, 7+w*5)
				if err != nil {
					errs <- err
					return
				}
				if len(batch) == 0 {
					return
				}
				results := make([]notary.NoticeResult, len(batch))
				mu.Lock()
				for i, n := range batch {
					claimed[n.ID]++
					results[i] = notary.NoticeResult{ID: n.ID, Claim: n.Claim,
						Outcome: notary.NoticeOutcome{Status: notary.NoticeDelivered, At: now}}
				}
				mu.Unlock()
				stale, err := relay.FinishNotices(ctx, results)
				if err == nil && len(stale) > 0 {
					err = fmt.Errorf("stale claims %v", stale)
				}
				if err != nil {
					errs <- fmt.Errorf("finish: %w", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(claimed) != total {
		t.Fatalf("%d notices claimed, want %d", len(claimed), total)
	}
	for id, n := range claimed {
		if n != 1 || !want[id] {
			t.Fatalf("notice %s claimed %d times (known %v)", id, n, want[id])
		}
	}
	left, err := st.ListNotices(ctx, notary.NoticePending, total)
	if err != nil || len(left) != 0 {
		t.Fatalf("pending after drain: %d (err %v)", len(left), err)
	}
	done, err := st.ListNotices(ctx, notary.NoticeDelivered, 2*total)
	if err != nil || len(done) != total {
		t.Fatalf("delivered: %d, want %d (err %v)", len(done), total, err)
	}
}

// Two new applications reserve the same evidence in opposite orders from
// two pools: one wins, the other gets ErrEvidenceReserved (never a
// deadlock error).
func TestConcurrentOverlappingReservations(t *testing.T) {
	t.Parallel()
	st1, url, schema := newStore(t)
	st2 := openStore(t, url, schema)
	ctx := context.Background()
	office := uuid.New()
	for round := range 20 {
		ids := []string{fmt.Sprintf("r%d-x", round), fmt.Sprintf("r%d-y", round), fmt.Sprintf("r%d-z", round)}
		c1 := createChange(testApplication(office, "u1", 3))
		c2 := createChange(testApplication(office, "u2", 3))
		for i, id := range ids { // both list the same evidence
			c1.Application.Evidence[i].ID, c2.Application.Evidence[i].ID = id, id
		}
		c1.Reserve = ids
		c2.Reserve = []string{ids[2], ids[1], ids[0]}
		errs := make([]error, 2)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, run := range []func() error{
			func() error { return st1.Commit(ctx, c1) },
			func() error { return st2.Commit(ctx, c2) },
		} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = run()
			}()
		}
		close(start)
		wg.Wait()
		wins := 0
		for _, err := range errs {
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, notary.ErrEvidenceReserved):
				t.Fatalf("round %d: unexpected error %v", round, err)
			}
		}
		if wins != 1 {
			t.Fatalf("round %d: %d wins, want 1 (%v)", round, wins, errs)
		}
		held, err := st1.Reservations(ctx, ids)
		if err != nil || len(held) != 3 {
			t.Fatalf("round %d: reservations %v (err %v)", round, held, err)
		}
		winner := c1.Application.ID
		if errs[0] != nil {
			winner = c2.Application.ID
		}
		for id, app := range held {
			if app != winner {
				t.Fatalf("round %d: %s held by %s, want the winner %s", round, id, app, winner)
			}
		}
	}
}
