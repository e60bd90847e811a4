package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tink-crypto/tink-go/v2/tink"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/vault"
)

// These tests reach the pass's internals (its race hook, sealPerson), so
// they live in package store and cannot use storetest, which imports it.

// openRotationDB returns a migrated database with a vault: SQLite in a
// temporary folder, or a schema of its own on HAVEN_TEST_POSTGRES_URL.
func openRotationDB(tb testing.TB, dialect Dialect) (*DB, *vault.Vault, tink.AEAD) {
	tb.Helper()
	ctx := context.Background()
	dsn := filepath.Join(tb.TempDir(), "haven.db")
	if dialect == Postgres {
		base := os.Getenv("HAVEN_TEST_POSTGRES_URL")
		if base == "" {
			tb.Skip("HAVEN_TEST_POSTGRES_URL is not set: PostgreSQL storage tests skipped")
		}
		admin, err := Open(ctx, base)
		if err != nil {
			tb.Fatal(err)
		}
		b := make([]byte, 6)
		rand.Read(b)
		schema := "t_" + hex.EncodeToString(b)
		if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() {
			admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			admin.Close()
		})
		u, err := url.Parse(base)
		if err != nil {
			tb.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		dsn = u.String()
	}
	db, err := Open(ctx, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	keyFile := filepath.Join(tb.TempDir(), "master.key")
	if err := vault.CreateMasterKeyFile(keyFile); err != nil {
		tb.Fatal(err)
	}
	master, err := vault.LoadMasterKeyFile(keyFile)
	if err != nil {
		tb.Fatal(err)
	}
	v := vault.New(db, master)
	db.SetVault(v)
	return db, v, master
}

// bulkPersons writes n cases with persons in one transaction, each person
// sealed and indexed by sealPerson exactly as CreateCase does. As there,
// sealing happens before the transaction: the vault may read a keyset,
// and on SQLite the transaction holds the only writer connection.
func bulkPersons(tb testing.TB, db *DB, n int) {
	tb.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	persons := make([]*haven.Person, n)
	sealed := make([][][]byte, n)
	for i := range n {
		p := &haven.Person{
			ID:             fmt.Sprintf("00000000-0000-7000-8000-%012d", i),
			GivenName:      fmt.Sprintf("Given%d", i%5000),
			FamilyName:     fmt.Sprintf("Family%d", i%20000),
			DateOfBirth:    time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%15000).Format("2006-01-02"),
			DocumentNumber: fmt.Sprintf("D%09d", i),
			Contact:        fmt.Sprintf("+1555%07d", i),
		}
		s, err := db.sealPerson(ctx, p)
		if err != nil {
			tb.Fatal(err)
		}
		persons[i], sealed[i] = p, s
	}
	err := db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `INSERT INTO organisations (id, name, sector, created_at) VALUES ('org', 'Org', 'ngo', ?)`, now); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO users (id, username, display_name, role, organisation_id, password_hash, created_at)
			VALUES ('user', 'user', 'User', 'first_responder', 'org', 'x', ?)`, now); err != nil {
			return err
		}
		for i, p := range persons {
			s := sealed[i]
			if _, err := tx.exec(ctx, `INSERT INTO persons (id, given_name_enc, family_name_enc, date_of_birth_enc, document_number_enc, contact_enc,
				given_name_bidx, family_name_bidx, date_of_birth_bidx, document_number_bidx) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				p.ID, s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8]); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `INSERT INTO cases (id, reference, version, owner_organisation_id, person_id, status, state,
				encountered_on, sex, age_status, age_at_encounter, treated_as_child, disability, nationality, immigration_status,
				socioeconomic_status, created_by, created_at, updated_at)
				VALUES (?, ?, 1, 'org', ?, 'open', 'encountered', '2026-03-14', 'female', 'declared', 24, FALSE, 'none', 'NG',
				'irregular', 'unknown', 'user', ?, ?)`, fmt.Sprintf("c-%09d", i), fmt.Sprintf("R-%09d", i), p.ID, now, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

