-- Plain facts of each lifecycle step for the national rapporteur's report
-- (GR 38 §115, §117; docs/REPORT.md), so the report reads no sealed column
-- and needs no key. PostgreSQL dialect; keep in step with
-- ../sqlite/00011_report_indicators.sql.
--
-- decision_sectors: how many distinct sectors the members of the step's
-- decision came from; NULL for an event without a decision.
-- decision_multidisciplinary: the decision was taken by members of at least
-- two sectors, not all of them law enforcement, prosecution or immigration
-- (GR 38 §78); NULL for an event without a decision.
-- reflection_days: the length, in days, of the reflection and recovery
-- period the case has after a step that grants one (GR 38 §92); NULL
-- otherwise.
-- Steps recorded before this migration keep NULL: the report counts them as
-- "not recorded".

-- +goose Up
ALTER TABLE case_steps ADD COLUMN decision_sectors INTEGER;
ALTER TABLE case_steps ADD COLUMN decision_multidisciplinary BOOLEAN;
ALTER TABLE case_steps ADD COLUMN reflection_days INTEGER;
CREATE INDEX case_steps_at ON case_steps(at);

-- +goose Down
DROP INDEX case_steps_at;
ALTER TABLE case_steps DROP COLUMN reflection_days;
ALTER TABLE case_steps DROP COLUMN decision_multidisciplinary;
ALTER TABLE case_steps DROP COLUMN decision_sectors;
