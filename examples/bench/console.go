package main

import (
	"context"
	"crypto/md5"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/adapters/sqlite"
	"github.com/notarykit/notarykit/notary"
)

// The review console's dashboard statistics and search (issue 16), timed
// on PostgreSQL and SQLite at a small and a large number of applications in
// one run.
//
// The data: records copied from one real filing and one real application
// (made through the SDK) by bulk INSERT … SELECT straight into the tables —
// fixture loading, not SDK writes. There are n applications, one filing per
// ten (each with its own enterprise name and credit code), and each copied
// application has two audit events: entering the preliminary review and the
// decision, after a wait of up to three days. The newest consoleWindow
// applications fall in the last year; at 1M the others are older history,
// spread over the ten years before. So both runs chart the same year —
// the dashboard reads the period it shows, never the table — and the ratio
// says whether the cost follows the period or the table.

// consoleWindow is the number of applications made in the last year.
const consoleWindow = 10_000

// benchConsole times Reviews.Stats (12 weeks, 12 months) and a round of
// Reviews.Search (a whole application ID, the last 8 characters of one, a
// part of an enterprise name, a credit code, a tracking number) at n small
// and large, and reports large/small.
func benchConsole(ctx context.Context, c config, r *Report) error {
	small, large := consoleWindow, 1_000_000
	if c.quick {
		large = 100_000
	}
	r.ConsoleStats, r.ConsoleSearch, r.ConsoleTimes = map[string]float64{}, map[string]float64{}, map[string]string{}
	for _, kind := range []string{"postgres", "sqlite"} {
		var stats, search [2]time.Duration
		for i, n := range []int{small, large} {
			var err error
			if stats[i], search[i], err = consoleAt(ctx, c, kind, n); err != nil {
				return fmt.Errorf("console on %s at %d: %w", kind, n, err)
			}
			fmt.Fprintf(c.log, "bench: console on %s at %d applications: stats %s, search round %s\n", kind, n, stats[i], search[i])
		}
		r.ConsoleStats[kind] = float64(stats[1]) / float64(stats[0])
		r.ConsoleSearch[kind] = float64(search[1]) / float64(search[0])
		r.ConsoleTimes[kind] = fmt.Sprintf("stats %s at %d vs %s at %d; search %s vs %s", stats[1], large, stats[0], small, search[1], search[0])
	}
	return nil
}

// Fixture loading: copies of the seed records. $1 seed ID, $2 count, $3
// now, $4 the window count, $5 the number of filings. created(g) puts copy
// g in the last year when g <= $4, in the ten years before otherwise.
const (
	consoleCreated = `($3::timestamptz - CASE WHEN g <= $4 THEN g * (interval '365 days' / $4::int)
	ELSE interval '366 days' + (g - $4) * (interval '3650 days' / greatest($2::int - $4::int, 1)) END)`
	consoleFilingsSQL = `INSERT INTO filings (id, office_id, owner_id, state, version, created_at, updated_at, doc)
SELECT md5('f' || g)::uuid, office_id, owner_id || '-' || g, state, version, c, c,
	jsonb_set(jsonb_set(jsonb_set(doc::jsonb, '{id}', to_jsonb(md5('f' || g)::uuid::text)),
		'{content,enterprise_name}', to_jsonb('测试' || g || '号科技有限公司')), '{content,credit_code}', to_jsonb('X' || g))::json
FROM filings, generate_series(1, $2::int) AS g, LATERAL (SELECT ` + consoleCreated + ` AS c) t
WHERE id = $1`
	consoleAppsSQL = `INSERT INTO applications (id, office_id, owner_id, state, version, created_at, updated_at,
	expires_at, idempotency_key, quote_amount, currency, doc)
SELECT md5('a' || g)::uuid, office_id, owner_id || (g % 997), state, version, c, c, expires_at, '', quote_amount, currency,
	jsonb_set(jsonb_set(jsonb_set(doc::jsonb, '{id}', to_jsonb(md5('a' || g)::uuid::text)),
		'{filing_id}', to_jsonb(md5('f' || (g % $5::int + 1))::uuid::text)),
		'{materials,tracking_number}', to_jsonb('SF' || (1000000000000 + g)::text))::json
FROM applications, generate_series(1, $2::int) AS g, LATERAL (SELECT ` + consoleCreated + ` AS c) t
WHERE id = $1`
	consoleEventsSQL = `INSERT INTO events (record_id, seq, id, record_kind, office_id, trigger, from_state, to_state,
	actor_kind, actor_id, actor_name, reason, at, prev_hash, hash)
SELECT a.id, s.seq, gen_random_uuid(), 'application', a.office_id, s.trig, s.f, s.t, 'admin', 'bench', 'bench', '',
	a.created_at + s.d, '', ''
FROM applications a CROSS JOIN LATERAL (VALUES
	(2, 'payment_succeeded', 'AwaitingPayment', 'PendingPreliminaryReview', interval '1 minute'),
	(3, 'approve_preliminary', 'PendingPreliminaryReview', 'AwaitingMaterials',
		interval '1 minute' + (hashtext(a.id::text) & 255) * interval '17 minutes')) AS s(seq, trig, f, t, d)
WHERE a.id <> $1`
)

