package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/store"
	"github.com/haven-nrm/haven/store/storetest"
	"github.com/haven-nrm/haven/vault"
)

// withVault gives db a vault whose *vault.Vault the test can rotate, and
// returns it with its master key file. It must run before anything is
// sealed, so the keysets are made under this master key.
func withVault(t *testing.T, db *store.DB) (*vault.Vault, string) {
	t.Helper()
	keyFile := filepath.Join(t.TempDir(), "master.key")
	if err := vault.CreateMasterKeyFile(keyFile); err != nil {
		t.Fatal(err)
	}
	return reopenVault(t, db, keyFile), keyFile
}

func reopenVault(t *testing.T, db *store.DB, keyFile string) *vault.Vault {
	t.Helper()
	master, err := vault.LoadMasterKeyFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	v := vault.New(db, master)
	db.SetVault(v)
	return v
}

func createWithPerson(t *testing.T, ctx context.Context, db *store.DB, p *haven.Person) *haven.Case {
	t.Helper()
	c := sampleCase()
	if err := db.CreateCase(ctx, c, p); err != nil {
		t.Fatal(err)
	}
	return c
}

func caseIDs(cases []*haven.Case) []string {
	ids := make([]string, len(cases))
	for i, c := range cases {
		ids[i] = c.ID
	}
	slices.Sort(ids)
	return ids
}

func TestFindCasesByIdentity(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		db := open(t)
		fx := storetest.Seed(t, db)
		ctx := fx.As(context.Background(), haven.RoleFirstResponder)
		jose := createWithPerson(t, ctx, db, &haven.Person{GivenName: "José", FamilyName: "Pérez-Díaz", DateOfBirth: "1990-05-17", DocumentNumber: "AB-123 456"})
		namesake := createWithPerson(t, ctx, db, &haven.Person{GivenName: "Jose", FamilyName: "Perez Diaz", DateOfBirth: "1991-02-03", DocumentNumber: "XY999"})
		maria := createWithPerson(t, ctx, db, &haven.Person{GivenName: "María", FamilyName: "Pérez Díaz", DateOfBirth: "1990-05-17"})
		// A given name equal to another person's family name must not
		// match a family-name search.
		crossed := createWithPerson(t, ctx, db, &haven.Person{GivenName: "Perez Diaz", FamilyName: "Okafor"})
		createWithPerson(t, ctx, db, nil) // no identity recorded
		createWithPerson(t, ctx, db, &haven.Person{Contact: "+255700111222"})

		for name, tc := range map[string]struct {
			q    haven.IdentityQuery
			want []*haven.Case
		}{
			"given name, other spelling": {haven.IdentityQuery{GivenName: "JOSE"}, []*haven.Case{jose, namesake}},
			"family name":                {haven.IdentityQuery{FamilyName: "perez   diaz"}, []*haven.Case{jose, namesake, maria}},
			"date of birth":              {haven.IdentityQuery{DateOfBirth: "1990-05-17"}, []*haven.Case{jose, maria}},
			"document number":            {haven.IdentityQuery{DocumentNumber: "ab123456"}, []*haven.Case{jose}},
			"name and date of birth":     {haven.IdentityQuery{GivenName: "josé", FamilyName: "PÉREZ DÍAZ", DateOfBirth: "1990-05-17"}, []*haven.Case{jose}},
			"given name as given name":   {haven.IdentityQuery{GivenName: "Pérez-Díaz"}, []*haven.Case{crossed}},
			"all four":                   {haven.IdentityQuery{GivenName: "Jose", FamilyName: "Perez Diaz", DateOfBirth: "1990-05-17", DocumentNumber: "AB 123-456"}, []*haven.Case{jose}},
			"one field does not match":   {haven.IdentityQuery{GivenName: "Jose", DocumentNumber: "AB123457"}, nil},
			"nobody":                     {haven.IdentityQuery{FamilyName: "Nobody"}, nil},
		} {
			got, err := db.FindCasesByIdentity(ctx, tc.q)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			if g, w := caseIDs(got), caseIDs(tc.want); !slices.Equal(g, w) {
				t.Errorf("%s: found %v, want %v", name, g, w)
			}
		}
		// The cases come back whole.
		got, err := db.FindCasesByIdentity(ctx, haven.IdentityQuery{DocumentNumber: "AB123456"})
		if err != nil || len(got) != 1 || len(got[0].Events) != 2 || len(got[0].FormsOfExploitation) != 2 || got[0].Reference != jose.Reference {
			t.Fatalf("found %+v, %v; want the whole case", got, err)
		}

		if _, err := db.FindCasesByIdentity(ctx, haven.IdentityQuery{}); haven.ErrorCode(err) != haven.EINVALID {
			t.Errorf("empty query: %v, want invalid", err)
		}
		if _, err := db.FindCasesByIdentity(ctx, haven.IdentityQuery{DateOfBirth: "17/05/1990"}); haven.ErrorCode(err) != haven.EINVALID {
			t.Errorf("malformed date: %v, want invalid", err)
		}
	})
}

