package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/store"
	"github.com/haven-nrm/haven/store/storetest"
)

func TestAPICaseLifecycle(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		e := newEnv(t, open)
		st, body, h := e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases", validCase())
		if st != http.StatusCreated {
			t.Fatalf("create: %d %s", st, body)
		}
		c := decode[haven.Case](t, body)
		if h.Get("Location") != "/api/v1/cases/"+c.ID || c.Version != 1 || !c.Victim.TreatedAsChild() {
			t.Fatalf("created: %+v location %q", c, h.Get("Location"))
		}
		st, body, _ = e.do(haven.RoleFirstResponder, "GET", "/api/v1/cases/"+c.ID, nil)
		if st != 200 || decode[haven.Case](t, body).Reference != c.Reference {
			t.Fatalf("get: %d %s", st, body)
		}
		st, body, _ = e.do(haven.RoleFirstResponder, "GET", "/api/v1/cases/"+c.ID+"/person", nil)
		if st != 200 || decode[haven.Person](t, body).GivenName != "Lan" {
			t.Fatalf("person: %d %s", st, body)
		}
		// Update with the version read, then again with the stale one.
		upd := map[string]any{"version": 1, "victim": map[string]any{"gender": "female", "age_status": "declared", "age_at_encounter": 16,
			"nationality": "VN", "immigration_status": "irregular", "location_of_identification": "R-07"}}
		st, body, h = e.do(haven.RoleFirstResponder, "PATCH", "/api/v1/cases/"+c.ID, upd)
		if st != 200 || decode[haven.Case](t, body).Version != 2 || h.Get("ETag") != `"2"` {
			t.Fatalf("update: %d %s", st, body)
		}
		upd["type_of_exploitation"] = []string{"debt_bondage"}
		st, body, _ = e.do(haven.RoleFirstResponder, "PATCH", "/api/v1/cases/"+c.ID, upd)
		if st != http.StatusConflict {
			t.Fatalf("stale update: %d %s, want 409", st, body)
		}
		_, body, _ = e.do(haven.RoleFirstResponder, "GET", "/api/v1/cases/"+c.ID, nil)
		if got := decode[haven.Case](t, body); got.Victim.LocationOfIdentification != "R-07" || got.Version != 2 ||
			got.FormsOfExploitation[0] != "forced_labour" {
			t.Fatalf("a refused update changed the case: %+v", got)
		}
		// Notes.
		st, body, _ = e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases/"+c.ID+"/notes", map[string]string{"body": "Met at the bus station."})
		if st != http.StatusCreated {
			t.Fatalf("note: %d %s", st, body)
		}
		st, body, _ = e.do(haven.RoleFirstResponder, "GET", "/api/v1/cases/"+c.ID+"/notes", nil)
		if st != 200 || !strings.Contains(string(body), "bus station") {
			t.Fatalf("notes: %d %s", st, body)
		}
		// List with a filter.
		st, body, _ = e.do(haven.RoleFirstResponder, "GET", "/api/v1/cases?child=true&nationality=VN&limit=10", nil)
		list := decode[struct{ Cases []haven.Case }](t, body)
		if st != 200 || len(list.Cases) != 1 {
			t.Fatalf("list: %d %s", st, body)
		}
	})
}

func TestAPIBadInput(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite)
	withVictim := func(k string, v any) map[string]any {
		c := validCase()
		c["victim"].(map[string]any)[k] = v
		return c
	}
	with := func(k string, v any) map[string]any {
		c := validCase()
		c[k] = v
		return c
	}
	tests := []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"malformed JSON", `{"encountered_on": "2026-01-01",`, 400, "body"},
		{"not an object", `[1,2]`, 400, "body"},
		{"two objects", `{} {}`, 400, "body"},
		{"empty body", ``, 400, "body"},
		{"unknown field", with("favourite_colour", "blue"), 400, "favourite_colour"},
		{"unknown nested field", withVictim("shoe_size", 38), 400, "victim.shoe_size"},
		{"wrong type", withVictim("age_at_encounter", "sixteen"), 400, "victim.age_at_encounter"},
		{"wrong type array", with("type_of_exploitation", "forced_labour"), 400, "type_of_exploitation"},
		{"invalid date", with("encountered_on", "2026-02-30"), 400, "encountered_on"},
		{"invalid date format", with("encountered_on", "01/02/2026"), 400, "encountered_on"},
		{"future date", with("encountered_on", "2099-01-01"), 422, "encountered_on"},
		{"unknown enum", withVictim("gender", "unicorn"), 422, "victim.gender"},
		{"unknown form", with("type_of_exploitation", []string{"piracy"}), 422, "type_of_exploitation[0]"},
		{"bad country", withVictim("nationality", "Vietnam"), 422, "victim.nationality"},
		{"over-long code", withVictim("ethnicity", strings.Repeat("x", 65)), 422, "victim.ethnicity"},
		{"over-long name", with("person", map[string]any{"given_name": strings.Repeat("ñ", 201)}), 422, "person.given_name"},
		{"age out of range", withVictim("age_at_encounter", 300), 422, "victim.age_at_encounter"},
		{"missing date", with("encountered_on", nil), 422, "encountered_on"},
		{"body over 1 MiB", `{"events": [` + strings.Repeat(`{"type":"transit","country":"FR"},`, 40000) + `{}]}`, 413, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := countCases(t, e)
			st, body, h := e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases", tt.body)
			if st != tt.status {
				t.Fatalf("status %d, want %d: %s", st, tt.status, body)
			}
			if ct := h.Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("Content-Type %q", ct)
			}
			p := decode[problem](t, body)
			if tt.field != "" {
				found := false
				for _, f := range p.Errors {
					found = found || f.Field == tt.field
				}
				if !found {
					t.Fatalf("problem does not name %q: %s", tt.field, body)
				}
			}
			if countCases(t, e) != before {
				t.Fatal("a refused request wrote a case")
			}
		})
	}
	// Values never come back in errors.
	_, body, _ := e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases", withVictim("nationality", "Secretland"))
	if strings.Contains(string(body), "Secretland") {
		t.Fatalf("the error echoes the input: %s", body)
	}
	st, body, _ := e.do(haven.RoleFirstResponder, "GET", "/api/v1/cases?limit=0&gender=x&child=maybe&encountered_from=yesterday", nil)
	if st != 422 || len(decode[problem](t, body).Errors) != 4 {
		t.Fatalf("bad list query: %d %s", st, body)
	}
	st, body, _ = e.do(haven.RoleFirstResponder, "PATCH", "/api/v1/cases/nope", map[string]any{"version": 1})
	if st != 404 {
		t.Fatalf("update missing case: %d %s", st, body)
	}
}

