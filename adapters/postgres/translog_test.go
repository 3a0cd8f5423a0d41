package postgres_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/notarykit/notarykit/adapters/postgres"
	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/translog"
)

// The backend running a sequencing batch is killed while the batch is being
// integrated: SequenceLog fails, the queue and the log are as they were,
// and the next batch logs every event once.
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
	if q, l, h := count("log_queue"), count("log_leaves"), count("log_hashes"); q != 3 || l != 0 || h != 0 {
		t.Fatalf("after the failed batch: queue %d, leaves %d, hash rows %d; want 3, 0, 0", q, l, h)
	}

	n, err := st.SequenceLog(ctx, office, 10, translog.Integrate)
	if err != nil || n != 3 {
		t.Fatalf("retry: %d, %v", n, err)
	}
	if q, l := count("log_queue"), count("log_leaves"); q != 0 || l != 3 {
		t.Fatalf("after the retry: queue %d, leaves %d; want 0, 3", q, l)
	}
}
