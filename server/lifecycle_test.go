package server_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/store"
	"github.com/haven-nrm/haven/store/storetest"
)

func TestLifecycleThroughTheAPI(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		e := newEnv(t, open)
		_, body, _ := e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases", validCase())
		c := decode[haven.Case](t, body)
		fire := func(role haven.Role, event string, version int, extra map[string]any) (int, map[string]any) {
			t.Helper()
			in := map[string]any{"event": event, "version": version}
			for k, v := range extra {
				in[k] = v
			}
			st, body, _ := e.do(role, "POST", "/api/v1/cases/"+c.ID+"/events", in)
			var m map[string]any
			decodeInto(t, body, &m)
			return st, m
		}
		if st, m := fire(haven.RoleFirstResponder, "start_screening", 1, nil); st != 200 {
			t.Fatalf("start screening: %d %v\n%s", st, m, e.logs.String())
		}
		// Plain edits cannot move the stage.
		if st, _, _ := e.do(haven.RoleFirstResponder, "PATCH", "/api/v1/cases/"+c.ID, map[string]any{"version": 2, "lifecycle_state": "identified"}); st != 422 {
			t.Fatalf("PATCH lifecycle_state: %d, want 422", st)
		}
		// A transition not in the table is refused with its rule.
		st, m := fire(haven.RoleCaseworker, "close_integrated", 2, nil)
		if st != 409 || m["detail"] == "" {
			t.Fatalf("close from screening: %d %v", st, m)
		}
		if st, m := fire(haven.RoleFirstResponder, "refer", 2, nil); st != 200 {
			t.Fatalf("refer: %d %v", st, m)
		}
		// The competent body now has a reasonable-grounds decision due.
		_, body, _ = e.do(haven.RoleCompetentBody, "GET", "/api/v1/inbox", nil)
		if !strings.Contains(string(body), "reasonable_grounds_due") || !strings.Contains(string(body), c.Reference) {
			t.Fatalf("competent body inbox: %s", body)
		}
		// Law enforcement alone cannot decide (GR 38 §78).
		police := e.fx.Users[haven.RoleLawEnforcement]
		immigration := e.fx.Users[haven.RoleImmigration]
		bad := map[string]any{"decision": map[string]any{"reasons": "Indicators of forced labour.", "evidence": []string{"police report"}, "members": []map[string]any{
			{"user_id": police.ID, "role": "law_enforcement", "sector": "police"},
			{"user_id": immigration.ID, "role": "immigration", "sector": "immigration"}}}}
		st, m = fire(haven.RoleCompetentBody, "reasonable_grounds_positive", 3, bad)
		if st < 400 || !strings.Contains(strings.ToLower(m["detail"].(string)+errorsOf(m)), "78") {
			t.Fatalf("decision by enforcement alone: %d %v", st, m)
		}
		// The first responder cannot take the decision at all.
		good := map[string]any{"decision": map[string]any{"reasons": "Indicators of forced labour and debt.", "evidence": []string{"screening of 2026-02-01"}, "members": []map[string]any{
			{"user_id": e.fx.Users[haven.RoleCompetentBody].ID, "role": "competent_body", "sector": "social_services"},
			{"user_id": e.fx.Users[haven.RoleServiceProvider].ID, "role": "service_provider", "sector": "shelter"}}}}
		if st, m := fire(haven.RoleFirstResponder, "reasonable_grounds_positive", 3, good); st != 403 {
			t.Fatalf("decision by a first responder: %d %v", st, m)
		}
		// Two conflicting events on the same version: exactly one wins.
		var wg sync.WaitGroup
		results := make([]int, 2)
		for i, ev := range []string{"reasonable_grounds_positive", "reasonable_grounds_negative"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], _ = fire(haven.RoleCompetentBody, ev, 3, good)
			}()
		}
		wg.Wait()
		if !((results[0] == 200 && results[1] == 409) || (results[0] == 409 && results[1] == 200)) {
			t.Fatalf("conflicting events: %v, want one 200 and one 409", results)
		}
		_, body, _ = e.do(haven.RoleFirstResponder, "GET", "/api/v1/cases/"+c.ID+"/lifecycle", nil)
		if !strings.Contains(string(body), `"steps"`) || !strings.Contains(string(body), "refer") {
			t.Fatalf("lifecycle view: %.400s", body)
		}
		if st, _, _ := e.do(haven.RoleImmigration, "GET", "/api/v1/cases/"+c.ID+"/lifecycle", nil); st != 404 {
			t.Fatalf("immigration lifecycle: %d", st)
		}
		if st, _ := fire(haven.RoleImmigration, "record_removal", 4, nil); st != 404 {
			t.Fatalf("immigration fires an event: %d", st)
		}
	})
}

func errorsOf(m map[string]any) string {
	var b strings.Builder
	if errs, ok := m["errors"].([]any); ok {
		for _, e := range errs {
			if f, ok := e.(map[string]any); ok {
				b.WriteString(" " + f["field"].(string) + ": " + f["reason"].(string))
			}
		}
	}
	return b.String()
}

// TestChildGuardianAlert: a girl's case raises the guardian alert in her
// organisation's caseworkers' inbox from the moment it is opened (GR 38
// §96), and not in another organisation's.
func TestChildGuardianAlert(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite)
	_, body, _ := e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases", validCase())
	c := decode[haven.Case](t, body)
	_, body, _ = e.do(haven.RoleCaseworker, "GET", "/api/v1/inbox", nil)
	if !strings.Contains(string(body), "guardian_due") || !strings.Contains(string(body), c.Reference) {
		t.Fatalf("caseworker inbox: %s", body)
	}
	_, body, _ = e.do(haven.RoleServiceProvider, "GET", "/api/v1/inbox", nil)
	if strings.Contains(string(body), c.Reference) {
		t.Fatalf("another organisation's inbox shows the case: %s", body)
	}
	// An adult's case raises no guardian alert.
	adult := validCase()
	adult["victim"].(map[string]any)["age_at_encounter"] = 30
	_, body, _ = e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases", adult)
	a := decode[haven.Case](t, body)
	_, body, _ = e.do(haven.RoleCaseworker, "GET", "/api/v1/inbox", nil)
	if strings.Contains(string(body), a.Reference) {
		t.Fatalf("an adult's case raised a guardian alert: %s", body)
	}
	// Appointing a guardian clears it.
	if st, _, _ := e.do(haven.RoleCaseworker, "POST", "/api/v1/cases/"+c.ID+"/events", map[string]any{"event": "appoint_guardian", "version": 1}); st != 200 {
		t.Fatalf("appoint guardian: %d", st)
	}
	_, body, _ = e.do(haven.RoleCaseworker, "GET", "/api/v1/inbox", nil)
	if strings.Contains(string(body), "guardian_due") {
		t.Fatalf("the guardian alert stayed after the appointment: %s", body)
	}
}
