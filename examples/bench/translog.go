package main

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/google/uuid"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/translog"
)

// benchLog measures the transparency log: PostgreSQL transitions per
// second with the log on (each event stamped with its transaction ID and
// indexed for the sequencer, a sequencer and checkpoints running
// alongside) against off (neither the stamp nor the index, no sequencer);
// how fast the sequencer integrates a backlog on PostgreSQL;
// and the time of an inclusion proof at 1M leaves against 10k.
func benchLog(ctx context.Context, c config, r *Report) error {
	if err := benchLogOnOff(ctx, c, r); err != nil {
		return err
	}
	if err := benchSequencing(ctx, c, r); err != nil {
		return err
	}
	small, large := 10_000, 1_000_000
	if c.quick {
		large = 200_000
	}
	return benchProofs(c, r, small, large)
}

func benchKey() ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("bench office key"))
	return ed25519.NewKeyFromSeed(seed[:])
}

// benchLogOnOff alternates slices with the log on and off (ABBA, as
// compareAt does) at 8 workers on one schema.
func benchLogOnOff(ctx context.Context, c config, r *Report) error {
	const workers = 8
	env, err := openPG(ctx, c, workers+6)
	if err != nil {
		return err
	}
	defer env.close(ctx)
	f, err := newFixture(ctx, env.store)
	if err != nil {
		return err
	}
	lg, err := translog.New(translog.Config{Service: f.svc, Store: env.store, Keys: []ed25519.PrivateKey{benchKey()}, Origin: "bench.example/log",
		CheckpointEvery: time.Second})
	if err != nil {
		return err
	}
	users := make([]notary.User, workers)
	apps := make([]notary.Application, workers)
	for i := range workers {
		users[i] = f.user(i)
		if err := f.approve(ctx, users[i]); err != nil {
			return err
		}
		if apps[i], err = f.application(ctx, users[i], false); err != nil {
			return err
		}
	}
	if _, err := lg.SequenceAll(ctx); err != nil {
		return err
	}
	// What the log adds to a commit: the events' xid default and the
	// sequencer's index on it (migration 00013). Without them events are
	// not logged, as a store without the log would keep them.
	logOn := func(on bool) error {
		stmts := []string{"ALTER TABLE events ALTER COLUMN xid DROP DEFAULT", "DROP INDEX IF EXISTS events_log_idx"}
		if on {
			stmts = []string{"ALTER TABLE events ALTER COLUMN xid SET DEFAULT pg_current_xact_id()",
				"CREATE INDEX IF NOT EXISTS events_log_idx ON events (office_id, xid, record_id, seq) WHERE xid IS NOT NULL"}
		}
		for _, q := range stmts {
			if _, err := env.raw.Exec(ctx, q); err != nil {
				return err
			}
		}
		return nil
	}
	type side struct {
		on    bool
		count int64
		time  time.Duration
		cpu   time.Duration // this process's and its backends' (cpuTime)
	}
	noCPU := false
	on, off := &side{on: true}, &side{}
	cycle := func(ctx context.Context, w int) error { return f.cycle(ctx, users[w], &apps[w]) }
	// Pairs of slices in ABBA order; the ratio is the median of the
	// pairs' ratios, which a neighbour's burst on the shared machine
	// moves less than the totals.
	const pairs = 8
	var ratios []float64
	for i := range pairs {
		order := []*side{on, off}
		if i%2 == 1 {
			order = []*side{off, on}
		}
		tps := map[bool]float64{}
		for _, s := range order {
			if err := logOn(s.on); err != nil {
				return err
			}
			sctx, stop := context.WithCancel(ctx)
			done := make(chan error, 1)
			if s.on {
				go func() { done <- lg.Run(sctx, 500*time.Millisecond) }()
			} else {
				done <- nil
			}
			cpu0, cpuOK := env.cpuTime(ctx)
			n, d, err := parallel(ctx, workers, c.duration()/pairs, cycle)
			stop()
			<-done
			if err != nil {
				return err
			}
			cpu1, cpuOK1 := env.cpuTime(ctx)
			if cpuOK && cpuOK1 {
				s.cpu += cpu1 - cpu0
			} else {
				noCPU = true
			}
			s.count, s.time = s.count+n, s.time+d
			tps[s.on] = float64(n) / d.Seconds()
		}
		ratios = append(ratios, tps[true]/tps[false])
	}
	if err := logOn(true); err != nil {
		return err
	}
	r.LogOnTPS = 2 * float64(on.count) / on.time.Seconds()
	r.LogOffTPS = 2 * float64(off.count) / off.time.Seconds()
	r.LogOnOffRatio = median(ratios)
	fmt.Fprintf(c.log, "bench: log on %.0f/s, off %.0f/s\n", r.LogOnTPS, r.LogOffTPS)
	if !noCPU {
		// Each cycle is two transitions.
		r.LogCPUOnUS = float64(on.cpu.Microseconds()) / float64(2*on.count)
		r.LogCPUOffUS = float64(off.cpu.Microseconds()) / float64(2*off.count)
		r.LogCPURatio = r.LogCPUOffUS / r.LogCPUOnUS
		fmt.Fprintf(c.log, "bench: log on %.0f µs CPU per transition, off %.0f µs\n", r.LogCPUOnUS, r.LogCPUOffUS)
	}
	// Everything committed with the log on is in the log, and it checks.
	if _, err := lg.SequenceAll(ctx); err != nil {
		return err
	}
	if _, err := lg.Checkpoint(ctx); err != nil {
		return err
	}
	if _, err := lg.Check(ctx); err != nil {
		return fmt.Errorf("log check after the run: %w", err)
	}
	return nil
}

