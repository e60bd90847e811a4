package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/store"
	"github.com/haven-nrm/haven/store/storetest"
)

// TestAccessLogShowsWhoLookedAndWhy: a caseworker can show a survivor
// who looked at her record, why, and who was refused.
func TestAccessLogShowsWhoLookedAndWhy(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		e := newEnv(t, open)
		_, body, _ := e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases", validCase())
		c := decode[haven.Case](t, body)
		e.do(haven.RoleCompetentBody, "GET", "/api/v1/cases/"+c.ID, nil)
		e.do(haven.RoleImmigration, "GET", "/api/v1/cases/"+c.ID, nil)
		e.do(haven.RoleFirstResponder, "GET", "/api/v1/cases/"+c.ID+"/person", nil)
		e.do(haven.RoleFirstResponder, "PATCH", "/api/v1/cases/"+c.ID, map[string]any{"version": 1, "type_of_exploitation": []string{"begging"}})
		st, body, _ := e.do(haven.RoleFirstResponder, "GET", "/api/v1/cases/"+c.ID+"/access-log", nil)
		if st != 200 {
			t.Fatalf("access log: %d %s", st, body)
		}
		log := decode[struct {
			AccessLog []struct{ User, Action, Purpose, Outcome string } `json:"access_log"`
		}](t, body)
		var lines []string
		for _, l := range log.AccessLog {
			lines = append(lines, l.User+"|"+l.Action+"|"+l.Purpose+"|"+l.Outcome)
		}
		joined := strings.Join(lines, "\n")
		for _, want := range []string{
			"Test first_responder|case.create|case_management|allowed",
			"Test competent_body|case.read|identification|allowed",
			"Test immigration|case.read|case_management|refused",
			"Test first_responder|person.read|case_management|allowed",
			"Test first_responder|case.update|case_management|allowed",
		} {
			if !strings.Contains(joined, want) {
				t.Errorf("the access log lacks %q:\n%s", want, joined)
			}
		}
		// Only the owner organisation sees it.
		if st, _, _ := e.do(haven.RoleCompetentBody, "GET", "/api/v1/cases/"+c.ID+"/access-log", nil); st != 404 {
			t.Errorf("competent body access log: %d", st)
		}
		// Listing logs the cases shown.
		e.do(haven.RoleFirstResponder, "GET", "/api/v1/cases", nil)
		_, body, _ = e.do(haven.RoleFirstResponder, "GET", "/api/v1/cases/"+c.ID+"/access-log", nil)
		if !strings.Contains(string(body), "case.list") {
			t.Errorf("a list view is not logged: %s", body)
		}
	})
}

// TestTamperedCiphertextFailsClosedAndIsLogged moves one person's sealed
// name onto another's: reading it fails, shows nothing, and the failure is
// in the access log.
func TestTamperedCiphertextFailsClosedAndIsLogged(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		e := newEnv(t, open)
		a, b := validCase(), validCase()
		a["person"] = map[string]any{"given_name": "Nadia", "family_name": "Haddad"}
		b["person"] = map[string]any{"given_name": "Rania", "family_name": "Saleh"}
		_, body, _ := e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases", a)
		ca := decode[haven.Case](t, body)
		_, body, _ = e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases", b)
		cb := decode[haven.Case](t, body)
		if _, err := e.db.Exec(context.Background(), `UPDATE persons SET given_name_enc = (SELECT given_name_enc FROM persons
			WHERE id = (SELECT person_id FROM cases WHERE id = ?)) WHERE id = (SELECT person_id FROM cases WHERE id = ?)`, ca.ID, cb.ID); err != nil {
			t.Fatal(err)
		}
		st, body, _ := e.do(haven.RoleFirstResponder, "GET", "/api/v1/cases/"+cb.ID+"/person", nil)
		if st != 500 || strings.Contains(string(body), "Nadia") || strings.Contains(string(body), "Rania") {
			t.Fatalf("tampered read: %d %s", st, body)
		}
		_, body, _ = e.do(haven.RoleFirstResponder, "GET", "/api/v1/cases/"+cb.ID+"/access-log", nil)
		if !strings.Contains(string(body), `"outcome":"failed"`) {
			t.Fatalf("the failure is not in the access log: %s", body)
		}
		if strings.Contains(e.logs.String(), "Nadia") {
			t.Fatal("plaintext reached the logs")
		}
	})
}
