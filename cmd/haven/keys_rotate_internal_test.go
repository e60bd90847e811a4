package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/store"
	"github.com/haven-nrm/haven/store/storetest"
	"github.com/haven-nrm/haven/vault"
)

// rotationFixture is a migrated SQLite database with a master key file and
// cases with persons and notes.
type rotationFixture struct {
	dbPath, keyFile string
	cases           []*haven.Case
	fx              *storetest.Fixture
}

func newRotationFixture(t *testing.T, n int) *rotationFixture {
	t.Helper()
	dir := t.TempDir()
	f := &rotationFixture{dbPath: filepath.Join(dir, "haven.db"), keyFile: filepath.Join(dir, "master.key")}
	if err := vault.CreateMasterKeyFile(f.keyFile); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, f.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	db.SetAuthSettings(storetest.FastAuth)
	if err := attachVault(ctx, db, f.keyFile); err != nil {
		t.Fatal(err)
	}
	f.fx = storetest.Seed(t, db)
	uctx := f.fx.As(ctx, haven.RoleFirstResponder)
	for i := range n {
		c := &haven.Case{EncounteredOn: haven.DateOf(time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC))}
		p := &haven.Person{GivenName: fmt.Sprint("Given", i), FamilyName: "Okafor", DateOfBirth: "2001-02-03", DocumentNumber: fmt.Sprint("D-", i)}
		if err := db.CreateCase(uctx, c, p); err != nil {
			t.Fatal(err)
		}
		if err := db.AddNote(uctx, &haven.Note{CaseID: c.ID, Body: fmt.Sprint("note ", i)}); err != nil {
			t.Fatal(err)
		}
		f.cases = append(f.cases, c)
	}
	return f
}

// open opens the fixture's database with a vault on the master key file.
func (f *rotationFixture) open(t *testing.T) (*store.DB, *vault.Vault) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, f.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	master, err := vault.LoadMasterKeyFile(f.keyFile)
	if err != nil {
		t.Fatal(err)
	}
	v := vault.New(db, master)
	db.SetVault(v)
	return db, v
}

// check asserts that every person and note reads back and that the care
// keysets hold one enabled key each, which every value uses.
func (f *rotationFixture) check(t *testing.T, wantKeys int) {
	t.Helper()
	db, v := f.open(t)
	ctx := f.fx.As(context.Background(), haven.RoleCaseworker)
	for i, c := range f.cases {
		p, err := db.FindPersonByCaseID(ctx, c.ID)
		if err != nil || p.GivenName != fmt.Sprint("Given", i) {
			t.Fatalf("person %d after rotation: %+v, %v", i, p, err)
		}
		notes, err := db.ListNotes(ctx, c.ID)
		if err != nil || len(notes) != 1 || notes[0].Body != fmt.Sprint("note ", i) {
			t.Fatalf("notes of case %d after rotation: %v, %v", i, notes, err)
		}
	}
	for _, k := range []haven.Compartment{haven.CompartmentCare, haven.IndexCompartment(haven.CompartmentCare)} {
		keys, err := v.Keys(context.Background(), k)
		if err != nil {
			t.Fatal(err)
		}
		enabled := 0
		var primary uint32
		for _, key := range keys {
			if key.Enabled {
				enabled++
			}
			if key.Primary {
				primary = key.ID
			}
		}
		if len(keys) != wantKeys || enabled != 1 {
			t.Fatalf("%s keys %+v, want %d keys of which one enabled", k, keys, wantKeys)
		}
		usage, err := db.KeyUsage(context.Background(), k)
		if err != nil || len(usage) != 1 || usage[primary] == 0 {
			t.Fatalf("%s usage %v, %v; want only the primary %d", k, usage, err, primary)
		}
	}
	last := len(f.cases) - 1
	found, err := db.FindCasesByIdentity(ctx, haven.IdentityQuery{GivenName: fmt.Sprint("GIVEN", last), FamilyName: "okafor"})
	if err != nil || len(found) != 1 || found[0].ID != f.cases[last].ID {
		t.Fatalf("search after rotation: %v, %v", found, err)
	}
}

