package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/password"
)

var _ haven.AuthService = (*DB)(nil)

// AuthSettings tune sessions, tokens and the login lockout.
type AuthSettings struct {
	SessionTTL time.Duration
	// After LockoutThreshold failures in a row a username is locked for
	// LockoutBase, doubling with each further failure up to LockoutMax.
	LockoutThreshold int
	LockoutBase      time.Duration
	LockoutMax       time.Duration
	Password         password.Params
}

// DefaultAuthSettings are the settings a deployment starts with.
var DefaultAuthSettings = AuthSettings{
	SessionTTL:       12 * time.Hour,
	LockoutThreshold: 5,
	LockoutBase:      30 * time.Second,
	LockoutMax:       time.Hour,
	Password:         password.Default,
}

// SetAuthSettings replaces the auth settings (tests use cheap hashing).
func (db *DB) SetAuthSettings(s AuthSettings) { db.auth = &s }

func (db *DB) authSettings() AuthSettings {
	if db.auth != nil {
		return *db.auth
	}
	return DefaultAuthSettings
}

func (db *DB) passwordParams() password.Params { return db.authSettings().Password }

// errBadCredentials is the one answer to every failed login, whether the
// user exists, is disabled or typed a wrong password.
var errBadCredentials = haven.Errorf(haven.EUNAUTHORIZED, "Wrong username or password.")

// dummyHash is checked when the user does not exist, so a failed login
// takes as long either way and timing does not reveal who has an account.
// It is made with the current cost parameters, so it costs what a real
// user's check costs.
func (db *DB) dummyHash() string {
	params := db.passwordParams()
	db.dummyMu.Lock()
	defer db.dummyMu.Unlock()
	if db.dummy == "" || db.dummyParams != params {
		db.dummy, _ = password.Hash("haven-dummy-password", params)
		db.dummyParams = params
	}
	return db.dummy
}

// Login checks a username and password and opens a session.
func (db *DB) Login(ctx context.Context, username, pw string) (*haven.Session, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	if username == "" || len(username) > 64 || len(pw) > 1024 {
		return nil, errBadCredentials
	}
	if err := db.checkLockout(ctx, username); err != nil {
		return nil, err
	}
	var (
		userID, hash       string
		disabled, enrolled bool
	)
	err := db.readRow(ctx, `SELECT id, password_hash, disabled, totp_secret_enc IS NOT NULL FROM users WHERE username = ?`,
		username).Scan(&userID, &hash, &disabled, &enrolled)
	if errors.Is(err, sql.ErrNoRows) {
		hash = db.dummyHash()
	} else if err != nil {
		return nil, fmt.Errorf("login: %w", mapError(err))
	}
	ok, verr := password.Verify(pw, hash)
	if verr != nil {
		return nil, fmt.Errorf("login: stored hash: %w", verr)
	}
	if !ok || userID == "" || disabled {
		if err := db.recordFailure(ctx, username); err != nil {
			return nil, err
		}
		return nil, errBadCredentials
	}
	// A user with an authenticator app owes a code before the login is
	// complete: her failures are cleared only when the code is right
	// (acceptTOTP), or logging in again would reset the count of wrong
	// codes and let them be guessed without end.
	if !enrolled {
		if _, err := db.exec(ctx, `DELETE FROM login_failures WHERE username = ?`, username); err != nil {
			return nil, fmt.Errorf("login: %w", mapError(err))
		}
	}
	return db.createSession(ctx, userID)
}

func (db *DB) checkLockout(ctx context.Context, username string) error {
	var until sql.NullTime
	err := db.readRow(ctx, `SELECT locked_until FROM login_failures WHERE username = ?`, username).Scan(&until)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("login: %w", mapError(err))
	}
	if until.Valid && db.Now().Before(until.Time) {
		wait := until.Time.Sub(db.Now()).Round(time.Second)
		return haven.Errorf(haven.ETOOMANY, "Too many failed logins. Try again in %s.", wait)
	}
	return nil
}

// recordFailure counts a failed login and locks the username once the
// threshold is reached, for a time that doubles with each further failure.
func (db *DB) recordFailure(ctx context.Context, username string) error {
	s := db.authSettings()
	return db.inTx(ctx, func(tx *Tx) error {
		var failures int
		err := tx.queryRow(ctx, `SELECT failures FROM login_failures WHERE username = ?`, username).Scan(&failures)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("record login failure: %w", mapError(err))
		}
		failures++
		var lockedUntil any
		if failures >= s.LockoutThreshold {
			d := time.Duration(float64(s.LockoutBase) * math.Pow(2, float64(failures-s.LockoutThreshold)))
			if d > s.LockoutMax || d <= 0 {
				d = s.LockoutMax
			}
			lockedUntil = db.Now().Add(d)
		}
		if failures == 1 {
			_, err = tx.exec(ctx, `INSERT INTO login_failures (username, failures, locked_until, last_failure_at) VALUES (?, ?, ?, ?)`,
				username, failures, lockedUntil, db.Now())
		} else {
			_, err = tx.exec(ctx, `UPDATE login_failures SET failures = ?, locked_until = ?, last_failure_at = ? WHERE username = ?`,
				failures, lockedUntil, db.Now(), username)
		}
		if err != nil {
			return fmt.Errorf("record login failure: %w", mapError(err))
		}
		return nil
	})
}

