-- The transparency log's sequencer finds committed events by the
-- transaction that wrote them, instead of a queue row per event written by
-- a trigger in the transition's transaction (00004): each event records
-- its transaction ID (a column default, no trigger), and each office's
-- log_heads row keeps the sequencer's place as transaction snapshots —
-- every event whose transaction is visible in "done" is in the log; a
-- batch takes the events visible in "target" and not in "done" (the
-- technique of PgQ), in (xid, record_id, seq) order, and "last" is where a
-- batch cut by its limit stopped. An event whose transaction commits after
-- a later-started one is therefore still found, by the next batch.
-- Unqualified, like 00001: created in the store's schema.

-- +goose Up
ALTER TABLE events ADD COLUMN xid xid8;
-- A default set after the column was added applies to new rows only:
-- events stored before this migration keep a NULL xid and are logged, or
-- still queued in log_queue (the sequencer empties the queue first).
ALTER TABLE events ALTER COLUMN xid SET DEFAULT pg_current_xact_id();
CREATE INDEX events_log_idx ON events (office_id, xid, record_id, seq) WHERE xid IS NOT NULL;

DROP TRIGGER events_log_enqueue ON events;
DROP FUNCTION notarykit_log_enqueue();

ALTER TABLE log_heads
	ADD COLUMN done        pg_snapshot NOT NULL DEFAULT '1:1:',
	ADD COLUMN target      pg_snapshot,
	ADD COLUMN last_xid    xid8,
	ADD COLUMN last_record uuid,
	ADD COLUMN last_seq    bigint;

-- +goose Down
ALTER TABLE log_heads DROP COLUMN done, DROP COLUMN target, DROP COLUMN last_xid, DROP COLUMN last_record,
	DROP COLUMN last_seq;

-- +goose StatementBegin
CREATE FUNCTION notarykit_log_enqueue() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO log_queue (office_id, record_id, seq)
	SELECT office_id, record_id, seq FROM new_events ORDER BY seq;
	RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER events_log_enqueue AFTER INSERT ON events
	REFERENCING NEW TABLE AS new_events
	FOR EACH STATEMENT EXECUTE FUNCTION notarykit_log_enqueue();

-- The events stored since the Up and not logged yet are queued after
-- those still queued from before it.
INSERT INTO log_queue (office_id, record_id, seq)
SELECT e.office_id, e.record_id, e.seq FROM events e
WHERE e.xid IS NOT NULL AND NOT EXISTS (SELECT FROM log_leaves l WHERE l.record_id = e.record_id AND l.seq = e.seq)
ORDER BY e.xid, e.record_id, e.seq;

DROP INDEX events_log_idx;
ALTER TABLE events DROP COLUMN xid;
