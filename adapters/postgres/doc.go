// Package postgres is the PostgreSQL implementation of [notary.Store], for
// production: several host instances share one database, and their outbox
// relays coordinate with FOR UPDATE SKIP LOCKED.
//
// It uses pgx v5 (a pgxpool.Pool) and needs PostgreSQL 13 or later. The
// schema is created by [Store.Migrate] from versioned migrations applied
// with goose: SQL files embedded in the package, and one written in Go
// (18, whose Down rebuilds host event documents); migrating is idempotent
// and safe to run from several processes at once.
//
//	st, err := postgres.Open(ctx, "postgres://notary@db.internal/notary", postgres.WithSchema("notarykit"))
//	if err != nil {
//		return err
//	}
//	defer st.Close()
//	if err := st.Migrate(ctx); err != nil {
//		return err
//	}
//	svc, err := notary.New(notary.Config{Store: st, Payments: gateway /* … */})
//
// # Storage
//
// Filings and applications are rows holding the full record as JSON in a
// json doc column (with money as decimal strings, never floats) next to
// the columns that queries filter and sort on (office, owner, state,
// version, times; an application's quote amount as NUMERIC(18,2)). Audit
// events, evidence reservations, deduplication keys, the outbox, the inbox,
// admin accounts and sessions have plain columns. The database enforces the
// unique keys: one filing per (office, owner), one application per
// (office, owner, idempotency key), one holder per evidence ID, one event
// per (record, seq), one account per (office, lower(email)); their
// violations come back as [notary.ErrConflict], [notary.ErrDuplicate] or
// [notary.ErrEvidenceReserved]. A trigger keeps the audit trail
// append-only: an UPDATE, DELETE or TRUNCATE of events fails (SQLSTATE
// NK405), reported as [notary.ErrForbidden].
//
// Times are stored as timestamptz and returned in UTC, with microsecond
// precision (finer digits are truncated, as the notary service already
// does).
//
// # Transactions
//
// [Store.Commit] sends all the statements of a [notary.Change] in one
// pipelined batch, one network round trip, which PostgreSQL runs as one
// implicit transaction: a version-guarded UPDATE (or the INSERT of a new
// record), the evidence releases and reservations, the events, the outbox
// notices and the deduplication key. A failing statement rolls all of it
// back, and so does a lost connection or a cancelled context while the
// batch runs (pgx then cancels the running statement on the server). As
// with any database commit, an error caused by cancellation or a broken
// connection proves only that the change was atomic, not that it was not
// applied: the server may have committed just before. Re-read the record
// before retrying; a retried Commit with the old ExpectedVersion fails
// with ErrConflict rather than applying twice.
//
// The store relies on the default pgx query execution mode (extended
// protocol, statements cached per connection); in simple-protocol mode the
// batch is one multi-statement query, which is also one implicit
// transaction.
package postgres
