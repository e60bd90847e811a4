package store_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/store"
	"github.com/haven-nrm/haven/store/storetest"
)

func intp(i int) *int { return &i }

func sampleCase() *haven.Case {
	return &haven.Case{
		EncounteredOn: haven.DateOf(time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)),
		Victim: haven.VictimContext{
			Sex: "female", AgeStatus: "declared", AgeAtEncounter: intp(24), Disability: "none",
			Nationality: "NG", ImmigrationStatus: "irregular", SocioeconomicStatus: "low_income",
			LocationOfIdentification: "R-03", MethodOfRecruitment: "job_offer",
		},
		FormsOfExploitation: []string{"sexual_exploitation", "debt_bondage"},
		Events: []haven.Event{
			{Type: "recruitment", Country: "NG", Region: "Edo"},
			{Type: "exploitation", Country: "IT", FormOfExploitation: "sexual_exploitation",
				StartedOn: haven.DateOf(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))},
		},
	}
}

func countRows(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCaseRoundTrip(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		db := open(t)
		fx := storetest.Seed(t, db)
		ctx := fx.As(context.Background(), haven.RoleFirstResponder)
		c := sampleCase()
		p := &haven.Person{GivenName: "Amina", FamilyName: "Okafor", DateOfBirth: "2002-01-31", DocumentNumber: "A1234567"}
		if err := db.CreateCase(ctx, c, p); err != nil {
			t.Fatalf("CreateCase: %v", err)
		}
		if c.Version != 1 || c.ID == "" || !strings.HasPrefix(c.Reference, "HV-") {
			t.Fatalf("new case: version %d id %q reference %q", c.Version, c.ID, c.Reference)
		}
		if c.OwnerOrganisationID != fx.Users[haven.RoleFirstResponder].OrganisationID {
			t.Fatalf("owner = %s, want the creator's organisation", c.OwnerOrganisationID)
		}
		got, err := db.FindCaseByID(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(c, got); diff != "" {
			t.Fatalf("read back differs (-created +read):\n%s", diff)
		}
		gotP, err := db.FindPersonByCaseID(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(p, gotP); diff != "" {
			t.Fatalf("person differs:\n%s", diff)
		}
	})
}

func TestCaseNotFound(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		db := open(t)
		_, err := db.FindCaseByID(context.Background(), "0190d9b4-0000-7000-8000-000000000000")
		if haven.ErrorCode(err) != haven.ENOTFOUND {
			t.Fatalf("FindCaseByID(missing) error = %v, want not found", err)
		}
	})
}

func TestIdentifyingFieldsAreEncrypted(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		db := open(t)
		fx := storetest.Seed(t, db)
		ctx := fx.As(context.Background(), haven.RoleFirstResponder)
		c := sampleCase()
		secrets := []string{"Zainabu", "Mwangi-Otieno", "1999-12-24", "PX99887766", "+255700111222"}
		p := &haven.Person{GivenName: secrets[0], FamilyName: secrets[1], DateOfBirth: secrets[2], DocumentNumber: secrets[3], Contact: secrets[4]}
		if err := db.CreateCase(ctx, c, p); err != nil {
			t.Fatal(err)
		}
		note := &haven.Note{CaseID: c.ID, Body: "She said the recruiter kept her passport in Mombasa."}
		if err := db.AddNote(ctx, note); err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, "recruiter kept her passport")
		// The scan must see plain columns, or finding nothing proves nothing.
		if cells, _ := rawRows(db, "cases"); !containsCell(cells, "R-03") {
			t.Fatal("the raw scan does not see the plaintext region code: the check below would prove nothing")
		}
		// Read every column of every row as raw bytes and look for plaintext.
		for _, table := range []string{"persons", "case_notes", "cases", "case_events"} {
			rows, err := rawRows(db, table)
			if err != nil {
				t.Fatal(err)
			}
			for _, cell := range rows {
				for _, s := range secrets {
					if bytes.Contains(cell, []byte(s)) {
						t.Errorf("table %s holds plaintext %q", table, s)
					}
				}
			}
		}
		notes, err := db.ListNotes(ctx, c.ID)
		if err != nil || len(notes) != 1 || notes[0].Body != note.Body {
			t.Fatalf("ListNotes = %v, %v", notes, err)
		}
	})
}

