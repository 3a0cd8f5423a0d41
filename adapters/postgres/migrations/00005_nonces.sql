-- Replay memory of signed messages (notary.Nonces): a nonce is remembered
-- until its message would be refused as too old anyway, then pruned.
-- Unqualified, like 00001: created in the store's schema.

-- +goose Up
CREATE TABLE nonces (
    nonce      text        NOT NULL PRIMARY KEY,
    expires_at timestamptz NOT NULL
);

CREATE INDEX nonces_expiry_idx ON nonces (expires_at);

-- +goose Down
DROP TABLE nonces;
