-- The review console's lookups (notary.ReviewIndex): each key has an index,
-- so a search reads one key's range, never the table. The expressions are
-- exactly those of the queries in search.go.

-- +goose Up
CREATE INDEX IF NOT EXISTS filings_enterprise
    ON filings (office_id, json_extract(doc, '$.content.enterprise_name'));
CREATE INDEX IF NOT EXISTS filings_credit_code
    ON filings (office_id, json_extract(doc, '$.content.credit_code'));
CREATE INDEX IF NOT EXISTS filings_id_suffix ON filings (office_id, substr(id, 25));
CREATE INDEX IF NOT EXISTS applications_id_suffix ON applications (office_id, substr(id, 25));
CREATE INDEX IF NOT EXISTS applications_filing ON applications (office_id, filing_id, created_at);
CREATE INDEX IF NOT EXISTS applications_materials_tracking
    ON applications (office_id, json_extract(doc, '$.materials.tracking_number'));
CREATE INDEX IF NOT EXISTS applications_certificate_tracking
    ON applications (office_id, json_extract(doc, '$.certificate.tracking_number'));
CREATE INDEX IF NOT EXISTS applications_certificate_number
    ON applications (office_id, json_extract(doc, '$.certificate_number'));

-- +goose Down
DROP INDEX IF EXISTS applications_certificate_number;
DROP INDEX IF EXISTS applications_certificate_tracking;
DROP INDEX IF EXISTS applications_materials_tracking;
DROP INDEX IF EXISTS applications_filing;
DROP INDEX IF EXISTS applications_id_suffix;
DROP INDEX IF EXISTS filings_id_suffix;
DROP INDEX IF EXISTS filings_credit_code;
DROP INDEX IF EXISTS filings_enterprise;
