package postgres

import "context"

// ExecRaw runs one statement on the store's pool and translates its error
// as every method of the store does. Tests use it to try what the store
// itself never does, such as rewriting audit events.
func (s *Store) ExecRaw(ctx context.Context, sql string, args ...any) error {
	_, err := s.pool.Exec(ctx, sql, args...)
	return dbError(err)
}
