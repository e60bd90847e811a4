package vault_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/store"
	"github.com/haven-nrm/haven/store/storetest"
	"github.com/haven-nrm/haven/vault"
)

var ref = haven.FieldRef{Table: "persons", RecordID: "p1", Field: "given_name"}

func seal(t *testing.T, v *vault.Vault, plaintext string) []byte {
	t.Helper()
	ct, err := v.Seal(context.Background(), haven.CompartmentCare, ref, []byte(plaintext))
	if err != nil {
		t.Fatal(err)
	}
	return ct
}

func mustOpen(t *testing.T, v *vault.Vault, ct []byte, want string) {
	t.Helper()
	pt, err := v.Open(context.Background(), haven.CompartmentCare, ref, ct)
	if err != nil || string(pt) != want {
		t.Fatalf("Open = %q, %v; want %q", pt, err, want)
	}
}

func keyOf(t *testing.T, ct []byte) uint32 {
	t.Helper()
	id, ok := vault.KeyID(ct)
	if !ok {
		t.Fatalf("no key id in %x", ct)
	}
	return id
}

func TestAddPrimaryKey(t *testing.T) {
	ctx := context.Background()
	v := open(t, newKey(t), storetest.OpenSQLite(t))
	old := seal(t, v, "Maryam")
	oldID := keyOf(t, old)

	newID, err := v.AddPrimaryKey(ctx, haven.CompartmentCare)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := v.Keys(ctx, haven.CompartmentCare)
	if err != nil {
		t.Fatal(err)
	}
	want := map[uint32]vault.Key{oldID: {ID: oldID, Enabled: true}, newID: {ID: newID, Primary: true, Enabled: true}}
	if len(keys) != 2 || keys[0] != want[keys[0].ID] || keys[1] != want[keys[1].ID] {
		t.Fatalf("keys after rotation %+v, want %+v", keys, want)
	}
	if got := keyOf(t, seal(t, v, "Maryam")); got != newID {
		t.Fatalf("sealed with key %d after rotation, want the new primary %d", got, newID)
	}
	if p, err := v.PrimaryKeyID(ctx, haven.CompartmentCare); err != nil || p != newID {
		t.Fatalf("PrimaryKeyID = %d, %v; want %d", p, err, newID)
	}
	mustOpen(t, v, old, "Maryam") // the old key still opens what it sealed
}

func TestInstanceWithCachedKeysetOpensValuesOfNewKey(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenSQLite(t)
	key := newKey(t)
	a, b := open(t, key, db), open(t, key, db)
	if err := a.Check(ctx, haven.CompartmentCare); err != nil {
		t.Fatal(err)
	}
	if err := b.Check(ctx, haven.CompartmentCare); err != nil {
		t.Fatal(err)
	}
	newID, err := b.AddPrimaryKey(ctx, haven.CompartmentCare)
	if err != nil {
		t.Fatal(err)
	}
	fromB := seal(t, b, "Amina")
	if keyOf(t, fromB) != newID {
		t.Fatal("b did not seal with its new key")
	}
	// a cached the keyset before the rotation: it must read it again when
	// it meets a key it does not know.
	mustOpen(t, a, fromB, "Amina")
	// Until its cache ages, a may still seal with the old primary, which
	// stays enabled: b opens that too.
	mustOpen(t, b, seal(t, a, "Grace"), "Grace")
}

