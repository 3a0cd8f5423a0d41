package sqlite

import (
	"context"
	"database/sql"
)

// ExecRaw runs one statement in a write transaction of the store and
// translates its error as the store's methods do. Tests use it to try what
// the store itself never does, such as rewriting audit events.
func (s *Store) ExecRaw(ctx context.Context, query string, args ...any) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, query, args...)
		return err
	})
}