func TestFindCasesByIdentityRechecksCandidates(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		db := open(t)
		fx := storetest.Seed(t, db)
		ctx := fx.As(context.Background(), haven.RoleFirstResponder)
		amina := createWithPerson(t, ctx, db, &haven.Person{GivenName: "Amina", FamilyName: "Okafor"})
		grace := createWithPerson(t, ctx, db, &haven.Person{GivenName: "Grace", FamilyName: "Mensah"})
		raw := context.Background()
		personOf := `(SELECT person_id FROM cases WHERE id = ?)`

		// Grace's row gets Amina's given-name index, as a collision of
		// truncated indexes would: the candidate is decrypted and dropped.
		if _, err := db.Exec(raw, `UPDATE persons SET given_name_bidx = (SELECT given_name_bidx FROM persons WHERE id = `+personOf+`)
			WHERE id = `+personOf, amina.ID, grace.ID); err != nil {
			t.Fatal(err)
		}
		got, err := db.FindCasesByIdentity(ctx, haven.IdentityQuery{GivenName: "Amina"})
		if err != nil || !slices.Equal(caseIDs(got), []string{amina.ID}) {
			t.Fatalf("after an index collision: found %v, %v; want only Amina's case", caseIDs(got), err)
		}

		// Amina's name ciphertext moved into Grace's row: it no longer
		// opens there, and the search fails rather than skip it.
		if _, err := db.Exec(raw, `UPDATE persons SET given_name_enc = (SELECT given_name_enc FROM persons WHERE id = `+personOf+`)
			WHERE id = `+personOf, amina.ID, grace.ID); err != nil {
			t.Fatal(err)
		}
		if got, err := db.FindCasesByIdentity(ctx, haven.IdentityQuery{GivenName: "Amina"}); err == nil {
			t.Fatalf("a moved ciphertext was searched past: found %v", caseIDs(got))
		}

		// A tampered ciphertext fails the search too.
		var ct []byte
		if err := db.QueryRow(raw, `SELECT family_name_enc FROM persons WHERE id = `+personOf, amina.ID).Scan(&ct); err != nil {
			t.Fatal(err)
		}
		ct[len(ct)-1] ^= 1
		if _, err := db.Exec(raw, `UPDATE persons SET family_name_enc = ? WHERE id = `+personOf, ct, amina.ID); err != nil {
			t.Fatal(err)
		}
		if got, err := db.FindCasesByIdentity(ctx, haven.IdentityQuery{FamilyName: "Okafor"}); err == nil {
			t.Fatalf("a tampered ciphertext was searched past: found %v", caseIDs(got))
		}
	})
}

func TestFindCasesByIdentityBoundsMatches(t *testing.T) {
	db := storetest.OpenSQLite(t)
	fx := storetest.Seed(t, db)
	ctx := fx.As(context.Background(), haven.RoleFirstResponder)
	for i := range haven.MaxIdentityMatches + 1 {
		createWithPerson(t, ctx, db, &haven.Person{GivenName: "Maria", DocumentNumber: fmt.Sprint("D", i)})
	}
	if _, err := db.FindCasesByIdentity(ctx, haven.IdentityQuery{GivenName: "maria"}); haven.ErrorCode(err) != haven.EINVALID {
		t.Fatalf("%d matches: %v, want an invalid query to narrow", haven.MaxIdentityMatches+1, err)
	}
	got, err := db.FindCasesByIdentity(ctx, haven.IdentityQuery{GivenName: "maria", DocumentNumber: "d-7"})
	if err != nil || len(got) != 1 {
		t.Fatalf("narrowed: %d cases, %v", len(got), err)
	}
}

