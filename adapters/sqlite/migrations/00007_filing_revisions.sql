-- Every content a filing was filed with (notary.FilingRevision), kept with
-- the transition that filed it. The table is append-only except for the
-- personal fields of content: erasure and resealing rewrite those (the
-- trigger compares content without them), nothing else of a row changes,
-- and no row is deleted.

-- +goose Up
CREATE TABLE IF NOT EXISTS filing_revisions (
    filing_id    TEXT    NOT NULL,
    number       INTEGER NOT NULL CHECK (number >= 1),
    office_id    TEXT    NOT NULL,
    trigger_name TEXT    NOT NULL,
    submitted_at TEXT    NOT NULL,
    actor_kind   TEXT    NOT NULL,
    actor_id     TEXT    NOT NULL,
    actor_name   TEXT    NOT NULL,
    content      TEXT    NOT NULL CHECK (json_valid(content)),
    PRIMARY KEY (filing_id, number)
) STRICT;

-- +goose StatementBegin
CREATE TRIGGER IF NOT EXISTS filing_revisions_no_delete BEFORE DELETE ON filing_revisions
BEGIN
    SELECT RAISE(ABORT, 'filing revisions are append-only');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER IF NOT EXISTS filing_revisions_no_update BEFORE UPDATE ON filing_revisions
WHEN NEW.filing_id IS NOT OLD.filing_id OR NEW.number IS NOT OLD.number OR NEW.office_id IS NOT OLD.office_id
    OR NEW.trigger_name IS NOT OLD.trigger_name OR NEW.submitted_at IS NOT OLD.submitted_at
    OR NEW.actor_kind IS NOT OLD.actor_kind OR NEW.actor_id IS NOT OLD.actor_id OR NEW.actor_name IS NOT OLD.actor_name
    OR json_remove(NEW.content, '$.legal_rep.name', '$.legal_rep.id_number', '$.legal_rep.id_lookup', '$.contact_phone',
        '$.agent.person.name', '$.agent.person.id_number', '$.agent.person.id_lookup')
    IS NOT json_remove(OLD.content, '$.legal_rep.name', '$.legal_rep.id_number', '$.legal_rep.id_lookup', '$.contact_phone',
        '$.agent.person.name', '$.agent.person.id_number', '$.agent.person.id_lookup')
BEGIN
    SELECT RAISE(ABORT, 'filing revisions are append-only');
END;
-- +goose StatementEnd

-- Filings stored before revisions were kept: their latest content is
-- their current revision, filed by the last submit, resubmit or amend
-- event of their trail.
INSERT OR IGNORE INTO filing_revisions
    (filing_id, number, office_id, trigger_name, submitted_at, actor_kind, actor_id, actor_name, content)
SELECT f.id, f.revision, f.office_id,
    COALESCE(e.trigger_name, 'submit'), COALESCE(e.at, f.created_at),
    COALESCE(e.actor_kind, 'user'), COALESCE(e.actor_id, f.owner_id),
    COALESCE(e.actor_name, json_extract(f.doc, '$.owner.name'), ''),
    json_extract(f.doc, '$.content')
FROM filings f
LEFT JOIN events e ON e.pos = (
    SELECT max(pos) FROM events
    WHERE record_id = f.id AND trigger_name IN ('submit', 'resubmit', 'amend'));

-- ... and the revision in force, when an amendment has replaced it: filed
-- by the last such event before the filing's last approval.
INSERT OR IGNORE INTO filing_revisions
    (filing_id, number, office_id, trigger_name, submitted_at, actor_kind, actor_id, actor_name, content)
SELECT f.id, json_extract(f.doc, '$.approved_revision'), f.office_id,
    COALESCE(e.trigger_name, 'submit'), COALESCE(e.at, f.created_at),
    COALESCE(e.actor_kind, 'user'), COALESCE(e.actor_id, f.owner_id),
    COALESCE(e.actor_name, json_extract(f.doc, '$.owner.name'), ''),
    json_extract(f.doc, '$.approved')
FROM filings f
LEFT JOIN events e ON e.pos = (
    SELECT max(pos) FROM events
    WHERE record_id = f.id AND trigger_name IN ('submit', 'resubmit', 'amend')
      AND seq < (SELECT max(seq) FROM events WHERE record_id = f.id AND trigger_name = 'approve'))
WHERE json_type(f.doc, '$.approved') = 'object'
  AND json_extract(f.doc, '$.approved_revision') BETWEEN 1 AND f.revision - 1;

-- +goose Down
DROP TRIGGER IF EXISTS filing_revisions_no_update;
DROP TRIGGER IF EXISTS filing_revisions_no_delete;
DROP TABLE IF EXISTS filing_revisions;
