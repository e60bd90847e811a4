-- The lifecycle: each case's facts, its steps and its running time limits,
-- PostgreSQL dialect. Keep in step with ../sqlite/00007_lifecycle.sql.

-- +goose Up
-- The facts the lifecycle's guards read (sealed: they carry decisions
-- and dates about a person), one row per case, id = the case's id.
-- Cooperation with criminal proceedings is never stored here: no guard
-- may read it (GR 38 §92, §98b).
CREATE TABLE case_lifecycle (
    id          TEXT PRIMARY KEY REFERENCES cases(id),
    facts_enc   BYTEA NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

-- Every fired event, in order.
CREATE TABLE case_steps (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases(id),
    seq          INTEGER NOT NULL,
    event        TEXT NOT NULL,
    from_state   TEXT NOT NULL,
    to_state     TEXT NOT NULL,
    at           TIMESTAMPTZ NOT NULL,
    user_id      TEXT NOT NULL,
    outcome_enc  BYTEA NOT NULL,
    UNIQUE (case_id, seq)
);

-- Running time limits and overdue steps, recomputed at every event, so an
-- inbox is one indexed query. roles is ",role,role," for a LIKE match.
CREATE TABLE case_alerts (
    case_id                TEXT NOT NULL REFERENCES cases(id),
    rule                   TEXT NOT NULL,
    owner_organisation_id  TEXT NOT NULL,
    roles                  TEXT NOT NULL,
    visible_from           TIMESTAMPTZ NOT NULL,
    due_at                 TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (case_id, rule)
);
CREATE INDEX case_alerts_owner ON case_alerts(owner_organisation_id, due_at);
CREATE INDEX case_alerts_due ON case_alerts(due_at);

-- +goose Down
DROP TABLE case_alerts;
DROP TABLE case_steps;
DROP TABLE case_lifecycle;
