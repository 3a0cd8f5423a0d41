package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/notarykit/notarykit/adapters/postgres"
	"github.com/notarykit/notarykit/notary"
)

// pgEnv is a fresh schema with a migrated notarykit store and a raw pool on
// the same schema.
type pgEnv struct {
	store  *postgres.Store
	raw    *pgxpool.Pool
	schema string
}

func openPG(ctx context.Context, c config, maxConns int) (*pgEnv, error) {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	schema := "nkbench_" + hex.EncodeToString(b)
	pcfg, err := pgxpool.ParseConfig(c.pgURL)
	if err != nil {
		return nil, err
	}
	pcfg.MaxConns = int32(maxConns)
	pcfg.ConnConfig.RuntimeParams["search_path"] = schema
	pcfg.ConnConfig.RuntimeParams["application_name"] = schema // for cpuTime
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, err
	}
	st := postgres.New(pool, postgres.WithSchema(schema))
	if err := st.Migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("migrate (is PostgreSQL running at %s?): %w", c.pgURL, err)
	}
	return &pgEnv{store: st, raw: pool, schema: schema}, nil
}

func (e *pgEnv) close(ctx context.Context) {
	_, _ = e.raw.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{e.schema}.Sanitize()+" CASCADE")
	e.raw.Close()
}

// benchPostgres runs the same transitions through notarykit and as raw SQL,
// at 1, 8 and 32 concurrent workers, and compares transitions per second.
func benchPostgres(ctx context.Context, c config, r *Report) error {
	r.PgTPS, r.RawTPS, r.PgVsRawByConc = map[string]float64{}, map[string]float64{}, map[string]float64{}
	for _, workers := range []int{1, 8, 32} {
		env, err := openPG(ctx, c, workers+4)
		if err != nil {
			return err
		}
		nk, raw, err := compareAt(ctx, c, env, workers)
		env.close(ctx)
		if err != nil {
			return err
		}
		k := strconv.Itoa(workers)
		r.PgTPS[k], r.RawTPS[k], r.PgVsRawByConc[k] = nk, raw, nk/raw
		fmt.Fprintf(c.log, "bench: pg %2d workers: notarykit %.0f/s, raw %.0f/s\n", workers, nk, raw)
	}
	r.PgVsRawRatio = r.PgVsRawByConc["8"]
	return nil
}

// compareAt measures both paths at one concurrency, alternating them in
// short slices so that both see the same machine.
func compareAt(ctx context.Context, c config, env *pgEnv, workers int) (nk, raw float64, err error) {
	f, err := newFixture(ctx, env.store)
	if err != nil {
		return 0, 0, err
	}
	users := make([]notary.User, workers)
	apps := make([]notary.Application, workers)
	rawApps := make([]*rawApp, workers)
	for i := range workers {
		users[i] = f.user(i)
		if err := f.approve(ctx, users[i]); err != nil {
			return 0, 0, err
		}
		if apps[i], err = f.application(ctx, users[i], false); err != nil {
			return 0, 0, err
		}
		// The raw path works on a copy of a real application row.
		other, err := f.application(ctx, users[i], false)
		if err != nil {
			return 0, 0, err
		}
		if rawApps[i], err = loadRaw(ctx, env.raw, other.ID); err != nil {
			return 0, 0, err
		}
	}
	type side struct {
		name  string
		run   func(context.Context, int) error
		count int64
		time  time.Duration
	}
	mine := &side{name: "notarykit", run: func(ctx context.Context, w int) error { return f.cycle(ctx, users[w], &apps[w]) }}
	baseline := &side{name: "raw", run: func(ctx context.Context, w int) error { return rawApps[w].cycle(ctx, env.raw) }}
	// Short slices in ABBA order (notarykit first, then raw first, and so
	// on), so that a drift in the shared machine's speed falls on both.
	const slices = 8
	for i := range slices {
		order := []*side{mine, baseline}
		if i%2 == 1 {
			order = []*side{baseline, mine}
		}
		for _, s := range order {
			n, d, err := parallel(ctx, workers, c.duration()/slices, s.run)
			if err != nil {
				return 0, 0, fmt.Errorf("%s: %w", s.name, err)
			}
			s.count, s.time = s.count+n, s.time+d
		}
	}
	// Each cycle is two transitions.
	return 2 * float64(mine.count) / mine.time.Seconds(), 2 * float64(baseline.count) / baseline.time.Seconds(), nil
}

