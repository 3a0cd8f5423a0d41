package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/notarykit/notarykit/adapters/postgres"
	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/translog"
)

// The backend running a sequencing batch is killed while the batch is being
// integrated: SequenceLog fails, the log and the sequencer's place are as
// they were, and the next batch logs every event once.
func TestSequenceLogBackendTerminated(t *testing.T) {
	t.Parallel()
	url, schema := freshSchema(t)
	ctx := context.Background()
	// The store's connections are named after the schema, so that the test
	// finds its own backend among those of parallel tests.
	st, err := postgres.Open(ctx, url+"&application_name="+schema, postgres.WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	pool := schemaPool(t, url, schema)
	office := uuid.New()
	for range 3 {
		if err := st.Commit(ctx, createChange(testApplication(office, "u", 1))); err != nil {
			t.Fatal(err)
		}
	}
	// Every leaf, in either of the tables that hold them.
	const leaves = `(SELECT FROM log_leaves UNION ALL SELECT FROM log_batches, unnest(records)) l`
	count := func(table string) int {
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	_, err = st.SequenceLog(ctx, office, 10, func(size int64, es []notary.LogEntry, read func([]int64) ([]tlog.Hash, error)) ([]tlog.Hash, error) {
		hs, err := translog.Integrate(size, es, read)
		var pid int32
		if qerr := pool.QueryRow(ctx, `SELECT pid FROM pg_stat_activity
WHERE application_name = $1 AND state = 'idle in transaction'`, schema).Scan(&pid); qerr != nil {
			t.Fatalf("find the sequencer's backend: %v", qerr)
		}
		var killed bool
		if qerr := pool.QueryRow(ctx, `SELECT pg_terminate_backend($1)`, pid).Scan(&killed); qerr != nil || !killed {
			t.Fatalf("pg_terminate_backend: %v %v", killed, qerr)
		}
		waitGone(t, pool, pid)
		return hs, err
	})
	if err == nil {
		t.Fatal("SequenceLog succeeded although its backend was terminated")
	}
	if l, h, p := count(leaves), count("log_hashes"), count("log_heads WHERE target IS NOT NULL OR size > 0"); l != 0 || h != 0 || p != 0 {
		t.Fatalf("after the failed batch: leaves %d, hash rows %d, heads moved %d; want 0, 0, 0", l, h, p)
	}

	n, err := st.SequenceLog(ctx, office, 10, translog.Integrate)
	if err != nil || n != 3 {
		t.Fatalf("retry: %d, %v", n, err)
	}
	if l := count(leaves); l != 3 {
		t.Fatalf("after the retry: leaves %d; want 3", l)
	}
}

// heldCommit commits c (which has a dedup key) through st while another
// transaction holds the same dedup key uncommitted: the commit takes its
// transaction ID and writes its rows, then waits on that key. release
// rolls the holder back, and the commit's result arrives on done. st's
// connections must be named after schema (application_name), so that the
// waiting backend is found among those of parallel tests.
func heldCommit(t *testing.T, st *postgres.Store, pool *pgxpool.Pool, schema string, c notary.Change) (release func(), done <-chan error) {
	t.Helper()
	ctx := t.Context()
	holder, err := pool.Begin(ctx)
	require.NoError(t, err)
	_, err = holder.Exec(ctx, `INSERT INTO dedup_keys (key) VALUES ($1)`, c.DedupKey)
	require.NoError(t, err)
	result := make(chan error, 1)
	go func() { result <- st.Commit(context.WithoutCancel(ctx), c) }()
	require.Eventually(t, func() bool {
		var waiting bool
		err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_stat_activity
WHERE application_name = $1 AND wait_event_type = 'Lock')`, schema).Scan(&waiting)
		return err == nil && waiting
	}, 20*time.Second, 5*time.Millisecond, "the commit waits on the held dedup key")
	return func() { _ = holder.Rollback(context.WithoutCancel(ctx)) }, result
}

// namedStore opens a migrated store whose connections are named after its
// schema, and a pool of its own on the schema.
func namedStore(t *testing.T) (*postgres.Store, *pgxpool.Pool, string) {
	t.Helper()
	url, schema := freshSchema(t)
	st, err := postgres.Open(t.Context(), url+"&application_name="+schema, postgres.WithSchema(schema))
	require.NoError(t, err)
	t.Cleanup(st.Close)
	require.NoError(t, st.Migrate(t.Context()))
	return st, schemaPool(t, url, schema), schema
}

// A transaction that started first and commits last has its events logged
// by a later batch: the batch that logs the other transaction's events,
// though they come later in transaction-ID order, does not move past it.
func TestSequenceLogLateCommit(t *testing.T) {
	t.Parallel()
	st, pool, schema := namedStore(t)
	ctx := t.Context()
	office := uuid.New()
	a, b := testApplication(office, "a", 1), testApplication(office, "b", 1)
	require.NoError(t, st.Commit(ctx, createChange(a)))
	require.NoError(t, st.Commit(ctx, createChange(b)))
	logged := func() []notary.LogLeaf {
		n, err := st.SequenceLog(ctx, office, 100, translog.Integrate)
		require.NoError(t, err)
		leaves, err := st.LogLeaves(ctx, office, 0, 100)
		require.NoError(t, err)
		require.LessOrEqual(t, int(n), len(leaves))
		return leaves
	}
	require.Len(t, logged(), 2)

	release, done := heldCommit(t, st, pool, schema, nextChange(a, "late-"+uuid.NewString()))
	require.NoError(t, st.Commit(ctx, nextChange(b, "")))
	leaves := logged()
	require.Len(t, leaves, 3, "the committed event is logged, the one in progress is not")
	assert.Equal(t, notary.LogLeaf{Index: 2, RecordID: b.ID, Seq: 2}, leaves[2])

	release()
	require.NoError(t, <-done)
	leaves = logged()
	require.Len(t, leaves, 4, "the late commit's event is logged by the next batch")
	assert.Equal(t, notary.LogLeaf{Index: 3, RecordID: a.ID, Seq: 2}, leaves[3])
	// Each record's leaves are found in their batches, the late one's in
	// the run after the one that skipped it.
	for rec, want := range map[uuid.UUID][]notary.LogLeaf{a.ID: {leaves[0], leaves[3]}, b.ID: {leaves[1], leaves[2]}} {
		got, err := st.RecordLeaves(ctx, rec)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	n, err := st.SequenceLog(ctx, office, 100, translog.Integrate)
	require.NoError(t, err)
	assert.Zero(t, n, "each event once")
}

// Migration 00013 keeps the events queued before it: they are logged
// first, then those stored after it; rolled back, it queues the events
// not logged yet, and applied again, it logs them once.
func TestLogMigrationKeepsQueue(t *testing.T) {
	t.Parallel()
	url, schema := freshSchema(t)
	st := openStore(t, url, schema)
	ctx := t.Context()
	require.NoError(t, st.MigrateTo(ctx, 12))
	office := uuid.New()
	a, b := testApplication(office, "a", 1), testApplication(office, "b", 1)
	require.NoError(t, st.Commit(ctx, createChange(a)))
	require.NoError(t, st.Commit(ctx, createChange(b)))
	require.NoError(t, st.Commit(ctx, nextChange(a, "")))

	require.NoError(t, st.Migrate(ctx))
	a.Version++
	require.NoError(t, st.Commit(ctx, nextChange(a, "")))
	require.NoError(t, st.Commit(ctx, nextChange(b, "")))
	var sizes []int
	for {
		n, err := st.SequenceLog(ctx, office, 2, translog.Integrate)
		require.NoError(t, err)
		if n == 0 {
			break
		}
		sizes = append(sizes, n)
	}
	assert.Equal(t, []int{2, 1, 2}, sizes, "the queue first, in batches of its own")
	leaves, err := st.LogLeaves(ctx, office, 0, 100)
	require.NoError(t, err)
	leaf := func(i int64, r uuid.UUID, seq int64) notary.LogLeaf {
		return notary.LogLeaf{Index: i, RecordID: r, Seq: seq}
	}
	want := []notary.LogLeaf{leaf(0, a.ID, 1), leaf(1, b.ID, 1), leaf(2, a.ID, 2), leaf(3, a.ID, 3), leaf(4, b.ID, 2)}
	assert.Equal(t, want, leaves)

	// Two more events, then down: they are queued, in order.
	a.Version++
	b.Version++
	require.NoError(t, st.Commit(ctx, nextChange(b, "")))
	require.NoError(t, st.Commit(ctx, nextChange(a, "")))
	require.NoError(t, st.MigrateDownTo(ctx, 12))
	pool := schemaPool(t, url, schema)
	rows, err := pool.Query(ctx, `SELECT record_id, seq FROM log_queue ORDER BY id`)
	require.NoError(t, err)
	queued, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (notary.LogLeaf, error) {
		var l notary.LogLeaf
		err := row.Scan(&l.RecordID, &l.Seq)
		return l, err
	})
	require.NoError(t, err)
	assert.Equal(t, []notary.LogLeaf{{RecordID: b.ID, Seq: 3}, {RecordID: a.ID, Seq: 4}}, queued)

	require.NoError(t, st.Migrate(ctx))
	for {
		n, err := st.SequenceLog(ctx, office, 100, translog.Integrate)
		require.NoError(t, err)
		if n == 0 {
			break
		}
	}
	leaves, err = st.LogLeaves(ctx, office, 0, 100)
	require.NoError(t, err)
	assert.Equal(t, append(want, leaf(5, b.ID, 3), leaf(6, a.ID, 4)), leaves)
}