// rawRows returns every cell of a table as bytes.
func rawRows(db *store.DB, table string) ([][]byte, error) {
	var out [][]byte
	err := scanAll(db, table, func(cells []any) {
		for _, c := range cells {
			switch v := c.(type) {
			case []byte:
				out = append(out, v)
			case string:
				out = append(out, []byte(v))
			default:
				out = append(out, []byte(fmt.Sprint(v)))
			}
		}
	})
	return out, err
}

func TestMovedCiphertextFailsClosed(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		db := open(t)
		fx := storetest.Seed(t, db)
		ctx := fx.As(context.Background(), haven.RoleFirstResponder)
		a, b := sampleCase(), sampleCase()
		if err := db.CreateCase(ctx, a, &haven.Person{GivenName: "Alpha", FamilyName: "One"}); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateCase(ctx, b, &haven.Person{GivenName: "Beta", FamilyName: "Two"}); err != nil {
			t.Fatal(err)
		}
		// Copy a's given name over b's family name: another field, another row.
		if _, err := db.Exec(context.Background(), `UPDATE persons SET family_name_enc = (SELECT given_name_enc FROM persons p2
			WHERE p2.id = (SELECT person_id FROM cases WHERE id = ?)) WHERE id = (SELECT person_id FROM cases WHERE id = ?)`, a.ID, b.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.FindPersonByCaseID(ctx, b.ID); err == nil {
			t.Fatal("a ciphertext moved to another row and field decrypted")
		}
		// a's own record still opens.
		if _, err := db.FindPersonByCaseID(ctx, a.ID); err != nil {
			t.Fatalf("untouched record: %v", err)
		}
	})
}

func TestInvalidCaseWritesNothing(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		db := open(t)
		fx := storetest.Seed(t, db)
		ctx := fx.As(context.Background(), haven.RoleFirstResponder)
		c := sampleCase()
		c.Victim.Sex = "unicorn"
		c.Victim.Nationality = "Nigeria"
		c.FormsOfExploitation = []string{"sexual_exploitation", "space_piracy"}
		c.Events[0].Country = ""
		err := db.CreateCase(ctx, c, &haven.Person{GivenName: "X"})
		if haven.ErrorCode(err) != haven.EINVALID {
			t.Fatalf("error = %v, want invalid", err)
		}
		var fields []string
		for _, f := range haven.ErrorFields(err) {
			fields = append(fields, f.Field)
		}
		want := []string{"victim.gender", "victim.nationality", "type_of_exploitation[1]", "events[0].country"}
		if diff := cmp.Diff(want, fields); diff != "" {
			t.Fatalf("bad fields (-want +got):\n%s", diff)
		}
		for _, table := range []string{"cases", "persons", "case_forms", "case_events"} {
			if n := countRows(t, db, table); n != 0 {
				t.Errorf("%s has %d rows after a refused create", table, n)
			}
		}
	})
}

func TestCreateCaseIsOneTransaction(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		db := open(t)
		fx := storetest.Seed(t, db)
		ctx := fx.As(context.Background(), haven.RoleFirstResponder)
		// An owner organisation that does not exist fails the case insert
		// after the person row was written: the person must not remain.
		c := sampleCase()
		c.OwnerOrganisationID = "0190d9b4-0000-7000-8000-00000000dead"
		if err := db.CreateCase(ctx, c, &haven.Person{GivenName: "X"}); err == nil {
			t.Fatal("case with a missing owner organisation was stored")
		}
		if n := countRows(t, db, "persons"); n != 0 {
			t.Fatalf("persons has %d rows after a failed create: not one transaction", n)
		}
	})
}

