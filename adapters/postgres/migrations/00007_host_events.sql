-- Host events (notary.ChannelHost) ride the outbox; seq is their place in
-- commit order, for catch-up listings, taken from a sequence on insert.
-- Other notices leave it NULL.

-- +goose Up
CREATE SEQUENCE outbox_host_seq;
ALTER TABLE outbox ADD COLUMN seq bigint;
CREATE UNIQUE INDEX outbox_host_seq_idx ON outbox (seq) WHERE seq IS NOT NULL;
CREATE INDEX outbox_host_record_idx ON outbox (record_id, seq) WHERE seq IS NOT NULL;

-- +goose Down
DROP INDEX outbox_host_record_idx;
DROP INDEX outbox_host_seq_idx;
ALTER TABLE outbox DROP COLUMN seq;
DROP SEQUENCE outbox_host_seq;
