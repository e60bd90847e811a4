package main_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/audit"
	"github.com/haven-nrm/haven/store"
	"github.com/haven-nrm/haven/vault"
)

// TestAuditCommands runs 'haven audit' as an operator would: checkpoint,
// export, verify, then a change made directly in the database, which
// verify reports with a non-zero exit naming the first bad entry.
func TestAuditCommands(t *testing.T) {
	dir := t.TempDir()
	dbPath, key := filepath.Join(dir, "haven.db"), filepath.Join(dir, "haven.key")
	if _, e, code := runHaven(t, nil, "keys", "init", "--master-key-file", key); code != 0 {
		t.Fatal(e)
	}
	if _, e, code := runHaven(t, nil, "migrate", "--db", dbPath); code != 0 {
		t.Fatal(e)
	}
	caseID := "0193c1a0-0000-7000-8000-00000000abcd"
	writeAuditEntries(t, dbPath, key, caseID, 12)
	flags := []string{"--db", dbPath, "--master-key-file", key}

	if out, e, code := runHaven(t, nil, append([]string{"audit", "checkpoint"}, flags...)...); code != 0 || !strings.Contains(out, "checkpoint of 12 entries") {
		t.Fatalf("audit checkpoint: exit %d\n%s%s", code, out, e)
	}
	out, e, code := runHaven(t, nil, append([]string{"audit", "export-checkpoint"}, flags...)...)
	if code != 0 {
		t.Fatalf("audit export-checkpoint: exit %d\n%s", code, e)
	}
	exported := filepath.Join(t.TempDir(), "kept-elsewhere.txt")
	if err := os.WriteFile(exported, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, e, code := runHaven(t, nil, append([]string{"audit", "verify"}, flags...)...); code != 0 || !strings.Contains(out, "ok: 12 entries verified against checkpoint of size 12") {
		t.Fatalf("audit verify: exit %d\n%s%s", code, out, e)
	}
	if out, e, code := runHaven(t, nil, append([]string{"audit", "show", "--case", caseID}, flags...)...); code != 0 || strings.Count(out, "case.read") != 6 {
		t.Fatalf("audit show: exit %d\n%s%s", code, out, e)
	}
	// show logged itself after the checkpoint: verify says so.
	if out, e, code := runHaven(t, nil, append([]string{"audit", "verify"}, flags...)...); code != 0 || !strings.Contains(out, "ok: 13 entries verified against checkpoint of size 12") {
		t.Fatalf("audit verify: exit %d\n%s%s", code, out, e)
	}

	db, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`DROP TRIGGER audit_log_no_delete`, `DROP TRIGGER audit_checkpoints_no_delete`,
		`DELETE FROM audit_log WHERE seq = 7`,
	} {
		if _, err := db.Exec(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	out, e, code = runHaven(t, nil, append([]string{"audit", "verify"}, flags...)...)
	if code != 1 || !strings.Contains(e, "first bad entry is seq 7 (removed)") {
		t.Fatalf("audit verify after a deletion: exit %d\n%s%s", code, out, e)
	}
	// Against the exported file, with no master key at all.
	out, e, code = runHaven(t, nil, "audit", "verify", "--db", dbPath, "--master-key-file", filepath.Join(dir, "none.key"), "--checkpoint", exported)
	if code != 1 || !strings.Contains(e, "first bad entry is seq 7 (removed)") {
		t.Fatalf("audit verify --checkpoint after a deletion: exit %d\n%s%s", code, out, e)
	}
}

// writeAuditEntries appends n entries, every other one about caseID, as
// the server would.
func writeAuditEntries(t *testing.T, dbPath, keyFile, caseID string, n int) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	master, err := vault.LoadMasterKeyFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	v := vault.New(db, master)
	ref, err := v.RecordRef(ctx, audit.KindCase, caseID)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		e := haven.AuditEvent{Action: "key.create", Outcome: haven.AuditAllowed}
		if i%2 == 0 {
			e = haven.AuditEvent{UserID: "0193c1a0-0000-7000-8000-000000000001", Action: "case.read", Purpose: "case_management", RecordRef: ref, Outcome: haven.AuditAllowed}
		}
		if err := db.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
}
