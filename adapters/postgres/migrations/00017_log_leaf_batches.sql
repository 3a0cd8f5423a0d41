-- The sequencer stores the leaves of a batch of events found by their
-- transaction IDs (00013) as one log_batches row, instead of a log_leaves
-- row per event: the batch's events, in leaf order, as two arrays, with
-- the place the batch read them from. A record's leaves are found from its
-- events: the batch that logged an event is one of the run whose target
-- snapshot sees the event's transaction and whose done snapshot does not
-- (log_heads, 00013), and within that run, whose batches split the run's
-- events in (xid, record_id, seq) order, the one with the greatest first
-- event not after it. log_leaves keeps the leaves logged before this
-- migration and those of events queued in log_queue.
-- Unqualified, like 00001: created in the store's schema.

-- +goose Up
CREATE TABLE log_batches (
	office_id    uuid        NOT NULL,
	start        bigint      NOT NULL,
	done         pg_snapshot NOT NULL,
	target       pg_snapshot NOT NULL,
	target_xmax  xid8        NOT NULL, -- pg_snapshot_xmax(target)
	first_xid    xid8        NOT NULL,
	first_record uuid        NOT NULL,
	first_seq    bigint      NOT NULL,
	records      uuid[]      NOT NULL,
	seqs         bigint[]    NOT NULL,
	CONSTRAINT log_batches_pkey PRIMARY KEY (office_id, start),
	CONSTRAINT log_batches_leaves CHECK (cardinality(records) > 0 AND cardinality(records) = cardinality(seqs))
);
-- The runs in the order of their target's xmax, which no later run's is
-- below; within a run, its batches from the last.
CREATE INDEX log_batches_run_idx ON log_batches (office_id, target_xmax, first_xid DESC, first_record DESC, first_seq DESC);
CREATE TRIGGER log_batches_append_only BEFORE UPDATE OR DELETE ON log_batches
	FOR EACH ROW EXECUTE FUNCTION notarykit_append_only();
CREATE TRIGGER log_batches_no_truncate BEFORE TRUNCATE ON log_batches
	FOR EACH STATEMENT EXECUTE FUNCTION notarykit_append_only();

-- +goose Down
INSERT INTO log_leaves (office_id, idx, record_id, seq)
SELECT b.office_id, b.start + u.ord - 1, u.r, u.s
FROM log_batches b, unnest(b.records, b.seqs) WITH ORDINALITY AS u(r, s, ord);
DROP TABLE log_batches;
