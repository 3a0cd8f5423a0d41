-- Initial schema of the notarykit PostgreSQL store. Every statement is
-- unqualified: the tables are created in the first schema of the
-- connection's search_path (the schema chosen with WithSchema).

-- +goose Up

-- notarykit_raise aborts the current statement (and so the whole Commit
-- transaction) with a notarykit SQLSTATE: NK409 for an optimistic-version
-- conflict, NK404 for a missing record. It returns integer so that it can be
-- used inside a CASE expression.
-- +goose StatementBegin
CREATE FUNCTION notarykit_raise(code text, message text) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = code, MESSAGE = message;
END
$$;
-- +goose StatementEnd

-- notarykit_append_only keeps the audit trail append-only.
-- +goose StatementBegin
CREATE FUNCTION notarykit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = 'NK405', MESSAGE = 'the audit trail is append-only';
END
$$;
-- +goose StatementEnd

CREATE TABLE filings (
	id         uuid        NOT NULL,
	office_id  uuid        NOT NULL,
	owner_id   text        NOT NULL,
	state      text        NOT NULL,
	version    bigint      NOT NULL,
	created_at timestamptz NOT NULL,
	updated_at timestamptz NOT NULL,
	doc        jsonb       NOT NULL, -- the full record; money as strings
	CONSTRAINT filings_pkey PRIMARY KEY (id),
	CONSTRAINT filings_office_owner_key UNIQUE (office_id, owner_id)
);
-- Review queues and keyset pagination by (created_at, id).
CREATE INDEX filings_queue_idx ON filings (office_id, state, created_at, id);
CREATE INDEX filings_office_idx ON filings (office_id, created_at, id);

CREATE TABLE applications (
	id              uuid          NOT NULL,
	office_id       uuid          NOT NULL,
	owner_id        text          NOT NULL,
	state           text          NOT NULL,
	version         bigint        NOT NULL,
	created_at      timestamptz   NOT NULL,
	updated_at      timestamptz   NOT NULL,
	expires_at      timestamptz,            -- NULL when the record has none
	idempotency_key text          NOT NULL DEFAULT '',
	quote_amount    numeric(18,2) NOT NULL,
	currency        text          NOT NULL,
	doc             jsonb         NOT NULL, -- the full record; money as strings
	CONSTRAINT applications_pkey PRIMARY KEY (id)
);
CREATE UNIQUE INDEX applications_idempotency_key
	ON applications (office_id, owner_id, idempotency_key) WHERE idempotency_key <> '';
CREATE INDEX applications_queue_idx ON applications (office_id, state, created_at, id);
CREATE INDEX applications_owner_idx ON applications (office_id, owner_id, created_at, id);
CREATE INDEX applications_office_idx ON applications (office_id, created_at, id);

-- An evidence record is in at most one active application: the primary key
-- makes the database enforce it.
CREATE TABLE evidence_reservations (
	evidence_id    text NOT NULL,
	application_id uuid NOT NULL,
	CONSTRAINT evidence_reservations_pkey PRIMARY KEY (evidence_id)
);
CREATE INDEX evidence_reservations_application_idx ON evidence_reservations (application_id);

CREATE TABLE events (
	record_id   uuid        NOT NULL,
	seq         bigint      NOT NULL,
	id          uuid        NOT NULL,
	record_kind text        NOT NULL,
	office_id   uuid        NOT NULL,
	trigger     text        NOT NULL,
	from_state  text        NOT NULL,
	to_state    text        NOT NULL,
	actor_kind  text        NOT NULL,
	actor_id    text        NOT NULL,
	actor_name  text        NOT NULL,
	reason      text        NOT NULL,
	at          timestamptz NOT NULL,
	prev_hash   text        NOT NULL,
	hash        text        NOT NULL,
	CONSTRAINT events_record_seq_key PRIMARY KEY (record_id, seq)
);
-- Event IDs are unique when set (the nil UUID means "no ID").
CREATE UNIQUE INDEX events_id_key ON events (id) WHERE id <> '00000000-0000-0000-0000-000000000000';
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
	FOR EACH ROW EXECUTE FUNCTION notarykit_append_only();

-- Deduplication keys (provider payment event IDs), recorded forever.
CREATE TABLE dedup_keys (
	key        text        NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT dedup_keys_pkey PRIMARY KEY (key)
);

-- The transactional outbox.
CREATE TABLE outbox (
	id              uuid        NOT NULL,
	office_id       uuid        NOT NULL,
	record_id       uuid        NOT NULL,
	kind            text        NOT NULL,
	channel         text        NOT NULL,
	status          text        NOT NULL,
	attempts        integer     NOT NULL DEFAULT 0,
	next_attempt_at timestamptz NOT NULL,
	claim           uuid,                  -- NULL when unclaimed
	lease_until     timestamptz,
	last_error      text        NOT NULL DEFAULT '',
	delivered_at    timestamptz,
	created_at      timestamptz NOT NULL,
	notice          jsonb       NOT NULL,  -- record kind, recipient and template data
	CONSTRAINT outbox_pkey PRIMARY KEY (id),
	CONSTRAINT outbox_status_check CHECK (status IN ('pending', 'delivered', 'dead'))
);
CREATE INDEX outbox_due_idx ON outbox (status, next_attempt_at);
CREATE INDEX outbox_status_idx ON outbox (status, created_at, id);

-- In-site messages.
CREATE TABLE inbox (
	id         uuid        NOT NULL,
	office_id  uuid        NOT NULL,
	user_id    text        NOT NULL,
	kind       text        NOT NULL,
	record_id  uuid        NOT NULL,
	subject    text        NOT NULL,
	body       text        NOT NULL,
	created_at timestamptz NOT NULL,
	read_at    timestamptz,             -- NULL while unread
	CONSTRAINT inbox_pkey PRIMARY KEY (id)
);
CREATE INDEX inbox_user_idx ON inbox (office_id, user_id, created_at DESC, id DESC);
CREATE INDEX inbox_unread_idx ON inbox (office_id, user_id) WHERE read_at IS NULL;

CREATE TABLE admins (
	id            uuid        NOT NULL,
	office_id     uuid        NOT NULL,
	email         text        NOT NULL,
	name          text        NOT NULL,
	role          text        NOT NULL,
	password_hash text        NOT NULL,
	disabled      boolean     NOT NULL,
	failed_logins integer     NOT NULL,
	locked_until  timestamptz,           -- NULL when not locked
	version       bigint      NOT NULL,
	audit_head    text        NOT NULL,
	created_at    timestamptz NOT NULL,
	updated_at    timestamptz NOT NULL,
	CONSTRAINT admins_pkey PRIMARY KEY (id)
);
CREATE UNIQUE INDEX admins_office_email_key ON admins (office_id, lower(email));

CREATE TABLE sessions (
	token_hash   text        NOT NULL,
	admin_id     uuid        NOT NULL,
	office_id    uuid        NOT NULL,
	created_at   timestamptz NOT NULL,
	last_seen_at timestamptz NOT NULL,
	expires_at   timestamptz NOT NULL,
	CONSTRAINT sessions_pkey PRIMARY KEY (token_hash)
);
CREATE INDEX sessions_admin_idx ON sessions (admin_id);

-- +goose Down
DROP TABLE sessions;
DROP TABLE admins;
DROP TABLE inbox;
DROP TABLE outbox;
DROP TABLE dedup_keys;
DROP TABLE events;
DROP TABLE evidence_reservations;
DROP TABLE applications;
DROP TABLE filings;
DROP FUNCTION notarykit_append_only();
DROP FUNCTION notarykit_raise(text, text);
