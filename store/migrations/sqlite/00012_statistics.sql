-- Statistics: the record of every release, the differential-privacy
-- budget ledger, and what makes the SDG publication one pass over an
-- index. SQLite dialect; keep in step with
-- ../postgres/00012_statistics.sql.

-- +goose Up
-- Every publication of statistics (GR 38 §111): who, when, through which
-- channel, which query and which protection. No count is kept here.
CREATE TABLE statistics_releases (
    id          TEXT PRIMARY KEY,
    at          TIMESTAMP NOT NULL,
    user_id     TEXT NOT NULL DEFAULT '',
    channel     TEXT NOT NULL,
    query       TEXT NOT NULL,
    protection  TEXT NOT NULL,
    tables      INTEGER NOT NULL,
    withheld    INTEGER NOT NULL
);
CREATE INDEX statistics_releases_at ON statistics_releases(at);

-- The privacy budget of each dataset, in millionths of epsilon, and every
-- charge against it. A budget is never raised: the releases already made
-- stay in the world.
CREATE TABLE privacy_budgets (
    dataset     TEXT PRIMARY KEY,
    total       INTEGER NOT NULL CHECK (total > 0),
    spent       INTEGER NOT NULL DEFAULT 0 CHECK (spent >= 0 AND spent <= total),
    opened_at   TIMESTAMP NOT NULL
);
CREATE TABLE privacy_charges (
    dataset     TEXT NOT NULL REFERENCES privacy_budgets(dataset),
    seq         INTEGER NOT NULL,
    release     TEXT NOT NULL,
    epsilon     INTEGER NOT NULL CHECK (epsilon > 0),
    mechanism   TEXT NOT NULL,
    at          TIMESTAMP NOT NULL,
    PRIMARY KEY (dataset, seq)
);

-- The forms of exploitation of a case as one sorted, comma-separated list
-- of codes, kept by the store beside case_forms, so that statistics read
-- one row per case instead of joining.
ALTER TABLE cases ADD COLUMN forms TEXT NOT NULL DEFAULT '';
UPDATE cases SET forms = COALESCE((SELECT group_concat(form, ',' ORDER BY form) FROM case_forms cf WHERE cf.case_id = cases.id), '');

-- Covering indexes: the SDG publication reads every statistics column of
-- the cases decided in a period from the index alone, in one range scan.
CREATE INDEX cases_statistics_rg ON cases(reasonable_grounds_on, sex, age_at_encounter, treated_as_child,
    disability, ethnicity, nationality, immigration_status, socioeconomic_status, location_of_identification, forms);
CREATE INDEX cases_statistics_identified ON cases(identified_on, sex, age_at_encounter, treated_as_child,
    disability, ethnicity, nationality, immigration_status, socioeconomic_status, location_of_identification, forms);
-- They lead with the decision dates, so the single-column date indexes of
-- 00009 only cost writes now.
DROP INDEX cases_reasonable_grounds;
DROP INDEX cases_identified;

-- +goose Down
CREATE INDEX cases_reasonable_grounds ON cases(reasonable_grounds_on);
CREATE INDEX cases_identified ON cases(identified_on);
DROP INDEX cases_statistics_identified;
DROP INDEX cases_statistics_rg;
ALTER TABLE cases DROP COLUMN forms;
DROP TABLE privacy_charges;
DROP TABLE privacy_budgets;
DROP TABLE statistics_releases;
