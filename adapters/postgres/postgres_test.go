package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/notarykit/notarykit/adapters/postgres"
	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/store/storetest"
)

// urlEnv names the environment variable holding the test database URL.
const urlEnv = "NOTARYKIT_POSTGRES_URL"

// databaseURL returns the test database URL or skips the test.
func databaseURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv(urlEnv)
	if url == "" {
		t.Skip("set " + urlEnv + " (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run the PostgreSQL tests")
	}
	return url
}

// freshSchema returns the test database URL and the name of a schema that
// does not exist yet and is dropped (if created) when the test ends.
func freshSchema(t testing.TB) (url, schema string) {
	t.Helper()
	url = databaseURL(t)
	var b [8]byte
	_, _ = rand.Read(b[:])
	schema = "nk_test_" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return url, schema
}

// openStore opens a store (with its own pool) on schema, closed when the
// test ends.
func openStore(t testing.TB, url, schema string) *postgres.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := postgres.Open(ctx, url, postgres.WithSchema(schema))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(st.Close)
	return st
}

// newStore returns a migrated store in a fresh schema of its own.
func newStore(t testing.TB) (st *postgres.Store, url, schema string) {
	t.Helper()
	url, schema = freshSchema(t)
	st = openStore(t, url, schema)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return st, url, schema
}

// schemaPool opens a plain pgx pool on schema for inspecting and locking
// rows behind the store's back.
func schemaPool(t testing.TB, url, schema string) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func TestConformance(t *testing.T) {
	databaseURL(t)
	storetest.Run(t, func(t *testing.T) notary.Store {
		st, _, _ := newStore(t)
		return st
	})
}
