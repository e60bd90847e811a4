-- The tamper-evident access log (docs/AUDIT.md), PostgreSQL dialect. Keep
-- in step with ../sqlite/00002_audit.sql: same tables, columns and indexes.
--
-- The triggers make the log append-only for the application. A superuser
-- or the tables' owner can disable them (ALTER TABLE ... DISABLE TRIGGER,
-- session_replication_role = replica): 'haven audit verify' against a
-- signed checkpoint is what catches a change made that way. Where roles
-- allow, grant Haven's role INSERT and SELECT only on these tables.

-- +goose Up
-- One row per event, no personal data: a pseudonymous record reference,
-- codes, the user's id. hash is the chain hash h_seq.
CREATE TABLE audit_log (
    seq         BIGINT PRIMARY KEY,
    logged_at   TIMESTAMPTZ NOT NULL,
    user_id     TEXT NOT NULL,
    action      TEXT NOT NULL,
    purpose     TEXT NOT NULL,
    record_ref  TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    hash        BYTEA NOT NULL
);
-- "Who looked at her record and why": entries of one record, in order.
CREATE INDEX audit_log_record ON audit_log(record_ref, seq) WHERE record_ref <> '';

-- The newest entry's seq and hash, so an append reads one row, and the
-- row appends lock (SELECT ... FOR UPDATE) so the chain never forks. It is
-- a cache the verifier never trusts.
CREATE TABLE audit_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   BIGINT NOT NULL,
    hash  BYTEA NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, decode(repeat('00', 32), 'hex'));

-- Signed checkpoints of the chain's head (signed notes, see audit.Checkpoint).
CREATE TABLE audit_checkpoints (
    size       BIGINT PRIMARY KEY,
    head       BYTEA NOT NULL,
    signed_at  TIMESTAMPTZ NOT NULL,
    key_id     TEXT NOT NULL,
    signature  BYTEA NOT NULL
);

-- +goose StatementBegin
CREATE FUNCTION audit_advance_head() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1 AND seq = NEW.seq - 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'audit_log: seq % does not follow the head', NEW.seq;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER audit_log_advance_head AFTER INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_advance_head();
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

-- +goose Down
DROP TABLE audit_checkpoints;
DROP TABLE audit_head;
DROP TABLE audit_log;
DROP FUNCTION audit_refuse_change();
DROP FUNCTION audit_advance_head();
