package store

import (
	"context"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"

	"github.com/haven-nrm/haven"
)

// Staff second factor: time-based one-time passwords (TOTP, RFC 6238).
//
// A user's secret is sealed by the vault in the staff compartment (staff
// credentials are not survivor data, so the care keys never see them). A
// secret is first "pending": shown on the enrolment page and kept until the
// user confirms it with a code. A session records whether it has passed a
// code; the server decides, from the deployment's setting and the user's
// role, whether a session that has not may do anything yet.

// compartmentStaff keys staff credentials.
const compartmentStaff = haven.CompartmentStaff

const (
	// totpIssuer names Haven in authenticator apps.
	totpIssuer = "Haven"
	// totpPeriod is the length of a time step, in seconds: 30 is what
	// every authenticator app uses.
	totpPeriod = 30
	// totpSkew is how many steps either side of now are accepted, so a
	// phone whose clock is up to 30 seconds off still works.
	totpSkew = 1
)

// totpOptions are RFC 6238's defaults (SHA-1, six digits), the only ones
// every authenticator app supports.
var totpOptions = hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

var (
	errWrongCode       = haven.Errorf(haven.EUNAUTHORIZED, "Wrong code.")
	errNotEnrolled     = haven.Errorf(haven.EINVALID, "No authenticator app is set up for this account.")
	errNoPendingSecret = haven.Errorf(haven.EINVALID, "Start setting up the authenticator app again.")
	errAlreadyEnrolled = haven.Errorf(haven.ECONFLICT, "An authenticator app is already set up for this account.")
)

func totpSecretRef(userID string) haven.FieldRef {
	return haven.FieldRef{Table: "users", RecordID: userID, Field: "totp_secret"}
}

func totpPendingRef(userID string) haven.FieldRef {
	return haven.FieldRef{Table: "users", RecordID: userID, Field: "totp_pending"}
}

// totpStep returns the RFC 6238 time step of t.
func totpStep(t time.Time) int64 { return t.Unix() / totpPeriod }

// matchTOTP returns the time step whose code is code, within the skew
// window around now and later than after (the last step accepted), so that
// no code is ever accepted twice. Spaces in the code are ignored.
func matchTOTP(secret, code string, now time.Time, after int64) (int64, bool) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != totpOptions.Digits.Length() {
		return 0, false
	}
	found, matched := int64(0), false
	for step := totpStep(now) - totpSkew; step <= totpStep(now)+totpSkew; step++ {
		// Every step is checked, matched or not, so timing does not tell
		// which one a code belongs to.
		ok, err := hotp.ValidateCustom(code, uint64(step), secret, totpOptions)
		if err == nil && ok && step > after {
			found, matched = step, true
		}
	}
	return found, matched
}

// totpKey returns the otpauth:// key for a base32 secret, as authenticator
// apps read it from a QR code.
func totpKey(username, secret string) (*otp.Key, error) {
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		return nil, fmt.Errorf("totp secret: %w", err)
	}
	return totp.Generate(totp.GenerateOpts{
		Issuer: totpIssuer, AccountName: username, Period: totpPeriod, Secret: raw,
		Digits: totpOptions.Digits, Algorithm: totpOptions.Algorithm,
	})
}

// SessionSecondFactor tells whether a session has passed a second factor,
// and whether its user has an authenticator app set up.
func (db *DB) SessionSecondFactor(ctx context.Context, sessionToken string) (passed, enrolled bool, err error) {
	err = db.readRow(ctx, `SELECT s.second_factor, u.totp_secret_enc IS NOT NULL
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`,
		hashSecret(sessionToken)).Scan(&passed, &enrolled)
	if errors.Is(err, sql.ErrNoRows) {
		return false, false, errNoSession
	} else if err != nil {
		return false, false, fmt.Errorf("session second factor: %w", mapError(err))
	}
	return passed, enrolled, nil
}

