-- notarykit SQLite schema, version 1.
--
-- Conventions:
--   * IDs are canonical lower-case UUID text, so text order is byte order.
--   * Times are fixed-width UTC text, 2006-01-02T15:04:05.000000000Z, so text
--     order is time order; an optional time that is not set is NULL.
--   * Money is never a float: decimals are TEXT.
--   * filings and applications keep the full record as JSON in doc; the other
--     columns are the indexed projection of it.
--   * Every statement is idempotent (IF NOT EXISTS), so two processes racing
--     to migrate a fresh file cannot fail each other.

-- +goose Up
CREATE TABLE IF NOT EXISTS filings (
    id         TEXT    NOT NULL PRIMARY KEY,
    office_id  TEXT    NOT NULL,
    owner_id   TEXT    NOT NULL,
    state      TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    revision   INTEGER NOT NULL,
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL,
    doc        TEXT    NOT NULL CHECK (json_valid(doc)),
    CONSTRAINT filings_office_owner UNIQUE (office_id, owner_id)
) STRICT;

CREATE INDEX IF NOT EXISTS filings_office_created ON filings (office_id, created_at, id);
CREATE INDEX IF NOT EXISTS filings_queue ON filings (office_id, state, created_at, id);

CREATE TABLE IF NOT EXISTS applications (
    id              TEXT    NOT NULL PRIMARY KEY,
    office_id       TEXT    NOT NULL,
    owner_id        TEXT    NOT NULL,
    filing_id       TEXT    NOT NULL,
    state           TEXT    NOT NULL,
    version         INTEGER NOT NULL,
    idempotency_key TEXT    NOT NULL DEFAULT '',
    quote_amount    TEXT    NOT NULL,
    quote_currency  TEXT    NOT NULL,
    payment_id      TEXT    NOT NULL DEFAULT '',
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    expires_at      TEXT,
    doc             TEXT    NOT NULL CHECK (json_valid(doc))
) STRICT;

CREATE UNIQUE INDEX IF NOT EXISTS applications_idempotency
    ON applications (office_id, owner_id, idempotency_key) WHERE idempotency_key <> '';
CREATE INDEX IF NOT EXISTS applications_office_created ON applications (office_id, created_at, id);
CREATE INDEX IF NOT EXISTS applications_queue ON applications (office_id, state, created_at, id);
CREATE INDEX IF NOT EXISTS applications_owner ON applications (office_id, owner_id, created_at, id);
CREATE INDEX IF NOT EXISTS applications_state_updated ON applications (office_id, state, updated_at);
CREATE INDEX IF NOT EXISTS applications_payment ON applications (payment_id) WHERE payment_id <> '';

-- An evidence record is in at most one active application: the primary key
-- enforces it.
CREATE TABLE IF NOT EXISTS evidence_reservations (
    evidence_id    TEXT NOT NULL PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id)
) STRICT;

CREATE INDEX IF NOT EXISTS evidence_reservations_application ON evidence_reservations (application_id);

-- The append-only audit trail. id is NULL for an event stored without one.
CREATE TABLE IF NOT EXISTS events (
    pos         INTEGER NOT NULL PRIMARY KEY,
    id          TEXT    UNIQUE,
    record_id   TEXT    NOT NULL,
    record_kind TEXT    NOT NULL,
    office_id   TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    trigger_name TEXT   NOT NULL,
    from_state  TEXT    NOT NULL,
    to_state    TEXT    NOT NULL,
    actor_kind  TEXT    NOT NULL,
    actor_id    TEXT    NOT NULL,
    actor_name  TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    at          TEXT    NOT NULL,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL,
    CONSTRAINT events_record_seq UNIQUE (record_id, seq)
) STRICT;

-- +goose StatementBegin
CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
-- +goose StatementEnd

-- Keys recorded once and forever (provider payment event IDs).
CREATE TABLE IF NOT EXISTS dedup_keys (
    dedup_key   TEXT NOT NULL PRIMARY KEY,
    recorded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

-- The transactional outbox.
CREATE TABLE IF NOT EXISTS outbox (
    id              TEXT    NOT NULL PRIMARY KEY,
    office_id       TEXT    NOT NULL,
    record_id       TEXT    NOT NULL,
    record_kind     TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    channel         TEXT    NOT NULL,
    recipient       TEXT    NOT NULL CHECK (json_valid(recipient)),
    data            TEXT    NOT NULL CHECK (json_valid(data)),
    created_at      TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT    NOT NULL,
    claim           TEXT,
    lease_until     TEXT,
    last_error      TEXT    NOT NULL DEFAULT '',
    delivered_at    TEXT
) STRICT;

CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS outbox_status_created ON outbox (status, created_at, id);
CREATE INDEX IF NOT EXISTS outbox_record ON outbox (record_id);

-- The users' in-site inbox.
CREATE TABLE IF NOT EXISTS inbox (
    id         TEXT NOT NULL PRIMARY KEY,
    office_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    record_id  TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at    TEXT
) STRICT;

CREATE INDEX IF NOT EXISTS inbox_user_created ON inbox (office_id, user_id, created_at, id);
CREATE INDEX IF NOT EXISTS inbox_user_unread ON inbox (office_id, user_id) WHERE read_at IS NULL;

-- Admin accounts. email_key is the email lower-cased (Unicode-aware, by the
-- adapter), unique per office.
CREATE TABLE IF NOT EXISTS admins (
    id            TEXT    NOT NULL PRIMARY KEY,
    office_id     TEXT    NOT NULL,
    email         TEXT    NOT NULL,
    email_key     TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    role          TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  TEXT,
    version       INTEGER NOT NULL,
    audit_head    TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    CONSTRAINT admins_office_email UNIQUE (office_id, email_key)
) STRICT;

CREATE INDEX IF NOT EXISTS admins_office_email_order ON admins (office_id, email, id);

-- Admin sessions; only the SHA-256 of the token is stored.
CREATE TABLE IF NOT EXISTS sessions (
    token_hash   TEXT NOT NULL PRIMARY KEY,
    admin_id     TEXT NOT NULL,
    office_id    TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS sessions_admin ON sessions (admin_id);
CREATE INDEX IF NOT EXISTS sessions_expires ON sessions (expires_at);

-- +goose Down
DROP TABLE IF EXISTS sessions;
DROP TABLE IF EXISTS admins;
DROP TABLE IF EXISTS inbox;
DROP TABLE IF EXISTS outbox;
DROP TABLE IF EXISTS dedup_keys;
DROP TRIGGER IF EXISTS events_no_delete;
DROP TRIGGER IF EXISTS events_no_update;
DROP TABLE IF EXISTS events;
DROP TABLE IF EXISTS evidence_reservations;
DROP TABLE IF EXISTS applications;
DROP TABLE IF EXISTS filings;