func TestBlindIndexesHoldNoPlaintext(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		db := open(t)
		fx := storetest.Seed(t, db)
		ctx := fx.As(context.Background(), haven.RoleFirstResponder)
		p := &haven.Person{GivenName: "Zainabu", FamilyName: "Mwangi-Otieno", DateOfBirth: "1999-12-24", DocumentNumber: "PX99887766"}
		createWithPerson(t, ctx, db, p)

		var secrets [][]byte
		for _, f := range haven.IndexedPersonFields {
			v := *p.Field(f)
			for _, s := range []string{v, haven.NormalizeIdentity(f, v), f + "|" + haven.NormalizeIdentity(f, v)} {
				sum := sha256.Sum256([]byte(s))
				secrets = append(secrets, []byte(s), sum[:8], []byte(hex.EncodeToString(sum[:8])))
			}
		}
		rows, err := db.RawQuery(context.Background(), `SELECT given_name_bidx, family_name_bidx, date_of_birth_bidx, document_number_bidx FROM persons`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			cells := make([][]byte, 4)
			if err := rows.Scan(&cells[0], &cells[1], &cells[2], &cells[3]); err != nil {
				t.Fatal(err)
			}
			for i, cell := range cells {
				// An empty column would pass the check below vacuously.
				if len(cell) != 5+vault.BlindIndexSize {
					t.Fatalf("%s index is %x", haven.IndexedPersonFields[i], cell)
				}
				for _, s := range secrets {
					if bytes.Contains(cell, s) {
						t.Errorf("%s index holds %q", haven.IndexedPersonFields[i], s)
					}
				}
				n++
			}
		}
		if err := rows.Err(); err != nil || n != 4 {
			t.Fatalf("scanned %d indexes, %v", n, err)
		}
	})
}

// snapshot reads back every identity and note of cases.
func snapshot(t *testing.T, ctx context.Context, db *store.DB, cases []*haven.Case) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, c := range cases {
		p, err := db.FindPersonByCaseID(ctx, c.ID)
		if err != nil {
			t.Fatalf("person of %s: %v", c.ID, err)
		}
		out[c.ID+"/person"] = fmt.Sprintf("%+v", *p)
		notes, err := db.ListNotes(ctx, c.ID)
		if err != nil {
			t.Fatalf("notes of %s: %v", c.ID, err)
		}
		for _, n := range notes {
			out[n.ID] = n.Body
		}
	}
	return out
}

// keysIn returns the key ids of every non-NULL cell of the given columns.
func keysIn(t *testing.T, db *store.DB, table string, cols ...string) map[uint32]int {
	t.Helper()
	got := map[uint32]int{}
	rows, err := db.RawQuery(context.Background(), `SELECT `+strings.Join(cols, ", ")+` FROM `+table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		cells := make([][]byte, len(cols))
		dest := make([]any, len(cols))
		for i := range cells {
			dest[i] = &cells[i]
		}
		if err := rows.Scan(dest...); err != nil {
			t.Fatal(err)
		}
		for _, c := range cells {
			if c != nil {
				id, _ := vault.KeyID(c)
				got[id]++
			}
		}
	}
	return got
}

var (
	personEncColumns  = []string{"given_name_enc", "family_name_enc", "date_of_birth_enc", "document_number_enc", "contact_enc"}
	personBidxColumns = []string{"given_name_bidx", "family_name_bidx", "date_of_birth_bidx", "document_number_bidx"}
)

