-- The tamper-evident access log (docs/AUDIT.md), SQLite dialect. Keep in
-- step with ../postgres/00002_audit.sql: same tables, columns and indexes.
--
-- The triggers make the log append-only for the application. Whoever can
-- write the database file can drop them: 'haven audit verify' against a
-- signed checkpoint is what catches a change made that way.

-- +goose Up
-- One row per event, no personal data: a pseudonymous record reference,
-- codes, the user's id. hash is the chain hash h_seq.
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    logged_at   TIMESTAMP NOT NULL,
    user_id     TEXT NOT NULL,
    action      TEXT NOT NULL,
    purpose     TEXT NOT NULL,
    record_ref  TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    hash        BLOB NOT NULL
);
-- "Who looked at her record and why": entries of one record, in order.
CREATE INDEX audit_log_record ON audit_log(record_ref, seq) WHERE record_ref <> '';

-- The newest entry's seq and hash, so an append reads one row. It is a
-- cache the verifier never trusts.
CREATE TABLE audit_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   INTEGER NOT NULL,
    hash  BLOB NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, zeroblob(32));

-- Signed checkpoints of the chain's head (signed notes, see audit.Checkpoint).
CREATE TABLE audit_checkpoints (
    size       INTEGER PRIMARY KEY,
    head       BLOB NOT NULL,
    signed_at  TIMESTAMP NOT NULL,
    key_id     TEXT NOT NULL,
    signature  BLOB NOT NULL
);

-- +goose StatementBegin
CREATE TRIGGER audit_log_advance_head AFTER INSERT ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log: seq does not follow the head')
        WHERE NEW.seq <> (SELECT seq FROM audit_head WHERE id = 1) + 1;
    UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'audit_checkpoints is append-only');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'audit_checkpoints is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE audit_checkpoints;
DROP TABLE audit_head;
DROP TABLE audit_log;
