package postgres

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/notarykit/notarykit/notary"
)

// Store is a [notary.Store] backed by PostgreSQL through a pgx connection
// pool. It is safe for concurrent use by many goroutines and by many
// processes sharing one database. Create one with [Open] or [New], and
// create its tables with [Store.Migrate].
type Store struct {
	pool   *pgxpool.Pool
	owned  bool   // Close closes the pool
	schema string // "" when the connection's search_path decides
	err    error  // an invalid option, reported by Migrate
	// hostWait bounds an office-wide host event listing's wait for
	// running transactions (see ListHostEvents); 0 means hostEventWait.
	hostWait time.Duration
}

var (
	_ notary.Store        = (*Store)(nil)
	_ notary.ReviewReader = (*Store)(nil)
)

// Option configures a Store made by [Open] or [New].
type Option func(*config)

type config struct {
	schema string
	err    error
}

var schemaName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// WithSchema keeps every table of the store in the named schema, which
// [Store.Migrate] creates if it does not exist. The name must be a plain
// lower-case SQL identifier (letters a-z, digits and underscores, at most
// 63 bytes, not starting with a digit).
//
// With [Open] the pool's connections get search_path set to the schema. A
// pool passed to [New] must already select it (for example
// cfg.ConnConfig.RuntimeParams["search_path"] = name before
// pgxpool.NewWithConfig); [Store.Migrate] checks that it does.
//
// Without WithSchema the tables live in the first schema of the
// connections' search_path (normally public).
func WithSchema(name string) Option {
	return func(c *config) {
		if !schemaName.MatchString(name) {
			c.err = fmt.Errorf("%w: postgres: schema name %q is not a plain lower-case identifier", notary.ErrInvalidInput, name)
			return
		}
		c.schema = name
	}
}

func newConfig(opts []Option) config {
	var c config
	for _, o := range opts {
		o(&c)
	}
	return c
}

// Open connects to the database at url (a PostgreSQL connection URL or
// key=value string, as accepted by pgxpool.ParseConfig, including pool_*
// settings such as pool_max_conns), checks that it answers, and returns a
// Store owning the new pool: [Store.Close] closes it. Open does not create
// the tables; call [Store.Migrate].
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	c := newConfig(opts)
	if c.err != nil {
		return nil, c.err
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse connection string: %w", err)
	}
	if c.schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = c.schema
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: create pool: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	return &Store{pool: pool, owned: true, schema: c.schema}, nil
}

// New returns a Store using pool, which stays the caller's: [Store.Close]
// does not close it. When [WithSchema] is given, the pool's connections
// must already have their search_path set to that schema (see WithSchema).
// An invalid option is reported by [Store.Migrate].
func New(pool *pgxpool.Pool, opts ...Option) *Store {
	c := newConfig(opts)
	return &Store{pool: pool, schema: c.schema, err: c.err}
}

// Close releases the store. It closes the connection pool if [Open] made
// it; a pool passed to [New] is left open for its owner to close.
func (s *Store) Close() {
	if s.owned {
		s.pool.Close()
	}
}
