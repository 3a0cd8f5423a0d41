package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// RememberNonce implements [notary.Nonces]: it records nonce until until
// and reports whether it was new, in one write transaction that first
// prunes every nonce expired at now. Processes sharing the database file
// share the memory, and it survives restarts.
func (s *Store) RememberNonce(ctx context.Context, nonce string, until, now time.Time) (bool, error) {
	fresh := false
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM nonces WHERE expires_at <= ?`, ts(now)); err != nil {
			return fmt.Errorf("sqlite: prune nonces: %w", err)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO nonces (nonce, expires_at) VALUES (?, ?) ON CONFLICT (nonce) DO NOTHING`,
			nonce, ts(until))
		if err != nil {
			return fmt.Errorf("sqlite: remember nonce: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("sqlite: remember nonce: %w", err)
		}
		fresh = n == 1
		return nil
	})
	return fresh, err
}
