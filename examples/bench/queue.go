package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/google/uuid"
	_ "modernc.org/sqlite" // the raw connection that bulk-loads the SQLite file

	"github.com/notarykit/notarykit/adapters/sqlite"
	"github.com/notarykit/notarykit/notary"
)

// benchQueues times the first and a deep page (50 items) of the
// preliminary-review queue at a large and a small number of applications,
// for PostgreSQL and SQLite, and reports large/small.
func benchQueues(ctx context.Context, c config, r *Report) error {
	small, large := 10_000, 1_000_000
	if c.quick {
		small, large = 1_000, 100_000
	}
	r.QueuePage, r.QueueTimes = map[string]float64{}, map[string]string{}
	for _, kind := range []string{"postgres", "sqlite"} {
		var times [2]time.Duration
		for i, n := range []int{small, large} {
			t, err := queueAt(ctx, c, kind, n)
			if err != nil {
				return fmt.Errorf("%s at %d: %w", kind, n, err)
			}
			times[i] = t
			fmt.Fprintf(c.log, "bench: %s queue at %d records: first+deep page %s\n", kind, n, t)
		}
		r.QueuePage[kind] = float64(times[1]) / float64(times[0])
		r.QueueTimes[kind] = fmt.Sprintf("%s at %d vs %s at %d", times[1], large, times[0], small)
	}
	return nil
}

// queueAt loads n applications waiting for preliminary review (copies of
// one real application) and returns the median time to fetch the first
// page plus a page 90% deep.
func queueAt(ctx context.Context, c config, kind string, n int) (time.Duration, error) {
	var st notary.Store
	var load func(seed uuid.UUID) error
	switch kind {
	case "postgres":
		env, err := openPG(ctx, c, 4)
		if err != nil {
			return 0, err
		}
		defer env.close(ctx)
		st = env.store
		load = func(seed uuid.UUID) error {
			_, err := env.raw.Exec(ctx, `INSERT INTO applications (id, office_id, owner_id, state, version, created_at, updated_at,
	expires_at, idempotency_key, quote_amount, currency, doc)
SELECT gen_random_uuid(), office_id, owner_id || (g % 997), state, version, created_at + g * interval '1 millisecond', updated_at,
	expires_at, '', quote_amount, currency, doc
FROM applications, generate_series(1, $2::int) AS g WHERE id = $1`, seed, n-1)
			if err == nil {
				_, err = env.raw.Exec(ctx, "ANALYZE applications")
			}
			return err
		}
	default:
		dir, err := os.MkdirTemp(tempDir(), "queue-")
		if err != nil {
			return 0, err
		}
		path := filepath.Join(dir, fmt.Sprintf("queue-%d.db", n))
		s, err := sqlite.Open(ctx, path)
		if err != nil {
			return 0, err
		}
		defer s.Close()
		st = s
		load = func(seed uuid.UUID) error {
			db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)")
			if err != nil {
				return err
			}
			defer db.Close()
			_, err = db.ExecContext(ctx, `WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < ?)
INSERT INTO applications (id, office_id, owner_id, filing_id, state, version, idempotency_key, quote_amount, quote_currency,
	payment_id, created_at, updated_at, expires_at, doc)
SELECT printf('%08x-0000-4000-8000-%012x', abs(random()) % 4294967295, x), office_id, owner_id || (x % 997), filing_id, state, version, '',
	quote_amount, quote_currency, '', strftime('%Y-%m-%dT%H:%M:%f', created_at, '+' || x || ' seconds') || '000000Z', updated_at, expires_at, doc
FROM applications, g WHERE id = ?`, n-1, seed.String())
			if err == nil {
				_, err = db.ExecContext(ctx, "ANALYZE")
			}
			return err
		}
	}
	f, err := newFixture(ctx, st)
	if err != nil {
		return 0, err
	}
	u := f.user(1)
	if err := f.approve(ctx, u); err != nil {
		return 0, err
	}
	seed, err := f.application(ctx, u, true)
	if err != nil {
		return 0, err
	}
	if err := load(seed.ID); err != nil {
		return 0, err
	}
	state := notary.PendingPreliminaryReview
	// Walk to the deep cursor once (not timed).
	var deep *notary.Cursor
	for page, after := 0, (*notary.Cursor)(nil); page < 9*n/10/1000; page++ {
		items, err := f.svc.Reviews.ApplicationQueue(ctx, f.reviewer, state, after, 1000)
		if err != nil {
			return 0, err
		}
		if len(items) == 0 {
			break
		}
		last := items[len(items)-1]
		after = &notary.Cursor{CreatedAt: last.CreatedAt, ID: last.ID}
		deep = after
	}
	var samples []time.Duration
	for range 15 {
		start := time.Now()
		for _, cur := range []*notary.Cursor{nil, deep} {
			items, err := f.svc.Reviews.ApplicationQueue(ctx, f.reviewer, state, cur, 50)
			if err != nil {
				return 0, err
			}
			if len(items) != 50 {
				return 0, fmt.Errorf("page of %d items", len(items))
			}
		}
		samples = append(samples, time.Since(start))
	}
	slices.Sort(samples)
	return samples[len(samples)/2], nil
}