// parallel runs fn in workers goroutines for d and counts the calls.
func parallel(ctx context.Context, workers int, d time.Duration, fn func(context.Context, int) error) (int64, time.Duration, error) {
	var count atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, workers)
	start := time.Now()
	deadline := start.Add(d)
	for w := range workers {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				if err := fn(ctx, w); err != nil {
					errs[w] = err
					return
				}
				count.Add(1)
			}
		})
	}
	wg.Wait()
	return count.Load(), time.Since(start), errors.Join(errs...)
}

// rawApp is the raw-SQL baseline: the same statements notarykit's
// transition writes (the version-checked UPDATE of the application, the
// audit INSERT, the outbox INSERTs), as hand-written pgx code would send
// them: one transaction per transition (BEGIN, the statements pipelined in
// a batch, COMMIT), IDs passed natively, and none of the SDK's reads,
// checks or encoding.
type rawApp struct {
	id      uuid.UUID
	office  uuid.UUID
	version int64
	doc     []byte
	notice  []byte
}

func loadRaw(ctx context.Context, pool *pgxpool.Pool, id uuid.UUID) (*rawApp, error) {
	a := &rawApp{id: id}
	err := pool.QueryRow(ctx, `SELECT office_id, version, doc FROM applications WHERE id = $1`, id).Scan(&a.office, &a.version, &a.doc)
	if err != nil {
		return nil, err
	}
	err = pool.QueryRow(ctx, `SELECT notice FROM outbox WHERE record_id = $1 LIMIT 1`, id).Scan(&a.notice)
	return a, err
}

const (
	rawUpdate = `UPDATE applications SET state = $3, version = $4, updated_at = $5, doc = $6 WHERE id = $1 AND version = $2`
	rawEvent  = `INSERT INTO events (record_id, seq, id, record_kind, office_id, trigger, from_state, to_state,
	actor_kind, actor_id, actor_name, reason, at, prev_hash, hash)
VALUES ($1, $2, $3, 'application', $4, $5, $6, $7, 'user', 'bench', 'bench', '', $8, 'prev', 'hash')`
	rawNotice = `INSERT INTO outbox (id, office_id, record_id, kind, channel, status, attempts, next_attempt_at,
	created_at, notice) VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6, $7)`
)

// cycle runs the two transitions of fixture.cycle as raw SQL: reject (two
// user notices) and submit again (two user notices, one office notice).
func (a *rawApp) cycle(ctx context.Context, pool *pgxpool.Pool) error {
	if err := a.transition(ctx, pool, "PendingFinalReview", "MaterialsRejected", "reject_final", 2); err != nil {
		return err
	}
	return a.transition(ctx, pool, "MaterialsRejected", "PendingFinalReview", "submit_materials", 3)
}

func (a *rawApp) transition(ctx context.Context, pool *pgxpool.Pool, from, to, trigger string, notices int) error {
	now := time.Now().UTC()
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	b := &pgx.Batch{}
	id, office := pgtype.UUID{Bytes: a.id, Valid: true}, pgtype.UUID{Bytes: a.office, Valid: true}
	b.Queue(rawUpdate, id, a.version, to, a.version+1, now, a.doc)
	b.Queue(rawEvent, id, a.version+1, pgtype.UUID{Bytes: uuid.New(), Valid: true}, office, trigger, from, to, now)
	for range notices {
		b.Queue(rawNotice, pgtype.UUID{Bytes: uuid.New(), Valid: true}, office, id, "bench", "email", now, a.notice)
	}
	res := tx.SendBatch(ctx, b)
	tag, err := res.Exec()
	if err != nil {
		res.Close()
		return err
	}
	if tag.RowsAffected() != 1 {
		res.Close()
		return errors.New("raw: version conflict")
	}
	if err := res.Close(); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	a.version++
	return nil
}
