package server_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/store"
	"github.com/haven-nrm/haven/store/storetest"
)

func TestConsentOpensAndWithdrawalCloses(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		e := newEnv(t, open)
		_, body, _ := e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases", validCase())
		c := decode[haven.Case](t, body)
		shelter := e.fx.Users[haven.RoleServiceProvider]
		read := func(path string) int {
			st, _, _ := e.do(haven.RoleServiceProvider, "GET", "/api/v1/cases/"+c.ID+path, nil)
			return st
		}
		if st := read(""); st != 404 {
			t.Fatalf("shelter before consent: %d, want 404", st)
		}
		// A girl's consent must come from her guardian, with her view.
		bad := map[string]any{"purpose": "share_with_organisation", "recipient_organisation_id": shelter.OrganisationID,
			"scope": []string{"case", "notes"}, "given_by": "survivor", "method": "oral"}
		st, body, _ := e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases/"+c.ID+"/consents", bad)
		if st != 422 || !strings.Contains(string(body), "given_by") || !strings.Contains(string(body), "child_view") {
			t.Fatalf("child consent by the survivor alone: %d %s", st, body)
		}
		good := map[string]any{"purpose": "share_with_organisation", "recipient_organisation_id": shelter.OrganisationID,
			"scope": []string{"case", "notes"}, "given_by": "guardian", "child_view": "agrees", "method": "oral_with_interpreter"}
		st, body, _ = e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases/"+c.ID+"/consents", good)
		if st != 201 {
			t.Fatalf("record consent: %d %s", st, body)
		}
		k := decode[haven.Consent](t, body)
		if st := read(""); st != 200 {
			t.Fatalf("shelter with consent: %d", st)
		}
		if st := read("/notes"); st != 200 {
			t.Fatalf("shelter notes with consent: %d", st)
		}
		if st := read("/person"); st != 404 {
			t.Fatalf("shelter identity outside the consent's scope: %d, want 404", st)
		}
		if st, _, _ := e.do(haven.RoleServiceProvider, "PATCH", "/api/v1/cases/"+c.ID, map[string]any{"version": 1}); st != 404 {
			t.Fatalf("shelter update: %d, want 404", st)
		}
		// Another organisation's staff gain nothing from it.
		if st, _, _ := e.do(haven.RoleCaseworker, "GET", "/api/v1/cases/"+c.ID, nil); st != 200 {
			// The caseworker belongs to the same NGO as the first responder in
			// the fixture, so she reads it as the owner.
			t.Fatalf("owner organisation's caseworker: %d", st)
		}
		st, _, _ = e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases/"+c.ID+"/consents/"+k.ID+"/withdraw", "{}")
		if st != 200 {
			t.Fatalf("withdraw: %d", st)
		}
		// The very next request is refused.
		if st := read(""); st != 404 {
			t.Fatalf("shelter right after withdrawal: %d, want 404", st)
		}
		st, _, _ = e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases/"+c.ID+"/consents/"+k.ID+"/withdraw", "{}")
		if st != 409 {
			t.Fatalf("second withdrawal: %d, want 409", st)
		}
		_, body, _ = e.do(haven.RoleFirstResponder, "GET", "/api/v1/cases/"+c.ID+"/consents", nil)
		list := decode[struct{ Consents []haven.Consent }](t, body)
		if len(list.Consents) != 1 || list.Consents[0].WithdrawnAt == nil {
			t.Fatalf("the history must keep the withdrawn consent: %s", body)
		}
	})
}

func TestLawEnforcementSeesOnlyWhatWasConsented(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite)
	_, body, _ := e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases", validCase())
	c := decode[haven.Case](t, body)
	police := e.fx.Users[haven.RoleLawEnforcement]
	if st, _, _ := e.do(haven.RoleLawEnforcement, "GET", "/api/v1/cases/"+c.ID, nil); st != 404 {
		t.Fatalf("police without consent: %d", st)
	}
	expires := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	st, body, _ := e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases/"+c.ID+"/consents", map[string]any{
		"purpose": "law_enforcement", "recipient_organisation_id": police.OrganisationID, "scope": []string{"case"},
		"given_by": "guardian", "child_view": "agrees", "method": "written", "expires_at": expires})
	if st != 201 {
		t.Fatalf("consent: %d %s", st, body)
	}
	if st, _, _ := e.do(haven.RoleLawEnforcement, "GET", "/api/v1/cases/"+c.ID, nil); st != 200 {
		t.Fatalf("police with consent: %d", st)
	}
	for _, path := range []string{"/person", "/notes", "/consents", "/break-glass"} {
		if st, _, _ := e.do(haven.RoleLawEnforcement, "GET", "/api/v1/cases/"+c.ID+path, nil); st != 404 {
			t.Errorf("police %s: %d, want 404", path, st)
		}
	}
	if st, _, _ := e.do(haven.RoleProsecutor, "GET", "/api/v1/cases/"+c.ID, nil); st != 404 {
		t.Fatalf("the prosecutor used the police's consent: %d", st)
	}
}

