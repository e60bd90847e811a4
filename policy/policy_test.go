package policy

import (
	"slices"
	"testing"
	"time"

	"github.com/haven-nrm/haven"
)

func TestDecide(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	user := func(r haven.Role, org string) *haven.User { return &haven.User{Role: r, OrganisationID: org} }
	consent := func(p haven.ConsentPurpose, org string, scope ...haven.ConsentScope) *haven.Consent {
		return &haven.Consent{Purpose: p, RecipientOrganisationID: org, Scope: scope, GivenAt: now.Add(-time.Hour)}
	}
	withdrawn := consent(haven.PurposeShareWithOrg, "shelter", haven.ScopeCase)
	w := now.Add(-time.Second)
	withdrawn.WithdrawnAt = &w
	expired := consent(haven.PurposeLawEnforcement, "police", haven.ScopeCase)
	expired.ExpiresAt = &w

	own := &Record{OwnerOrganisationID: "ngo", Now: now}
	shared := &Record{OwnerOrganisationID: "ngo", Now: now, Consents: []*haven.Consent{
		consent(haven.PurposeShareWithOrg, "shelter", haven.ScopeCase, haven.ScopeNotes),
		consent(haven.PurposeLawEnforcement, "police", haven.ScopeCase),
	}}
	gone := &Record{OwnerOrganisationID: "ngo", Now: now, Consents: []*haven.Consent{withdrawn, expired}}
	glass := &Record{OwnerOrganisationID: "ngo", Now: now, BreakGlass: true}
	tests := []struct {
		name   string
		user   *haven.User
		action Action
		rec    *Record
		want   Decision
	}{
		{"responder creates", user(haven.RoleFirstResponder, "ngo"), CaseCreate, nil, Allow},
		{"responder reads own", user(haven.RoleFirstResponder, "ngo"), CaseRead, own, Allow},
		{"responder reads identity of own", user(haven.RoleFirstResponder, "ngo"), PersonRead, own, Allow},
		{"caseworker of another org", user(haven.RoleCaseworker, "other"), CaseRead, own, Hide},
		{"shelter with consent reads case", user(haven.RoleServiceProvider, "shelter"), CaseRead, shared, Allow},
		{"shelter with consent reads notes", user(haven.RoleServiceProvider, "shelter"), NoteRead, shared, Allow},
		{"shelter consent excludes identity", user(haven.RoleServiceProvider, "shelter"), PersonRead, shared, Hide},
		{"shelter consent does not allow update", user(haven.RoleServiceProvider, "shelter"), CaseUpdate, shared, Hide},
		{"consent names another recipient", user(haven.RoleServiceProvider, "elsewhere"), CaseRead, shared, Hide},
		{"withdrawn consent", user(haven.RoleServiceProvider, "shelter"), CaseRead, gone, Hide},
		{"police with consent", user(haven.RoleLawEnforcement, "police"), CaseRead, shared, Allow},
		{"police consent excludes notes", user(haven.RoleLawEnforcement, "police"), NoteRead, shared, Hide},
		{"police expired consent", user(haven.RoleLawEnforcement, "police"), CaseRead, gone, Hide},
		{"police without consent", user(haven.RoleLawEnforcement, "police"), CaseRead, own, Hide},
		{"prosecutor cannot use the police's consent", user(haven.RoleProsecutor, "prosecution"), CaseRead, shared, Hide},
		{"police cannot list", user(haven.RoleLawEnforcement, "police"), CaseList, nil, Deny},
		{"competent body reads any case", user(haven.RoleCompetentBody, "mdt"), CaseRead, own, Allow},
		{"competent body not identity", user(haven.RoleCompetentBody, "mdt"), PersonRead, own, Hide},
		{"competent body not update", user(haven.RoleCompetentBody, "mdt"), CaseUpdate, own, Hide},
		{"immigration never reads a case", user(haven.RoleImmigration, "ngo"), CaseRead, shared, Hide},
		{"immigration never reads identity", user(haven.RoleImmigration, "imm"), PersonRead, shared, Hide},
		{"immigration cannot break glass", user(haven.RoleImmigration, "imm"), BreakGlassCreate, own, Hide},
		{"immigration lists permits", user(haven.RoleImmigration, "imm"), PermitList, nil, Allow},
		{"immigration decides permits", user(haven.RoleImmigration, "imm"), PermitDecide, nil, Allow},
		{"caseworker cannot decide permits", user(haven.RoleCaseworker, "ngo"), PermitDecide, nil, Deny},
		{"caseworker requests a permit", user(haven.RoleCaseworker, "ngo"), PermitRequest, own, Allow},
		{"administrator manages users", user(haven.RoleAdministrator, "gov"), UserCreate, nil, Allow},
		{"administrator never reads a case", user(haven.RoleAdministrator, "ngo"), CaseRead, own, Hide},
		{"statistician cannot list cases", user(haven.RoleStatistician, "stats"), CaseList, nil, Deny},
		{"statistician never reads a case", user(haven.RoleStatistician, "stats"), CaseRead, shared, Hide},
		{"caseworker cannot manage users", user(haven.RoleCaseworker, "ngo"), UserCreate, nil, Deny},
		{"break glass reads", user(haven.RoleCaseworker, "other"), CaseRead, glass, Allow},
		{"break glass reads identity", user(haven.RoleCaseworker, "other"), PersonRead, glass, Allow},
		{"break glass does not write", user(haven.RoleCaseworker, "other"), CaseUpdate, glass, Hide},
		{"break glass into another org", user(haven.RoleCaseworker, "other"), BreakGlassCreate, own, Allow},
		{"no break glass into one's own", user(haven.RoleCaseworker, "ngo"), BreakGlassCreate, own, Deny},
		{"owner sees break glass list", user(haven.RoleCaseworker, "ngo"), BreakGlassList, own, Allow},
		{"owner records consent", user(haven.RoleGuardian, "ngo"), ConsentRecord, own, Allow},
		{"shelter cannot record consent", user(haven.RoleServiceProvider, "shelter"), ConsentRecord, shared, Hide},
		{"unknown action", user(haven.RoleFirstResponder, "ngo"), Action("case.delete"), own, Deny},
		{"statistician reads statistics", user(haven.RoleStatistician, "stats"), StatisticsRead, nil, Allow},
		{"rapporteur reads statistics", user(haven.RoleRapporteur, "rapporteur"), StatisticsRead, nil, Allow},
		{"administrator reads statistics", user(haven.RoleAdministrator, "gov"), StatisticsRead, nil, Allow},
		{"caseworker cannot read statistics", user(haven.RoleCaseworker, "ngo"), StatisticsRead, nil, Deny},
		{"competent body cannot read statistics", user(haven.RoleCompetentBody, "mdt"), StatisticsRead, nil, Deny},
		{"immigration cannot read statistics", user(haven.RoleImmigration, "imm"), StatisticsRead, nil, Deny},
		{"police cannot read statistics", user(haven.RoleLawEnforcement, "police"), StatisticsRead, nil, Deny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Decide(tt.user, tt.action, tt.rec); got != tt.want {
				t.Fatalf("Decide = %v, want %v", got, tt.want)
			}
		})
	}
	if Decide(nil, CaseList, nil) != Deny {
		t.Fatal("no user must be denied")
	}
	disabled := user(haven.RoleCaseworker, "ngo")
	disabled.Disabled = true
	if Decide(disabled, CaseRead, own) != Deny {
		t.Fatal("a disabled user must be denied")
	}
}

