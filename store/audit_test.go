package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/audit"
	"github.com/haven-nrm/haven/store"
	"github.com/haven-nrm/haven/store/storetest"
	"github.com/haven-nrm/haven/vault"
)

// auditVault returns a vault over db with a master key of its own: it
// holds the checkpoint signing key and the pseudonym key.
func auditVault(t testing.TB, db *store.DB) *vault.Vault {
	t.Helper()
	// The store logs its own writes with its vault: use the same keys.
	if v, ok := db.Vault().(*vault.Vault); ok {
		return v
	}
	keyFile := filepath.Join(t.TempDir(), "audit-master.key")
	if err := vault.CreateMasterKeyFile(keyFile); err != nil {
		t.Fatal(err)
	}
	master, err := vault.LoadMasterKeyFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	return vault.New(db, master)
}

// auditEvent is the i-th test event; events differ in action, user and
// record so that swapping two is a real change.
func auditEvent(i int) haven.AuditEvent {
	return haven.AuditEvent{
		UserID:    fmt.Sprintf("user-%d", i%3),
		Action:    []string{"case.read", "case.update", "consent.withdraw", "case.read_refused"}[i%4],
		Purpose:   "case_management",
		RecordRef: audit.RecordRef([]byte("test key"), audit.KindCase, fmt.Sprint(i%5)),
		Outcome:   []string{haven.AuditAllowed, haven.AuditRefused}[i%2],
	}
}

func appendAuditEvents(t testing.TB, db *store.DB, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		if err := db.AppendAudit(context.Background(), auditEvent(i)); err != nil {
			t.Fatalf("AppendAudit %d: %v", i, err)
		}
	}
}

