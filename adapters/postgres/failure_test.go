package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/notarykit/notarykit/adapters/postgres"
	"github.com/notarykit/notarykit/notary"
)

// tables are the tables a Commit writes to.
var tables = []string{"filings", "applications", "evidence_reservations", "events", "dedup_keys", "outbox"}

// snapshot returns the row count and a digest of the contents of each table
// a Commit writes to.
func snapshot(t *testing.T, pool *pgxpool.Pool) map[string]string {
	t.Helper()
	out := make(map[string]string, len(tables))
	for _, table := range tables {
		var digest string
		err := pool.QueryRow(context.Background(),
			`SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') FROM `+table+` t`).Scan(&digest)
		if err != nil {
			t.Fatalf("snapshot %s: %v", table, err)
		}
		out[table] = digest
	}
	return out
}

func requireSnapshot(t *testing.T, pool *pgxpool.Pool, want map[string]string) {
	t.Helper()
	got := snapshot(t, pool)
	for _, table := range tables {
		if got[table] != want[table] {
			t.Errorf("table %s changed: %s, was %s", table, got[table], want[table])
		}
	}
}

// A statement failing midway through a Commit's batch rolls back the
// statements before it.
func TestCommitRollsBackOnFailingStatement(t *testing.T) {
	t.Parallel()
	st, url, schema := newStore(t)
	pool := schemaPool(t, url, schema)
	ctx := context.Background()

	existing := testApplication(uuid.New(), "u", 2)
	if err := st.Commit(ctx, createChange(existing)); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, pool)

	cases := []struct {
		name   string
		change func() notary.Change
		want   error
	}{
		{"SecondEventRepeatsSeq", func() notary.Change {
			c := createChange(testApplication(existing.OfficeID, "v", 3))
			c.Events = append(c.Events, c.Events[0])
			c.Events[1].ID = uuid.New()
			c.DedupKey = "dedup-1"
			return c
		}, notary.ErrConflict},
		{"NoticeWithNULByteInText", func() notary.Change {
			c := createChange(testApplication(existing.OfficeID, "v", 3))
			c.Notices[1].Kind = "bad \x00 kind" // a text column cannot hold NUL
			c.DedupKey = "dedup-1"
			return c
		}, notary.ErrInvalidInput},
		{"NoticeWithUnknownStatus", func() notary.Change {
			c := createChange(testApplication(existing.OfficeID, "v", 3))
			c.Notices[0].Status = "bogus"
			c.DedupKey = "dedup-1"
			return c
		}, notary.ErrInvalidInput},
		{"EvidenceHeldByAnother", func() notary.Change {
			c := createChange(testApplication(existing.OfficeID, "v", 3))
			c.Application.Evidence = append(c.Application.Evidence, existing.Evidence[1])
			c.Reserve = append(c.Reserve, existing.Evidence[1].ID)
			c.DedupKey = "dedup-1"
			return c
		}, notary.ErrEvidenceReserved},
		{"UpdateWithTakenNoticeID", func() notary.Change {
			c := nextChange(existing, "dedup-1")
			c.Release = existing.EvidenceIDs()
			c.Notices = append(c.Notices, c.Notices[0]) // one notice ID twice
			return c
		}, notary.ErrConflict},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := st.Commit(ctx, tc.change()); !errors.Is(err, tc.want) {
				t.Fatalf("Commit: %v, want %v", err, tc.want)
			}
			requireSnapshot(t, pool, before)
		})
	}
	// The dedup key of the failed changes was never recorded.
	if err := st.Commit(ctx, nextChange(existing, "dedup-1")); err != nil {
		t.Fatalf("commit after rollbacks: %v", err)
	}
}

