-- The review console's lookups (notary.ReviewIndex): each key has an index,
-- so a search reads one key's range, never the table. The expressions are
-- exactly those of the queries in search.go. Unqualified, like 00001:
-- created in the store's schema.

-- +goose Up
CREATE INDEX filings_enterprise_idx ON filings (office_id, ((doc->'content'->>'enterprise_name') COLLATE "C"));
CREATE INDEX filings_credit_code_idx ON filings (office_id, (doc->'content'->>'credit_code'));
CREATE INDEX filings_id_suffix_idx ON filings (office_id, right(id::text, 12));
CREATE INDEX applications_id_suffix_idx ON applications (office_id, right(id::text, 12));
CREATE INDEX applications_filing_idx ON applications (office_id, (doc->>'filing_id'), created_at);
CREATE INDEX applications_materials_tracking_idx ON applications (office_id, (doc->'materials'->>'tracking_number'));
CREATE INDEX applications_certificate_tracking_idx ON applications (office_id, (doc->'certificate'->>'tracking_number'));
CREATE INDEX applications_certificate_number_idx ON applications (office_id, (doc->>'certificate_number'));

-- +goose Down
DROP INDEX applications_certificate_number_idx;
DROP INDEX applications_certificate_tracking_idx;
DROP INDEX applications_materials_tracking_idx;
DROP INDEX applications_filing_idx;
DROP INDEX applications_id_suffix_idx;
DROP INDEX filings_id_suffix_idx;
DROP INDEX filings_credit_code_idx;
DROP INDEX filings_enterprise_idx;
