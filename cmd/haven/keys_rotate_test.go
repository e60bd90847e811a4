package main_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/store"
	"github.com/haven-nrm/haven/store/storetest"
	"github.com/haven-nrm/haven/vault"
)

// TestKeysRotateCommand runs 'haven keys rotate' as an operator would.
func TestKeysRotateCommand(t *testing.T) {
	dir := t.TempDir()
	dbPath, key, otherKey := filepath.Join(dir, "h.db"), filepath.Join(dir, "master.key"), filepath.Join(dir, "other.key")
	runHaven(t, nil, "migrate", "--db", dbPath)
	for _, k := range []string{key, otherKey} {
		if _, e, code := runHaven(t, nil, "keys", "init", "--master-key-file", k); code != 0 {
			t.Fatalf("keys init: %s", e)
		}
	}

	// Cases with persons and notes, written through the store as the
	// server would.
	ctx := context.Background()
	openDB := func() *store.DB {
		db, err := store.Open(ctx, dbPath)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		master, err := vault.LoadMasterKeyFile(key)
		if err != nil {
			t.Fatal(err)
		}
		db.SetVault(vault.New(db, master))
		db.SetAuthSettings(storetest.FastAuth)
		return db
	}
	db := openDB()
	fx := storetest.Seed(t, db)
	uctx := fx.As(ctx, haven.RoleFirstResponder)
	var cases []*haven.Case
	for i := range 5 {
		c := &haven.Case{EncounteredOn: haven.DateOf(time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC))}
		if err := db.CreateCase(uctx, c, &haven.Person{GivenName: fmt.Sprint("Given", i), DocumentNumber: fmt.Sprint("D", i)}); err != nil {
			t.Fatal(err)
		}
		if err := db.AddNote(uctx, &haven.Note{CaseID: c.ID, Body: fmt.Sprint("note ", i)}); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, c)
	}

	for name, tc := range map[string]struct{ keyFile, want string }{
		"wrong key file":   {otherKey, "wrong key file"},
		"missing key file": {filepath.Join(dir, "none.key"), "does not exist"},
	} {
		_, stderr, code := runHaven(t, nil, "keys", "rotate", "--db", dbPath, "--master-key-file", tc.keyFile, "--grace", "0")
		if code == 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want non-zero and %q", name, code, stderr, tc.want)
		}
	}

	stdout, stderr, code := runHaven(t, nil, "keys", "rotate", "--db", dbPath, "--master-key-file", key, "--grace", "0")
	if code != 0 {
		t.Fatalf("keys rotate: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"New primary keys: care key", "Re-encrypted 15 values", "Retired (disabled, kept for old backups): care key"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}

	db = openDB()
	for i, c := range cases {
		p, err := db.FindPersonByCaseID(uctx, c.ID)
		if err != nil || p.GivenName != fmt.Sprint("Given", i) {
			t.Fatalf("person %d after rotation: %+v, %v", i, p, err)
		}
	}
	found, err := db.FindCasesByIdentity(uctx, haven.IdentityQuery{DocumentNumber: "d3"})
	if err != nil || len(found) != 1 || found[0].ID != cases[3].ID {
		t.Fatalf("search after rotation: %v, %v", found, err)
	}
}
