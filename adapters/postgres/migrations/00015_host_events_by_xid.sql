-- Host events are listed in the order of (xid, seq): the ID of the
-- transaction that wrote them, then their outbox_host_seq value, which
-- orders the events of one transaction. An office-wide listing returns
-- only events below the smallest ID of a host event writer still running
-- (each holds a shared advisory lock from before it takes its ID; see
-- ListHostEvents), so that no event can commit later before one already
-- listed: a seq taken by a transaction that commits after another's later
-- seq is no longer skipped by a reader at the head. Host events stored
-- before this migration come first, in seq order (xid 0).
-- Unqualified, like 00001: created in the store's schema.

-- +goose Up
ALTER TABLE outbox ADD COLUMN xid xid8;
UPDATE outbox SET xid = '0' WHERE seq IS NOT NULL;
DROP INDEX outbox_host_seq_idx;
DROP INDEX outbox_host_record_idx;
CREATE INDEX outbox_host_idx ON outbox (office_id, xid, seq) WHERE xid IS NOT NULL;
CREATE INDEX outbox_host_record_idx ON outbox (record_id, xid, seq) WHERE xid IS NOT NULL;

-- +goose Down
DROP INDEX outbox_host_record_idx;
DROP INDEX outbox_host_idx;
ALTER TABLE outbox DROP COLUMN xid;
CREATE UNIQUE INDEX outbox_host_seq_idx ON outbox (seq) WHERE seq IS NOT NULL;
CREATE INDEX outbox_host_record_idx ON outbox (record_id, seq) WHERE seq IS NOT NULL;
