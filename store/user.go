package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/password"
)

var _ haven.UserService = (*DB)(nil)

// CreateUser stores a new staff account with an argon2id hash of password.
func (db *DB) CreateUser(ctx context.Context, u *haven.User, pw string) error {
	u.Username = strings.ToLower(strings.TrimSpace(u.Username))
	if err := u.Validate(); err != nil {
		return err
	}
	if err := haven.ValidatePassword(pw); err != nil {
		return err
	}
	hash, err := password.Hash(pw, db.passwordParams())
	if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	u.ID = newID()
	u.CreatedAt = db.Now()
	_, err = db.exec(ctx, `INSERT INTO users (id, username, display_name, role, organisation_id, password_hash, disabled, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.Username, u.DisplayName, string(u.Role), u.OrganisationID, hash, u.Disabled, u.CreatedAt)
	if err != nil {
		return fmt.Errorf("create user: %w", mapError(err))
	}
	return nil
}

const userColumns = `u.id, u.username, u.display_name, u.role, u.organisation_id, u.disabled, u.created_at, o.sector`
const userFrom = ` FROM users u JOIN organisations o ON o.id = u.organisation_id `

func scanUser(s interface{ Scan(...any) error }) (*haven.User, error) {
	var u haven.User
	if err := s.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Role, &u.OrganisationID, &u.Disabled, &u.CreatedAt, &u.Sector); err != nil {
		return nil, err
	}
	return &u, nil
}

// FindUserByID returns a user with the sector of her organisation.
func (db *DB) FindUserByID(ctx context.Context, id string) (*haven.User, error) {
	u, err := scanUser(db.readRow(ctx, `SELECT `+userColumns+userFrom+`WHERE u.id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("find user: %w", mapError(err))
	}
	return u, nil
}

// FindUserByUsername returns a user by login name.
func (db *DB) FindUserByUsername(ctx context.Context, username string) (*haven.User, error) {
	u, err := scanUser(db.readRow(ctx, `SELECT `+userColumns+userFrom+`WHERE u.username = ?`, strings.ToLower(username)))
	if err != nil {
		return nil, fmt.Errorf("find user: %w", mapError(err))
	}
	return u, nil
}

// ListUsers returns every staff account by username.
func (db *DB) ListUsers(ctx context.Context) ([]*haven.User, error) {
	rows, err := db.readQuery(ctx, `SELECT `+userColumns+userFrom+`ORDER BY u.username`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", mapError(err))
	}
	defer rows.Close()
	var out []*haven.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// SetUserDisabled disables or re-enables an account. Disabling also ends
// the user's sessions and revokes her API tokens, in one transaction, so a
// disabled account cannot act a moment longer.
func (db *DB) SetUserDisabled(ctx context.Context, username string, disabled bool) error {
	return db.inTx(ctx, func(tx *Tx) error {
		var id string
		if err := tx.queryRow(ctx, `SELECT id FROM users WHERE username = ?`, strings.ToLower(username)).Scan(&id); err != nil {
			return fmt.Errorf("set user disabled: %w", mapError(err))
		}
		if _, err := tx.exec(ctx, `UPDATE users SET disabled = ? WHERE id = ?`, disabled, id); err != nil {
			return fmt.Errorf("set user disabled: %w", mapError(err))
		}
		if disabled {
			if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
				return fmt.Errorf("set user disabled: %w", mapError(err))
			}
			if _, err := tx.exec(ctx, `DELETE FROM api_tokens WHERE user_id = ?`, id); err != nil {
				return fmt.Errorf("set user disabled: %w", mapError(err))
			}
		}
		return nil
	})
}
