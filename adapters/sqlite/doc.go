// Package sqlite is the embedded, persistent [notary.Store]: one SQLite
// database file on one machine, through the pure-Go driver modernc.org/sqlite
// (no cgo).
//
// [Open] opens or creates the file, switches it to WAL mode
// (synchronous=NORMAL, foreign keys on, a busy timeout of [BusyTimeout]
// milliseconds) and applies the embedded schema migrations with goose; the
// special path [Memory] (":memory:") opens a private in-memory database
// instead, handy for tests and demos.
//
//	st, err := sqlite.Open(ctx, "notarykit.db")
//	if err != nil { ... }
//	defer st.Close()
//	svc, err := notary.New(notary.Config{Store: st, ...})
//
// # Concurrency
//
// SQLite allows one writer at a time. A Store writes through a single
// connection, in BEGIN IMMEDIATE transactions, so its own writes queue in Go
// and never fail on a lock upgrade; several Stores or processes sharing the
// file queue on SQLite's lock, each waiting up to the busy timeout. Reads
// use a separate pool of read-only connections and, in WAL mode, see the
// last committed state without waiting for the writer.
//
// Every [notary.Change] is applied by [Store.Commit] in one transaction: the
// record's optimistic version check ("UPDATE ... WHERE id = ? AND version =
// ?"), evidence reservations (the primary key of evidence_reservations makes
// double reservation impossible), audit events (unique per record and
// sequence number), outbox notices and the deduplication key are committed
// together or not at all. Constraint violations are mapped to the notary
// sentinel errors (ErrConflict, ErrEvidenceReserved, ErrDuplicate). Triggers
// keep the audit trail append-only: an UPDATE or DELETE of an event fails,
// reported as ErrForbidden.
//
// # Schema
//
// The schema lives in versioned goose migrations embedded in the package
// ([Migrations]); [Store.Migrate] applies the missing ones and is
// idempotent. Times are stored as fixed-width UTC text with nanoseconds (so
// text order is time order), IDs as canonical UUID text, money as decimal
// text, never floats. Filings and applications keep the whole record as a
// JSON document next to the indexed columns used by queues and keyset
// pagination.
//
// The Store passes the conformance suite in store/storetest and behaves
// exactly like the in-memory store of package store.
package sqlite
