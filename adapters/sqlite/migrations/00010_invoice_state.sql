-- Finance's invoice queue (notary.Invoices.Queue) lists the applications
-- whose invoice is in a state: an index on the state in the document, in
-- the queue's order. The expression is exactly that of listQuery.

-- +goose Up
CREATE INDEX IF NOT EXISTS applications_invoice_state
    ON applications (office_id, json_extract(doc, '$.invoice.state'), created_at, id);

-- +goose Down
DROP INDEX IF EXISTS applications_invoice_state;
