-- Haven foundation schema, PostgreSQL dialect. Keep in step with
-- ../sqlite/00001_foundation.sql: same tables, columns and indexes.

-- +goose Up
CREATE TABLE organisations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    sector      TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE users (
    id               TEXT PRIMARY KEY,
    username         TEXT NOT NULL UNIQUE,
    display_name     TEXT NOT NULL,
    role             TEXT NOT NULL,
    organisation_id  TEXT NOT NULL REFERENCES organisations(id),
    password_hash    TEXT NOT NULL,
    disabled         BOOLEAN NOT NULL DEFAULT FALSE,
    created_at       TIMESTAMPTZ NOT NULL
);

-- Failed logins per username, known or not, for lockout with back-off.
CREATE TABLE login_failures (
    username        TEXT PRIMARY KEY,
    failures        INTEGER NOT NULL,
    locked_until    TIMESTAMPTZ,
    last_failure_at TIMESTAMPTZ NOT NULL
);

-- Only a SHA-256 hash of each session and API token is kept.
CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id),
    csrf_token  TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id),
    name        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ
);

-- One Tink keyset per compartment, wrapped by the master key.
CREATE TABLE keysets (
    compartment TEXT PRIMARY KEY,
    wrapped     BYTEA NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

-- Identifying fields only, each sealed with associated data naming
-- persons, the row id and the column.
CREATE TABLE persons (
    id                  TEXT PRIMARY KEY,
    given_name_enc      BYTEA,
    family_name_enc     BYTEA,
    date_of_birth_enc   BYTEA,
    document_number_enc BYTEA,
    contact_enc         BYTEA
);

CREATE TABLE cases (
    id                          TEXT PRIMARY KEY,
    reference                   TEXT NOT NULL UNIQUE,
    version                     INTEGER NOT NULL,
    owner_organisation_id       TEXT NOT NULL REFERENCES organisations(id),
    person_id                   TEXT REFERENCES persons(id),
    status                      TEXT NOT NULL,
    state                       TEXT NOT NULL,
    closure_reason              TEXT NOT NULL DEFAULT '',
    encountered_on              TEXT NOT NULL,
    identified_on               TEXT,
    sex                         TEXT NOT NULL,
    age_status                  TEXT NOT NULL,
    age_at_encounter            INTEGER,
    treated_as_child            BOOLEAN NOT NULL,
    disability                  TEXT NOT NULL,
    ethnicity                   TEXT NOT NULL DEFAULT '',
    nationality                 TEXT NOT NULL,
    immigration_status          TEXT NOT NULL,
    socioeconomic_status        TEXT NOT NULL,
    location_of_identification  TEXT NOT NULL DEFAULT '',
    method_of_recruitment       TEXT NOT NULL DEFAULT '',
    created_by                  TEXT NOT NULL REFERENCES users(id),
    created_at                  TIMESTAMPTZ NOT NULL,
    updated_at                  TIMESTAMPTZ NOT NULL
);
CREATE INDEX cases_owner ON cases(owner_organisation_id, id);
CREATE INDEX cases_state ON cases(state, id);
CREATE INDEX cases_status ON cases(status, id);
CREATE INDEX cases_nationality ON cases(nationality, id);
CREATE INDEX cases_sex ON cases(sex, id);
CREATE INDEX cases_encountered ON cases(encountered_on);

CREATE TABLE case_forms (
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    form    TEXT NOT NULL,
    PRIMARY KEY (case_id, form)
);
CREATE INDEX case_forms_form ON case_forms(form, case_id);

CREATE TABLE case_events (
    case_id               TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    seq                   INTEGER NOT NULL,
    type                  TEXT NOT NULL,
    country               TEXT NOT NULL,
    region                TEXT NOT NULL DEFAULT '',
    started_on            TEXT,
    ended_on              TEXT,
    form_of_exploitation  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (case_id, seq)
);

CREATE TABLE case_notes (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    author_id   TEXT NOT NULL REFERENCES users(id),
    body_enc    BYTEA NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX case_notes_case ON case_notes(case_id, id);

-- +goose Down
DROP TABLE case_notes;
DROP TABLE case_events;
DROP TABLE case_forms;
DROP TABLE cases;
DROP TABLE persons;
DROP TABLE keysets;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE login_failures;
DROP TABLE users;
DROP TABLE organisations;
