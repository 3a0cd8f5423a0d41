package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/notarykit/notarykit/adapters/postgres"
	"github.com/notarykit/notarykit/notary"
)

// killableStore opens a store on a fresh schema whose connections carry an
// application_name of their own, and returns it with a function that
// terminates every one of its server connections (as a DBA or a failover
// would), leaving other tests' connections alone.
func killableStore(t *testing.T) (*postgres.Store, func() int) {
	t.Helper()
	url, schema := freshSchema(t)
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	st := openStore(t, url+sep+"application_name="+schema, schema)
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	admin, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(admin.Close)
	return st, func() int {
		var n int
		err := admin.QueryRow(context.Background(),
			`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1`, schema).Scan(&n)
		if err != nil {
			t.Fatalf("terminate: %v", err)
		}
		return n
	}
}

// Reads on pooled connections the server terminated are retried inside
// the store and succeed; a write that cannot be known to have failed
// cleanly is reported as notary.ErrUnavailable, never as a bare error.
func TestTerminatedConnections(t *testing.T) {
	t.Parallel()
	st, kill := killableStore(t)
	ctx := context.Background()
	app := testApplication(uuid.New(), "u", 2)
	if err := st.Commit(ctx, createChange(app)); err != nil {
		t.Fatal(err)
	}
	killed := 0
	for round := range 10 {
		// Fill the pool with several idle connections, then kill them all.
		errs := make(chan error, 4)
		for range 4 {
			go func() { _, err := st.ListNotices(ctx, notary.NoticePending, 10); errs <- err }()
		}
		for range 4 {
			if err := <-errs; err != nil {
				t.Fatalf("round %d: list: %v", round, err)
			}
		}
		killed += kill()
		time.Sleep(20 * time.Millisecond) // let the FATAL messages arrive
		got, err := st.Application(ctx, app.ID)
		if err != nil || got.ID != app.ID {
			t.Fatalf("round %d: read after terminate: %v", round, err)
		}
		if _, err := st.Events(ctx, app.ID); err != nil {
			t.Fatalf("round %d: events after terminate: %v", round, err)
		}
		if _, err := st.ListApplications(ctx, notary.ListQuery{OfficeID: app.OfficeID}); err != nil {
			t.Fatalf("round %d: list after terminate: %v", round, err)
		}
		kill()
		time.Sleep(20 * time.Millisecond)
		// A commit after the kill either applies or says it is unavailable.
		err = st.Commit(ctx, nextChange(got, ""))
		if err != nil && !errors.Is(err, notary.ErrUnavailable) {
			t.Fatalf("round %d: commit after terminate: %v", round, err)
		}
		if err != nil {
			t.Logf("round %d: commit: %v", round, err)
		}
		if _, err := st.Application(ctx, app.ID); err != nil {
			t.Fatalf("round %d: read: %v", round, err)
		}
		// Put the application back to where the next round expects it.
		cur, _ := st.Application(ctx, app.ID)
		app = cur
		app.State = notary.AwaitingPayment
		app.Version = cur.Version
		if err := st.Commit(ctx, notary.Change{Application: bump(app), ExpectedVersion: cur.Version,
			Events: []notary.Event{testEvent(app, cur.Version+1, "")}}); err != nil {
			t.Fatalf("round %d: reset: %v", round, err)
		}
		app, _ = st.Application(ctx, app.ID)
	}
	if killed == 0 {
		t.Fatal("no connection was terminated: the test tests nothing")
	}
}

func bump(a notary.Application) *notary.Application {
	a.Version++
	return &a
}

// A store whose database is unreachable answers notary.ErrUnavailable.
func TestUnreachableIsUnavailable(t *testing.T) {
	t.Parallel()
	databaseURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cfg, err := pgxpool.ParseConfig("postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	st := postgres.New(pool)
	if _, err := st.Application(ctx, uuid.New()); !errors.Is(err, notary.ErrUnavailable) {
		t.Fatalf("read: %v, want ErrUnavailable", err)
	}
	if err := st.Commit(ctx, createChange(testApplication(uuid.New(), "u", 1))); !errors.Is(err, notary.ErrUnavailable) {
		t.Fatalf("commit: %v, want ErrUnavailable", err)
	}
}
