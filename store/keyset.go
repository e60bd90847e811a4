package store

import (
	"context"
	"fmt"

	"github.com/haven-nrm/haven"
)

// LoadKeyset returns the wrapped keyset of a compartment (vault.KeysetStore).
func (db *DB) LoadKeyset(ctx context.Context, c haven.Compartment) ([]byte, error) {
	var wrapped []byte
	// Read on the writer: a keyset created a moment ago must be seen.
	err := db.write.QueryRowContext(ctx, db.rebind(`SELECT wrapped FROM keysets WHERE compartment = ?`), string(c)).Scan(&wrapped)
	if err != nil {
		return nil, fmt.Errorf("load keyset: %w", mapError(err))
	}
	return wrapped, nil
}

// CreateKeyset stores a compartment's first keyset (vault.KeysetStore).
func (db *DB) CreateKeyset(ctx context.Context, c haven.Compartment, wrapped []byte) error {
	_, err := db.exec(ctx, `INSERT INTO keysets (compartment, wrapped, created_at) VALUES (?, ?, ?)`, string(c), wrapped, db.Now())
	if err != nil {
		return fmt.Errorf("create keyset: %w", mapError(err))
	}
	return nil
}