// consoleAt loads n applications and returns the median time of the
// dashboard's statistics and of a round of searches.
func consoleAt(ctx context.Context, c config, kind string, n int) (stats, search time.Duration, err error) {
	var st notary.Store
	var path string
	var loadPG func(filingID, seedID uuid.UUID, filings int, now time.Time) error
	id := copyID
	if kind == "postgres" {
		env, err := openPG(ctx, c, 4)
		if err != nil {
			return 0, 0, err
		}
		defer env.close(ctx)
		st = env.store
		loadPG = func(filingID, seedID uuid.UUID, filings int, now time.Time) error {
			for _, step := range []struct {
				sql  string
				args []any
			}{
				{consoleFilingsSQL, []any{filingID, filings, now, min(filings, consoleWindow/10)}},
				{consoleAppsSQL, []any{seedID, n - 1, now, consoleWindow - 1, filings}},
				{consoleEventsSQL, []any{seedID}},
				{"ANALYZE", nil},
			} {
				if _, err := env.raw.Exec(ctx, step.sql, step.args...); err != nil {
					return fmt.Errorf("fixture loading: %w", err)
				}
			}
			return nil
		}
	} else {
		dir, err := os.MkdirTemp(tempDir(), "console-")
		if err != nil {
			return 0, 0, err
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, fmt.Sprintf("console-%d.db", n))
		s, err := sqlite.Open(ctx, path)
		if err != nil {
			return 0, 0, err
		}
		defer s.Close()
		st = s
		id = sqliteCopyID
	}
	f, err := newFixture(ctx, st)
	if err != nil {
		return 0, 0, err
	}
	u := f.user(1)
	if err := f.approve(ctx, u); err != nil {
		return 0, 0, err
	}
	filing, err := f.svc.Filings.Mine(ctx, u)
	if err != nil {
		return 0, 0, err
	}
	seed, err := f.application(ctx, u, false)
	if err != nil {
		return 0, 0, err
	}
	start, now := time.Now(), time.Now()
	filings := max(n/10, 1)
	if kind == "postgres" {
		err = loadPG(filing.ID, seed.ID, filings, now)
	} else {
		err = loadSQLite(ctx, path, filing.ID, seed.ID, n, filings, now)
	}
	if err != nil {
		return 0, 0, err
	}
	fmt.Fprintf(c.log, "bench: console on %s: %d applications, %d filings loaded in %s\n", kind, n, filings, time.Since(start).Round(time.Millisecond))

	// What a reviewer searches for: records near and far in time.
	far, near := id("a", n-1), id("a", n/2)
	texts := []string{far.String(), near.String()[28:], fmt.Sprintf("%d号科技", filings/3), filing.Content.CreditCode,
		fmt.Sprintf("SF%d", 1000000000000+n/3)}
	// Check once that each text finds something (not timed).
	for _, text := range texts {
		res, err := f.svc.Reviews.Search(ctx, f.reviewer, text, 20)
		if err != nil {
			return 0, 0, err
		}
		if len(res.Filings)+len(res.Applications) == 0 {
			return 0, 0, fmt.Errorf("search %q finds nothing", text)
		}
	}
	charted, err := f.svc.Reviews.Stats(ctx, f.reviewer, 12, 12)
	if err != nil {
		return 0, 0, err
	}
	decided, made := 0, 0
	for _, w := range charted.Weeks {
		decided += w.Decisions
	}
	for _, m := range charted.Months {
		made += m.Applications()
	}
	fmt.Fprintf(c.log, "bench: console: the dashboard charts %d decisions (12 weeks) and %d applications (12 months)\n", decided, made)

	var statSamples, searchSamples []time.Duration
	perText := make([][]time.Duration, len(texts))
	for range 11 {
		t0 := time.Now()
		if _, err := f.svc.Reviews.Stats(ctx, f.reviewer, 12, 12); err != nil {
			return 0, 0, err
		}
		statSamples = append(statSamples, time.Since(t0))
		round := time.Duration(0)
		for i, text := range texts {
			t0 = time.Now()
			if _, err := f.svc.Reviews.Search(ctx, f.reviewer, text, 20); err != nil {
				return 0, 0, err
			}
			d := time.Since(t0)
			perText[i] = append(perText[i], d)
			round += d
		}
		searchSamples = append(searchSamples, round)
	}
	for i, text := range texts {
		fmt.Fprintf(c.log, "bench: console on %s at %d: search %q %s\n", kind, n, text, midDuration(perText[i]))
	}
	return midDuration(statSamples), midDuration(searchSamples), nil
}

// copyID is the ID the fixture loading gives copy g: md5(prefix || g)::uuid.
func copyID(prefix string, g int) uuid.UUID {
	return uuid.UUID(md5.Sum([]byte(fmt.Sprintf("%s%d", prefix, g))))
}

// midDuration returns the median of samples (which it sorts).
func midDuration(samples []time.Duration) time.Duration {
	slices.Sort(samples)
	return samples[len(samples)/2]
}
