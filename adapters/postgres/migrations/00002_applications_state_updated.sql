-- Index for listings bounded by update time within a state, such as the
-- sweep's retry of failed refunds of recently rejected applications.
-- Unqualified, like 00001: created in the store's schema.

-- +goose Up
CREATE INDEX applications_state_updated_idx ON applications (office_id, state, updated_at);

-- +goose Down
DROP INDEX applications_state_updated_idx;