func TestImmigrationFirewall(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		e := newEnv(t, open)
		in := validCase()
		in["person"] = map[string]any{"given_name": "Thandiwe", "family_name": "Moyo", "date_of_birth": "2009-03-04", "document_number": "ZW1234567"}
		_, body, _ := e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases", in)
		c := decode[haven.Case](t, body)
		e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases/"+c.ID+"/notes", map[string]string{"body": "Fears the recruiter's family in Harare."})
		// No consent yet: the request is refused and nothing reaches immigration.
		st, body, _ := e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases/"+c.ID+"/permits", map[string]string{"kind": "temporary_residence"})
		if st != 403 || countRows(t, e, "permit_requests") != 0 {
			t.Fatalf("permit without consent: %d %s", st, body)
		}
		e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases/"+c.ID+"/consents", map[string]any{
			"purpose": "residence_permit", "scope": []string{"identity"}, "given_by": "guardian", "child_view": "agrees", "method": "written"})
		st, body, _ = e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases/"+c.ID+"/permits", map[string]string{"kind": "temporary_residence"})
		if st != 201 {
			t.Fatalf("permit request: %d %s", st, body)
		}
		// Immigration sees the minimum, and nothing that links to the case.
		st, body, _ = e.do(haven.RoleImmigration, "GET", "/api/v1/permits?status=pending", nil)
		list := decode[struct{ Permits []haven.PermitRequest }](t, body)
		if st != 200 || len(list.Permits) != 1 || list.Permits[0].FamilyName != "Moyo" {
			t.Fatalf("immigration list: %d %s", st, body)
		}
		for _, leak := range []string{c.ID, c.Reference, "forced_labour", "irregular", "Harare", "age_at_encounter", "victim"} {
			if strings.Contains(string(body), leak) {
				t.Errorf("the permit request shows %q to immigration", leak)
			}
		}
		// Every route to case data answers as for a case that does not exist.
		missing := "0190d9b4-0000-7000-8000-000000000000"
		for _, path := range []string{"", "/person", "/notes", "/consents", "/permits", "/break-glass"} {
			stReal, bodyReal, _ := e.do(haven.RoleImmigration, "GET", "/api/v1/cases/"+c.ID+path, nil)
			stMissing, bodyMissing, _ := e.do(haven.RoleImmigration, "GET", "/api/v1/cases/"+missing+path, nil)
			if stReal != 404 || strip(bodyReal) != strip(bodyMissing) || stMissing != 404 {
				t.Errorf("immigration GET case%s: %d vs %d", path, stReal, stMissing)
			}
		}
		for _, q := range []string{"", "?nationality=VN", "?child=true"} {
			if st, _, _ := e.do(haven.RoleImmigration, "GET", "/api/v1/cases"+q, nil); st != 403 {
				t.Errorf("immigration search %q: %d, want 403", q, st)
			}
		}
		if st, _, _ := e.do(haven.RoleImmigration, "POST", "/api/v1/cases/"+c.ID+"/break-glass", map[string]string{"reason": "We urgently need to see this case file now."}); st != 404 {
			t.Errorf("immigration break-glass: %d, want 404", st)
		}
		// Decide, and the care side sees the outcome.
		permitID := list.Permits[0].ID
		st, body, _ = e.do(haven.RoleImmigration, "POST", "/api/v1/permits/"+permitID+"/decision", map[string]string{"status": "granted", "valid_until": "2027-12-31"})
		if st != 200 {
			t.Fatalf("decision: %d %s", st, body)
		}
		_, body, _ = e.do(haven.RoleFirstResponder, "GET", "/api/v1/cases/"+c.ID+"/permits", nil)
		if !strings.Contains(string(body), `"granted"`) || strings.Contains(string(body), "Moyo") {
			t.Fatalf("care side permit view: %s", body)
		}
		// The cryptographic half: serving immigration, the vault will not
		// open care data even when asked directly.
		ctx := haven.WithCompartments(haven.NewContextWithUser(context.Background(), e.fx.Users[haven.RoleImmigration]), haven.CompartmentImmigration)
		if _, err := e.db.FindPersonByCaseID(ctx, c.ID); err == nil {
			t.Fatal("the vault opened care data for an immigration request")
		}
		if _, err := e.db.ListNotes(ctx, c.ID); err == nil {
			t.Fatal("the vault opened a case note for an immigration request")
		}
		// And no plaintext identifying value sits in any table.
		for _, table := range []string{"persons", "permit_requests", "case_notes", "cases", "consents"} {
			for _, cell := range rawCells(t, e.db, table) {
				for _, secret := range []string{"Thandiwe", "Moyo", "2009-03-04", "ZW1234567", "Harare"} {
					if bytes.Contains(cell, []byte(secret)) {
						t.Errorf("table %s holds %q in plaintext", table, secret)
					}
				}
			}
		}
	})
}

