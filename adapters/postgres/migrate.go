package postgres

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// versionTable is the name of goose's table of applied migrations, kept in
// the store's schema.
const versionTable = "notarykit_migrations"

// Migrate brings the database schema up to date by applying the versioned
// migrations (embedded SQL files and goMigrations) that have not been
// applied yet. It is idempotent, and safe to call from several processes
// at once: the whole run holds a PostgreSQL advisory lock (one per schema)
// taken on a dedicated connection, so concurrent callers wait for each
// other and the later ones find nothing left to do. With [WithSchema] it first creates the schema
// if needed; goose's version table, notarykit_migrations, lives in the same
// schema as the tables.
func (s *Store) Migrate(ctx context.Context) error {
	return s.migrate(ctx, func(ctx context.Context, p *goose.Provider) error {
		_, err := p.Up(ctx)
		return err
	})
}

// migrate runs run with a goose provider of the embedded migrations while
// holding the schema's migration lock.
func (s *Store) migrate(ctx context.Context, run func(context.Context, *goose.Provider) error) (err error) {
	if s.err != nil {
		return s.err
	}
	defer func() {
		if err != nil {
			err = fmt.Errorf("postgres: migrate: %w", err)
		}
	}()
	// The lock connection is opened outside the pool, so that a pool with
	// a single connection can still run the migrations while it is held.
	lock, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer lock.Close(context.WithoutCancel(ctx)) // also ends the session lock
	key := lockKey(s.schema)
	if _, err := lock.Exec(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		return fmt.Errorf("acquire advisory lock: %w", err)
	}
	defer func() {
		_, uerr := lock.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", key)
		if err == nil && uerr != nil {
			err = fmt.Errorf("release advisory lock: %w", uerr)
		}
	}()

	table := versionTable
	if s.schema != "" {
		// The name matched schemaName, so it needs no quoting.
		if _, err := lock.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+s.schema); err != nil {
			return fmt.Errorf("create schema %s: %w", s.schema, err)
		}
		var current pgtype.Text
		if err := s.pool.QueryRow(ctx, "SELECT current_schema()").Scan(&current); err != nil {
			return fmt.Errorf("read current schema: %w", err)
		}
		if current.String != s.schema {
			return fmt.Errorf("the pool's search_path selects schema %q, not %q: set search_path in the pool's connection config (see WithSchema)",
				current.String, s.schema)
		}
		table = s.schema + "." + versionTable
	}

	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close()
	p, err := newProvider(db, table)
	if err != nil {
		return err
	}
	return run(ctx, p)
}

// newProvider returns a goose provider of the migrations, the embedded
// SQL files and the Go ones (goMigrations), with its version table named
// table.
func newProvider(db *sql.DB, table string) (*goose.Provider, error) {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectPostgres, db, sub,
		goose.WithTableName(table),
		goose.WithDisableGlobalRegistry(true),
		goose.WithLogger(goose.NopLogger()),
		goose.WithGoMigrations(goMigrations()...),
	)
}

// lockKey is the advisory lock key that serialises migrations of schema.
func lockKey(schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("github.com/notarykit/notarykit/adapters/postgres.Migrate\x00" + schema))
	return int64(h.Sum64())
}

// Ready reports whether the store can serve: the database answers and
// every embedded migration has been applied (a host's readiness check). A
// database that does not answer is an error wrapping
// notary.ErrUnavailable; pending migrations are an error naming them as
// such.
func (s *Store) Ready(ctx context.Context) error {
	if s.err != nil {
		return s.err
	}
	if err := s.pool.Ping(ctx); err != nil {
		return dbError(err)
	}
	table := versionTable
	if s.schema != "" {
		table = s.schema + "." + versionTable
	}
	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close()
	p, err := newProvider(db, table)
	if err != nil {
		return fmt.Errorf("postgres: ready: %w", err)
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("postgres: ready: %w", dbError(err))
	}
	if pending {
		return fmt.Errorf("postgres: ready: schema migrations are pending: run Migrate")
	}
	return nil
}