func countCases(t testing.TB, e *env) int {
	var n int
	if err := e.db.QueryRow(context.Background(), "SELECT COUNT(*) FROM cases").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAPIAuthentication(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite)
	for _, auth := range []string{"", "Bearer hvn_notatoken", "Basic dXNlcjpwYXNz", "Bearer " + strings.Repeat("a", 500)} {
		req, _ := http.NewRequest("GET", e.ts.URL+"/api/v1/cases", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("auth %q: status %d", auth, resp.StatusCode)
		}
	}
}

func TestAPIFirewallAndScope(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		e := newEnv(t, open)
		_, body, _ := e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases", validCase())
		c := decode[haven.Case](t, body)
		missing := "0190d9b4-0000-7000-8000-000000000000"
		for _, role := range []haven.Role{haven.RoleImmigration, haven.RoleLawEnforcement, haven.RoleProsecutor,
			haven.RoleStatistician, haven.RoleAdministrator, haven.RoleServiceProvider, haven.RoleRapporteur} {
			for _, path := range []string{"/api/v1/cases/%s", "/api/v1/cases/%s/person", "/api/v1/cases/%s/notes"} {
				stReal, bodyReal, _ := e.do(role, "GET", fmt.Sprintf(path, c.ID), nil)
				stMissing, bodyMissing, _ := e.do(role, "GET", fmt.Sprintf(path, missing), nil)
				if stReal != 404 || stMissing != 404 {
					t.Errorf("%s GET %s: %d (missing: %d), want 404 for both", role, path, stReal, stMissing)
				}
				if strip(bodyReal) != strip(bodyMissing) {
					t.Errorf("%s: the answer for a hidden case differs from a missing one:\n%s\n%s", role, bodyReal, bodyMissing)
				}
			}
			st, _, _ := e.do(role, "PATCH", "/api/v1/cases/"+c.ID, map[string]any{"version": 1})
			if st != 404 {
				t.Errorf("%s PATCH: %d, want 404", role, st)
			}
		}
		for _, role := range []haven.Role{haven.RoleImmigration, haven.RoleStatistician, haven.RoleAdministrator, haven.RoleLawEnforcement} {
			if st, _, _ := e.do(role, "GET", "/api/v1/cases", nil); st != 403 {
				t.Errorf("%s list: %d, want 403", role, st)
			}
			if st, _, _ := e.do(role, "POST", "/api/v1/cases", validCase()); st != 403 {
				t.Errorf("%s create: %d, want 403", role, st)
			}
		}
		// The competent body reads every case but does not edit other
		// organisations' cases.
		if st, _, _ := e.do(haven.RoleCompetentBody, "GET", "/api/v1/cases/"+c.ID, nil); st != 200 {
			t.Errorf("competent body read: %d", st)
		}
		// A service provider of another organisation sees no case in its list.
		_, body, _ = e.do(haven.RoleServiceProvider, "GET", "/api/v1/cases", nil)
		if n := len(decode[struct{ Cases []haven.Case }](t, body).Cases); n != 0 {
			t.Errorf("service provider lists %d cases of another organisation", n)
		}
	})
}

// strip removes the per-request instance id from a problem body.
func strip(b []byte) string {
	s := string(b)
	if i := strings.Index(s, `"instance"`); i >= 0 {
		j := strings.Index(s[i:], ",")
		if j < 0 {
			j = strings.Index(s[i:], "}")
		}
		s = s[:i] + s[i+j:]
	}
	return s
}
