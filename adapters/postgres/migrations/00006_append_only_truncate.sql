-- TRUNCATE fires no row triggers, so the append-only tables' BEFORE UPDATE
-- OR DELETE triggers (00001, 00004) would let it empty them. A statement
-- trigger on each refuses it with the same NK405 error.
-- Unqualified, like 00001: created in the store's schema.

-- +goose Up
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
	FOR EACH STATEMENT EXECUTE FUNCTION notarykit_append_only();
CREATE TRIGGER log_leaves_no_truncate BEFORE TRUNCATE ON log_leaves
	FOR EACH STATEMENT EXECUTE FUNCTION notarykit_append_only();
CREATE TRIGGER log_hashes_no_truncate BEFORE TRUNCATE ON log_hashes
	FOR EACH STATEMENT EXECUTE FUNCTION notarykit_append_only();
CREATE TRIGGER log_checkpoints_no_truncate BEFORE TRUNCATE ON log_checkpoints
	FOR EACH STATEMENT EXECUTE FUNCTION notarykit_append_only();

-- +goose Down
DROP TRIGGER log_checkpoints_no_truncate ON log_checkpoints;
DROP TRIGGER log_hashes_no_truncate ON log_hashes;
DROP TRIGGER log_leaves_no_truncate ON log_leaves;
DROP TRIGGER events_no_truncate ON events;
