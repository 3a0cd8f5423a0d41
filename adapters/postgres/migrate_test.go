package postgres_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/notarykit/notarykit/adapters/postgres"
	"github.com/notarykit/notarykit/notary"
)

// migrationCount is the number of migrations: embedded files and Go.
func migrationCount(t *testing.T) int {
	t.Helper()
	files, err := fs.Glob(os.DirFS("migrations"), "*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations found: %v", err)
	}
	return len(files) + postgres.GoMigrations
}

// appliedVersions counts the rows of goose's version table in schema.
func appliedVersions(t *testing.T, pool *pgxpool.Pool, schema string) int {
	t.Helper()
	var n int
	err := pool.QueryRow(context.Background(),
		`SELECT count(*) FROM `+schema+`.notarykit_migrations WHERE version_id > 0 AND is_applied`).Scan(&n)
	if err != nil {
		t.Fatalf("read version table: %v", err)
	}
	return n
}

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	st, url, schema := newStore(t)
	ctx := context.Background()
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	pool := schemaPool(t, url, schema)
	if got, want := appliedVersions(t, pool, schema), migrationCount(t); got != want {
		t.Fatalf("applied versions = %d, want %d", got, want)
	}
	// Every table and goose's version table live in the chosen schema.
	for _, table := range []string{"filings", "applications", "evidence_reservations", "events", "dedup_keys",
		"outbox", "inbox", "admins", "sessions", "notarykit_migrations"} {
		var ok bool
		if err := pool.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, schema+"."+table).Scan(&ok); err != nil || !ok {
			t.Errorf("table %s.%s missing (err %v)", schema, table, err)
		}
	}
}

func TestMigrateConcurrently(t *testing.T) {
	t.Parallel()
	url, schema := freshSchema(t) // not created yet: the racers create it
	const racers = 3
	stores := make([]*postgres.Store, racers)
	for i := range stores {
		stores[i] = openStore(t, url, schema) // one pool each, like separate processes
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	errs := make([]error, racers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, st := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = st.Migrate(ctx)
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("migrate %d: %v", i, err)
		}
	}
	if got, want := appliedVersions(t, schemaPool(t, url, schema), schema), migrationCount(t); got != want {
		t.Fatalf("applied versions = %d, want %d (each exactly once)", got, want)
	}
	a := testApplication(uuid.New(), "u", 1)
	if err := stores[0].Commit(ctx, createChange(a)); err != nil {
		t.Fatalf("commit after concurrent migrations: %v", err)
	}
}

func TestNewWithCallerPool(t *testing.T) {
	t.Parallel()
	url, schema := freshSchema(t)
	ctx := context.Background()

	// A pool without the schema in its search_path is refused by Migrate.
	plain, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if err := postgres.New(plain, postgres.WithSchema(schema)).Migrate(ctx); err == nil {
		t.Fatal("Migrate with a pool whose search_path misses the schema succeeded")
	}

	pool := schemaPool(t, url, schema)
	st := postgres.New(pool, postgres.WithSchema(schema))
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	a := testApplication(uuid.New(), "u", 2)
	if err := st.Commit(ctx, createChange(a)); err != nil {
		t.Fatalf("commit: %v", err)
	}
	st.Close() // leaves the caller's pool open
	if err := pool.Ping(ctx); err != nil {
		t.Fatalf("pool closed by Store.Close: %v", err)
	}
	if _, err := postgres.New(pool, postgres.WithSchema(schema)).Application(ctx, a.ID); err != nil {
		t.Fatalf("read back: %v", err)
	}
}

func TestInvalidSchemaName(t *testing.T) {
	for _, name := range []string{"", "Public", "1abc", "a-b", "a;drop table x", "x\"y"} {
		_, err := postgres.Open(context.Background(), "postgres://127.0.0.1:1/none", postgres.WithSchema(name))
		if !errors.Is(err, notary.ErrInvalidInput) {
			t.Errorf("Open with schema %q: err = %v, want ErrInvalidInput", name, err)
		}
		if err := postgres.New(nil, postgres.WithSchema(name)).Migrate(context.Background()); !errors.Is(err, notary.ErrInvalidInput) {
			t.Errorf("Migrate with schema %q: err = %v, want ErrInvalidInput", name, err)
		}
	}
}
