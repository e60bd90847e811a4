-- Stored screenings, PostgreSQL dialect. Keep in step with
-- ../sqlite/00006_screenings.sql.

-- +goose Up
CREATE TABLE screenings (
    id                 TEXT PRIMARY KEY,
    case_id            TEXT REFERENCES cases(id),
    consent_id         TEXT REFERENCES consents(id),
    catalogue_version  TEXT NOT NULL,
    catalogue_digest   TEXT NOT NULL,
    list               TEXT NOT NULL,
    age                TEXT NOT NULL,
    outcome            TEXT NOT NULL,
    answers_enc        BYTEA NOT NULL,
    result_enc         BYTEA NOT NULL,
    created_by         TEXT NOT NULL REFERENCES users(id),
    created_at         TIMESTAMPTZ NOT NULL,
    -- A screening is on a case with a consent, or anonymous with neither.
    CHECK ((case_id IS NULL AND consent_id IS NULL) OR (case_id IS NOT NULL AND consent_id IS NOT NULL))
);
CREATE INDEX screenings_case ON screenings(case_id);

-- +goose Down
DROP TABLE screenings;