func (db *DB) createSession(ctx context.Context, userID string) (*haven.Session, error) {
	s := &haven.Session{
		ID:        newID(),
		UserID:    userID,
		Token:     newSecret(32),
		CSRFToken: newSecret(32),
		CreatedAt: db.Now(),
	}
	s.ExpiresAt = s.CreatedAt.Add(db.authSettings().SessionTTL)
	_, err := db.exec(ctx, `INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		hashSecret(s.Token), s.UserID, s.CSRFToken, s.CreatedAt, s.ExpiresAt)
	if err != nil {
		return nil, fmt.Errorf("create session: %w", mapError(err))
	}
	return s, nil
}

var errNoSession = haven.Errorf(haven.EUNAUTHORIZED, "Please log in.")

// AuthenticateSession returns the user of a live session and the session.
func (db *DB) AuthenticateSession(ctx context.Context, token string) (*haven.User, *haven.Session, error) {
	if token == "" || len(token) > 128 {
		return nil, nil, errNoSession
	}
	s := haven.Session{Token: token}
	err := db.readRow(ctx, `SELECT user_id, csrf_token, created_at, expires_at FROM sessions WHERE token_hash = ?`,
		hashSecret(token)).Scan(&s.UserID, &s.CSRFToken, &s.CreatedAt, &s.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !db.Now().Before(s.ExpiresAt)) {
		return nil, nil, errNoSession
	} else if err != nil {
		return nil, nil, fmt.Errorf("authenticate session: %w", mapError(err))
	}
	u, err := db.activeUser(ctx, s.UserID)
	if err != nil {
		return nil, nil, err
	}
	return u, &s, nil
}

func (db *DB) activeUser(ctx context.Context, id string) (*haven.User, error) {
	u, err := db.FindUserByID(ctx, id)
	if haven.ErrorCode(err) == haven.ENOTFOUND || (err == nil && u.Disabled) {
		return nil, errNoSession
	} else if err != nil {
		return nil, err
	}
	return u, nil
}

// Logout ends a session. Ending one that does not exist is not an error.
func (db *DB) Logout(ctx context.Context, token string) error {
	if _, err := db.exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, hashSecret(token)); err != nil {
		return fmt.Errorf("logout: %w", mapError(err))
	}
	return nil
}

// tokenPrefix marks Haven API tokens so secret scanners can spot a leaked one.
const tokenPrefix = "hvn_"

// CreateToken creates an API bearer token for a user and returns it. Only
// its hash is stored: it cannot be shown again.
func (db *DB) CreateToken(ctx context.Context, username, name string, ttl time.Duration) (string, error) {
	var v haven.Validation
	if strings.TrimSpace(name) == "" || len(name) > 100 {
		v.Add("name", "is required, at most 100 characters")
	}
	if ttl < 0 {
		v.Add("ttl", "cannot be negative")
	}
	if err := v.Err(); err != nil {
		return "", err
	}
	u, err := db.FindUserByUsername(ctx, username)
	if err != nil {
		return "", fmt.Errorf("create token: %w", err)
	}
	if u.Disabled {
		return "", haven.Errorf(haven.EINVALID, "The user is disabled.")
	}
	token := tokenPrefix + newSecret(32)
	var expires any
	if ttl > 0 {
		expires = db.Now().Add(ttl)
	}
	_, err = db.exec(ctx, `INSERT INTO api_tokens (token_hash, user_id, name, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		hashSecret(token), u.ID, name, db.Now(), expires)
	if err != nil {
		return "", fmt.Errorf("create token: %w", mapError(err))
	}
	return token, nil
}

var errBadToken = haven.Errorf(haven.EUNAUTHORIZED, "The API token is not valid.")

// AuthenticateToken returns the user of a live API token.
func (db *DB) AuthenticateToken(ctx context.Context, bearer string) (*haven.User, error) {
	if !strings.HasPrefix(bearer, tokenPrefix) || len(bearer) > 128 {
		return nil, errBadToken
	}
	var (
		userID  string
		expires sql.NullTime
	)
	err := db.readRow(ctx, `SELECT user_id, expires_at FROM api_tokens WHERE token_hash = ?`, hashSecret(bearer)).Scan(&userID, &expires)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && expires.Valid && !db.Now().Before(expires.Time)) {
		return nil, errBadToken
	} else if err != nil {
		return nil, fmt.Errorf("authenticate token: %w", mapError(err))
	}
	u, err := db.activeUser(ctx, userID)
	if err != nil {
		return nil, errBadToken
	}
	return u, nil
}
