package server_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/store/storetest"
)

// strongAnswers observes every indicator of a list, from the served
// catalogue, which meets every dimension.
func strongAnswers(t *testing.T, e *env, listID string) map[string]string {
	t.Helper()
	st, body, _ := e.do(haven.RoleFirstResponder, "GET", "/api/v1/screening/catalogue", nil)
	if st != 200 {
		t.Fatalf("catalogue: %d", st)
	}
	var cat struct {
		Lists []struct {
			ID         string
			Indicators []struct {
				ID, Grade, Dimension string
			}
		}
	}
	if err := json.Unmarshal(body, &cat); err != nil {
		t.Fatalf("catalogue JSON: %v", err)
	}
	obs := map[string]string{}
	for _, l := range cat.Lists {
		if l.ID != listID {
			continue
		}
		for _, ind := range l.Indicators {
			obs[ind.ID] = "observed"
		}
	}
	if len(obs) == 0 {
		t.Fatalf("list %s has no indicators in the served catalogue: %.300s", listID, body)
	}
	return obs
}

func TestScreeningAPI(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite)
	_, body, _ := e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases", validCase())
	c := decode[haven.Case](t, body)
	answers := map[string]any{"list": "child-labour", "age": "child", "observations": strongAnswers(t, e, "child-labour")}

	st, body, _ := e.do(haven.RoleFirstResponder, "POST", "/api/v1/screening/evaluate", map[string]any{"answers": answers})
	if st != 200 || !strings.Contains(string(body), "refer-for-reasonable-grounds") {
		i := strings.Index(string(body), `"suggestion"`)
		t.Fatalf("evaluate: %d %.900s", st, string(body)[i:])
	}
	// On a case: without consent, refused and nothing stored.
	st, body, _ = e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases/"+c.ID+"/screenings", map[string]any{"answers": answers})
	if st != 422 || !strings.Contains(string(body), `"consent"`) || countRows(t, e, "screenings") != 0 {
		t.Fatalf("screening without consent: %d %s", st, body)
	}
	// A child: consent by the survivor alone is refused, naming the fields.
	st, body, _ = e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases/"+c.ID+"/screenings",
		map[string]any{"answers": answers, "consent": map[string]string{"given_by": "survivor", "method": "oral"}})
	if st != 422 || !strings.Contains(string(body), "consent.given_by") || !strings.Contains(string(body), "consent.child_view") {
		t.Fatalf("child screening consent by survivor: %d %s", st, body)
	}
	if countRows(t, e, "screenings") != 0 || countRows(t, e, "consents") != 0 {
		t.Fatal("a refused screening wrote rows")
	}
	st, body, _ = e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases/"+c.ID+"/screenings",
		map[string]any{"answers": answers, "consent": map[string]string{"given_by": "guardian", "child_view": "agrees", "method": "oral_with_interpreter"}})
	if st != 201 {
		t.Fatalf("record screening: %d %s", st, body)
	}
	_, body, _ = e.do(haven.RoleFirstResponder, "GET", "/api/v1/cases/"+c.ID+"/screenings", nil)
	if !strings.Contains(string(body), "refer-for-reasonable-grounds") || !strings.Contains(string(body), "catalogue_version") {
		t.Fatalf("list screenings: %.300s", body)
	}
	// Anonymous: kept with no case and no consent.
	st, body, _ = e.do(haven.RoleFirstResponder, "POST", "/api/v1/screenings/anonymous", map[string]any{"answers": answers})
	if st != 201 || !strings.Contains(string(body), `"anonymous":true`) || strings.Contains(string(body), c.ID) {
		t.Fatalf("anonymous screening: %d %s", st, body)
	}
	// The answers are sealed at rest: no indicator id in plaintext.
	for id := range strongAnswers(t, e, "child-labour") {
		for _, cell := range rawCells(t, e.db, "screenings") {
			if bytes.Contains(cell, []byte(id)) {
				t.Fatalf("indicator %s stored in plaintext", id)
			}
		}
	}
	// Bad answers are named.
	bad := map[string]any{"list": "child-labour", "age": "child", "observations": map[string]string{"no.such.indicator": "observed"}}
	st, body, _ = e.do(haven.RoleFirstResponder, "POST", "/api/v1/screening/evaluate", map[string]any{"answers": bad})
	if st != 422 || !strings.Contains(string(body), "no.such.indicator") {
		t.Fatalf("unknown indicator: %d %s", st, body)
	}
	st, _, _ = e.do(haven.RoleFirstResponder, "POST", "/api/v1/screening/evaluate", map[string]any{"answers": map[string]any{"list": "nope", "age": "adult"}})
	if st != 422 {
		t.Fatalf("unknown list: %d", st)
	}
	// Immigration does not screen and sees no screening.
	if st, _, _ := e.do(haven.RoleImmigration, "GET", "/api/v1/cases/"+c.ID+"/screenings", nil); st != 404 {
		t.Fatalf("immigration screenings: %d", st)
	}
	if st, _, _ := e.do(haven.RoleImmigration, "POST", "/api/v1/screening/evaluate", map[string]any{"answers": answers}); st != 403 {
		t.Fatalf("immigration evaluate: %d", st)
	}
}
