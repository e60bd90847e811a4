package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/haven-nrm/haven/store"
	"github.com/haven-nrm/haven/store/storetest"
	"github.com/haven-nrm/haven/vault"
)

// VaultDB creates a migrated SQLite file in a temporary folder with a
// master key beside it, opens it with its vault and fast password hashing,
// and seeds the staff of every role. It returns the open store (closed at
// the end of the test), the fixture and the file's path, for the commands
// under test to open again.
func VaultDB(t *testing.T) (*store.DB, *storetest.Fixture, string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "haven.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	db.SetAuthSettings(storetest.FastAuth)
	keyFile := filepath.Join(dir, "master.key")
	if err := vault.CreateMasterKeyFile(keyFile); err != nil {
		t.Fatal(err)
	}
	master, err := vault.LoadMasterKeyFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	db.SetVault(vault.New(db, master))
	return db, storetest.Seed(t, db), path
}