func TestRotationReencryptsEverything(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		db := open(t)
		v, keyFile := withVault(t, db)
		fx := storetest.Seed(t, db)
		ctx := fx.As(context.Background(), haven.RoleFirstResponder)
		sys := context.Background()
		care, careIndex := haven.CompartmentCare, haven.IndexCompartment(haven.CompartmentCare)

		// 23 persons, 8 of them with a contact and no document: 92 person
		// values, 84 blind indexes; and 23 notes.
		const values, indexes = 23*3 + 15 + 8 + 23, 23*3 + 15
		var cases []*haven.Case
		for i := range 23 {
			p := &haven.Person{GivenName: fmt.Sprint("Given", i), FamilyName: "Family", DateOfBirth: "2001-03-04", DocumentNumber: fmt.Sprint("N-", i)}
			if i%3 == 0 {
				p.Contact, p.DocumentNumber = fmt.Sprint("+1555", i), ""
			}
			c := createWithPerson(t, ctx, db, p)
			if err := db.AddNote(ctx, &haven.Note{CaseID: c.ID, Body: fmt.Sprint("note ", i)}); err != nil {
				t.Fatal(err)
			}
			cases = append(cases, c)
		}
		want := snapshot(t, ctx, db, cases)
		oldKeys, _ := v.Keys(sys, care)
		oldIndexKeys, _ := v.Keys(sys, careIndex)

		newKey, err := v.AddPrimaryKey(sys, care)
		if err != nil {
			t.Fatal(err)
		}
		newIndexKey, err := v.AddPrimaryKey(sys, careIndex)
		if err != nil {
			t.Fatal(err)
		}
		// Before re-encryption every value still needs the old keys.
		usage, err := db.KeyUsage(sys, care)
		if err != nil {
			t.Fatal(err)
		}
		r, err := v.RetireUnusedKeys(sys, care, usage)
		if err != nil || len(r.Retired) != 0 || r.InUse[oldKeys[0].ID] != values {
			t.Fatalf("retirement before re-encryption: %+v, %v (usage %v)", r, err, usage)
		}

		var progress []int
		res, err := db.Reencrypt(sys, care, store.ReencryptOptions{BatchSize: 7, Progress: func(done, total int) {
			if total != 46 {
				t.Errorf("progress total %d, want 46 rows", total)
			}
			progress = append(progress, done)
		}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Rows != 46 || res.Resealed != values || res.Reindexed != 23 || len(res.Unreadable) != 0 {
			t.Fatalf("result %+v", res)
		}
		if progress[len(progress)-1] != 46 || len(progress) != 4+4 {
			t.Fatalf("progress %v", progress)
		}

		// Every value and index is under the new primary keys, by the raw
		// bytes and by the store's count.
		for table, cols := range map[string][]string{"persons": personEncColumns, "case_notes": {"body_enc"}} {
			if got := keysIn(t, db, table, cols...); len(got) != 1 || got[newKey] == 0 {
				t.Errorf("%s keys after re-encryption: %v, want only %d", table, got, newKey)
			}
		}
		if got := keysIn(t, db, "persons", personBidxColumns...); len(got) != 1 || got[newIndexKey] != indexes {
			t.Errorf("index keys after re-encryption: %v, want only %d", got, newIndexKey)
		}
		for c, key := range map[haven.Compartment]uint32{care: newKey, careIndex: newIndexKey} {
			usage, err := db.KeyUsage(sys, c)
			if err != nil || len(usage) != 1 || usage[key] == 0 {
				t.Fatalf("%s usage %v, %v", c, usage, err)
			}
			r, err := v.RetireUnusedKeys(sys, c, usage)
			if err != nil || len(r.Retired) != 1 {
				t.Fatalf("%s retirement: %+v, %v", c, r, err)
			}
		}
		for c, old := range map[haven.Compartment][]vault.Key{care: oldKeys, careIndex: oldIndexKeys} {
			keys, err := v.Keys(sys, c)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range keys {
				if k.ID == old[0].ID && k.Enabled {
					t.Errorf("%s: old key %d still enabled", c, k.ID)
				}
			}
		}

		// Everything reads back the same, on a fresh instance too, and the
		// search finds through the new indexes.
		for _, name := range []string{"rotating", "fresh"} {
			if name == "fresh" {
				reopenVault(t, db, keyFile)
			}
			got := snapshot(t, ctx, db, cases)
			for k, w := range want {
				if got[k] != w {
					t.Errorf("%s instance: %s = %q after rotation, want %q", name, k, got[k], w)
				}
			}
			found, err := db.FindCasesByIdentity(ctx, haven.IdentityQuery{GivenName: "given7", DateOfBirth: "2001-03-04"})
			if err != nil || !slices.Equal(caseIDs(found), []string{cases[7].ID}) {
				t.Errorf("%s instance: search after rotation found %v, %v", name, caseIDs(found), err)
			}
		}

		// A second pass finds nothing left to do.
		again, err := db.Reencrypt(sys, care, store.ReencryptOptions{})
		if err != nil || again.Resealed != 0 || again.Reindexed != 0 || again.Rows != 46 {
			t.Fatalf("second pass: %+v, %v", again, err)
		}
	})
}

