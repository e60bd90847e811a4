-- Non-punishment findings (GR 38 §98), SQLite dialect. Keep in step with
-- ../postgres/00008_non_punishment.sql.

-- +goose Up
CREATE TABLE non_punishment (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases(id),
    number       INTEGER NOT NULL,
    decided_on   TEXT NOT NULL,
    finding_enc  BLOB NOT NULL,
    created_by   TEXT NOT NULL REFERENCES users(id),
    created_at   TIMESTAMP NOT NULL,
    UNIQUE (case_id, number)
);

-- +goose Down
DROP TABLE non_punishment;
