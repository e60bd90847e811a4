package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/audit"
	"github.com/haven-nrm/haven/store"
	"github.com/haven-nrm/haven/store/storetest"
	"github.com/haven-nrm/haven/vault"
)

// These tests call runAudit directly, so they run before 'audit' is
// dispatched from main; audit_test.go runs the real binary.

const auditTestCase = "0193c1a0-0000-7000-8000-00000000abcd"

type auditFixture struct {
	dbPath, keyFile string
}

// newAuditFixture makes a migrated SQLite database whose log has 10
// entries, the first 8 covered by a checkpoint. Entries 2, 4, 6 and 9 are
// about auditTestCase, by user "amal"; 9 was refused.
func newAuditFixture(t *testing.T) auditFixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	f := auditFixture{dbPath: filepath.Join(dir, "haven.db"), keyFile: filepath.Join(dir, "haven.key")}
	if err := vault.CreateMasterKeyFile(f.keyFile); err != nil {
		t.Fatal(err)
	}
	db := f.open(t)
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	db.SetAuthSettings(storetest.FastAuth)
	org := &haven.Organisation{Name: "Safe Harbour", Sector: haven.SectorNGO}
	if err := db.CreateOrganisation(ctx, org); err != nil {
		t.Fatal(err)
	}
	amal := &haven.User{Username: "amal", DisplayName: "Amal", Role: haven.RoleCaseworker, OrganisationID: org.ID}
	if err := db.CreateUser(ctx, amal, storetest.Password); err != nil {
		t.Fatal(err)
	}
	master, err := vault.LoadMasterKeyFile(f.keyFile)
	if err != nil {
		t.Fatal(err)
	}
	v := vault.New(db, master)
	ref, err := v.RecordRef(ctx, audit.KindCase, auditTestCase)
	if err != nil {
		t.Fatal(err)
	}
	other, err := v.RecordRef(ctx, audit.KindCase, "another case")
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 10; i++ {
		e := haven.AuditEvent{UserID: amal.ID, Action: "case.read", Purpose: "case_management", RecordRef: other, Outcome: haven.AuditAllowed}
		if i%2 == 0 && i <= 6 || i == 9 {
			e.RecordRef = ref
		}
		if i == 9 {
			e.Purpose, e.Outcome = "curiosity", haven.AuditRefused
		}
		if err := db.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
		if i == 8 {
			if _, err := db.CreateAuditCheckpoint(ctx, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	return f
}

func (f auditFixture) open(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), f.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// exec runs raw statements on the fixture's database, as an administrator
// with write access would, after dropping the append-only triggers.
func (f auditFixture) exec(t *testing.T, stmts ...string) {
	t.Helper()
	db := f.open(t)
	defer db.Close()
	for _, q := range append([]string{
		"DROP TRIGGER audit_log_advance_head", "DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete",
		"DROP TRIGGER audit_checkpoints_no_update", "DROP TRIGGER audit_checkpoints_no_delete",
	}, stmts...) {
		if _, err := db.Exec(context.Background(), q); err != nil && !strings.Contains(err.Error(), "no such trigger") {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func (f auditFixture) run(args ...string) (string, string, error) {
	var out, errOut bytes.Buffer
	args = append(args, "--db", f.dbPath, "--master-key-file", f.keyFile)
	err := runAudit(context.Background(), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestRunAuditVerify(t *testing.T) {
	f := newAuditFixture(t)
	out, _, err := f.run("verify")
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if !strings.Contains(out, "ok: 10 entries verified against checkpoint of size 8") || !strings.Contains(out, "entries 9 to 10") {
		t.Fatalf("verify printed:\n%s", out)
	}
	if out, _, err = f.run("checkpoint"); err != nil || !strings.Contains(out, "checkpoint of 10 entries") || !strings.Contains(out, "— haven-audit ") {
		t.Fatalf("checkpoint: %v\n%s", err, out)
	}
	if out, _, err = f.run("verify"); err != nil || !strings.Contains(out, "ok: 10 entries verified against checkpoint of size 10") || strings.Contains(out, "note:") {
		t.Fatalf("verify after checkpoint: %v\n%s", err, out)
	}
}

// TestRunAuditTamper changes the database under the command and checks
// that verify fails naming the first bad entry and the kind of change.
func TestRunAuditTamper(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stmts []string
		want  string
	}{
		{"entry edited", []string{`UPDATE audit_log SET purpose = 'curiosity' WHERE seq = 4`}, "seq 4 (changed)"},
		{"refusal hidden", []string{`UPDATE audit_log SET outcome = 'allowed' WHERE seq = 9`}, "seq 9 (changed)"},
		{"entry deleted", []string{`DELETE FROM audit_log WHERE seq = 3`}, "seq 3 (removed)"},
		{"forged entry inserted", []string{
			`UPDATE audit_log SET seq = -seq WHERE seq >= 5`,
			`UPDATE audit_log SET seq = 1 - seq WHERE seq < 0`,
			`INSERT INTO audit_log SELECT 5, logged_at, user_id, 'case.update', purpose, record_ref, outcome, hash FROM audit_log WHERE seq = 4`,
		}, "seq 5 (changed)"},
		{"entries reordered", []string{
			`UPDATE audit_log SET seq = -1 WHERE seq = 2`,
			`UPDATE audit_log SET seq = 2 WHERE seq = 3`,
			`UPDATE audit_log SET seq = 3 WHERE seq = -1`,
		}, "seq 2 (changed)"},
		{"tail truncated below the checkpoint", []string{`DELETE FROM audit_log WHERE seq > 5`}, "seq 6 (truncated)"},
		{"checkpoint signature altered", []string{`UPDATE audit_checkpoints SET signature = zeroblob(64)`}, "bad checkpoint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newAuditFixture(t)
			f.exec(t, tc.stmts...)
			_, _, err := f.run("verify")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("verify = %v, want an error naming %q", err, tc.want)
			}
		})
	}
}

// TestRunAuditExport exports a checkpoint, then checks the log against the
// file without the master key, before and after the newest checkpoint and
// entries are deleted from the database.
func TestRunAuditExport(t *testing.T) {
	f := newAuditFixture(t)
	if _, _, err := f.run("checkpoint"); err != nil {
		t.Fatal(err)
	}
	out, _, err := f.run("export-checkpoint")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^haven-audit\+[0-9a-f]{8}\+\S+\n\nhaven-audit-log/v1\n10\n`).MatchString(out) {
		t.Fatalf("export printed:\n%s", out)
	}
	exported := filepath.Join(t.TempDir(), "checkpoint.txt")
	if err := os.WriteFile(exported, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	noKey := func(args ...string) (string, error) {
		var o, e bytes.Buffer
		err := runAudit(context.Background(), append(args, "--db", f.dbPath, "--master-key-file", filepath.Join(t.TempDir(), "absent.key")), &o, &e)
		return o.String(), err
	}
	if out, err := noKey("verify", "--checkpoint", exported); err != nil || !strings.Contains(out, "ok: 10 entries verified against checkpoint of size 10") {
		t.Fatalf("verify --checkpoint: %v\n%s", err, out)
	}
	pub := strings.SplitN(out, "\n", 2)[0]
	if out, err := noKey("verify", "--checkpoint", exported, "--public-key", pub); err != nil || !strings.HasPrefix(out, "ok:") {
		t.Fatalf("verify --checkpoint --public-key: %v\n%s", err, out)
	}

	f.exec(t, `DELETE FROM audit_checkpoints WHERE size = 10`, `DELETE FROM audit_log WHERE seq > 8`)
	if out, _, err := f.run("verify"); err != nil {
		t.Fatalf("the stored checkpoints cannot see the deletion, but verify = %v\n%s", err, out)
	}
	if _, err := noKey("verify", "--checkpoint", exported); err == nil || !strings.Contains(err.Error(), "seq 9 (truncated)") {
		t.Fatalf("verify against the exported checkpoint = %v, want seq 9 truncated", err)
	}

	// A checkpoint checked with another installation's key is refused.
	otherKey := newAuditFixture(t)
	otherOut, _, err := otherKey.run("export-checkpoint")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := noKey("verify", "--checkpoint", exported, "--public-key", strings.SplitN(otherOut, "\n", 2)[0]); err == nil || !strings.Contains(err.Error(), "bad checkpoint") {
		t.Fatalf("verify with another key = %v", err)
	}
}

func TestRunAuditShow(t *testing.T) {
	f := newAuditFixture(t)
	out, _, err := f.run("show", "--case", auditTestCase)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "SEQ") {
		t.Fatalf("show printed:\n%s", out)
	}
	for i, seq := range []string{"2", "4", "6", "9"} {
		fields := strings.Fields(lines[i+1])
		if fields[0] != seq || fields[3] != "amal" {
			t.Errorf("line %d: %q, want seq %s by amal", i+1, lines[i+1], seq)
		}
	}
	if !strings.Contains(lines[4], "curiosity") || !strings.Contains(lines[4], "refused") {
		t.Errorf("the refused access is not shown with its purpose: %q", lines[4])
	}
	// The first look is logged: the second shows it.
	out, _, err = f.run("show", "--case", auditTestCase)
	if err != nil {
		t.Fatal(err)
	}
	lines = strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 6 || !strings.Contains(lines[5], "audit.show") || !strings.Contains(lines[5], "(system)") {
		t.Fatalf("the first show was not logged; the second printed:\n%s", out)
	}
	if out, _, err = f.run("show", "--case", "no-such-case"); err != nil || !strings.Contains(out, "no access") {
		t.Fatalf("show of an unknown case: %v\n%s", err, out)
	}
}

func TestRunAuditUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"frobnicate"}, {"show"}, {"verify", "extra"}} {
		var o, e bytes.Buffer
		if err := runAudit(context.Background(), args, &o, &e); !errors.Is(err, errUsage) {
			t.Errorf("audit %v = %v, want usage", args, err)
		}
	}
	f := newAuditFixture(t)
	// A non-empty log without any checkpoint is not "ok".
	f.exec(t, `DELETE FROM audit_checkpoints`)
	if _, _, err := f.run("verify"); err == nil || !strings.Contains(err.Error(), "no signed checkpoint") {
		t.Fatalf("verify without a checkpoint = %v", err)
	}
}
