-- Staff second factor (TOTP, RFC 6238), PostgreSQL dialect. Keep in step with
-- ../sqlite/00004_totp.sql.
--
-- totp_secret_enc is the confirmed secret, sealed by the vault in the staff
-- compartment; NULL means the user has not enrolled. totp_pending_enc is a
-- secret shown on the enrolment page but not yet confirmed with a code.
-- totp_last_step is the time step of the last accepted code: a code is
-- accepted once, and never one older than it.
-- sessions.second_factor is TRUE once the session has passed a code.

-- +goose Up
ALTER TABLE users ADD COLUMN totp_secret_enc BYTEA;
ALTER TABLE users ADD COLUMN totp_pending_enc BYTEA;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
ALTER TABLE sessions ADD COLUMN second_factor BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE sessions DROP COLUMN second_factor;
ALTER TABLE users DROP COLUMN totp_last_step;
ALTER TABLE users DROP COLUMN totp_pending_enc;
ALTER TABLE users DROP COLUMN totp_secret_enc;