// TestStatisticsRoles checks every role: statistics are for the
// statistician, the national rapporteur and the administrator only.
func TestStatisticsRoles(t *testing.T) {
	allowed := []haven.Role{haven.RoleStatistician, haven.RoleRapporteur, haven.RoleAdministrator}
	for _, role := range haven.Roles {
		want := Deny
		if slices.Contains(allowed, role) {
			want = Allow
		}
		if got := Decide(&haven.User{Role: role}, StatisticsRead, nil); got != want {
			t.Errorf("%s: %v, want %v", role, got, want)
		}
	}
	if Decide(&haven.User{Role: haven.RoleStatistician, Disabled: true}, StatisticsRead, nil) != Deny {
		t.Error("a disabled statistician must be denied")
	}
	for _, route := range []string{"GET /api/v1/statistics", "GET /statistics"} {
		if Routes[route] != StatisticsRead {
			t.Errorf("route %s: %q, want %q", route, Routes[route], StatisticsRead)
		}
	}
}

func TestCompartments(t *testing.T) {
	for role, want := range map[haven.Role][]haven.Compartment{
		haven.RoleImmigration:    {haven.CompartmentImmigration},
		haven.RoleCaseworker:     {haven.CompartmentCare},
		haven.RoleLawEnforcement: {haven.CompartmentCare},
		haven.RoleStatistician:   nil,
		haven.RoleAdministrator:  nil,
	} {
		got := Compartments(&haven.User{Role: role})
		if len(got) != len(want) || (len(got) == 1 && got[0] != want[0]) {
			t.Errorf("%s: %v, want %v", role, got, want)
		}
	}
}

// TestReportRead: the national rapporteur's report is for the rapporteur,
// the statistician and the administrator; every other role is refused
// (403), and so is a disabled rapporteur.
func TestReportRead(t *testing.T) {
	allowed := map[haven.Role]bool{haven.RoleRapporteur: true, haven.RoleStatistician: true, haven.RoleAdministrator: true}
	for _, role := range haven.Roles {
		want := Deny
		if allowed[role] {
			want = Allow
		}
		if got := Decide(&haven.User{Role: role, OrganisationID: "org"}, ReportRead, nil); got != want {
			t.Errorf("%s: %v, want %v", role, got, want)
		}
	}
	if got := Decide(&haven.User{Role: haven.RoleRapporteur, Disabled: true}, ReportRead, nil); got != Deny {
		t.Errorf("disabled rapporteur: %v, want deny", got)
	}
	if got := Decide(nil, ReportRead, nil); got != Deny {
		t.Errorf("no user: %v, want deny", got)
	}
}
