-- Finance's invoice queue (notary.Invoices.Queue) lists the applications
-- whose invoice is in a state: an index on the state in the document, in
-- the queue's order, so the queue reads one state's range. The expression
-- is exactly that of listSQL. Unqualified, like 00001: created in the
-- store's schema.

-- +goose Up
CREATE INDEX applications_invoice_state_idx ON applications (office_id, (doc->'invoice'->>'state'), created_at, id);

-- +goose Down
DROP INDEX applications_invoice_state_idx;
