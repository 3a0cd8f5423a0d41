-- Host events (notary.ChannelHost) ride the outbox: their JSON document,
-- verbatim, and their place in commit order, for catch-up listings. seq is
-- set on insert to one more than the largest, under SQLite's single writer.

-- +goose Up
ALTER TABLE outbox ADD COLUMN event TEXT CHECK (event IS NULL OR json_valid(event));
ALTER TABLE outbox ADD COLUMN seq INTEGER;
CREATE UNIQUE INDEX IF NOT EXISTS outbox_host_seq ON outbox (seq) WHERE seq IS NOT NULL;
CREATE INDEX IF NOT EXISTS outbox_host_record ON outbox (record_id, seq) WHERE seq IS NOT NULL;

-- +goose Down
DROP INDEX IF EXISTS outbox_host_record;
DROP INDEX IF EXISTS outbox_host_seq;
ALTER TABLE outbox DROP COLUMN seq;
ALTER TABLE outbox DROP COLUMN event;