func TestUpdateCaseVersioning(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		db := open(t)
		fx := storetest.Seed(t, db)
		ctx := fx.As(context.Background(), haven.RoleFirstResponder)
		c := sampleCase()
		if err := db.CreateCase(ctx, c, nil); err != nil {
			t.Fatal(err)
		}
		state := haven.StateScreening
		forms := []string{"forced_labour"}
		got, err := db.UpdateCase(ctx, c.ID, haven.CaseUpdate{Version: 1, State: &state, FormsOfExploitation: &forms})
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != 2 || got.State != state || !cmp.Equal(got.FormsOfExploitation, forms) || len(got.Events) != 2 {
			t.Fatalf("after update: %+v", got)
		}
		// Stale: carries version 1 again.
		closed := haven.StatusClosed
		_, err = db.UpdateCase(ctx, c.ID, haven.CaseUpdate{Version: 1, Status: &closed})
		if haven.ErrorCode(err) != haven.ECONFLICT {
			t.Fatalf("stale update error = %v, want conflict", err)
		}
		again, _ := db.FindCaseByID(ctx, c.ID)
		if diff := cmp.Diff(got, again); diff != "" {
			t.Fatalf("a stale update changed the case:\n%s", diff)
		}
		// Invalid: nothing changes, version stays.
		bad := "somewhere"
		_, err = db.UpdateCase(ctx, c.ID, haven.CaseUpdate{Version: 2, Victim: &haven.VictimContext{Nationality: bad}})
		if haven.ErrorCode(err) != haven.EINVALID {
			t.Fatalf("invalid update error = %v", err)
		}
		again, _ = db.FindCaseByID(ctx, c.ID)
		if again.Version != 2 {
			t.Fatalf("invalid update bumped the version to %d", again.Version)
		}
		if _, err := db.UpdateCase(ctx, c.ID, haven.CaseUpdate{}); haven.ErrorCode(err) != haven.EINVALID {
			t.Fatalf("update without version: %v", err)
		}
	})
}

func TestConcurrentUpdatesExactlyOneWins(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		db := open(t)
		fx := storetest.Seed(t, db)
		ctx := fx.As(context.Background(), haven.RoleFirstResponder)
		c := sampleCase()
		if err := db.CreateCase(ctx, c, nil); err != nil {
			t.Fatal(err)
		}
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				region := fmt.Sprintf("R-%d", i)
				v := c.Victim
				v.LocationOfIdentification = region
				_, errs[i] = db.UpdateCase(ctx, c.ID, haven.CaseUpdate{Version: 1, Victim: &v})
			}()
		}
		wg.Wait()
		wins := 0
		for _, err := range errs {
			switch haven.ErrorCode(err) {
			case "":
				wins++
			case haven.ECONFLICT:
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		if wins != 1 {
			t.Fatalf("%d concurrent updates of version 1 succeeded, want exactly 1", wins)
		}
	})
}

func TestFindCasesFiltersAndPages(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		db := open(t)
		fx := storetest.Seed(t, db)
		ctx := fx.As(context.Background(), haven.RoleFirstResponder)
		var girls []string
		for i := range 25 {
			c := sampleCase()
			if i%3 == 0 {
				c.Victim.AgeAtEncounter = intp(15)
				c.FormsOfExploitation = []string{"forced_marriage"}
			}
			if i%5 == 0 {
				c.Victim.AgeStatus, c.Victim.AgeAtEncounter = "unknown", nil // treated as a child
			}
			if err := db.CreateCase(ctx, c, nil); err != nil {
				t.Fatal(err)
			}
			if c.Victim.TreatedAsChild() {
				girls = append(girls, c.ID)
			}
		}
		// Page through children, 4 at a time, adding a case between pages:
		// pages must neither skip nor repeat.
		var seen []string
		f := haven.CaseFilter{ChildOnly: true, Limit: 4}
		for {
			page, next, err := db.FindCases(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range page {
				seen = append(seen, c.ID)
			}
			if next == "" {
				break
			}
			f.After = next
			if err := db.CreateCase(ctx, sampleCase(), nil); err != nil { // an adult: not in this list
				t.Fatal(err)
			}
		}
		if diff := cmp.Diff(girls, seen); diff != "" {
			t.Fatalf("paged children differ:\n%s", diff)
		}
		page, _, err := db.FindCases(ctx, haven.CaseFilter{FormOfExploitation: "forced_marriage", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) != 9 {
			t.Fatalf("forced_marriage: %d cases, want 9", len(page))
		}
		for _, c := range page {
			if !cmp.Equal(c.FormsOfExploitation, []string{"forced_marriage"}) {
				t.Fatalf("filtered case has forms %v", c.FormsOfExploitation)
			}
		}
		if _, _, err := db.FindCases(ctx, haven.CaseFilter{Sex: "robot", Limit: 1000}); haven.ErrorCode(err) != haven.EINVALID || len(haven.ErrorFields(err)) != 2 {
			t.Fatalf("bad filter error = %v", err)
		}
	})
}