func TestBreakGlass(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite)
	_, body, _ := e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases", validCase())
	c := decode[haven.Case](t, body)
	// The guardian's child-protection service is another organisation.
	if st, _, _ := e.do(haven.RoleGuardian, "GET", "/api/v1/cases/"+c.ID, nil); st != 404 {
		t.Fatalf("before break-glass: %d", st)
	}
	st, body, _ := e.do(haven.RoleGuardian, "POST", "/api/v1/cases/"+c.ID+"/break-glass", map[string]string{"reason": "urgent"})
	if st != 422 || !strings.Contains(string(body), "reason") {
		t.Fatalf("short reason: %d %s", st, body)
	}
	reason := "Police report the girl missing tonight; we must find her placement."
	st, body, _ = e.do(haven.RoleGuardian, "POST", "/api/v1/cases/"+c.ID+"/break-glass", map[string]string{"reason": reason})
	if st != 201 || strings.Contains(string(body), "placement") {
		t.Fatalf("break-glass: %d %s", st, body)
	}
	if st, _, _ := e.do(haven.RoleGuardian, "GET", "/api/v1/cases/"+c.ID, nil); st != 200 {
		t.Fatalf("during break-glass: %d", st)
	}
	if st, _, _ := e.do(haven.RoleGuardian, "PATCH", "/api/v1/cases/"+c.ID, map[string]any{"version": 1}); st != 404 {
		t.Fatalf("break-glass allowed a write: %d", st)
	}
	_, body, _ = e.do(haven.RoleFirstResponder, "GET", "/api/v1/cases/"+c.ID+"/break-glass", nil)
	if !strings.Contains(string(body), reason) || !strings.Contains(string(body), e.fx.Users[haven.RoleGuardian].ID) {
		t.Fatalf("the owner does not see the break-glass and its reason: %s", body)
	}
	// An hour later it has expired.
	e.db.Now = func() time.Time { return time.Now().UTC().Add(61 * time.Minute) }
	if st, _, _ := e.do(haven.RoleGuardian, "GET", "/api/v1/cases/"+c.ID, nil); st != 404 {
		t.Fatalf("after expiry: %d", st)
	}
	if n := countRows(t, e, "break_glass"); n != 1 {
		t.Fatalf("%d break-glass rows", n)
	}
	if strings.Contains(e.logs.String(), "placement") {
		t.Fatal("the break-glass reason reached the logs")
	}
}

func TestAdministratorManagesAccountsOnly(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite)
	st, body, _ := e.do(haven.RoleAdministrator, "POST", "/api/v1/organisations", map[string]string{"name": "Hope Clinic", "sector": "health"})
	if st != 201 {
		t.Fatalf("create organisation: %d %s", st, body)
	}
	org := decode[haven.Organisation](t, body)
	st, body, _ = e.do(haven.RoleAdministrator, "POST", "/api/v1/users", map[string]string{
		"username": "nurse.ana", "role": "first_responder", "organisation_id": org.ID, "password": "a long enough secret"})
	if st != 201 || strings.Contains(string(body), "secret") {
		t.Fatalf("create user: %d %s", st, body)
	}
	st, body, _ = e.do(haven.RoleAdministrator, "POST", "/api/v1/users", map[string]string{"username": "x", "role": "emperor", "password": "short"})
	if st != 422 || len(decode[problem](t, body).Errors) < 3 {
		t.Fatalf("bad user: %d %s", st, body)
	}
	for _, role := range []haven.Role{haven.RoleCaseworker, haven.RoleImmigration, haven.RoleStatistician} {
		if st, _, _ := e.do(role, "GET", "/api/v1/users", nil); st != 403 {
			t.Errorf("%s lists users: %d", role, st)
		}
	}
}

func countRows(t testing.TB, e *env, table string) int {
	var n int
	if err := e.db.QueryRow(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// rawCells returns every cell of a table as bytes, read straight from the
// database.
func rawCells(t testing.TB, db *store.DB, table string) [][]byte {
	rows, err := db.RawQuery(context.Background(), "SELECT * FROM "+table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]byte
	for rows.Next() {
		cells := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range cells {
			ptrs[i] = &cells[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, c := range cells {
			if b, ok := c.([]byte); ok {
				out = append(out, b)
			} else {
				out = append(out, []byte(fmt.Sprint(c)))
			}
		}
	}
	return out
}