func TestReencryptKeepsAConcurrentWrite(t *testing.T) {
	for _, dialect := range []Dialect{SQLite, Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			db, v, master := openRotationDB(t, dialect)
			ctx := context.Background()
			bulkPersons(t, db, 10)
			// Another instance that loaded the keysets before the rotation.
			staleVault := vault.New(db, master)
			if err := staleVault.Check(ctx, haven.CompartmentCare); err != nil {
				t.Fatal(err)
			}
			newKey, err := v.AddPrimaryKey(ctx, haven.CompartmentCare)
			if err != nil {
				t.Fatal(err)
			}
			// Between the pass reading the first batch and writing it,
			// another writer changes a person it read, with the old key
			// as a stale instance would.
			target := "00000000-0000-7000-8000-000000000003"
			stale := &haven.Person{ID: target, GivenName: "Changed", FamilyName: "Meanwhile"}
			raced := false
			res, err := db.Reencrypt(ctx, haven.CompartmentCare, ReencryptOptions{BatchSize: 5, beforeWrite: func(table string) {
				if raced || table != "persons" {
					return
				}
				raced = true
				var cols [4][]byte
				for i, f := range []string{"given_name", "family_name"} {
					ct, err := staleVault.Seal(ctx, haven.CompartmentCare, personRef(target, f), []byte(*stale.Field(f)))
					if err != nil {
						t.Fatal(err)
					}
					if id, _ := vault.KeyID(ct); id == newKey {
						t.Fatal("the stale instance sealed with the new key: the test proves less than it says")
					}
					idx, err := staleVault.BlindIndex(ctx, haven.CompartmentCare, f, *stale.Field(f))
					if err != nil {
						t.Fatal(err)
					}
					cols[i], cols[2+i] = ct, idx
				}
				if _, err := db.exec(ctx, `UPDATE persons SET given_name_enc = ?, family_name_enc = ?, given_name_bidx = ?, family_name_bidx = ?
					WHERE id = ?`, cols[0], cols[1], cols[2], cols[3], target); err != nil {
					t.Fatal(err)
				}
			}})
			if err != nil {
				t.Fatal(err)
			}
			if !raced || res.Retried == 0 {
				t.Fatalf("the race did not happen (retried %d): the test proves nothing", res.Retried)
			}
			p, err := db.FindPersonByCaseID(ctx, "c-000000003")
			if err != nil {
				t.Fatal(err)
			}
			if p.GivenName != "Changed" || p.FamilyName != "Meanwhile" || p.DocumentNumber != "D000000003" {
				t.Fatalf("after the pass: %+v; the concurrent write was lost", p)
			}
			var given []byte
			if err := db.readRow(ctx, `SELECT given_name_enc FROM persons WHERE id = ?`, target).Scan(&given); err != nil {
				t.Fatal(err)
			}
			if id, _ := vault.KeyID(given); id != newKey {
				t.Fatalf("the concurrently written value is under key %d, want the new %d", id, newKey)
			}
			found, err := db.FindCasesByIdentity(ctx, haven.IdentityQuery{GivenName: "changed", FamilyName: "meanwhile"})
			if err != nil || len(found) != 1 {
				t.Fatalf("search for the new values: %d cases, %v", len(found), err)
			}
		})
	}
}

// BenchmarkRotate100k rotates the care keys of 100,000 cases with persons
// on SQLite: a new primary key for the values and for the blind indexes,
// one pass that seals 500,000 values again and remakes 400,000 indexes,
// the count of key use, and the retirement of the old keys.
// Target (issue "Protect survivors' data", item 4): under 60 s.
func BenchmarkRotate100k(b *testing.B) {
	const n = 100_000
	db, v, _ := openRotationDB(b, SQLite)
	ctx := context.Background()
	t0 := time.Now()
	bulkPersons(b, db, n)
	b.Logf("setup: %d cases sealed and indexed in %s", n, time.Since(t0).Round(time.Millisecond))
	care, careIndex := haven.CompartmentCare, haven.IndexCompartment(haven.CompartmentCare)
	for b.Loop() {
		for _, c := range []haven.Compartment{care, careIndex} {
			if _, err := v.AddPrimaryKey(ctx, c); err != nil {
				b.Fatal(err)
			}
		}
		res, err := db.Reencrypt(ctx, care, ReencryptOptions{BatchSize: 500})
		if err != nil {
			b.Fatal(err)
		}
		if res.Rows != n || res.Resealed != 5*n || res.Reindexed != n {
			b.Fatalf("pass: %+v", res)
		}
		for _, c := range []haven.Compartment{care, careIndex} {
			usage, err := db.KeyUsage(ctx, c)
			if err != nil {
				b.Fatal(err)
			}
			r, err := v.RetireUnusedKeys(ctx, c, usage)
			if err != nil || len(r.Retired) != 1 {
				b.Fatalf("retire %s: %+v, %v", c, r, err)
			}
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/rotation")
}

// BenchmarkFindCasesByIdentity100k searches 100,000 cases with persons on
// SQLite by blind index: one field, three fields, and a name nobody has.
func BenchmarkFindCasesByIdentity100k(b *testing.B) {
	db, _, _ := openRotationDB(b, SQLite)
	bulkPersons(b, db, 100_000)
	ctx := context.Background()
	for name, q := range map[string]haven.IdentityQuery{
		"document":               {DocumentNumber: "d000054321"},
		"name_and_date_of_birth": {GivenName: "given4321", FamilyName: "FAMILY14321", DateOfBirth: "2009-03-18"},
		"no_match":               {FamilyName: "Nobody"},
	} {
		b.Run(name, func(b *testing.B) {
			// The generator repeats names and dates every 60,000 persons.
			want := map[string]int{"document": 1, "name_and_date_of_birth": 2, "no_match": 0}[name]
			for b.Loop() {
				if found, err := db.FindCasesByIdentity(ctx, q); err != nil || len(found) != want {
					b.Fatalf("found %d cases, %v; want %d", len(found), err, want)
				}
			}
		})
	}
}

// A vault that reads a keyset again must not wait for the writer: on
// SQLite a caller inside a write transaction holds the only writer
// connection (store/screening.go seals inside one).
func TestKeysetReloadInsideWriteTransaction(t *testing.T) {
	for _, dialect := range []Dialect{SQLite, Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			db, v, master := openRotationDB(t, dialect)
			bulkPersons(t, db, 1) // v now holds the care keysets
			other := vault.New(db, master)
			if _, err := other.AddPrimaryKey(context.Background(), haven.CompartmentCare); err != nil {
				t.Fatal(err)
			}
			ref := personRef("p", "given_name")
			ct, err := other.Seal(context.Background(), haven.CompartmentCare, ref, []byte("Amina"))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err = db.inTx(ctx, func(tx *Tx) error {
				pt, err := v.Open(ctx, haven.CompartmentCare, ref, ct)
				if err != nil || string(pt) != "Amina" {
					return fmt.Errorf("open a new key's value inside a transaction: %q, %w", pt, err)
				}
				_, err = v.BlindIndexCandidates(ctx, haven.CompartmentCare, "given_name", "Amina")
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
