-- Bank transfers finance recorded that paid no application (notary.Transfers),
-- kept until matched. The serial's dedup key lives in dedup_keys, like a
-- payment notice's, so a serial is recorded once whatever became of it.

-- +goose Up
CREATE TABLE bank_transfers (
	id             uuid        NOT NULL,
	office_id      uuid        NOT NULL,
	status         text        NOT NULL,
	recorded_at    timestamptz NOT NULL,
	application_id uuid,
	doc            jsonb       NOT NULL,
	CONSTRAINT bank_transfers_pkey PRIMARY KEY (id)
);
CREATE INDEX bank_transfers_office_idx ON bank_transfers (office_id, recorded_at, id);

-- +goose Down
DROP TABLE bank_transfers;
