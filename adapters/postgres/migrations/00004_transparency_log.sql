-- The offices' transparency logs (package notary/translog). Every audit
-- event is queued for its office's log by a trigger in the transaction
-- that stores it; the sequencer moves queued events into the log in
-- batches (log_leaves, log_hashes, log_heads) and signs checkpoints.
-- Unqualified, like 00001: created in the store's schema.

-- +goose Up
CREATE TABLE log_queue (
	id        bigint GENERATED ALWAYS AS IDENTITY,
	office_id uuid   NOT NULL,
	record_id uuid   NOT NULL,
	seq       bigint NOT NULL,
	CONSTRAINT log_queue_pkey PRIMARY KEY (office_id, id)
);

-- notarykit_log_enqueue queues the events a statement inserted, in one
-- INSERT per statement.
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

-- Events stored before the log existed are logged first.
INSERT INTO log_queue (office_id, record_id, seq)
SELECT office_id, record_id, seq FROM events ORDER BY at, record_id, seq;

-- One row per office: the log's size. A sequencing batch locks it.
CREATE TABLE log_heads (
	office_id uuid   NOT NULL,
	size      bigint NOT NULL,
	CONSTRAINT log_heads_pkey PRIMARY KEY (office_id)
);

CREATE TABLE log_leaves (
	office_id uuid   NOT NULL,
	idx       bigint NOT NULL,
	record_id uuid   NOT NULL,
	seq       bigint NOT NULL,
	CONSTRAINT log_leaves_pkey PRIMARY KEY (office_id, idx),
	CONSTRAINT log_leaves_event_key UNIQUE (record_id, seq)
);
CREATE TRIGGER log_leaves_append_only BEFORE UPDATE OR DELETE ON log_leaves
	FOR EACH ROW EXECUTE FUNCTION notarykit_append_only();

-- tlog's stored hashes, 32 bytes each, one row per sequencing batch: the
-- hashes at stored-hash indexes start, start+1, ... Kept uncompressed out
-- of line, so that reading one hash reads only its part of the value.
CREATE TABLE log_hashes (
	office_id uuid   NOT NULL,
	start     bigint NOT NULL,
	hashes    bytea  NOT NULL,
	CONSTRAINT log_hashes_pkey PRIMARY KEY (office_id, start)
);
ALTER TABLE log_hashes ALTER COLUMN hashes SET STORAGE EXTERNAL;
CREATE TRIGGER log_hashes_append_only BEFORE UPDATE OR DELETE ON log_hashes
	FOR EACH ROW EXECUTE FUNCTION notarykit_append_only();

CREATE TABLE log_checkpoints (
	office_id  uuid        NOT NULL,
	size       bigint      NOT NULL,
	root       bytea       NOT NULL,
	note       bytea       NOT NULL,
	created_at timestamptz NOT NULL,
	CONSTRAINT log_checkpoints_pkey PRIMARY KEY (office_id, size)
);
CREATE TRIGGER log_checkpoints_append_only BEFORE UPDATE OR DELETE ON log_checkpoints
	FOR EACH ROW EXECUTE FUNCTION notarykit_append_only();

-- +goose Down
DROP TABLE log_checkpoints;
DROP TABLE log_hashes;
DROP TABLE log_leaves;
DROP TABLE log_heads;
DROP TRIGGER events_log_enqueue ON events;
DROP FUNCTION notarykit_log_enqueue();
DROP TABLE log_queue;
