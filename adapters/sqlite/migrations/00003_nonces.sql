-- Replay memory of signed messages (notary.Nonces): a nonce is remembered
-- until its message would be refused as too old anyway, then pruned.

-- +goose Up
CREATE TABLE IF NOT EXISTS nonces (
    nonce      TEXT NOT NULL PRIMARY KEY,
    expires_at TEXT NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS nonces_expiry ON nonces (expires_at);

-- +goose Down
DROP TABLE IF EXISTS nonces;
