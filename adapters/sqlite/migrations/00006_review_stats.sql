-- The review console's dashboard (notary.ReviewStats): the review decisions
-- of a period are read from a partial index of the audit trail by (office,
-- time); the trigger list is notary.DecisionTriggers, spelled exactly as in
-- stats.go so that SQLite matches the predicate. The applications of a
-- period are read from applications_office_created (00001).

-- +goose Up
CREATE INDEX IF NOT EXISTS events_decisions ON events (office_id, at)
    WHERE trigger_name IN ('approve', 'reject', 'approve_preliminary', 'reject_preliminary', 'approve_final', 'reject_final');

-- +goose Down
DROP INDEX IF EXISTS events_decisions;