func TestUsersAndLogin(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		db := open(t)
		fx := storetest.Seed(t, db)
		ctx := context.Background()
		s, err := db.Login(ctx, "Caseworker", storetest.Password)
		if err != nil {
			t.Fatalf("login: %v", err)
		}
		u, sess, err := db.AuthenticateSession(ctx, s.Token)
		if err != nil || u.ID != fx.Users[haven.RoleCaseworker].ID || sess.CSRFToken != s.CSRFToken || u.Sector != haven.SectorNGO {
			t.Fatalf("authenticate session: %+v %+v %v", u, sess, err)
		}
		if err := db.Logout(ctx, s.Token); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.AuthenticateSession(ctx, s.Token); haven.ErrorCode(err) != haven.EUNAUTHORIZED {
			t.Fatalf("session after logout: %v", err)
		}
		if _, err := db.Login(ctx, "caseworker", "wrong password!!"); haven.ErrorCode(err) != haven.EUNAUTHORIZED {
			t.Fatalf("wrong password: %v", err)
		}
		_, errUnknown := db.Login(ctx, "nobody", "wrong password!!")
		if haven.ErrorMessage(errUnknown) != "Wrong username or password." {
			t.Fatalf("unknown user message %q must equal the wrong-password one", haven.ErrorMessage(errUnknown))
		}
		// Duplicate username.
		dup := &haven.User{Username: "caseworker", Role: haven.RoleCaseworker, OrganisationID: fx.Users[haven.RoleCaseworker].OrganisationID}
		if err := db.CreateUser(ctx, dup, storetest.Password); haven.ErrorCode(err) != haven.ECONFLICT {
			t.Fatalf("duplicate user: %v", err)
		}
		if err := db.CreateUser(ctx, &haven.User{Username: "x y", Role: "king"}, "short"); haven.ErrorCode(err) != haven.EINVALID || len(haven.ErrorFields(err)) != 3 {
			t.Fatalf("invalid user: %v", err)
		}
	})
}

func TestLockoutWithBackoff(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		db := open(t)
		storetest.Seed(t, db)
		ctx := context.Background()
		clock := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return clock }
		for i := 0; i < 5; i++ {
			if _, err := db.Login(ctx, "guardian", "not the password"); haven.ErrorCode(err) != haven.EUNAUTHORIZED {
				t.Fatalf("failure %d: %v", i, err)
			}
		}
		// Locked now, even with the right password.
		if _, err := db.Login(ctx, "guardian", storetest.Password); haven.ErrorCode(err) != haven.ETOOMANY {
			t.Fatalf("locked login: %v", err)
		}
		clock = clock.Add(31 * time.Second)
		// One more failure after the first lock doubles it to 60 s.
		if _, err := db.Login(ctx, "guardian", "still wrong pw"); haven.ErrorCode(err) != haven.EUNAUTHORIZED {
			t.Fatalf("after first lock: %v", err)
		}
		clock = clock.Add(45 * time.Second)
		if _, err := db.Login(ctx, "guardian", storetest.Password); haven.ErrorCode(err) != haven.ETOOMANY {
			t.Fatalf("second lock should last 60 s: %v", err)
		}
		clock = clock.Add(16 * time.Second)
		if _, err := db.Login(ctx, "guardian", storetest.Password); err != nil {
			t.Fatalf("after the lock: %v", err)
		}
		// Success resets the count.
		if _, err := db.Login(ctx, "guardian", "wrong once more"); haven.ErrorCode(err) != haven.EUNAUTHORIZED {
			t.Fatal(err)
		}
		if _, err := db.Login(ctx, "guardian", storetest.Password); err != nil {
			t.Fatalf("one failure after a reset locked the account: %v", err)
		}
	})
}

