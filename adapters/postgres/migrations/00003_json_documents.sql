-- Keep record documents and outbox notices as json rather than jsonb. The
-- store never queries inside them: it writes a whole document and reads it
-- back. json keeps the text as written, so a write only validates it
-- (jsonb parses and rebuilds it) and a read returns it as stored (jsonb
-- prints it again). Cast to jsonb in ad-hoc queries that need operators.
-- Unqualified, like 00001: altered in the store's schema.

-- +goose Up
ALTER TABLE filings ALTER COLUMN doc TYPE json USING doc::text::json;
ALTER TABLE applications ALTER COLUMN doc TYPE json USING doc::text::json;
ALTER TABLE outbox ALTER COLUMN notice TYPE json USING notice::text::json;

-- +goose Down
ALTER TABLE filings ALTER COLUMN doc TYPE jsonb USING doc::jsonb;
ALTER TABLE applications ALTER COLUMN doc TYPE jsonb USING doc::jsonb;
ALTER TABLE outbox ALTER COLUMN notice TYPE jsonb USING notice::jsonb;