func TestRetireUnusedKeys(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenSQLite(t)
	key := newKey(t)
	v := open(t, key, db)
	old := seal(t, v, "Maryam")
	oldID := keyOf(t, old)
	newID, err := v.AddPrimaryKey(ctx, haven.CompartmentCare)
	if err != nil {
		t.Fatal(err)
	}

	// A key that stored values still use is kept.
	r, err := v.RetireUnusedKeys(ctx, haven.CompartmentCare, map[uint32]int{oldID: 1, newID: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Retired) != 0 || r.InUse[oldID] != 1 {
		t.Fatalf("retirement with the old key in use: %+v", r)
	}
	mustOpen(t, v, old, "Maryam")

	// Once nothing uses it, it is disabled; the primary never is.
	r, err = v.RetireUnusedKeys(ctx, haven.CompartmentCare, map[uint32]int{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Retired) != 1 || r.Retired[0] != oldID {
		t.Fatalf("retired %v, want [%d]", r.Retired, oldID)
	}
	keys, err := v.Keys(ctx, haven.CompartmentCare)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if (k.ID == oldID) == k.Enabled || (k.ID == newID) != k.Primary {
			t.Fatalf("keys after retirement: %+v", keys)
		}
	}
	// A retired key opens nothing, on this instance or a fresh one.
	for name, inst := range map[string]*vault.Vault{"rotating": v, "fresh": open(t, key, db)} {
		if _, err := inst.Open(ctx, haven.CompartmentCare, ref, old); err == nil {
			t.Errorf("%s instance opened a value of a retired key", name)
		}
	}
	// Values still naming it are reported as unreadable.
	r, err = v.RetireUnusedKeys(ctx, haven.CompartmentCare, map[uint32]int{oldID: 2})
	if err != nil || r.Unreadable[oldID] != 2 || len(r.Retired) != 0 {
		t.Fatalf("retirement with values of a retired key: %+v, %v", r, err)
	}
}

// raceStore runs another rotation just before the first one stores its
// keyset.
type raceStore struct {
	*store.DB
	before func()
}

func (s *raceStore) UpdateKeyset(ctx context.Context, c haven.Compartment, previous, wrapped []byte) error {
	if f := s.before; f != nil {
		s.before = nil
		f()
	}
	return s.DB.UpdateKeyset(ctx, c, previous, wrapped)
}

func TestConcurrentRotationsLoseNoKey(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenSQLite(t)
	key := newKey(t)
	other := open(t, key, db)
	rs := &raceStore{DB: db}
	v := open(t, key, rs)
	if err := v.Check(ctx, haven.CompartmentCare); err != nil {
		t.Fatal(err)
	}
	var winner uint32
	var sealed []byte
	rs.before = func() {
		var err error
		if winner, err = other.AddPrimaryKey(ctx, haven.CompartmentCare); err != nil {
			t.Fatal(err)
		}
		sealed = seal(t, other, "Amina")
	}
	if _, err := v.AddPrimaryKey(ctx, haven.CompartmentCare); haven.ErrorCode(err) != haven.ECONFLICT {
		t.Fatalf("a rotation over another one's keyset: %v, want a conflict", err)
	}
	// The other rotation's key survived, and what it sealed opens.
	if p, err := open(t, key, db).PrimaryKeyID(ctx, haven.CompartmentCare); err != nil || p != winner {
		t.Fatalf("primary %d, %v; want the other rotation's %d", p, err, winner)
	}
	mustOpen(t, v, sealed, "Amina")
}

func TestWrongMasterKeyRotatesNothing(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenSQLite(t)
	right := open(t, newKey(t), db)
	ct := seal(t, right, "Maryam")
	var before []byte
	if err := db.QueryRow(ctx, `SELECT wrapped FROM keysets WHERE compartment = 'care'`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	wrong := open(t, newKey(t), db)
	if _, err := wrong.AddPrimaryKey(ctx, haven.CompartmentCare); err == nil {
		t.Fatal("a wrong master key rotated the keyset")
	}
	if _, err := wrong.RetireUnusedKeys(ctx, haven.CompartmentCare, nil); err == nil {
		t.Fatal("a wrong master key retired keys")
	}
	if _, err := wrong.Keys(ctx, haven.CompartmentCare); err == nil {
		t.Fatal("a wrong master key listed the keys")
	}
	if _, err := wrong.Open(ctx, haven.CompartmentCare, ref, ct); err == nil {
		t.Fatal("a wrong master key opened a value")
	}
	var after []byte
	if err := db.QueryRow(ctx, `SELECT wrapped FROM keysets WHERE compartment = 'care'`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Fatal("the keyset changed")
	}
	mustOpen(t, right, ct, "Maryam")
}

func TestKeyID(t *testing.T) {
	for _, tc := range []struct {
		in   []byte
		id   uint32
		okay bool
	}{
		{[]byte{1, 0, 0, 1, 2, 9, 9}, 258, true},
		{[]byte{0, 0xff, 0, 0, 0}, 0xff000000, true}, // legacy prefix
		{[]byte{2, 0, 0, 0, 1}, 0, false},
		{[]byte{1, 0, 0}, 0, false},
		{nil, 0, false},
	} {
		id, ok := vault.KeyID(tc.in)
		if id != tc.id || ok != tc.okay {
			t.Errorf("KeyID(%x) = %d, %v; want %d, %v", tc.in, id, ok, tc.id, tc.okay)
		}
	}
}
