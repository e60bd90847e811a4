package vault_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/store/storetest"
	"github.com/haven-nrm/haven/vault"
)

func newKey(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "master.key")
	if err := vault.CreateMasterKeyFile(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func open(t *testing.T, keyFile string, ks vault.KeysetStore) *vault.Vault {
	t.Helper()
	master, err := vault.LoadMasterKeyFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	return vault.New(ks, master)
}

func TestSealOpen(t *testing.T) {
	db := storetest.OpenSQLite(t)
	v := open(t, newKey(t), db)
	ctx := context.Background()
	ref := haven.FieldRef{Table: "persons", RecordID: "p1", Field: "given_name"}
	ct, err := v.Seal(ctx, haven.CompartmentCare, ref, []byte("Maryam"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(ct), "Maryam") {
		t.Fatal("ciphertext holds the plaintext")
	}
	pt, err := v.Open(ctx, haven.CompartmentCare, ref, ct)
	if err != nil || string(pt) != "Maryam" {
		t.Fatalf("Open = %q, %v", pt, err)
	}
	for name, other := range map[string]haven.FieldRef{
		"another record": {Table: "persons", RecordID: "p2", Field: "given_name"},
		"another field":  {Table: "persons", RecordID: "p1", Field: "family_name"},
		"another table":  {Table: "case_notes", RecordID: "p1", Field: "given_name"},
	} {
		if _, err := v.Open(ctx, haven.CompartmentCare, other, ct); err == nil {
			t.Errorf("a value moved to %s decrypted", name)
		}
	}
	// Another compartment's keyset does not open care data: the firewall
	// holds even if an access check were wrong.
	if _, err := v.Open(ctx, haven.CompartmentImmigration, ref, ct); err == nil {
		t.Fatal("the immigration keyset opened care data")
	}
	ct[len(ct)-1] ^= 1
	if _, err := v.Open(ctx, haven.CompartmentCare, ref, ct); err == nil {
		t.Fatal("a tampered ciphertext decrypted")
	}
}

func TestWrongMasterKey(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ctx := context.Background()
	right := open(t, newKey(t), db)
	if err := right.Check(ctx, haven.CompartmentCare); err != nil {
		t.Fatal(err)
	}
	wrong := open(t, newKey(t), db)
	err := wrong.Check(ctx, haven.CompartmentCare)
	if err == nil || !strings.Contains(err.Error(), "wrong key") {
		t.Fatalf("a wrong master key opened the keyset: %v", err)
	}
	if _, err := wrong.Seal(ctx, haven.CompartmentCare, haven.FieldRef{Table: "t"}, []byte("x")); err == nil {
		t.Fatal("a vault with the wrong master key sealed data")
	}
}

func TestKeysetBoundToCompartment(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ctx := context.Background()
	key := newKey(t)
	if err := open(t, key, db).Check(ctx, haven.CompartmentCare, haven.CompartmentImmigration); err != nil {
		t.Fatal(err)
	}
	// Copy the care keyset over the immigration one: a fresh vault must
	// refuse it rather than hand immigration the care keys.
	if _, err := db.Exec(ctx, `UPDATE keysets SET wrapped = (SELECT wrapped FROM keysets WHERE compartment = 'care') WHERE compartment = 'immigration'`); err != nil {
		t.Fatal(err)
	}
	fresh := open(t, key, db)
	if err := fresh.Check(ctx, haven.CompartmentImmigration); err == nil {
		t.Fatal("the care keyset was accepted as the immigration keyset")
	}
	if err := fresh.Check(ctx, haven.CompartmentCare); err != nil {
		t.Fatalf("the care keyset no longer opens: %v", err)
	}
}

func TestMasterKeyFileErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := vault.LoadMasterKeyFile(""); err == nil {
		t.Error("empty path accepted")
	}
	if _, err := vault.LoadMasterKeyFile(filepath.Join(dir, "none")); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing file: %v", err)
	}
	bad := filepath.Join(dir, "bad")
	os.WriteFile(bad, []byte("not base64 at all!"), 0o600)
	if _, err := vault.LoadMasterKeyFile(bad); err == nil {
		t.Error("malformed key accepted")
	}
	short := filepath.Join(dir, "short")
	os.WriteFile(short, []byte("c2hvcnQ=\n"), 0o600)
	if _, err := vault.LoadMasterKeyFile(short); err == nil {
		t.Error("a 5-byte key accepted")
	}
	key := filepath.Join(dir, "k")
	if err := vault.CreateMasterKeyFile(key); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(key); st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", st.Mode().Perm())
	}
	if err := vault.CreateMasterKeyFile(key); err == nil {
		t.Error("an existing key file was overwritten")
	}
}
