-- Bank transfers finance recorded that paid no application (notary.Transfers),
-- kept until matched. The serial's dedup key lives in dedup_keys, like a
-- payment notice's, so a serial is recorded once whatever became of it.

-- +goose Up
CREATE TABLE IF NOT EXISTS bank_transfers (
    id          TEXT NOT NULL PRIMARY KEY,
    office_id   TEXT NOT NULL,
    status      TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    doc         TEXT NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS bank_transfers_office ON bank_transfers (office_id, recorded_at, id);

-- +goose Down
DROP TABLE IF EXISTS bank_transfers;
