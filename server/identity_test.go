package server_test

import (
	"strings"
	"testing"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/store/storetest"
)

func TestIdentitySearch(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite)
	in := validCase()
	in["person"] = map[string]any{"given_name": "José", "family_name": "Quispe Mamani", "date_of_birth": "2008-02-29", "document_number": "BO-445 566"}
	_, body, _ := e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases", in)
	c := decode[haven.Case](t, body)
	// Other spellings that normalise the same find her.
	st, body, _ := e.do(haven.RoleFirstResponder, "POST", "/api/v1/identity-search", map[string]string{"given_name": "jose", "family_name": "QUISPE  MAMANI"})
	if st != 200 || !strings.Contains(string(body), c.ID) {
		t.Fatalf("search by name: %d %s", st, body)
	}
	st, body, _ = e.do(haven.RoleFirstResponder, "POST", "/api/v1/identity-search", map[string]string{"document_number": "bo445566"})
	if st != 200 || !strings.Contains(string(body), c.ID) {
		t.Fatalf("search by document: %d %s", st, body)
	}
	// Another organisation's caseworker learns nothing, not even a count.
	st, body, _ = e.do(haven.RoleServiceProvider, "POST", "/api/v1/identity-search", map[string]string{"document_number": "BO445566"})
	if st != 200 || strings.Contains(string(body), c.ID) || !strings.Contains(string(body), `"cases":[]`) {
		t.Fatalf("search by another organisation: %d %s", st, body)
	}
	// Immigration and the competent body cannot search.
	for _, role := range []haven.Role{haven.RoleImmigration, haven.RoleCompetentBody, haven.RoleLawEnforcement, haven.RoleStatistician} {
		if st, _, _ := e.do(role, "POST", "/api/v1/identity-search", map[string]string{"document_number": "BO445566"}); st != 403 {
			t.Errorf("%s search: %d, want 403", role, st)
		}
	}
	if st, _, _ := e.do(haven.RoleFirstResponder, "POST", "/api/v1/identity-search", map[string]string{}); st != 422 {
		t.Fatalf("empty query: %d", st)
	}
	// The query never reaches the logs.
	if strings.Contains(e.logs.String(), "Quispe") || strings.Contains(e.logs.String(), "445566") {
		t.Fatal("the search query reached the logs")
	}
	// The limit.
	limited := false
	for range 40 {
		if st, _, _ := e.do(haven.RoleCaseworker, "POST", "/api/v1/identity-search", map[string]string{"given_name": "x"}); st == 429 {
			limited = true
			break
		}
	}
	if !limited {
		t.Fatal("identity searches are not rate-limited")
	}
}
