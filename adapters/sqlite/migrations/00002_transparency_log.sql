-- notarykit SQLite schema, version 2: the offices' transparency logs
-- (package notary/translog). Every audit event is queued for its office's
-- log by a trigger in the transaction that stores it; the sequencer moves
-- queued events into the log in batches and signs checkpoints. Idempotent,
-- like version 1.

-- +goose Up

-- The queue holds the position (events.pos) of each event not yet logged:
-- positions grow in commit order, since SQLite has one writer.
CREATE TABLE IF NOT EXISTS log_queue (
    office_id TEXT    NOT NULL,
    pos       INTEGER NOT NULL,
    PRIMARY KEY (office_id, pos)
) STRICT, WITHOUT ROWID;

-- +goose StatementBegin
CREATE TRIGGER IF NOT EXISTS events_log_enqueue AFTER INSERT ON events
BEGIN
    INSERT INTO log_queue (office_id, pos) VALUES (NEW.office_id, NEW.pos);
END;
-- +goose StatementEnd

-- Events stored before the log existed are logged first.
INSERT OR IGNORE INTO log_queue (office_id, pos) SELECT office_id, pos FROM events;

-- One row per office: the log's size.
CREATE TABLE IF NOT EXISTS log_heads (
    office_id TEXT    NOT NULL PRIMARY KEY,
    size      INTEGER NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS log_leaves (
    office_id TEXT    NOT NULL,
    idx       INTEGER NOT NULL,
    record_id TEXT    NOT NULL,
    seq       INTEGER NOT NULL,
    PRIMARY KEY (office_id, idx),
    CONSTRAINT log_leaves_event UNIQUE (record_id, seq)
) STRICT, WITHOUT ROWID;

-- tlog's stored hashes, 32 bytes each, one row per sequencing batch: the
-- hashes at stored-hash indexes start, start+1, ...
CREATE TABLE IF NOT EXISTS log_hashes (
    office_id TEXT    NOT NULL,
    start     INTEGER NOT NULL,
    hashes    BLOB    NOT NULL,
    CONSTRAINT log_hashes_start UNIQUE (office_id, start)
) STRICT;

CREATE TABLE IF NOT EXISTS log_checkpoints (
    office_id  TEXT    NOT NULL,
    size       INTEGER NOT NULL,
    root       BLOB    NOT NULL,
    note       BLOB    NOT NULL,
    created_at TEXT    NOT NULL,
    PRIMARY KEY (office_id, size)
) STRICT, WITHOUT ROWID;

-- +goose StatementBegin
CREATE TRIGGER IF NOT EXISTS log_leaves_no_change BEFORE UPDATE ON log_leaves
BEGIN
    SELECT RAISE(ABORT, 'the log is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER IF NOT EXISTS log_leaves_no_delete BEFORE DELETE ON log_leaves
BEGIN
    SELECT RAISE(ABORT, 'the log is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER IF NOT EXISTS log_hashes_no_change BEFORE UPDATE ON log_hashes
BEGIN
    SELECT RAISE(ABORT, 'the log is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER IF NOT EXISTS log_hashes_no_delete BEFORE DELETE ON log_hashes
BEGIN
    SELECT RAISE(ABORT, 'the log is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER IF NOT EXISTS log_checkpoints_no_change BEFORE UPDATE ON log_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'checkpoints are append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER IF NOT EXISTS log_checkpoints_no_delete BEFORE DELETE ON log_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'checkpoints are append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER IF EXISTS log_checkpoints_no_delete;
DROP TRIGGER IF EXISTS log_checkpoints_no_change;
DROP TRIGGER IF EXISTS log_hashes_no_delete;
DROP TRIGGER IF EXISTS log_hashes_no_change;
DROP TRIGGER IF EXISTS log_leaves_no_delete;
DROP TRIGGER IF EXISTS log_leaves_no_change;
DROP TABLE IF EXISTS log_checkpoints;
DROP TABLE IF EXISTS log_hashes;
DROP TABLE IF EXISTS log_leaves;
DROP TABLE IF EXISTS log_heads;
DROP TRIGGER IF EXISTS events_log_enqueue;
DROP TABLE IF EXISTS log_queue;
