package vault_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"strings"
	"testing"
	"time"

	"github.com/tink-crypto/tink-go/v2/insecuresecretdataaccess"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/prf/hmacprf"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/audit"
	"github.com/haven-nrm/haven/store/storetest"
	"github.com/haven-nrm/haven/vault"
)

func TestAuditCheckpointSigning(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenSQLite(t)
	keyFile := newKey(t)
	v := open(t, keyFile, db)
	if err := v.CheckAudit(ctx); err != nil {
		t.Fatal(err)
	}
	cp, err := audit.Sign(ctx, v, 3, audit.Hash{7}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	pub, err := v.AuditPublicKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := cp.Verify(pub); err != nil {
		t.Fatalf("the vault's checkpoint does not verify with its public key: %v", err)
	}
	// A checkpoint kept elsewhere verifies with the standard library and
	// the raw key alone: no Tink prefix in the signature.
	if !ed25519.Verify(pub.Bytes(), cp.Body(), cp.Signature) {
		t.Fatal("crypto/ed25519 does not verify the vault's signature")
	}

	// The key is kept: another instance on the same database and master
	// key signs with the same key.
	again := open(t, keyFile, db)
	pub2, err := again.AuditPublicKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if pub2.String() != pub.String() {
		t.Fatalf("the signing key changed between instances: %s, then %s", pub, pub2)
	}

	wrong := open(t, newKey(t), db)
	if _, err := wrong.AuditPublicKey(ctx); err == nil || !strings.Contains(err.Error(), "wrong key") {
		t.Fatalf("a wrong master key opened the signing keyset: %v", err)
	}
	if _, err := wrong.RecordRef(ctx, audit.KindCase, "c1"); err == nil {
		t.Fatal("a wrong master key opened the pseudonym keyset")
	}
}

func TestAuditRecordRef(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenSQLite(t)
	keyFile := newKey(t)
	v := open(t, keyFile, db)
	id := "0193c1a0-0000-7000-8000-00000000abcd"
	ref, err := v.RecordRef(ctx, audit.KindCase, id)
	if err != nil {
		t.Fatal(err)
	}
	if err := audit.Validate(haven.AuditEvent{Action: "case.read", RecordRef: ref, Outcome: haven.AuditAllowed}); err != nil {
		t.Fatalf("the vault's reference is not a valid record_ref: %v", err)
	}
	again, err := open(t, keyFile, db).RecordRef(ctx, audit.KindCase, id)
	if err != nil || again != ref {
		t.Fatalf("the reference of one record changed between instances: %s, then %s (%v)", ref, again, err)
	}
	other, err := open(t, newKey(t), storetest.OpenSQLite(t)).RecordRef(ctx, audit.KindCase, id)
	if err != nil || other == ref {
		t.Fatalf("two installations give one record the same reference: %s (%v)", other, err)
	}

	// The Tink PRF is plain HMAC-SHA256: with the key unwrapped by hand,
	// audit.RecordRef gives the same reference, so the format in
	// docs/AUDIT.md is the whole truth.
	wrapped, err := db.LoadKeyset(ctx, vault.AuditPseudonymKeyset)
	if err != nil {
		t.Fatal(err)
	}
	master, err := vault.LoadMasterKeyFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	h, err := keyset.ReadWithAssociatedData(keyset.NewBinaryReader(bytes.NewReader(wrapped)), master,
		[]byte("haven/keyset|"+string(vault.AuditPseudonymKeyset)))
	if err != nil {
		t.Fatal(err)
	}
	primary, err := h.Primary()
	if err != nil {
		t.Fatal(err)
	}
	key := primary.Key().(*hmacprf.Key).KeyBytes().Data(insecuresecretdataaccess.Token{})
	if got := audit.RecordRef(key, audit.KindCase, id); got != ref {
		t.Fatalf("audit.RecordRef = %s, vault = %s", got, ref)
	}
	if bytes.Contains(wrapped, key) {
		t.Fatal("the pseudonym key is stored in plaintext")
	}
}
