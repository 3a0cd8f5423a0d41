-- Search by any part of an enterprise name and by any tail of an ID
-- (notary.FindQuery.Enterprise and IDSuffix):
--   * filings_enterprise_fts, an FTS5 trigram table (case-sensitive, as the
--     other stores), holds each filing's enterprise name under the filing's
--     rowid; triggers keep it in step with filings, so the commit code does
--     not change. A search of at least three characters is a MATCH on it.
--     Shorter text matches the start of a name through filings_enterprise.
--   * the last 12 characters of the ID, reversed (SQLite has no reverse():
--     the expression spells it with substr), turn a tail of any length into
--     a range of the index; they replace the 12-character suffix indexes.
-- The expressions are exactly those of the queries in search.go.

-- +goose Up
CREATE VIRTUAL TABLE IF NOT EXISTS filings_enterprise_fts USING fts5(name, tokenize = 'trigram case_sensitive 1');
INSERT INTO filings_enterprise_fts (rowid, name)
    SELECT rowid, json_extract(doc, '$.content.enterprise_name') FROM filings
    WHERE json_extract(doc, '$.content.enterprise_name') IS NOT NULL;

-- +goose StatementBegin
CREATE TRIGGER IF NOT EXISTS filings_enterprise_fts_insert AFTER INSERT ON filings
WHEN json_extract(NEW.doc, '$.content.enterprise_name') IS NOT NULL
BEGIN
    INSERT INTO filings_enterprise_fts (rowid, name) VALUES (NEW.rowid, json_extract(NEW.doc, '$.content.enterprise_name'));
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER IF NOT EXISTS filings_enterprise_fts_update AFTER UPDATE OF doc ON filings
WHEN json_extract(OLD.doc, '$.content.enterprise_name') IS NOT json_extract(NEW.doc, '$.content.enterprise_name')
BEGIN
    DELETE FROM filings_enterprise_fts WHERE rowid = OLD.rowid;
    INSERT INTO filings_enterprise_fts (rowid, name)
        SELECT NEW.rowid, json_extract(NEW.doc, '$.content.enterprise_name')
        WHERE json_extract(NEW.doc, '$.content.enterprise_name') IS NOT NULL;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER IF NOT EXISTS filings_enterprise_fts_delete AFTER DELETE ON filings
BEGIN
    DELETE FROM filings_enterprise_fts WHERE rowid = OLD.rowid;
END;
-- +goose StatementEnd

CREATE INDEX IF NOT EXISTS filings_id_reverse ON filings (office_id, substr(id, 36, 1)||substr(id, 35, 1)||substr(id, 34, 1)||substr(id, 33, 1)||substr(id, 32, 1)||substr(id, 31, 1)||substr(id, 30, 1)||substr(id, 29, 1)||substr(id, 28, 1)||substr(id, 27, 1)||substr(id, 26, 1)||substr(id, 25, 1));
CREATE INDEX IF NOT EXISTS applications_id_reverse ON applications (office_id, substr(id, 36, 1)||substr(id, 35, 1)||substr(id, 34, 1)||substr(id, 33, 1)||substr(id, 32, 1)||substr(id, 31, 1)||substr(id, 30, 1)||substr(id, 29, 1)||substr(id, 28, 1)||substr(id, 27, 1)||substr(id, 26, 1)||substr(id, 25, 1));
DROP INDEX IF EXISTS filings_id_suffix;
DROP INDEX IF EXISTS applications_id_suffix;

-- +goose Down
CREATE INDEX IF NOT EXISTS filings_id_suffix ON filings (office_id, substr(id, 25));
CREATE INDEX IF NOT EXISTS applications_id_suffix ON applications (office_id, substr(id, 25));
DROP INDEX IF EXISTS applications_id_reverse;
DROP INDEX IF EXISTS filings_id_reverse;
DROP TRIGGER IF EXISTS filings_enterprise_fts_delete;
DROP TRIGGER IF EXISTS filings_enterprise_fts_update;
DROP TRIGGER IF EXISTS filings_enterprise_fts_insert;
DROP TABLE IF EXISTS filings_enterprise_fts;
