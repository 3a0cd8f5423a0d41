-- The review console's dashboard (notary.ReviewStats): the review decisions
-- of a period are read from a partial index of the audit trail by (office,
-- time); the trigger list is notary.DecisionTriggers, spelled exactly as in
-- stats.go so that the planner matches the predicate. The applications of a
-- period are read from applications_office_idx (00001).

-- +goose Up
CREATE INDEX events_decisions_idx ON events (office_id, at)
	WHERE trigger IN ('approve', 'reject', 'approve_preliminary', 'reject_preliminary', 'approve_final', 'reject_final');

-- +goose Down
DROP INDEX events_decisions_idx;