// StartTOTPEnrolment returns the secret the session's user is to add to an
// authenticator app, as base32 text and as an otpauth:// URI for a QR code.
// The same secret is returned until it is confirmed, so reloading the page
// does not invalidate an app that has already scanned it.
func (db *DB) StartTOTPEnrolment(ctx context.Context, sessionToken string) (secret, uri string, err error) {
	u, _, err := db.AuthenticateSession(ctx, sessionToken)
	if err != nil {
		return "", "", err
	}
	if db.vault == nil {
		return "", "", fmt.Errorf("start totp enrolment: %w", errNoVault)
	}
	// Twice at most: if another request stores a pending secret between
	// our read and our write, the second round returns that one.
	for range 2 {
		var enrolledEnc, pendingEnc []byte
		err := db.readRow(ctx, `SELECT totp_secret_enc, totp_pending_enc FROM users WHERE id = ?`, u.ID).
			Scan(&enrolledEnc, &pendingEnc)
		if err != nil {
			return "", "", fmt.Errorf("start totp enrolment: %w", mapError(err))
		}
		if enrolledEnc != nil {
			return "", "", errAlreadyEnrolled
		}
		if pendingEnc != nil {
			plain, err := db.vault.Open(ctx, compartmentStaff, totpPendingRef(u.ID), pendingEnc)
			if err != nil {
				return "", "", fmt.Errorf("start totp enrolment: %w", err)
			}
			key, err := totpKey(u.Username, string(plain))
			if err != nil {
				return "", "", fmt.Errorf("start totp enrolment: %w", err)
			}
			return key.Secret(), key.URL(), nil
		}
		key, err := totp.Generate(totp.GenerateOpts{
			Issuer: totpIssuer, AccountName: u.Username, Period: totpPeriod,
			Digits: totpOptions.Digits, Algorithm: totpOptions.Algorithm,
		})
		if err != nil {
			return "", "", fmt.Errorf("start totp enrolment: %w", err)
		}
		sealed, err := db.vault.Seal(ctx, compartmentStaff, totpPendingRef(u.ID), []byte(key.Secret()))
		if err != nil {
			return "", "", fmt.Errorf("start totp enrolment: %w", err)
		}
		res, err := db.exec(ctx, `UPDATE users SET totp_pending_enc = ?
			WHERE id = ? AND totp_secret_enc IS NULL AND totp_pending_enc IS NULL`, sealed, u.ID)
		if err != nil {
			return "", "", fmt.Errorf("start totp enrolment: %w", mapError(err))
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return key.Secret(), key.URL(), nil
		}
	}
	return "", "", haven.Errorf(haven.ECONFLICT, "The set-up changed while it was being read; try again.")
}

// ConfirmTOTPEnrolment checks a code made from the pending secret. A right
// code makes the secret the user's second factor and upgrades the session,
// which gets a new token: the returned session replaces the old one. A wrong
// code counts towards the login lockout.
func (db *DB) ConfirmTOTPEnrolment(ctx context.Context, sessionToken, code string) (*haven.Session, error) {
	u, _, err := db.AuthenticateSession(ctx, sessionToken)
	if err != nil {
		return nil, err
	}
	if db.vault == nil {
		return nil, fmt.Errorf("confirm totp enrolment: %w", errNoVault)
	}
	if err := db.checkLockout(ctx, u.Username); err != nil {
		return nil, err
	}
	var enrolledEnc, pendingEnc []byte
	err = db.readRow(ctx, `SELECT totp_secret_enc, totp_pending_enc FROM users WHERE id = ?`, u.ID).
		Scan(&enrolledEnc, &pendingEnc)
	if err != nil {
		return nil, fmt.Errorf("confirm totp enrolment: %w", mapError(err))
	}
	if enrolledEnc != nil {
		return nil, errAlreadyEnrolled
	}
	if pendingEnc == nil {
		return nil, errNoPendingSecret
	}
	plain, err := db.vault.Open(ctx, compartmentStaff, totpPendingRef(u.ID), pendingEnc)
	if err != nil {
		return nil, fmt.Errorf("confirm totp enrolment: %w", err)
	}
	step, ok := matchTOTP(string(plain), code, db.Now(), -1)
	if !ok {
		return nil, db.wrongCode(ctx, u.Username)
	}
	sealed, err := db.vault.Seal(ctx, compartmentStaff, totpSecretRef(u.ID), plain)
	if err != nil {
		return nil, fmt.Errorf("confirm totp enrolment: %w", err)
	}
	return db.acceptTOTP(ctx, u, sessionToken, step, sealed)
}