func TestReencryptFillsMissingIndexes(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		db := open(t)
		fx := storetest.Seed(t, db)
		ctx := fx.As(context.Background(), haven.RoleFirstResponder)
		c := createWithPerson(t, ctx, db, &haven.Person{GivenName: "Amina", FamilyName: "Okafor"})
		// As stored before the blind-index migration.
		if _, err := db.Exec(context.Background(), `UPDATE persons SET given_name_bidx = NULL, family_name_bidx = NULL`); err != nil {
			t.Fatal(err)
		}
		if got, err := db.FindCasesByIdentity(ctx, haven.IdentityQuery{GivenName: "Amina"}); err != nil || len(got) != 0 {
			t.Fatalf("an unindexed row was found: %v, %v", got, err)
		}
		res, err := db.Reencrypt(context.Background(), haven.CompartmentCare, store.ReencryptOptions{})
		if err != nil || res.Reindexed != 1 || res.Resealed != 0 {
			t.Fatalf("pass: %+v, %v", res, err)
		}
		if got, err := db.FindCasesByIdentity(ctx, haven.IdentityQuery{GivenName: "Amina", FamilyName: "okafor"}); err != nil || len(got) != 1 || got[0].ID != c.ID {
			t.Fatalf("after the pass: found %v, %v", got, err)
		}
	})
}

func TestReencryptLeavesUnreadableValuesUnderTheirKey(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		db := open(t)
		v, _ := withVault(t, db)
		fx := storetest.Seed(t, db)
		ctx := fx.As(context.Background(), haven.RoleFirstResponder)
		sys := context.Background()
		a := createWithPerson(t, ctx, db, &haven.Person{GivenName: "Alpha", FamilyName: "One"})
		b := createWithPerson(t, ctx, db, &haven.Person{GivenName: "Beta", FamilyName: "Two"})
		// Move a's family name into b's row.
		if _, err := db.Exec(sys, `UPDATE persons SET family_name_enc = (SELECT family_name_enc FROM persons p2
			WHERE p2.id = (SELECT person_id FROM cases WHERE id = ?)) WHERE id = (SELECT person_id FROM cases WHERE id = ?)`, a.ID, b.ID); err != nil {
			t.Fatal(err)
		}
		old, err := v.PrimaryKeyID(sys, haven.CompartmentCare)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := v.AddPrimaryKey(sys, haven.CompartmentCare); err != nil {
			t.Fatal(err)
		}
		res, err := db.Reencrypt(sys, haven.CompartmentCare, store.ReencryptOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Unreadable) != 1 || !strings.HasSuffix(res.Unreadable[0], "/family_name") || !strings.HasPrefix(res.Unreadable[0], "persons/") {
			t.Fatalf("unreadable %v, want b's family name", res.Unreadable)
		}
		if res.Resealed != 3 {
			t.Fatalf("resealed %d values, want the 3 readable ones", res.Resealed)
		}
		usage, err := db.KeyUsage(sys, haven.CompartmentCare)
		if err != nil || usage[old] != 1 {
			t.Fatalf("usage %v, %v; want the moved value still under key %d", usage, err, old)
		}
		r, err := v.RetireUnusedKeys(sys, haven.CompartmentCare, usage)
		if err != nil || len(r.Retired) != 0 || r.InUse[old] != 1 {
			t.Fatalf("retirement %+v, %v: a key still named by a value was retired", r, err)
		}
		if _, err := db.FindPersonByCaseID(ctx, a.ID); err != nil {
			t.Fatalf("a's record: %v", err)
		}
	})
}

