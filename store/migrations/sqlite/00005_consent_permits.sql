-- Consents, residence-permit requests and break-glass accesses, SQLite
-- dialect. Keep in step with ../postgres/00005_consent_permits.sql.

-- +goose Up
CREATE TABLE consents (
    id                         TEXT PRIMARY KEY,
    case_id                    TEXT NOT NULL REFERENCES cases(id),
    purpose                    TEXT NOT NULL,
    recipient_organisation_id  TEXT REFERENCES organisations(id),
    scope                      TEXT NOT NULL,
    given_by                   TEXT NOT NULL,
    child_view                 TEXT NOT NULL DEFAULT '',
    method                     TEXT NOT NULL,
    given_at                   TIMESTAMP NOT NULL,
    expires_at                 TIMESTAMP,
    withdrawn_at               TIMESTAMP,
    recorded_by                TEXT NOT NULL REFERENCES users(id)
);
CREATE INDEX consents_case ON consents(case_id);

-- The immigration compartment: the minimum a permit needs, sealed under
-- the immigration keyset, with no column naming the case.
CREATE TABLE permit_requests (
    id                   TEXT PRIMARY KEY,
    reference            TEXT NOT NULL UNIQUE,
    kind                 TEXT NOT NULL,
    given_name_enc       BLOB,
    family_name_enc      BLOB,
    date_of_birth_enc    BLOB,
    nationality          TEXT NOT NULL,
    document_number_enc  BLOB,
    status               TEXT NOT NULL,
    requested_at         TIMESTAMP NOT NULL,
    decided_at           TIMESTAMP,
    valid_until          TEXT
);

-- The care side's link from a case to its permit requests.
CREATE TABLE case_permit_requests (
    case_id    TEXT NOT NULL REFERENCES cases(id),
    permit_id  TEXT NOT NULL REFERENCES permit_requests(id),
    PRIMARY KEY (case_id, permit_id)
);

CREATE TABLE break_glass (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases(id),
    user_id     TEXT NOT NULL REFERENCES users(id),
    reason_enc  BLOB NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL
);
CREATE INDEX break_glass_case ON break_glass(case_id, user_id);

-- +goose Down
DROP TABLE break_glass;
DROP TABLE case_permit_requests;
DROP TABLE permit_requests;
DROP TABLE consents;
