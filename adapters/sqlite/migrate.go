package sqlite

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

// migrationFS holds the versioned schema migrations, applied in order by
// goose.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

// MigrationTable is the table in which goose records the applied schema
// versions.
const MigrationTable = "notarykit_schema_version"

// Migrations returns the embedded schema migrations (NNNNN_name.sql files
// in goose format), for hosts that run migrations with their own tooling.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		panic(err) // the embedded directory always exists
	}
	return sub
}

// Migrate applies the schema migrations that the database lacks. It is
// idempotent: on an up-to-date database it changes nothing. [Open] calls it.
func (s *Store) Migrate(ctx context.Context) error {
	p, err := goose.NewProvider(goose.DialectSQLite3, s.w, Migrations(),
		goose.WithTableName(MigrationTable),
		goose.WithDisableGlobalRegistry(true),
	)
	if err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return s.fail(ctx, "migrate", err)
	}
	return nil
}

// SchemaVersion returns the latest schema version applied to the database.
func (s *Store) SchemaVersion(ctx context.Context) (int64, error) {
	p, err := goose.NewProvider(goose.DialectSQLite3, s.w, Migrations(),
		goose.WithTableName(MigrationTable),
		goose.WithDisableGlobalRegistry(true),
	)
	if err != nil {
		return 0, fmt.Errorf("sqlite: schema version: %w", err)
	}
	v, err := p.GetDBVersion(ctx)
	if err != nil {
		return 0, s.fail(ctx, "schema version", err)
	}
	return v, nil
}

// Ready reports whether the store can serve: the database answers and
// every embedded migration has been applied (a host's readiness check).
func (s *Store) Ready(ctx context.Context) error {
	if err := s.r.PingContext(ctx); err != nil {
		return s.fail(ctx, "ready", err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, s.w, Migrations(),
		goose.WithTableName(MigrationTable),
		goose.WithDisableGlobalRegistry(true),
	)
	if err != nil {
		return fmt.Errorf("sqlite: ready: %w", err)
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return s.fail(ctx, "ready", err)
	}
	if pending {
		return fmt.Errorf("sqlite: ready: schema migrations are pending: run Migrate")
	}
	return nil
}