// benchSequencing stores a backlog of audit events with one SQL statement
// (stamped with its transaction ID, as a transition's events are) and
// times the sequencer integrating all of it.
func benchSequencing(ctx context.Context, c config, r *Report) error {
	n := 200_000
	if c.quick {
		n = 50_000
	}
	env, err := openPG(ctx, c, 4)
	if err != nil {
		return err
	}
	defer env.close(ctx)
	f, err := newFixture(ctx, env.store)
	if err != nil {
		return err
	}
	lg, err := translog.New(translog.Config{Service: f.svc, Store: env.store, Keys: []ed25519.PrivateKey{benchKey()}, Batch: 2000})
	if err != nil {
		return err
	}
	// n events of n/5 records, five each, as transitions leave them.
	_, err = env.raw.Exec(ctx, `INSERT INTO events (record_id, seq, id, record_kind, office_id, trigger, from_state,
	to_state, actor_kind, actor_id, actor_name, reason, at, prev_hash, hash)
SELECT md5('rec' || (i / 5))::uuid, i % 5 + 1, md5('ev' || i)::uuid, 'application', $1, 'bench', 'A', 'B',
	'user', 'bench', 'bench', '', now(), '', encode(sha256(('ev' || i)::bytea), 'hex')
FROM generate_series(0, $2 - 1) AS i`, officeID, n)
	if err != nil {
		return err
	}
	if _, err := env.raw.Exec(ctx, "ANALYZE"); err != nil {
		return err
	}
	start := time.Now()
	got, err := lg.SequenceAll(ctx)
	d := time.Since(start)
	if err != nil {
		return err
	}
	if got < n {
		return fmt.Errorf("sequenced %d of %d events", got, n)
	}
	r.SequencedPerS = float64(got) / d.Seconds()
	fmt.Fprintf(c.log, "bench: sequenced %d events in %s\n", got, d.Round(time.Millisecond))
	return nil
}

// benchProofs times inclusion proofs over tlog stored hashes kept in
// memory (as the memory store keeps them): proofs in the tree of the first
// small leaves and in the tree of all large leaves, of one log, in
// alternating rounds; the ratio is the median of the rounds' ratios.
func benchProofs(c config, r *Report, small, large int) error {
	var hashes []tlog.Hash
	read := func(ix []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(ix))
		for i, x := range ix {
			out[i] = hashes[x]
		}
		return out, nil
	}
	batch := make([]notary.LogEntry, 0, 1000)
	for size := 0; size < large; {
		batch = batch[:0]
		for i := size; i < min(large, size+1000); i++ {
			sum := sha256.Sum256(fmt.Appendf(nil, "event %d", i))
			batch = append(batch, notary.LogEntry{OfficeID: officeID, RecordID: uuid.NewSHA1(officeID, fmt.Appendf(nil, "%d", i/5)),
				RecordKind: notary.KindApplication, Seq: int64(i%5 + 1), EventID: uuid.NewSHA1(uuid.Nil, sum[:]),
				EventHash: hex.EncodeToString(sum[:])})
		}
		added, err := translog.Integrate(int64(size), batch, read)
		if err != nil {
			return err
		}
		hashes = append(hashes, added...)
		size += len(batch)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	timeAt := func(size int) (time.Duration, error) {
		const proofs = 5_000
		start := time.Now()
		for range proofs {
			if _, err := tlog.ProveRecord(int64(size), rng.Int64N(int64(size)), tlog.HashReaderFunc(read)); err != nil {
				return 0, err
			}
		}
		return time.Since(start) / proofs, nil
	}
	var ratios []float64
	var ds, dl time.Duration
	for i := range 10 {
		sizes := []int{small, large}
		if i%2 == 1 {
			sizes = []int{large, small}
		}
		got := map[int]time.Duration{}
		for _, n := range sizes {
			d, err := timeAt(n)
			if err != nil {
				return err
			}
			got[n] = d
		}
		ds, dl = ds+got[small], dl+got[large]
		ratios = append(ratios, float64(got[large])/float64(got[small]))
	}
	r.ProofSmallNS, r.ProofLargeNS = float64(ds.Nanoseconds())/10, float64(dl.Nanoseconds())/10
	r.ProofRatio = median(ratios)
	r.ProofLargeLeaves = large
	fmt.Fprintf(c.log, "bench: inclusion proof %s at %d leaves, %s at %d\n", ds/10, small, dl/10, large)
	return nil
}

// median returns the median of xs (which it sorts).
func median(xs []float64) float64 {
	slices.Sort(xs)
	if n := len(xs); n%2 == 1 {
		return xs[n/2]
	} else {
		return (xs[n/2-1] + xs[n/2]) / 2
	}
}
