-- Asylum and statelessness procedures beside identification (GR 38 §87,
-- §88), PostgreSQL dialect. Keep in step with ../sqlite/00010_protection.sql.

-- +goose Up
CREATE TABLE protection_procedures (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases(id),
    kind        TEXT NOT NULL,
    status      TEXT NOT NULL,
    lodged_on   TEXT NOT NULL,
    decided_on  TEXT,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX protection_case ON protection_procedures(case_id);

-- +goose Down
DROP TABLE protection_procedures;
