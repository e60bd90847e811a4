-- The date of the reasonable-grounds decision, readable for statistics
-- (victims detected in a period, GR 38 §109-110). PostgreSQL dialect; keep in
-- step with ../sqlite/00009_reasonable_grounds_date.sql.

-- +goose Up
ALTER TABLE cases ADD COLUMN reasonable_grounds_on TEXT;
CREATE INDEX cases_reasonable_grounds ON cases(reasonable_grounds_on);
CREATE INDEX cases_identified ON cases(identified_on);

-- +goose Down
DROP INDEX cases_identified;
DROP INDEX cases_reasonable_grounds;
ALTER TABLE cases DROP COLUMN reasonable_grounds_on;
