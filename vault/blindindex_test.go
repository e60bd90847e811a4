package vault_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"testing"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/store/storetest"
	"github.com/haven-nrm/haven/vault"
)

func TestBlindIndexNormalisedFieldBoundAndKeyed(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenSQLite(t)
	v := open(t, newKey(t), db)
	care := haven.CompartmentCare
	idx := func(v *vault.Vault, field, value string) []byte {
		t.Helper()
		b, err := v.BlindIndex(ctx, care, field, value)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}

	jose := idx(v, "given_name", "José")
	for _, spelling := range []string{"JOSE", "  jose ", "Jose\u0301"} {
		if got := idx(v, "given_name", spelling); !bytes.Equal(got, jose) {
			t.Errorf("%q and José have different indexes", spelling)
		}
	}
	if bytes.Equal(idx(v, "given_name", "Josef"), jose) {
		t.Error("Josef and José have the same index")
	}
	if bytes.Equal(idx(v, "family_name", "José"), jose) {
		t.Error("the same value in another field has the same index: the field is not bound")
	}
	if got := idx(v, "given_name", " - "); got != nil {
		t.Errorf("a value empty once normalised got index %x", got)
	}

	// Layout: version, key id of the primary index key, 16 bytes.
	primary, err := v.IndexPrimaryKeyID(ctx, care)
	if err != nil {
		t.Fatal(err)
	}
	if id, ok := vault.KeyID(jose); len(jose) != 5+vault.BlindIndexSize || !ok || id != primary {
		t.Fatalf("index %x: length %d, key id %d, want %d bytes and key %d", jose, len(jose), id, 5+vault.BlindIndexSize, primary)
	}
	// Keyed: not an unkeyed hash of the value in any form, and another
	// deployment (another keyset) gets another index.
	for _, s := range []string{"José", "jose", "given_name|jose", "haven/bidx/v1|given_name|jose"} {
		sum := sha256.Sum256([]byte(s))
		if bytes.Contains(jose, sum[:8]) {
			t.Errorf("the index holds SHA-256(%q)", s)
		}
	}
	other := open(t, newKey(t), storetest.OpenSQLite(t))
	if bytes.Equal(idx(other, "given_name", "José"), jose) {
		t.Error("two keysets give the same index")
	}

	// The index keyset is a keyset of its own, not the care AEAD keyset.
	var n int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM keysets WHERE compartment = 'care-index'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("care-index keyset rows = %d, %v", n, err)
	}
	careKeys, err := v.Keys(ctx, care)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range careKeys {
		if k.ID == primary {
			t.Fatal("the index key is a key of the care keyset")
		}
	}
}

func TestBlindIndexCandidatesFollowRotation(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenSQLite(t)
	key := newKey(t)
	v := open(t, key, db)
	care := haven.CompartmentCare
	before, err := v.BlindIndex(ctx, care, "date_of_birth", "1990-05-17")
	if err != nil {
		t.Fatal(err)
	}
	// Another instance loaded the index keyset before the rotation.
	stale := open(t, key, db)
	if _, err := stale.BlindIndex(ctx, care, "date_of_birth", "1990-05-17"); err != nil {
		t.Fatal(err)
	}

	newID, err := v.AddPrimaryKey(ctx, haven.IndexCompartment(care))
	if err != nil {
		t.Fatal(err)
	}
	after, err := v.BlindIndex(ctx, care, "date_of_birth", "1990-05-17")
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := vault.KeyID(after); id != newID || bytes.Equal(after, before) {
		t.Fatalf("after rotation the index is made by key %d, want %d", id, newID)
	}
	// A search, even on the stale instance, looks for both while rows
	// may carry either.
	for name, inst := range map[string]*vault.Vault{"rotating": v, "stale": stale} {
		cands, err := inst.BlindIndexCandidates(ctx, care, "date_of_birth", " 1990-05-17")
		if err != nil {
			t.Fatal(err)
		}
		if len(cands) != 2 || !bytes.Equal(cands[0], after) || !bytes.Equal(cands[1], before) {
			t.Errorf("%s instance: candidates %x, want [new old]", name, cands)
		}
	}
	old, _ := vault.KeyID(before)
	if _, err := v.RetireUnusedKeys(ctx, haven.IndexCompartment(care), map[uint32]int{}); err != nil {
		t.Fatal(err)
	}
	cands, err := stale.BlindIndexCandidates(ctx, care, "date_of_birth", "1990-05-17")
	if err != nil || len(cands) != 1 || !bytes.Equal(cands[0], after) {
		t.Fatalf("after retiring key %d: candidates %x, %v", old, cands, err)
	}
}

func TestBlindIndexWrongMasterKey(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenSQLite(t)
	right := open(t, newKey(t), db)
	if err := right.Check(ctx, haven.CompartmentCare); err != nil {
		t.Fatal(err)
	}
	wrong := open(t, newKey(t), db)
	// The index keyset does not exist yet: a wrong key must not create it,
	// or the right key could never open it.
	if _, err := wrong.BlindIndex(ctx, haven.CompartmentCare, "given_name", "Amina"); err == nil {
		t.Fatal("a vault with the wrong master key computed a blind index")
	}
	var n int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM keysets WHERE compartment = 'care-index'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("the wrong key created the index keyset (%d rows, %v)", n, err)
	}
	if _, err := right.BlindIndex(ctx, haven.CompartmentCare, "given_name", "Amina"); err != nil {
		t.Fatal(err)
	}
	if _, err := wrong.BlindIndexCandidates(ctx, haven.CompartmentCare, "given_name", "Amina"); err == nil {
		t.Fatal("a vault with the wrong master key opened the index keyset")
	}
}

func TestBlindIndexKeepsToAllowedCompartments(t *testing.T) {
	db := storetest.OpenSQLite(t)
	v := open(t, newKey(t), db)
	ctx := haven.WithCompartments(context.Background(), haven.CompartmentImmigration)
	if _, err := v.BlindIndex(ctx, haven.CompartmentCare, "given_name", "Amina"); haven.ErrorCode(err) != haven.EFORBIDDEN {
		t.Fatalf("immigration computed a care blind index: %v", err)
	}
	if _, err := v.BlindIndexCandidates(ctx, haven.CompartmentCare, "given_name", "Amina"); haven.ErrorCode(err) != haven.EFORBIDDEN {
		t.Fatalf("immigration searched care blind indexes: %v", err)
	}
}
