package server_test

import (
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
		e.do(haven.RoleFirstResponder, "PATCH", "/api/v1/cases/"+c.ID, map[string]any{"version": 1, "lifecycle_state": "screening"})
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