// blockedCommit starts a Commit of next on st that blocks on a dedup key
// another transaction inserted and holds, after the record update, the
// events and the notices of the change already ran. It returns the pid of
// the blocked backend, a channel with Commit's result and a function
// rolling the blocker back.
func blockedCommit(t *testing.T, ctx context.Context, st *postgres.Store, pool *pgxpool.Pool, c notary.Change) (int32, <-chan error, func()) {
	t.Helper()
	bg := context.Background()
	blocker, err := pool.Begin(bg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := blocker.Exec(bg, `INSERT INTO dedup_keys (key) VALUES ($1)`, c.DedupKey); err != nil {
		t.Fatal(err)
	}
	var blockerPID int32
	if err := blocker.QueryRow(bg, `SELECT pg_backend_pid()`).Scan(&blockerPID); err != nil {
		t.Fatal(err)
	}
	release := func() { _ = blocker.Rollback(bg) }
	t.Cleanup(release)

	done := make(chan error, 1)
	go func() { done <- st.Commit(ctx, c) }()

	deadline := time.Now().Add(20 * time.Second)
	for {
		var pid int32
		err := pool.QueryRow(bg, `SELECT pid FROM pg_stat_activity WHERE $1::integer = ANY(pg_blocking_pids(pid))`, blockerPID).Scan(&pid)
		if err == nil {
			return pid, done, release
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			t.Fatal(err)
		}
		select {
		case err := <-done:
			t.Fatalf("Commit returned %v without blocking", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("Commit never blocked on the held dedup key")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitGone waits until the backend pid has exited.
func waitGone(t *testing.T, pool *pgxpool.Pool, pid int32) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var alive bool
		if err := pool.QueryRow(context.Background(), `SELECT EXISTS (SELECT FROM pg_stat_activity WHERE pid = $1)`, pid).Scan(&alive); err != nil {
			t.Fatal(err)
		}
		if !alive {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("backend %d still alive", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// The backend running a Commit is killed with pg_terminate_backend while the
// Commit waits on a lock: Commit fails, nothing of the change is kept, and
// the store goes on working.
func TestCommitBackendTerminated(t *testing.T) {
	t.Parallel()
	st, url, schema := newStore(t)
	pool := schemaPool(t, url, schema)
	ctx := context.Background()

	a := testApplication(uuid.New(), "u", 2)
	if err := st.Commit(ctx, createChange(a)); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, pool)
	c := nextChange(a, "payment-event-1")
	c.Release = a.EvidenceIDs()

	pid, done, release := blockedCommit(t, ctx, st, pool, c)
	var killed bool
	if err := pool.QueryRow(ctx, `SELECT pg_terminate_backend($1)`, pid).Scan(&killed); err != nil || !killed {
		t.Fatalf("pg_terminate_backend: %v %v", killed, err)
	}
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("Commit succeeded although its backend was terminated")
		}
		t.Logf("Commit: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("Commit did not return after its backend was terminated")
	}
	release()
	requireSnapshot(t, pool, before)

	// The pool replaces the dead connection: the same change now commits.
	if err := st.Commit(ctx, c); err != nil {
		t.Fatalf("commit after termination: %v", err)
	}
	got, err := st.Application(ctx, a.ID)
	if err != nil || got.Version != 2 {
		t.Fatalf("after retry: version %d, err %v", got.Version, err)
	}
}

// Cancelling the context of a Commit that waits on a lock aborts it on the
// server: nothing is kept and the store goes on working.
func TestCommitContextCancelled(t *testing.T) {
	t.Parallel()
	st, url, schema := newStore(t)
	pool := schemaPool(t, url, schema)

	a := testApplication(uuid.New(), "u", 2)
	if err := st.Commit(context.Background(), createChange(a)); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, pool)
	c := nextChange(a, "payment-event-1")
	c.Release = a.EvidenceIDs()

	ctx, cancel := context.WithCancel(context.Background())
	pid, done, release := blockedCommit(t, ctx, st, pool, c)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Commit: %v, want context.Canceled", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Commit did not return after its context was cancelled")
	}
	// pgx cancels the statement on the server and drops the connection; only
	// then is the lock released.
	waitGone(t, pool, pid)
	release()
	requireSnapshot(t, pool, before)

	if err := st.Commit(context.Background(), c); err != nil {
		t.Fatalf("commit after cancellation: %v", err)
	}
}

// The stored format: money as JSON strings and NUMERIC, times in UTC.
func TestStoredFormat(t *testing.T) {
	t.Parallel()
	st, url, schema := newStore(t)
	pool := schemaPool(t, url, schema)
	ctx := context.Background()

	a := testApplication(uuid.New(), "u", 11)
	shanghai := time.FixedZone("CST", 8*3600)
	a.CreatedAt = a.CreatedAt.In(shanghai).Add(789 * time.Nanosecond) // sub-microsecond digits are dropped
	if err := st.Commit(ctx, createChange(a)); err != nil {
		t.Fatal(err)
	}
	var (
		amount, docAmount, amountType string
		lineTypes                     []string
	)
	err := pool.QueryRow(ctx, `SELECT quote_amount::text, doc->'quote'->>'amount', json_typeof(doc->'quote'->'amount'),
	(SELECT array_agg(DISTINCT json_typeof(v)) FROM json_array_elements(doc->'quote'->'lines') l,
		LATERAL (VALUES (l->'amount'), (l->'unit_price')) x(v))
FROM applications WHERE id = $1`, a.ID).Scan(&amount, &docAmount, &amountType, &lineTypes)
	if err != nil {
		t.Fatal(err)
	}
	// The doc keeps the decimal's exponent: the quote is rounded to the fen.
	if amount != a.Quote.Amount.StringFixed(2) || amountType != "string" || docAmount != a.Quote.Amount.StringFixed(2) {
		t.Errorf("quote stored as %s / %s (%s), want %s as a string", amount, docAmount, amountType, a.Quote.Amount.StringFixed(2))
	}
	if len(lineTypes) != 1 || lineTypes[0] != "string" {
		t.Errorf("quote line money stored as JSON %v, want only strings", lineTypes)
	}
	got, err := st.Application(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.CreatedAt.Location() != time.UTC || !got.CreatedAt.Equal(a.CreatedAt.Truncate(time.Microsecond)) {
		t.Errorf("CreatedAt = %v, want %v in UTC", got.CreatedAt, a.CreatedAt.Truncate(time.Microsecond).UTC())
	}
	if !got.Quote.Amount.Equal(a.Quote.Amount) || got.Quote.Amount.Exponent() != a.Quote.Amount.Exponent() ||
		len(got.Quote.Lines) != len(a.Quote.Lines) {
		t.Errorf("quote = %+v, want %+v", got.Quote, a.Quote)
	}
	for i, l := range got.Quote.Lines {
		if !l.Amount.Equal(a.Quote.Lines[i].Amount) || !l.UnitPrice.Equal(a.Quote.Lines[i].UnitPrice) {
			t.Errorf("line %d = %+v, want %+v", i, l, a.Quote.Lines[i])
		}
	}
}