func TestKeysRotate(t *testing.T) {
	f := newRotationFixture(t, 12)
	var out, errOut bytes.Buffer
	err := runKeysRotate(context.Background(), []string{"--db", f.dbPath, "--master-key-file", f.keyFile, "--batch", "5", "--grace", "0"}, &out, &errOut)
	if err != nil {
		t.Fatalf("rotate: %v\n%s\n%s", err, out.String(), errOut.String())
	}
	for _, want := range []string{
		"Before: care: key ", "care-index: key ", "New primary keys: care key ",
		"Re-encrypted 60 values and remade the blind indexes of 12 rows, out of 24 rows", "Retired (disabled, kept for old backups): care key ",
		"(retired)",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if !strings.Contains(errOut.String(), "Re-encrypting care") {
		t.Errorf("no progress bar on stderr:\n%s", errOut.String())
	}
	f.check(t, 2)

	// Again: one more key each, the previous primaries retired too.
	out.Reset()
	if err := runKeysRotate(context.Background(), []string{"--db", f.dbPath, "--master-key-file", f.keyFile, "--grace", "0"}, &out, &errOut); err != nil {
		t.Fatalf("second rotation: %v\n%s", err, out.String())
	}
	f.check(t, 3)
}

func TestKeysRotateCatchesValuesSealedWithTheOldKeyMeanwhile(t *testing.T) {
	f := newRotationFixture(t, 3)
	// A running server that loaded the keys before the rotation: it seals
	// with the old primary until it reads its keyset again.
	server, _ := f.open(t)
	uctx := f.fx.As(context.Background(), haven.RoleFirstResponder)
	if _, err := server.FindPersonByCaseID(uctx, f.cases[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := server.FindCasesByIdentity(uctx, haven.IdentityQuery{GivenName: "Given0"}); err != nil {
		t.Fatal(err)
	}
	out := &lockedBuffer{}
	errOut := &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- runKeysRotate(context.Background(), []string{"--db", f.dbPath, "--master-key-file", f.keyFile, "--grace", "3s"}, out, errOut)
	}()
	for !strings.Contains(errOut.String(), "Waiting") {
		select {
		case err := <-done:
			t.Fatalf("rotation ended without waiting: %v\n%s\n%s", err, out, errOut)
		case <-time.After(10 * time.Millisecond):
		}
	}
	// The first pass is over: the server writes with its stale key now.
	c := &haven.Case{EncounteredOn: haven.DateOf(time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC))}
	if err := server.CreateCase(uctx, c, &haven.Person{GivenName: "Given3", FamilyName: "Okafor"}); err != nil {
		t.Fatal(err)
	}
	if err := server.AddNote(uctx, &haven.Note{CaseID: c.ID, Body: "note 3"}); err != nil {
		t.Fatal(err)
	}
	f.cases = append(f.cases, c)
	if err := <-done; err != nil {
		t.Fatalf("rotate: %v\n%s\n%s", err, out, errOut)
	}
	if !strings.Contains(errOut.String(), "Catching up") {
		t.Errorf("no second pass:\n%s", errOut)
	}
	f.check(t, 2)
}

func TestKeysRotateWrongOrMissingKeyFile(t *testing.T) {
	f := newRotationFixture(t, 2)
	ctx := context.Background()
	dump := func() string {
		db, _ := f.open(t)
		var b strings.Builder
		for _, q := range []string{`SELECT compartment, wrapped FROM keysets ORDER BY compartment`,
			`SELECT id, given_name_enc, given_name_bidx, contact_enc FROM persons ORDER BY id`, `SELECT id, body_enc FROM case_notes ORDER BY id`} {
			rows, err := db.RawQuery(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := rows.Columns()
			for rows.Next() {
				cells := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range cells {
					ptrs[i] = &cells[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(&b, "%x\n", cells)
			}
			rows.Close()
		}
		return b.String()
	}
	before := dump()

	wrongKey := filepath.Join(t.TempDir(), "other.key")
	if err := vault.CreateMasterKeyFile(wrongKey); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct{ keyFile, want string }{
		"wrong key":   {wrongKey, "wrong key file"},
		"missing key": {filepath.Join(t.TempDir(), "none.key"), "does not exist"},
	} {
		var out, errOut bytes.Buffer
		err := runKeysRotate(ctx, []string{"--db", f.dbPath, "--master-key-file", tc.keyFile, "--grace", "0"}, &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", name, err, tc.want)
		}
		if got := dump(); got != before {
			t.Errorf("%s: the database changed", name)
		}
	}
	f.check(t, 1)
}

func TestKeysRotateFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--compartment", "care-index"},
		{"--compartment", "nowhere"},
		{"--batch", "0"},
		{"--grace", "-1s"},
		{"extra"},
	} {
		var out, errOut bytes.Buffer
		if err := runKeysRotate(context.Background(), append([]string{"--db", filepath.Join(t.TempDir(), "x.db")}, args...), &out, &errOut); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

// lockedBuffer is a bytes.Buffer safe for one writer and one reader.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
