package postgres

import (
	"context"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/notarykit/notarykit/notary"
)

// ExecRaw runs one statement on the store's pool and translates its error
// as every method of the store does. Tests use it to try what the store
// itself never does, such as rewriting audit events.
func (s *Store) ExecRaw(ctx context.Context, sql string, args ...any) error {
	_, err := s.pool.Exec(ctx, sql, args...)
	return dbError(err)
}

// FindFilingsSQL and FindApplicationsSQL expose the lookups' SQL, so tests
// can check their plans.
func FindFilingsSQL(q notary.FindQuery) (string, []any, error) { return findFilingsSQL(q) }

// FindApplicationsSQL: see FindFilingsSQL.
func FindApplicationsSQL(q notary.FindQuery) (string, []any, error) { return findApplicationsSQL(q) }

// GoMigrations is the number of migrations written in Go, beside the SQL
// files.
var GoMigrations = len(goMigrations())

// MigrateTo applies the migrations up to version; MigrateDownTo rolls
// back those after it.
func (s *Store) MigrateTo(ctx context.Context, version int64) error {
	return s.migrate(ctx, func(ctx context.Context, p *goose.Provider) error {
		_, err := p.UpTo(ctx, version)
		return err
	})
}

// MigrateDownTo: see MigrateTo.
func (s *Store) MigrateDownTo(ctx context.Context, version int64) error {
	return s.migrate(ctx, func(ctx context.Context, p *goose.Provider) error {
		_, err := p.DownTo(ctx, version)
		return err
	})
}

// SetHostEventWait bounds how long an office-wide host event listing waits
// for running transactions.
func (s *Store) SetHostEventWait(d time.Duration) { s.hostWait = d }

// ListApplicationsSQL exposes the listing's SQL, so tests can check its
// plan.
func ListApplicationsSQL(q notary.ListQuery) (string, []any, error) {
	return listSQL("applications", q)
}

// HostEventsSQL and RecordHostEventsSQL expose the host event listings'
// queries to the plan test.
var HostEventsSQL, RecordHostEventsSQL = hostEventsSQL, recordHostEventsSQL
