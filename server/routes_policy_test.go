package server_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/policy"
	"github.com/haven-nrm/haven/store"
	"github.com/haven-nrm/haven/store/storetest"
)

// TestEveryRouteEveryRole walks every route the server registers with
// every role and checks the answer is the policy's: allowed requests get
// past the check, denied ones 403, hidden ones 404 exactly like a missing
// record. A route added without a rule in policy.Routes stops the server
// from starting, so this test fails for it too.
func TestEveryRouteEveryRole(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		e := newEnv(t, open)
		ctx := context.Background()
		fx := e.fx
		// A case owned by the first responder's organisation, with a
		// residence-permit consent and request, so every route has a record.
		st, body, _ := e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases", validCase())
		if st != 201 {
			t.Fatalf("create: %d %s", st, body)
		}
		c := decode[haven.Case](t, body)
		consent := &haven.Consent{CaseID: c.ID, Purpose: haven.PurposeResidencePermit, Scope: []haven.ConsentScope{haven.ScopeIdentity},
			GivenBy: haven.GivenByGuardian, ChildView: "agrees", Method: "written"}
		if err := e.db.RecordConsent(fx.As(ctx, haven.RoleFirstResponder), consent); err != nil {
			t.Fatal(err)
		}
		permit, err := e.db.RequestPermit(fx.As(ctx, haven.RoleFirstResponder), c.ID, haven.PermitTemporary)
		if err != nil {
			t.Fatal(err)
		}
		finding := &haven.NonPunishmentFinding{CaseID: c.ID, DecidedOn: haven.DateOf(time.Now().AddDate(0, -1, 0)), DecidedBy: "Team",
			Offences: []haven.Offence{{Description: "x", Jurisdiction: "y", Date: haven.DateOf(time.Now().AddDate(0, -2, 0)), RecordNumber: "z"}}}
		if err := e.db.RecordNonPunishment(fx.As(ctx, haven.RoleFirstResponder), finding); err != nil {
			t.Fatal(err)
		}
		procedure := &haven.ProtectionProcedure{CaseID: c.ID, Kind: haven.ProtectionAsylum, LodgedOn: haven.DateOf(time.Now().AddDate(0, -1, 0))}
		if err := e.db.RecordProtection(fx.As(ctx, haven.RoleFirstResponder), procedure); err != nil {
			t.Fatal(err)
		}
		for pattern := range policy.Routes {
			if !slices.Contains(e.srv.Routes(), pattern) {
				t.Errorf("policy.Routes has a rule for %q, which the server does not register", pattern)
			}
		}
		routes := e.srv.Routes()
		// Logging out ends the session the page checks use: do it last.
		slices.SortStableFunc(routes, func(a, b string) int {
			return boolInt(a == "POST /logout") - boolInt(b == "POST /logout")
		})
		browsers := map[haven.Role]*browser{}
		csrf := map[haven.Role]string{}
		for _, role := range haven.Roles {
			browsers[role] = e.browser()
			csrf[role] = browsers[role].login(string(role), storetest.Password)
		}
		for _, route := range routes {
			method, pattern, _ := strings.Cut(route, " ")
			action := policy.Routes[route]
			path := strings.NewReplacer("{id}", c.ID, "{consent}", consent.ID, "{number}", "1", "{procedure}", procedure.ID, "{$}", "").Replace(pattern)
			if strings.HasPrefix(pattern, "/api/v1/permits/") {
				path = strings.ReplaceAll(pattern, "{id}", permit.ID)
			}
			if pattern == "/static/" {
				path = "/static/haven.css"
			}
			if action == policy.Public {
				st, _, _ := e.do("", method, path, bodyFor(method))
				// (403 is a forged form refused, which a public form may answer.)
				if st == 401 || st == 404 || st >= 500 {
					t.Errorf("%s: public route answered %d", route, st)
				}
				continue
			}
			for _, role := range haven.Roles {
				user := fx.Users[role]
				want := policy.Allow
				if action != policy.Authenticated {
					var rec *policy.Record
					if strings.Contains(pattern, "/cases/{id}") {
						rec = &policy.Record{OwnerOrganisationID: c.OwnerOrganisationID}
					}
					want = policy.Decide(user, action, rec)
				}
				var got int
				if strings.HasPrefix(pattern, "/api/") {
					got, _, _ = e.do(role, method, path, bodyFor(method))
				} else {
					got = browsers[role].status(method, path, csrf[role])
				}
				if !statusMatches(got, want) {
					t.Errorf("%s as %s: status %d, policy says %s", route, role, got, want)
				}
			}
		}
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func bodyFor(method string) any {
	if method == "POST" || method == "PATCH" {
		return "{}"
	}
	return nil
}

func statusMatches(status int, d policy.Decision) bool {
	switch d {
	case policy.Allow:
		return status != 401 && status != 403 && status != 404 && status < 500
	case policy.Deny:
		return status == 403
	}
	return status == 404
}

// status sends a page request (forms carry the session's CSRF token) and
// returns the status.
func (b *browser) status(method, path, csrf string) int {
	b.t.Helper()
	var resp *http.Response
	var err error
	if method == "GET" {
		resp, err = b.client.Get(b.base + path)
	} else {
		resp, err = b.client.PostForm(b.base+path, url.Values{"csrf_token": {csrf}})
	}
	if err != nil {
		b.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
