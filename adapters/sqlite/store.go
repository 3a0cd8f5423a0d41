package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"

	"modernc.org/sqlite" // registers the "sqlite" database/sql driver
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/notarykit/notarykit/notary"
)

// Memory is the path that opens a private in-memory database instead of a
// file. Everything in it is lost when the Store is closed.
const Memory = ":memory:"

// BusyTimeout is how long, in milliseconds, a statement waits for a lock
// held by another connection or process before it fails with SQLITE_BUSY.
const BusyTimeout = 5000

// Store is a [notary.Store] kept in one SQLite database file, through the
// pure-Go driver modernc.org/sqlite (no cgo). It is safe for concurrent use,
// and several Stores (in one process or in several) may share one file:
// SQLite serialises their writers, each waiting up to [BusyTimeout] for the
// others.
//
// Every write runs in a BEGIN IMMEDIATE transaction on the Store's single
// writer connection, so writes are serialised and never fail on a lock
// upgrade; reads run on a separate pool of read-only connections and, in WAL
// mode, never wait for the writer. Create one with [Open]; the zero value is
// not usable.
type Store struct {
	w    *sql.DB // the single writer connection (also the reader for :memory:)
	r    *sql.DB // read-only connection pool
	path string
}

var (
	_ notary.Store        = (*Store)(nil)
	_ notary.ReviewReader = (*Store)(nil)
)

// Open opens (creating it if needed) the SQLite database at path and
// migrates it to the latest schema. path is a file path, or [Memory]
// (":memory:") for a private in-memory database that lives as long as the
// Store and is served by one connection.
//
// A file database is put in WAL mode with synchronous=NORMAL; every
// connection has foreign keys on and a busy timeout of [BusyTimeout]
// milliseconds.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, fmt.Errorf("%w: sqlite: empty database path", notary.ErrInvalidInput)
	}
	s := &Store{path: path}
	if path == Memory {
		db, err := sql.Open("sqlite", memoryDSN())
		if err != nil {
			return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
		}
		// One connection that is never closed: a second connection, or a
		// reopened one, would see another, empty database.
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
		s.w, s.r = db, db
	} else {
		w, err := sql.Open("sqlite", fileDSN(path, true))
		if err != nil {
			return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
		}
		w.SetMaxOpenConns(1)
		w.SetMaxIdleConns(1)
		w.SetConnMaxLifetime(0)
		w.SetConnMaxIdleTime(0)
		r, err := sql.Open("sqlite", fileDSN(path, false))
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
		}
		n := max(4, runtime.GOMAXPROCS(0))
		r.SetMaxOpenConns(n)
		r.SetMaxIdleConns(n)
		s.w, s.r = w, r
	}
	// The writer connects first: it switches a new file to WAL mode and
	// creates the schema before any reader connects.
	if err := s.w.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// pragmas are run on every new connection (busy_timeout first).
func pragmas(file, writer bool) url.Values {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout))
	q.Add("_pragma", "foreign_keys(1)")
	if file {
		q.Add("_pragma", "synchronous(NORMAL)")
		if writer {
			q.Add("_pragma", "journal_mode(WAL)")
		} else {
			q.Add("_pragma", "query_only(1)")
		}
	}
	if writer {
		// database/sql's BeginTx then issues BEGIN IMMEDIATE: the write lock
		// is taken (waiting up to busy_timeout) before the first read, so a
		// transaction never fails later on a lock upgrade.
		q.Set("_txlock", "immediate")
	}
	return q
}

func memoryDSN() string {
	return Memory + "?" + pragmas(false, true).Encode()
}

// fileDSN returns a "file:" URI for path, with every character SQLite's URI
// parser treats specially escaped.
func fileDSN(path string, writer bool) string {
	p := filepath.ToSlash(filepath.Clean(path))
	if vol := filepath.VolumeName(path); vol != "" && !strings.HasPrefix(p, "/") {
		p = "/" + p // file:/C:/dir/x.db
	}
	u := url.URL{Scheme: "file", Opaque: (&url.URL{Path: p}).EscapedPath()}
	return u.String() + "?" + pragmas(true, writer).Encode()
}

// Close closes the database connections. Statements in progress finish
// first; a Store cannot be used after Close.
func (s *Store) Close() error {
	var errs []error
	if s.r != nil && s.r != s.w {
		errs = append(errs, s.r.Close())
	}
	if s.w != nil {
		errs = append(errs, s.w.Close())
	}
	return errors.Join(errs...)
}

// Path returns the path the Store was opened with.
func (s *Store) Path() string { return s.path }

// write runs fn in one write transaction (BEGIN IMMEDIATE on the single
// writer connection) and commits it, or rolls everything back when fn or the
// commit fails. A cancelled or expired ctx aborts it and is reported as
// ctx.Err(); an attempt to change or remove an audit event, which the
// schema's triggers refuse, as notary.ErrForbidden.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return s.fail(ctx, "begin", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if busy(err) && !errors.Is(err, notary.ErrUnavailable) {
			return fmt.Errorf("%w: %w", notary.ErrUnavailable, err)
		}
		if appendOnly(err) {
			return fmt.Errorf("%w: sqlite: %w", notary.ErrForbidden, err)
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		_ = tx.Rollback()
		return s.fail(ctx, "commit", err)
	}
	return nil
}

// busy reports whether err is SQLite's "the database is locked by another
// connection" (SQLITE_BUSY or SQLITE_LOCKED, with any extended code): the
// busy timeout ran out while another writer or process held the lock.
func busy(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	code := se.Code() & 0xff
	return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED
}

// fail wraps a database error, preferring the context's error when the
// context ended (the driver reports that as an interrupt). A busy or
// locked database wraps notary.ErrUnavailable.
func (s *Store) fail(ctx context.Context, op string, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	if busy(err) {
		// The busy timeout already waited for the lock: tell the caller
		// to come back later rather than report a fault.
		return fmt.Errorf("%w: sqlite: %s: %w", notary.ErrUnavailable, op, err)
	}
	return fmt.Errorf("sqlite: %s: %w", op, err)
}