func TestReencryptWhileWritersWrite(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		db := open(t)
		v, _ := withVault(t, db)
		fx := storetest.Seed(t, db)
		ctx := fx.As(context.Background(), haven.RoleFirstResponder)
		sys := context.Background()
		var cases []*haven.Case
		for i := range 40 {
			cases = append(cases, createWithPerson(t, ctx, db, &haven.Person{GivenName: fmt.Sprint("Before", i)}))
		}
		newKey, err := v.AddPrimaryKey(sys, haven.CompartmentCare)
		if err != nil {
			t.Fatal(err)
		}

		stop := make(chan struct{})
		wrote := make(chan struct{}, 1)
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			written []*haven.Case
			werr    error
		)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				c := sampleCase()
				if err := db.CreateCase(ctx, c, &haven.Person{GivenName: fmt.Sprint("During", i)}); err != nil {
					mu.Lock()
					werr = err
					mu.Unlock()
					return
				}
				if err := db.AddNote(ctx, &haven.Note{CaseID: cases[i%len(cases)].ID, Body: fmt.Sprint("during ", i)}); err != nil {
					mu.Lock()
					werr = err
					mu.Unlock()
					return
				}
				mu.Lock()
				written = append(written, c)
				mu.Unlock()
				select {
				case wrote <- struct{}{}:
				default:
				}
			}
		}()
		// Each batch waits for a write, so writes land between batches
		// however fast the pass runs.
		_, err = db.Reencrypt(sys, haven.CompartmentCare, store.ReencryptOptions{BatchSize: 3, Progress: func(int, int) {
			select {
			case <-wrote:
			case <-time.After(10 * time.Second):
				t.Error("no concurrent write within 10 s")
			}
		}})
		close(stop)
		wg.Wait()
		if err != nil {
			t.Fatal(err)
		}
		if werr != nil {
			t.Fatalf("a writer failed during the pass: %v", werr)
		}
		if len(written) == 0 {
			t.Fatal("no write happened during the pass: the test proves nothing")
		}
		for i, c := range written {
			p, err := db.FindPersonByCaseID(ctx, c.ID)
			if err != nil || p.GivenName != fmt.Sprint("During", i) {
				t.Fatalf("case written during the pass: %+v, %v", p, err)
			}
		}
		notes := 0
		for _, c := range cases {
			ns, err := db.ListNotes(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			notes += len(ns)
		}
		if notes != len(written) {
			t.Fatalf("%d notes read back, %d written", notes, len(written))
		}
		if got := keysIn(t, db, "persons", personEncColumns...); len(got) != 1 || got[newKey] != 40+len(written) {
			t.Fatalf("person keys %v, want all %d under %d", got, 40+len(written), newKey)
		}
	})
}

func TestUpdateKeysetComparesAndSwaps(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		db := open(t)
		ctx := context.Background()
		c := haven.Compartment("test")
		if err := db.CreateKeyset(ctx, c, []byte("one")); err != nil {
			t.Fatal(err)
		}
		if err := db.UpdateKeyset(ctx, c, []byte("one"), []byte("two")); err != nil {
			t.Fatal(err)
		}
		if err := db.UpdateKeyset(ctx, c, []byte("one"), []byte("three")); haven.ErrorCode(err) != haven.ECONFLICT {
			t.Fatalf("a stale update: %v, want a conflict", err)
		}
		if err := db.UpdateKeyset(ctx, "missing", nil, []byte("x")); haven.ErrorCode(err) != haven.ECONFLICT {
			t.Fatalf("an update of a missing keyset: %v, want a conflict", err)
		}
		if got, err := db.LoadKeyset(ctx, c); err != nil || string(got) != "two" {
			t.Fatalf("keyset %q, %v", got, err)
		}
	})
}

func TestEveryEncryptedColumnIsRotated(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		db := open(t)
		ctx := context.Background()
		if err := db.CheckSealedColumns(ctx); err != nil {
			t.Fatal(err)
		}
		// A new encrypted column nobody told rotation about: rotating, or
		// counting key use for retirement, would be wrong, so both refuse.
		// (SQLite takes PostgreSQL's type name as it takes any.)
		if _, err := db.Exec(ctx, `ALTER TABLE case_notes ADD COLUMN summary_enc BYTEA`); err != nil {
			t.Fatal(err)
		}
		if err := db.CheckSealedColumns(ctx); err == nil || !strings.Contains(err.Error(), "case_notes.summary_enc") {
			t.Fatalf("CheckSealedColumns = %v, want case_notes.summary_enc named", err)
		}
		if _, err := db.Reencrypt(ctx, haven.CompartmentCare, store.ReencryptOptions{}); err == nil {
			t.Fatal("Reencrypt ran with an unlisted encrypted column")
		}
		if _, err := db.KeyUsage(ctx, haven.CompartmentCare); err == nil {
			t.Fatal("KeyUsage ran with an unlisted encrypted column")
		}
	})
}
