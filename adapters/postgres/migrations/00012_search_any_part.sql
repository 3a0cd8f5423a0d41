-- Search by any part of an enterprise name and by any tail of an ID
-- (notary.FindQuery.Enterprise and IDSuffix):
--   * a pg_trgm GIN index serves LIKE '%…%' on the enterprise name. The
--     extension is created in schema public when it is not there yet (once
--     per database, shared by every store schema, so that dropping one store's
--     schema never drops it); the operator class is named with the schema
--     the extension lives in. Without pg_trgm (not installed on the server,
--     or not allowed) the index is left out and a search by a part of a name
--     reads the office's filings: the migration says so with a NOTICE.
--   * the reversed ID text, C-collated, turns a tail of any length into a
--     range of the index; it replaces the 12-character suffix indexes.

-- +goose Up
-- +goose StatementBegin
DO $$
DECLARE
	ext_schema text;
BEGIN
	SELECT extnamespace::regnamespace::text INTO ext_schema FROM pg_extension WHERE extname = 'pg_trgm';
	IF ext_schema IS NULL THEN
		BEGIN
			CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
		EXCEPTION WHEN OTHERS THEN
			RAISE NOTICE 'notarykit: pg_trgm is not available (%): enterprise names are searched without a trigram index', SQLERRM;
		END;
		SELECT extnamespace::regnamespace::text INTO ext_schema FROM pg_extension WHERE extname = 'pg_trgm';
	END IF;
	IF ext_schema IS NOT NULL THEN
		EXECUTE format('CREATE INDEX filings_enterprise_trgm_idx ON filings USING gin ((doc->''content''->>''enterprise_name'') %s.gin_trgm_ops)', ext_schema);
	END IF;
END
$$;
-- +goose StatementEnd
CREATE INDEX filings_id_reverse_idx ON filings (office_id, (reverse(id::text) COLLATE "C"));
CREATE INDEX applications_id_reverse_idx ON applications (office_id, (reverse(id::text) COLLATE "C"));
DROP INDEX filings_id_suffix_idx;
DROP INDEX applications_id_suffix_idx;

-- +goose Down
CREATE INDEX filings_id_suffix_idx ON filings (office_id, right(id::text, 12));
CREATE INDEX applications_id_suffix_idx ON applications (office_id, right(id::text, 12));
DROP INDEX applications_id_reverse_idx;
DROP INDEX filings_id_reverse_idx;
DROP INDEX IF EXISTS filings_enterprise_trgm_idx;