func TestTokensAndDisable(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		db := open(t)
		fx := storetest.Seed(t, db)
		ctx := context.Background()
		tok, err := db.CreateToken(ctx, "caseworker", "ci", 0)
		if err != nil {
			t.Fatal(err)
		}
		u, err := db.AuthenticateToken(ctx, tok)
		if err != nil || u.ID != fx.Users[haven.RoleCaseworker].ID {
			t.Fatalf("token: %v %v", u, err)
		}
		var stored string
		db.QueryRow(ctx, "SELECT token_hash FROM api_tokens").Scan(&stored)
		if strings.Contains(stored, tok) || len(stored) != 64 {
			t.Fatalf("token stored as %q: want a SHA-256 hash", stored)
		}
		short, _ := db.CreateToken(ctx, "caseworker", "short", time.Minute)
		db.Now = func() time.Time { return time.Now().Add(2 * time.Minute) }
		if _, err := db.AuthenticateToken(ctx, short); haven.ErrorCode(err) != haven.EUNAUTHORIZED {
			t.Fatalf("expired token: %v", err)
		}
		db.Now = func() time.Time { return time.Now().UTC() }
		s, _ := db.Login(ctx, "caseworker", storetest.Password)
		if err := db.SetUserDisabled(ctx, "caseworker", true); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AuthenticateToken(ctx, tok); haven.ErrorCode(err) != haven.EUNAUTHORIZED {
			t.Fatalf("token of a disabled user: %v", err)
		}
		if _, _, err := db.AuthenticateSession(ctx, s.Token); haven.ErrorCode(err) != haven.EUNAUTHORIZED {
			t.Fatalf("session of a disabled user: %v", err)
		}
		if _, err := db.Login(ctx, "caseworker", storetest.Password); haven.ErrorCode(err) != haven.EUNAUTHORIZED {
			t.Fatalf("login of a disabled user: %v", err)
		}
		if err := db.SetUserDisabled(ctx, "nobody", true); haven.ErrorCode(err) != haven.ENOTFOUND {
			t.Fatalf("disable unknown user: %v", err)
		}
	})
}

func TestSchemaCheck(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "h.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CheckSchema(ctx); err == nil || !strings.Contains(err.Error(), "haven migrate") {
		t.Fatalf("CheckSchema on an empty database = %v, want a 'run haven migrate' error", err)
	}
	if n, err := db.Migrate(ctx); err != nil || n == 0 {
		t.Fatalf("Migrate = %d, %v", n, err)
	}
	if err := db.CheckSchema(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := db.Migrate(ctx); err != nil || n != 0 {
		t.Fatalf("second Migrate = %d, %v; want 0, nil", n, err)
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	for _, dsn := range []string{
		filepath.Join(t.TempDir(), "missing-folder", "h.db"),
		"postgres://nobody@127.0.0.1:1/none?connect_timeout=2",
	} {
		if _, err := store.Open(ctx, dsn); err == nil {
			t.Errorf("Open(%q) succeeded", dsn)
		}
	}
	_, err := store.Open(ctx, "postgres://user:s3cret@127.0.0.1:1/none?connect_timeout=2")
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("error %v must not show the password", err)
	}
}

func containsCell(cells [][]byte, s string) bool {
	for _, c := range cells {
		if bytes.Contains(c, []byte(s)) {
			return true
		}
	}
	return false
}
