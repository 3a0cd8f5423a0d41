-- Every content a filing was filed with (notary.FilingRevision), kept with
-- the transition that filed it. The table is append-only except for the
-- personal fields of content: erasure and resealing rewrite those (the
-- trigger compares content without them, notarykit_impersonal), nothing
-- else of a row changes, and no row is deleted or truncated (NK405).
-- Unqualified, like 00001: created in the store's schema.

-- +goose Up
CREATE TABLE filing_revisions (
	filing_id    uuid        NOT NULL,
	number       integer     NOT NULL CHECK (number >= 1),
	office_id    uuid        NOT NULL,
	trigger      text        NOT NULL,
	submitted_at timestamptz NOT NULL,
	actor_kind   text        NOT NULL,
	actor_id     text        NOT NULL,
	actor_name   text        NOT NULL,
	content      jsonb       NOT NULL,
	CONSTRAINT filing_revisions_pkey PRIMARY KEY (filing_id, number)
);

-- notarykit_impersonal is a filing content without its personal fields
-- (notary.PersonalFields and their blind indexes).
-- +goose StatementBegin
CREATE FUNCTION notarykit_impersonal(c jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT c #- '{legal_rep,name}' #- '{legal_rep,id_number}' #- '{legal_rep,id_lookup}' #- '{contact_phone}'
		#- '{agent,person,name}' #- '{agent,person,id_number}' #- '{agent,person,id_lookup}'
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION notarykit_revision_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'UPDATE'
		AND NEW.filing_id = OLD.filing_id AND NEW.number = OLD.number AND NEW.office_id = OLD.office_id
		AND NEW.trigger = OLD.trigger AND NEW.submitted_at = OLD.submitted_at AND NEW.actor_kind = OLD.actor_kind
		AND NEW.actor_id = OLD.actor_id AND NEW.actor_name = OLD.actor_name
		AND notarykit_impersonal(NEW.content) = notarykit_impersonal(OLD.content) THEN
		RETURN NEW;
	END IF;
	RAISE EXCEPTION USING ERRCODE = 'NK405', MESSAGE = 'filing revisions are append-only';
END
$$;
-- +goose StatementEnd

CREATE TRIGGER filing_revisions_append_only BEFORE UPDATE OR DELETE ON filing_revisions
	FOR EACH ROW EXECUTE FUNCTION notarykit_revision_append_only();
CREATE TRIGGER filing_revisions_no_truncate BEFORE TRUNCATE ON filing_revisions
	FOR EACH STATEMENT EXECUTE FUNCTION notarykit_append_only();

-- Filings stored before revisions were kept: their latest content is
-- their current revision, filed by the last submit, resubmit or amend
-- event of their trail ...
INSERT INTO filing_revisions (filing_id, number, office_id, trigger, submitted_at, actor_kind, actor_id, actor_name, content)
SELECT f.id, (f.doc->>'revision')::integer, f.office_id,
	COALESCE(e.trigger, 'submit'), COALESCE(e.at, f.created_at),
	COALESCE(e.actor_kind, 'user'), COALESCE(e.actor_id, f.owner_id), COALESCE(e.actor_name, f.doc->'owner'->>'name', ''),
	(f.doc->'content')::jsonb
FROM filings f
LEFT JOIN LATERAL (
	SELECT trigger, at, actor_kind, actor_id, actor_name FROM events
	WHERE record_id = f.id AND trigger IN ('submit', 'resubmit', 'amend')
	ORDER BY seq DESC LIMIT 1
) e ON true
WHERE (f.doc->>'revision')::integer >= 1
ON CONFLICT DO NOTHING;

-- ... and the revision in force, when an amendment has replaced it: filed
-- by the last such event before the filing's last approval.
INSERT INTO filing_revisions (filing_id, number, office_id, trigger, submitted_at, actor_kind, actor_id, actor_name, content)
SELECT f.id, (f.doc->>'approved_revision')::integer, f.office_id,
	COALESCE(e.trigger, 'submit'), COALESCE(e.at, f.created_at),
	COALESCE(e.actor_kind, 'user'), COALESCE(e.actor_id, f.owner_id), COALESCE(e.actor_name, f.doc->'owner'->>'name', ''),
	(f.doc->'approved')::jsonb
FROM filings f
LEFT JOIN LATERAL (
	SELECT trigger, at, actor_kind, actor_id, actor_name FROM events
	WHERE record_id = f.id AND trigger IN ('submit', 'resubmit', 'amend')
		AND seq < (SELECT max(seq) FROM events WHERE record_id = f.id AND trigger = 'approve')
	ORDER BY seq DESC LIMIT 1
) e ON true
WHERE json_typeof(f.doc->'approved') = 'object'
	AND (f.doc->>'approved_revision')::integer BETWEEN 1 AND (f.doc->>'revision')::integer - 1
ON CONFLICT DO NOTHING;

-- +goose Down
DROP TABLE filing_revisions;
DROP FUNCTION notarykit_revision_append_only();
DROP FUNCTION notarykit_impersonal(jsonb);
