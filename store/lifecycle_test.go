package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/lifecycle"
	"github.com/haven-nrm/haven/store"
	"github.com/haven-nrm/haven/store/storetest"
)

// TestLifecycleRulesOnBothDatabases fires, through the store, each
// forbidden action of GR 38 the lifecycle guards against, and checks it is
// refused with its rule and changes nothing, on SQLite and PostgreSQL.
func TestLifecycleRulesOnBothDatabases(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		db := open(t)
		fx := storetest.Seed(t, db)
		ctx := context.Background()
		as := func(r haven.Role) context.Context { return fx.As(ctx, r) }
		newCase := func(child bool) *haven.Case {
			c := sampleCase()
			if child {
				c.Victim.AgeStatus, c.Victim.AgeAtEncounter = "unknown", nil
			}
			if err := db.CreateCase(as(haven.RoleFirstResponder), c, nil); err != nil {
				t.Fatal(err)
			}
			return c
		}
		fire := func(c *haven.Case, r haven.Role, req lifecycle.Request) error {
			t.Helper()
			cur, err := db.FindCaseByID(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = db.FireEvent(as(r), c.ID, cur.Version, req)
			return err
		}
		must := func(c *haven.Case, r haven.Role, req lifecycle.Request) {
			t.Helper()
			if err := fire(c, r, req); err != nil {
				t.Fatalf("%s by %s: %v", req.Event, r, err)
			}
		}
		refused := func(c *haven.Case, r haven.Role, req lifecycle.Request, code, rule string) {
			t.Helper()
			before, _ := db.FindCaseByID(ctx, c.ID)
			err := fire(c, r, req)
			if haven.ErrorCode(err) != code || !strings.Contains(haven.ErrorMessage(err), rule) {
				t.Fatalf("%s by %s: error %v, want %s naming %q", req.Event, r, err, code, rule)
			}
			after, _ := db.FindCaseByID(ctx, c.ID)
			if after.Version != before.Version || after.State != before.State {
				t.Fatalf("a refused %s changed the case", req.Event)
			}
		}
		team := func(members ...haven.Role) *lifecycle.Decision {
			d := &lifecycle.Decision{Reasons: "Indicators of trafficking for forced labour.", Evidence: []string{"screening"}}
			for _, r := range members {
				u := fx.Users[r]
				d.Members = append(d.Members, lifecycle.Member{UserID: u.ID, Role: r, Sector: u.Sector})
			}
			return d
		}
		// An adult is referred only with her consent (§79).
		adult := newCase(false)
		must(adult, haven.RoleFirstResponder, lifecycle.Request{Event: lifecycle.StartScreening})
		refused(adult, haven.RoleFirstResponder, lifecycle.Request{Event: lifecycle.Refer}, haven.ECONFLICT, "§79")
		k := &haven.Consent{CaseID: adult.ID, Purpose: haven.PurposeAssistanceReferral, RecipientOrganisationID: fx.Orgs[haven.SectorShelter].ID,
			Scope: []haven.ConsentScope{haven.ScopeCase}, GivenBy: haven.GivenBySurvivor, Method: "written"}
		if err := db.RecordConsent(as(haven.RoleFirstResponder), k); err != nil {
			t.Fatal(err)
		}
		must(adult, haven.RoleFirstResponder, lifecycle.Request{Event: lifecycle.Refer})
		// A decision by law enforcement and immigration alone (§78), or by
		// a role that does not decide.
		refused(adult, haven.RoleCompetentBody, lifecycle.Request{Event: lifecycle.ReasonableGroundsPositive,
			Decision: team(haven.RoleLawEnforcement, haven.RoleImmigration)}, haven.EINVALID, "§78")
		refused(adult, haven.RoleLawEnforcement, lifecycle.Request{Event: lifecycle.ReasonableGroundsPositive,
			Decision: team(haven.RoleCompetentBody, haven.RoleServiceProvider)}, haven.EFORBIDDEN, "")
		must(adult, haven.RoleCompetentBody, lifecycle.Request{Event: lifecycle.ReasonableGroundsPositive,
			Decision: team(haven.RoleCompetentBody, haven.RoleServiceProvider)})
		// No removal while the reflection period runs (§92).
		refused(adult, haven.RoleImmigration, lifecycle.Request{Event: lifecycle.RecordRemoval}, haven.ECONFLICT, "§92")
		// A return needs a risk assessment (§89).
		must(adult, haven.RoleCaseworker, lifecycle.Request{Event: lifecycle.RecordReturnWish})
		refused(adult, haven.RoleCaseworker, lifecycle.Request{Event: lifecycle.CloseReturned}, haven.ECONFLICT, "§89")
		// A transition not in the table.
		refused(adult, haven.RoleFirstResponder, lifecycle.Request{Event: lifecycle.StartScreening}, haven.ECONFLICT, "")

		// A child is never detained, and is returned only after a
		// best-interests determination and with a reintegration plan (§90, §96).
		child := newCase(true)
		refused(child, haven.RoleFirstResponder, lifecycle.Request{Event: lifecycle.RecordDetention}, haven.ECONFLICT, "§96")
		must(child, haven.RoleCaseworker, lifecycle.Request{Event: lifecycle.AppointGuardian})
		must(child, haven.RoleCaseworker, lifecycle.Request{Event: lifecycle.RecordReturnWish})
		must(child, haven.RoleCaseworker, lifecycle.Request{Event: lifecycle.RecordRiskAssessment})
		refused(child, haven.RoleCaseworker, lifecycle.Request{Event: lifecycle.CloseReturned}, haven.ECONFLICT, "§9")
	})
}