func allAuditEntries(t testing.TB, db *store.DB) []audit.Entry {
	t.Helper()
	var out []audit.Entry
	for e, err := range db.AuditEntries(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// verifyAuditLatest verifies the log against the latest stored checkpoint, as
// 'haven audit verify' does.
func verifyAuditLatest(t testing.TB, db *store.DB, v *vault.Vault) (audit.Result, error) {
	t.Helper()
	ctx := context.Background()
	pub, err := v.AuditPublicKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := db.LatestAuditCheckpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return db.VerifyAudit(ctx, &cp, pub)
}

func TestAuditAppendAndVerify(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		ctx := context.Background()
		db := open(t)
		v := auditVault(t, db)
		db.Now = func() time.Time { return time.Date(2026, 11, 26, 10, 0, 0, 123456789, time.UTC) }

		if _, err := db.LatestAuditCheckpoint(ctx); haven.ErrorCode(err) != haven.ENOTFOUND {
			t.Fatalf("LatestAuditCheckpoint on an empty log = %v, want not found", err)
		}
		// In a caller's transaction, before and after PrepareAudit (which
		// DB.AppendAudit calls): kept with a commit, gone with a rollback,
		// and the chain carries on either way.
		err := db.InTxForAuditTest(ctx, func(tx *store.Tx) error { return tx.AppendAudit(ctx, auditEvent(0)) })
		if err != nil {
			t.Fatal(err)
		}
		appendAuditEvents(t, db, 1, 4)
		err = db.InTxForAuditTest(ctx, func(tx *store.Tx) error { return tx.AppendAudit(ctx, auditEvent(5)) })
		if err != nil {
			t.Fatal(err)
		}
		boom := errors.New("the write failed")
		err = db.InTxForAuditTest(ctx, func(tx *store.Tx) error {
			if err := tx.AppendAudit(ctx, auditEvent(99)); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("rolled-back transaction: %v", err)
		}
		appendAuditEvents(t, db, 6, 2)

		entries := allAuditEntries(t, db)
		if len(entries) != 8 {
			t.Fatalf("%d entries, want 8 (the rolled-back one must be gone)", len(entries))
		}
		for i, e := range entries {
			want := auditEvent(i)
			want.Seq = int64(i + 1)
			want.Time = time.Date(2026, 11, 26, 10, 0, 0, 123456000, time.UTC)
			if diff := cmp.Diff(want, e.Event); diff != "" {
				t.Fatalf("entry %d round trip (-want +got):\n%s", i+1, diff)
			}
		}

		cp, err := db.CreateAuditCheckpoint(ctx, v)
		if err != nil {
			t.Fatalf("CreateAuditCheckpoint: %v", err)
		}
		if cp.Size != 8 || cp.Head != audit.Hash(entries[7].Hash) {
			t.Fatalf("checkpoint of size %d head %s, want 8 and the last entry's hash", cp.Size, cp.Head)
		}
		again, err := db.CreateAuditCheckpoint(ctx, v)
		if err != nil || again.Size != 8 || !bytes.Equal(again.Signature, cp.Signature) {
			t.Fatalf("a checkpoint with nothing new: %+v, %v; want the same checkpoint", again, err)
		}
		res, err := verifyAuditLatest(t, db, v)
		if err != nil || res.Entries != 8 || res.Anchored != 8 {
			t.Fatalf("VerifyAudit = %+v, %v", res, err)
		}

		appendAuditEvents(t, db, 8, 3)
		res, err = verifyAuditLatest(t, db, v)
		if err != nil || res.Entries != 11 || res.Anchored != 8 {
			t.Fatalf("VerifyAudit with an unanchored tail = %+v, %v", res, err)
		}
		if _, err := db.CreateAuditCheckpoint(ctx, v); err != nil {
			t.Fatal(err)
		}
		cps, err := db.ListAuditCheckpoints(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(cps) != 2 || cps[0].Size != 8 || cps[1].Size != 11 {
			t.Fatalf("checkpoints: %+v", cps)
		}
		pub, _ := v.AuditPublicKey(ctx)
		for _, c := range cps {
			if err := c.Verify(pub); err != nil {
				t.Fatalf("stored checkpoint of size %d: %v", c.Size, err)
			}
		}
	})
}

func TestAuditRefusesInvalidEvents(t *testing.T) {
	db := storetest.OpenSQLite(t)
	e := auditEvent(0)
	e.RecordRef = "0193c1a0-0000-7000-8000-00000000abcd" // a case id, not a reference
	if err := db.AppendAudit(context.Background(), e); haven.ErrorCode(err) != haven.EINVALID {
		t.Fatalf("AppendAudit with a plain case id = %v, want invalid", err)
	}
	if n := countRows(t, db, "audit_log"); n != 0 {
		t.Fatalf("%d rows written", n)
	}
}

func TestAuditIsAppendOnly(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		ctx := context.Background()
		db := open(t)
		appendAuditEvents(t, db, 0, 3)
		if _, err := db.CreateAuditCheckpoint(ctx, auditVault(t, db)); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			`UPDATE audit_log SET purpose = 'curiosity' WHERE seq = 2`,
			`DELETE FROM audit_log WHERE seq = 3`,
			`UPDATE audit_checkpoints SET size = 2`,
			`DELETE FROM audit_checkpoints`,
			// A direct insert that skips a seq, as a buggy caller might.
			`INSERT INTO audit_log (seq, logged_at, user_id, action, purpose, record_ref, outcome, hash)
				SELECT 5, logged_at, user_id, action, purpose, record_ref, outcome, hash FROM audit_log WHERE seq = 3`,
		} {
			if _, err := db.Exec(ctx, q); err == nil {
				t.Errorf("allowed: %s", q)
			}
		}
		if db.Dialect() == store.Postgres {
			if _, err := db.Exec(ctx, `TRUNCATE audit_log`); err == nil {
				t.Error("TRUNCATE allowed")
			}
		}
		if n := countRows(t, db, "audit_log"); n != 3 {
			t.Fatalf("%d rows left, want 3", n)
		}
	})
}