// VerifyTOTP checks a code from the user's authenticator app. A right code,
// never used before, upgrades the session, which gets a new token: the
// returned session replaces the old one. A wrong or replayed code counts
// towards the login lockout.
func (db *DB) VerifyTOTP(ctx context.Context, sessionToken, code string) (*haven.Session, error) {
	u, _, err := db.AuthenticateSession(ctx, sessionToken)
	if err != nil {
		return nil, err
	}
	if db.vault == nil {
		return nil, fmt.Errorf("verify totp: %w", errNoVault)
	}
	if err := db.checkLockout(ctx, u.Username); err != nil {
		return nil, err
	}
	var (
		secretEnc []byte
		lastStep  sql.NullInt64
	)
	err = db.readRow(ctx, `SELECT totp_secret_enc, totp_last_step FROM users WHERE id = ?`, u.ID).
		Scan(&secretEnc, &lastStep)
	if err != nil {
		return nil, fmt.Errorf("verify totp: %w", mapError(err))
	}
	if secretEnc == nil {
		return nil, errNotEnrolled
	}
	plain, err := db.vault.Open(ctx, compartmentStaff, totpSecretRef(u.ID), secretEnc)
	if err != nil {
		return nil, fmt.Errorf("verify totp: %w", err)
	}
	after := int64(-1)
	if lastStep.Valid {
		after = lastStep.Int64
	}
	step, ok := matchTOTP(string(plain), code, db.Now(), after)
	if !ok {
		return nil, db.wrongCode(ctx, u.Username)
	}
	return db.acceptTOTP(ctx, u, sessionToken, step, nil)
}

// wrongCode counts a wrong code as a failed login and returns the error
// to report.
func (db *DB) wrongCode(ctx context.Context, username string) error {
	if err := db.recordFailure(ctx, username); err != nil {
		return err
	}
	return errWrongCode
}

// acceptTOTP records that the code of step was used, stores sealedSecret
// as the user's secret when enrolment is being confirmed, and upgrades the
// session under a new token and CSRF token, so that a token planted or seen
// before the second factor is worth nothing after it. One transaction: the
// conditional update on totp_last_step lets exactly one of two requests
// racing with the same code through.
func (db *DB) acceptTOTP(ctx context.Context, u *haven.User, oldToken string, step int64, sealedSecret []byte) (*haven.Session, error) {
	s := &haven.Session{UserID: u.ID, Token: newSecret(32), CSRFToken: newSecret(32)}
	err := db.inTx(ctx, func(tx *Tx) error {
		var (
			res sql.Result
			err error
		)
		if sealedSecret != nil {
			res, err = tx.exec(ctx, `UPDATE users SET totp_secret_enc = ?, totp_pending_enc = NULL, totp_last_step = ?
				WHERE id = ? AND totp_secret_enc IS NULL`, sealedSecret, step, u.ID)
		} else {
			res, err = tx.exec(ctx, `UPDATE users SET totp_last_step = ?
				WHERE id = ? AND totp_secret_enc IS NOT NULL AND (totp_last_step IS NULL OR totp_last_step < ?)`, step, u.ID, step)
		}
		if err != nil {
			return fmt.Errorf("accept totp: %w", mapError(err))
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("accept totp: %w", err)
		} else if n != 1 {
			return errWrongCode
		}
		err = tx.queryRow(ctx, `SELECT created_at, expires_at FROM sessions WHERE token_hash = ?`, hashSecret(oldToken)).
			Scan(&s.CreatedAt, &s.ExpiresAt)
		if errors.Is(err, sql.ErrNoRows) {
			return errNoSession
		} else if err != nil {
			return fmt.Errorf("accept totp: %w", mapError(err))
		}
		if _, err := tx.exec(ctx, `UPDATE sessions SET token_hash = ?, csrf_token = ?, second_factor = ? WHERE token_hash = ?`,
			hashSecret(s.Token), s.CSRFToken, true, hashSecret(oldToken)); err != nil {
			return fmt.Errorf("accept totp: %w", mapError(err))
		}
		if _, err := tx.exec(ctx, `DELETE FROM login_failures WHERE username = ?`, u.Username); err != nil {
			return fmt.Errorf("accept totp: %w", mapError(err))
		}
		return nil
	})
	if err == errWrongCode {
		// Another request used this code first: a replay.
		return nil, db.wrongCode(ctx, u.Username)
	} else if err != nil {
		return nil, err
	}
	return s, nil
}

// ResetTOTP removes a user's authenticator app, confirmed or pending, and
// ends her sessions, so she sets one up again at her next login. It is how
// an administrator helps someone who lost her phone.
func (db *DB) ResetTOTP(ctx context.Context, username string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		var id string
		if err := tx.queryRow(ctx, `SELECT id FROM users WHERE username = ?`, strings.ToLower(strings.TrimSpace(username))).Scan(&id); err != nil {
			return fmt.Errorf("reset totp: %w", mapError(err))
		}
		if _, err := tx.exec(ctx, `UPDATE users SET totp_secret_enc = NULL, totp_pending_enc = NULL, totp_last_step = NULL WHERE id = ?`, id); err != nil {
			return fmt.Errorf("reset totp: %w", mapError(err))
		}
		if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
			return fmt.Errorf("reset totp: %w", mapError(err))
		}
		return nil
	})
}
