package server_test

import (
	"strings"
	"testing"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/store"
	"github.com/haven-nrm/haven/store/storetest"
)

// TestAsylumAndStatelessnessAtOnce: both protections can run beside
// identification, and a pending one is a fact the lifecycle reads (no
// removal while it is pending, GR 38 §88).
func TestAsylumAndStatelessnessAtOnce(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		e := newEnv(t, open)
		_, body, _ := e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases", validCase())
		c := decode[haven.Case](t, body)
		base := "/api/v1/cases/" + c.ID + "/protection"
		if st, body, _ := e.do(haven.RoleFirstResponder, "POST", base, map[string]string{"kind": "refuge", "lodged_on": "2099-01-01"}); st != 422 ||
			!strings.Contains(string(body), `"kind"`) || !strings.Contains(string(body), `"lodged_on"`) {
			t.Fatalf("bad procedure: %d %s", st, body)
		}
		_, body, _ = e.do(haven.RoleFirstResponder, "POST", base, map[string]string{"kind": "asylum", "lodged_on": "2026-02-10"})
		asylum := decode[haven.ProtectionProcedure](t, body)
		if st, _, _ := e.do(haven.RoleFirstResponder, "POST", base, map[string]string{"kind": "statelessness", "lodged_on": "2026-02-11"}); st != 201 {
			t.Fatalf("second procedure: %d", st)
		}
		_, body, _ = e.do(haven.RoleFirstResponder, "GET", base, nil)
		if strings.Count(string(body), `"pending"`) != 2 {
			t.Fatalf("both procedures should be pending: %s", body)
		}
		_, body, _ = e.do(haven.RoleFirstResponder, "GET", "/api/v1/cases/"+c.ID+"/lifecycle", nil)
		if !strings.Contains(string(body), `"asylum_pending":true`) {
			t.Fatalf("the lifecycle does not see the pending procedure: %.300s", body)
		}
		st, body, _ := e.do(haven.RoleFirstResponder, "POST", base+"/"+asylum.ID+"/decision", map[string]string{"status": "granted", "decided_on": "2026-01-01"})
		if st != 422 || !strings.Contains(string(body), "decided_on") {
			t.Fatalf("decision before lodging: %d %s", st, body)
		}
		if st, _, _ := e.do(haven.RoleFirstResponder, "POST", base+"/"+asylum.ID+"/decision", map[string]string{"status": "granted", "decided_on": "2026-03-01"}); st != 200 {
			t.Fatalf("decision: %d", st)
		}
		if st, _, _ := e.do(haven.RoleFirstResponder, "POST", base+"/"+asylum.ID+"/decision", map[string]string{"status": "refused", "decided_on": "2026-03-02"}); st != 409 {
			t.Fatalf("second decision: %d", st)
		}
		if st, _, _ := e.do(haven.RoleImmigration, "GET", base, nil); st != 404 {
			t.Fatalf("immigration reads protection procedures: %d", st)
		}
	})
}