// disableAuditGuards does what a database administrator can: turn off the
// append-only triggers. Only the verifier stands after that.
func disableAuditGuards(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	var stmts []string
	if db.Dialect() == store.Postgres {
		stmts = []string{`ALTER TABLE audit_log DISABLE TRIGGER USER`, `ALTER TABLE audit_checkpoints DISABLE TRIGGER USER`}
	} else {
		for _, tr := range []string{"audit_log_advance_head", "audit_log_no_update", "audit_log_no_delete",
			"audit_checkpoints_no_update", "audit_checkpoints_no_delete"} {
			stmts = append(stmts, "DROP TRIGGER "+tr)
		}
	}
	for _, q := range stmts {
		if _, err := db.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func auditExec(t *testing.T, db *store.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// auditSetRow overwrites every column of the entry at seq but seq itself.
func auditSetRow(t *testing.T, db *store.DB, seq int64, e audit.Entry) {
	t.Helper()
	ev := e.Event
	auditExec(t, db, `UPDATE audit_log SET logged_at = ?, user_id = ?, action = ?, purpose = ?, record_ref = ?, outcome = ?, hash = ? WHERE seq = ?`,
		ev.Time, ev.UserID, ev.Action, ev.Purpose, ev.RecordRef, ev.Outcome, e.Hash, seq)
}

func auditInsertRow(t *testing.T, db *store.DB, e audit.Entry) {
	t.Helper()
	ev := e.Event
	auditExec(t, db, `INSERT INTO audit_log (seq, logged_at, user_id, action, purpose, record_ref, outcome, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		ev.Seq, ev.Time, ev.UserID, ev.Action, ev.Purpose, ev.RecordRef, ev.Outcome, e.Hash)
}

// TestAuditTamper changes the log directly in the database, each kind of
// change on a log of 10 entries with a checkpoint at 8, and checks that
// verification against the latest stored checkpoint names the first bad
// entry and the kind of change.
func TestAuditTamper(t *testing.T) {
	type tamperCase struct {
		name    string
		tamper  func(t *testing.T, db *store.DB, entries []audit.Entry)
		seq     int64
		problem audit.Problem // 0: verification passes
		entries int64         // when it passes
	}
	cases := []tamperCase{
		{"untouched", func(*testing.T, *store.DB, []audit.Entry) {}, 0, 0, 10},
		{"field edited", func(t *testing.T, db *store.DB, _ []audit.Entry) {
			auditExec(t, db, `UPDATE audit_log SET purpose = 'curiosity' WHERE seq = 4`)
		}, 4, audit.ProblemChanged, 0},
		{"time edited", func(t *testing.T, db *store.DB, e []audit.Entry) {
			auditExec(t, db, `UPDATE audit_log SET logged_at = ? WHERE seq = 2`, e[1].Event.Time.Add(-time.Hour))
		}, 2, audit.ProblemChanged, 0},
		{"refusal turned into an allowed access", func(t *testing.T, db *store.DB, _ []audit.Entry) {
			auditExec(t, db, `UPDATE audit_log SET outcome = 'allowed' WHERE seq = 6`)
		}, 6, audit.ProblemChanged, 0},
		{"edited after the checkpoint", func(t *testing.T, db *store.DB, _ []audit.Entry) {
			auditExec(t, db, `UPDATE audit_log SET user_id = 'someone-else' WHERE seq = 9`)
		}, 9, audit.ProblemChanged, 0},
		{"entry deleted", func(t *testing.T, db *store.DB, _ []audit.Entry) {
			auditExec(t, db, `DELETE FROM audit_log WHERE seq = 5`)
		}, 5, audit.ProblemRemoved, 0},
		{"forged entry inserted with a garbage hash", func(t *testing.T, db *store.DB, e []audit.Entry) {
			auditExec(t, db, `UPDATE audit_log SET seq = -seq WHERE seq >= 5`)
			auditExec(t, db, `UPDATE audit_log SET seq = 1 - seq WHERE seq < 0`)
			forged := e[3]
			forged.Event.Seq, forged.Event.Action = 5, "case.read"
			forged.Hash = make([]byte, audit.HashSize)
			auditInsertRow(t, db, forged)
		}, 5, audit.ProblemChanged, 0},
		// An attacker who knows the algorithm hashes the forged entry
		// properly; the chain breaks at the next entry instead.
		{"forged entry inserted with a valid link", func(t *testing.T, db *store.DB, e []audit.Entry) {
			auditExec(t, db, `UPDATE audit_log SET seq = -seq WHERE seq >= 5`)
			auditExec(t, db, `UPDATE audit_log SET seq = 1 - seq WHERE seq < 0`)
			forged := e[3]
			forged.Event.Seq, forged.Event.Action = 5, "case.read"
			h := audit.ChainHash(audit.Hash(e[3].Hash), forged.Event)
			forged.Hash = h[:]
			auditInsertRow(t, db, forged)
		}, 6, audit.ProblemChanged, 0},
		{"forged entry with seq 0", func(t *testing.T, db *store.DB, e []audit.Entry) {
			forged := e[0]
			forged.Event.Seq = 0
			auditInsertRow(t, db, forged)
		}, 0, audit.ProblemOutOfOrder, 0},
		{"two entries' contents swapped (reorder)", func(t *testing.T, db *store.DB, e []audit.Entry) {
			auditSetRow(t, db, 3, e[5])
			auditSetRow(t, db, 6, e[2])
		}, 3, audit.ProblemChanged, 0},
		{"two entries' seqs swapped (reorder)", func(t *testing.T, db *store.DB, _ []audit.Entry) {
			auditExec(t, db, `UPDATE audit_log SET seq = -1 WHERE seq = 3`)
			auditExec(t, db, `UPDATE audit_log SET seq = 3 WHERE seq = 4`)
			auditExec(t, db, `UPDATE audit_log SET seq = 4 WHERE seq = -1`)
		}, 3, audit.ProblemChanged, 0},
		{"tail truncated below the checkpoint", func(t *testing.T, db *store.DB, _ []audit.Entry) {
			auditExec(t, db, `DELETE FROM audit_log WHERE seq > 6`)
		}, 7, audit.ProblemTruncated, 0},
		{"edited and every later hash recomputed", func(t *testing.T, db *store.DB, e []audit.Entry) {
			prev := audit.EmptyHash
			for i := range e {
				if i == 1 {
					e[i].Event.Outcome = haven.AuditAllowed
					e[i].Event.Action = "case.read"
				}
				prev = audit.ChainHash(prev, e[i].Event)
				e[i].Hash = bytes.Clone(prev[:])
				auditSetRow(t, db, e[i].Event.Seq, e[i])
			}
		}, 8, audit.ProblemRewritten, 0},
		{"checkpoint signature altered", func(t *testing.T, db *store.DB, _ []audit.Entry) {
			cp, err := db.LatestAuditCheckpoint(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			sig := bytes.Clone(cp.Signature)
			sig[0] ^= 1
			auditExec(t, db, `UPDATE audit_checkpoints SET signature = ? WHERE size = ?`, sig, cp.Size)
		}, 0, audit.ProblemBadCheckpoint, 0},
		{"checkpoint moved to a rewritten head", func(t *testing.T, db *store.DB, e []audit.Entry) {
			auditExec(t, db, `UPDATE audit_log SET purpose = 'curiosity' WHERE seq = 4`)
			auditExec(t, db, `UPDATE audit_checkpoints SET head = ? WHERE size = 8`, make([]byte, audit.HashSize))
		}, 0, audit.ProblemBadCheckpoint, 0},
		// The documented limit: entries after the latest checkpoint can be
		// deleted without trace until a checkpoint covers them.
		{"tail after the checkpoint deleted (not detectable)", func(t *testing.T, db *store.DB, _ []audit.Entry) {
			auditExec(t, db, `DELETE FROM audit_log WHERE seq > 8`)
		}, 0, 0, 8},
	}
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				ctx := context.Background()
				db := open(t)
				v := auditVault(t, db)
				appendAuditEvents(t, db, 0, 8)
				if _, err := db.CreateAuditCheckpoint(ctx, v); err != nil {
					t.Fatal(err)
				}
				appendAuditEvents(t, db, 8, 2)
				entries := allAuditEntries(t, db)
				disableAuditGuards(t, db)
				tc.tamper(t, db, entries)

				res, err := verifyAuditLatest(t, db, v)
				if tc.problem == 0 {
					if err != nil || res.Entries != tc.entries {
						t.Fatalf("VerifyAudit = %+v, %v; want %d entries verified", res, err, tc.entries)
					}
					return
				}
				ve, ok := audit.AsVerifyError(err)
				if !ok {
					t.Fatalf("VerifyAudit = %v, want a VerifyError", err)
				}
				if ve.Seq != tc.seq || ve.Problem != tc.problem {
					t.Fatalf("VerifyAudit named seq %d (%s), want seq %d (%s): %v", ve.Seq, ve.Problem, tc.seq, tc.problem, err)
				}
				// A checkpoint is never signed over a broken chain.
				if ve.Seq > 8 {
					if _, err := db.CreateAuditCheckpoint(ctx, v); err == nil {
						t.Fatal("a checkpoint was signed over a broken tail")
					}
				}
			})
		}
	})
}

// TestAuditExportedCheckpoint shows why checkpoints are exported: an
// administrator who deletes the newest checkpoint and the entries it
// covered defeats the stored checkpoints, not the exported one.
func TestAuditExportedCheckpoint(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		ctx := context.Background()
		db := open(t)
		v := auditVault(t, db)
		appendAuditEvents(t, db, 0, 8)
		if _, err := db.CreateAuditCheckpoint(ctx, v); err != nil {
			t.Fatal(err)
		}
		appendAuditEvents(t, db, 8, 4)
		cp, err := db.CreateAuditCheckpoint(ctx, v)
		if err != nil {
			t.Fatal(err)
		}
		exported, err := cp.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		pubText := func() string { p, _ := v.AuditPublicKey(ctx); return p.String() }()

		disableAuditGuards(t, db)
		auditExec(t, db, `DELETE FROM audit_checkpoints WHERE size = 12`)
		auditExec(t, db, `DELETE FROM audit_log WHERE seq > 9`)

		if _, err := verifyAuditLatest(t, db, v); err != nil {
			t.Fatalf("against the stored checkpoints the deletion is invisible, but VerifyAudit = %v", err)
		}
		kept, err := audit.ParseCheckpoint(exported)
		if err != nil {
			t.Fatal(err)
		}
		pub, err := audit.ParsePublicKey(pubText)
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.VerifyAudit(ctx, &kept, pub)
		ve, ok := audit.AsVerifyError(err)
		if !ok || ve.Seq != 10 || ve.Problem != audit.ProblemTruncated {
			t.Fatalf("VerifyAudit against the exported checkpoint = %v, want seq 10 truncated", err)
		}
	})
}

// TestAuditConcurrentAppends appends from several goroutines at once, some
// in transactions that roll back, and checks that the chain never forks:
// seqs are 1..n without gaps and every link holds.
func TestAuditConcurrentAppends(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		ctx := context.Background()
		db := open(t)
		const workers, each = 8, 25
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			kept int
			errs []error
		)
		rollback := errors.New("rolled back on purpose")
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					var err error
					switch i % 3 {
					case 0:
						err = db.AppendAudit(ctx, auditEvent(w*each+i))
					case 1:
						err = db.InTxForAuditTest(ctx, func(tx *store.Tx) error {
							return tx.AppendAudit(ctx, auditEvent(w*each+i))
						})
					case 2:
						err = db.InTxForAuditTest(ctx, func(tx *store.Tx) error {
							if err := tx.AppendAudit(ctx, auditEvent(w*each+i)); err != nil {
								return err
							}
							return rollback
						})
						if errors.Is(err, rollback) {
							continue
						}
					}
					mu.Lock()
					if err != nil {
						errs = append(errs, err)
					} else {
						kept++
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(errs) > 0 {
			t.Fatalf("%d appends failed, first: %v", len(errs), errs[0])
		}
		res, err := db.VerifyAudit(ctx, nil, audit.PublicKey{})
		if err != nil {
			t.Fatalf("the chain forked or broke: %v", err)
		}
		if res.Entries != int64(kept) {
			t.Fatalf("%d entries chained, %d appends committed", res.Entries, kept)
		}
		cp, err := db.CreateAuditCheckpoint(ctx, auditVault(t, db))
		if err != nil || cp.Size != int64(kept) {
			t.Fatalf("checkpoint after concurrent appends: %+v, %v", cp, err)
		}
	})
}

// TestAuditRecordRefs logs accesses to real cases and checks that the log
// finds a case's accesses by its pseudonymous reference and holds neither
// the case's id, nor its reference, nor the survivor's name.
func TestAuditRecordRefs(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		db := open(t)
		v := auditVault(t, db)
		fx := storetest.Seed(t, db)
		ctx := fx.As(context.Background(), haven.RoleFirstResponder)
		var cases []*haven.Case
		for range 2 {
			c := sampleCase()
			if err := db.CreateCase(ctx, c, &haven.Person{GivenName: "Amina", FamilyName: "Okafor"}); err != nil {
				t.Fatal(err)
			}
			cases = append(cases, c)
		}
		refs := map[string]string{}
		for _, c := range cases {
			ref, err := v.RecordRef(ctx, audit.KindCase, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			refs[c.ID] = ref
		}
		if refs[cases[0].ID] == refs[cases[1].ID] {
			t.Fatal("two cases share a reference")
		}
		caseworker := fx.Users[haven.RoleCaseworker].ID
		police := fx.Users[haven.RoleLawEnforcement].ID
		log := []haven.AuditEvent{
			{UserID: caseworker, Action: "case.read", Purpose: "case_management", RecordRef: refs[cases[0].ID], Outcome: haven.AuditAllowed},
			{UserID: caseworker, Action: "case.read", Purpose: "case_management", RecordRef: refs[cases[1].ID], Outcome: haven.AuditAllowed},
			{UserID: police, Action: "case.read", Purpose: "investigation", RecordRef: refs[cases[0].ID], Outcome: haven.AuditRefused},
			{UserID: "", Action: "key.create", Outcome: haven.AuditAllowed},
		}
		for _, e := range log {
			if err := db.AppendAudit(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.FindAuditByRecordRef(ctx, refs[cases[0].ID])
		if err != nil {
			t.Fatal(err)
		}
		var who []string
		for _, e := range got {
			who = append(who, fmt.Sprintf("%d %s %s %s %s", e.Seq, e.UserID, e.Action, e.Purpose, e.Outcome))
		}
		// The store logged each case's creation in the same transaction.
		creator := fx.Users[haven.RoleFirstResponder].ID
		want := []string{
			fmt.Sprintf("1 %s case.create case_management allowed", creator),
			fmt.Sprintf("3 %s case.read case_management allowed", caseworker),
			fmt.Sprintf("5 %s case.read investigation refused", police),
		}
		if diff := cmp.Diff(want, who); diff != "" {
			t.Fatalf("accesses to the first case (-want +got):\n%s", diff)
		}

		err = scanAll(db, "audit_log", func(cells []any) {
			for _, cell := range cells {
				var s string
				switch c := cell.(type) {
				case string:
					s = c
				case []byte:
					s = string(c)
				default:
					continue
				}
				for _, c := range cases {
					for _, secret := range []string{c.ID, c.Reference, "Amina", "Okafor"} {
						if strings.Contains(s, secret) {
							t.Errorf("the audit log holds %q", secret)
						}
					}
				}
			}
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// BenchmarkAppendAudit measures one append in its own transaction
// ("own-tx"), and the cost an append adds to a caller's transaction
// ("in-caller-tx": appends in transactions of 100, so begin and commit
// are spread thin).
func BenchmarkAppendAudit(b *testing.B) {
	for _, d := range []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.OpenSQLite}, {"postgres", storetest.OpenPostgres}} {
		b.Run(d.name+"/own-tx", func(b *testing.B) {
			db := d.open(b)
			ctx := context.Background()
			i := 0
			for b.Loop() {
				if err := db.AppendAudit(ctx, auditEvent(i)); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
		b.Run(d.name+"/in-caller-tx", func(b *testing.B) {
			db := d.open(b)
			ctx := context.Background()
			if err := db.PrepareAudit(ctx); err != nil {
				b.Fatal(err)
			}
			const perTx = 100
			i := 0
			for b.Loop() {
				err := db.InTxForAuditTest(ctx, func(tx *store.Tx) error {
					for range perTx {
						if err := tx.AppendAudit(ctx, auditEvent(i)); err != nil {
							return err
						}
						i++
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(i), "ns/append")
		})
	}
}

// BenchmarkVerify1M verifies a SQLite log of 1,000,000 entries against a
// checkpoint of its head, as 'haven audit verify' does.
// Target (issue "Protect survivors' data", item 5): under 10 s.
func BenchmarkVerify1M(b *testing.B) {
	const n = 1_000_000
	ctx := context.Background()
	db := storetest.OpenSQLite(b)
	v := auditVault(b, db)
	start := time.Now()
	bulkAppendAudit(b, db, n)
	cp, err := db.CreateAuditCheckpoint(ctx, v)
	if err != nil || cp.Size != n {
		b.Fatalf("checkpoint: %+v, %v", cp, err)
	}
	b.Logf("set-up: %d entries written and checkpointed in %s", n, time.Since(start).Round(time.Millisecond))
	pub, err := v.AuditPublicKey(ctx)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		res, err := db.VerifyAudit(ctx, &cp, pub)
		if err != nil || res.Entries != n {
			b.Fatalf("VerifyAudit = %+v, %v", res, err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/verify")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/entry")
}

// bulkAppendAudit writes n chained entries in one transaction with multi-row
// inserts, using the real encoding and chain.
func bulkAppendAudit(b *testing.B, db *store.DB, n int) {
	b.Helper()
	ctx := context.Background()
	const batch = 200
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	err := db.InTxForAuditTest(ctx, func(tx *store.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO audit_log (seq, logged_at, user_id, action, purpose, record_ref, outcome, hash) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?),", batch), ","))
		if err != nil {
			return err
		}
		defer stmt.Close()
		prev := audit.EmptyHash
		args := make([]any, 0, 8*batch)
		for i := range n {
			e := auditEvent(i)
			e.Seq = int64(i + 1)
			e.Time = t0.Add(time.Duration(i) * time.Millisecond)
			prev = audit.ChainHash(prev, e)
			args = append(args, e.Seq, e.Time, e.UserID, e.Action, e.Purpose, e.RecordRef, e.Outcome, bytes.Clone(prev[:]))
			if len(args) == cap(args) {
				if _, err := stmt.ExecContext(ctx, args...); err != nil {
					return err
				}
				args = args[:0]
			}
		}
		if len(args) > 0 {
			return fmt.Errorf("n must be a multiple of %d", batch)
		}
		return nil
	})
	if err != nil {
		b.Fatalf("bulk append: %v", err)
	}
}
