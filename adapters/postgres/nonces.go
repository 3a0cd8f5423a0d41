package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// RememberNonce implements [notary.Nonces]: it records nonce until until
// and reports whether it was new, in one statement that also prunes every
// other nonce expired at now. Every process sharing the database shares the
// memory, and it survives restarts; of concurrent calls with one nonce,
// PostgreSQL's ON CONFLICT lets exactly one insert it.
func (s *Store) RememberNonce(ctx context.Context, nonce string, until, now time.Time) (bool, error) {
	var fresh bool
	err := s.pool.QueryRow(ctx, `WITH pruned AS (DELETE FROM nonces WHERE expires_at <= $3 AND nonce <> $1)
INSERT INTO nonces (nonce, expires_at) VALUES ($1, $2)
ON CONFLICT (nonce) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE nonces.expires_at <= $3
RETURNING true`, nonce, utc(until), utc(now)).Scan(&fresh)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil // remembered and not expired: the conflict updated nothing
	}
	return fresh, dbError(err)
}
