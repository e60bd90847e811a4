package policy

import (
	"testing"

	"github.com/haven-nrm/haven"
)

func TestDecide(t *testing.T) {
	own := &Record{OwnerOrganisationID: "org-a"}
	other := &Record{OwnerOrganisationID: "org-b"}
	user := func(r haven.Role) *haven.User { return &haven.User{Role: r, OrganisationID: "org-a"} }
	tests := []struct {
		role   haven.Role
		action Action
		rec    *Record
		want   Decision
	}{
		{haven.RoleFirstResponder, CaseCreate, nil, Allow},
		{haven.RoleFirstResponder, CaseRead, own, Allow},
		{haven.RoleFirstResponder, CaseRead, other, Hide},
		{haven.RoleFirstResponder, PersonRead, own, Allow},
		{haven.RoleCaseworker, CaseUpdate, own, Allow},
		{haven.RoleCaseworker, CaseUpdate, other, Hide},
		{haven.RoleCompetentBody, CaseRead, other, Allow},
		{haven.RoleCompetentBody, CaseUpdate, other, Hide},
		{haven.RoleCompetentBody, PersonRead, other, Hide},
		{haven.RoleImmigration, CaseRead, own, Hide},
		{haven.RoleImmigration, CaseList, nil, Deny},
		{haven.RoleImmigration, CaseCreate, nil, Deny},
		{haven.RoleImmigration, PersonRead, own, Hide},
		{haven.RoleLawEnforcement, CaseRead, own, Hide},
		{haven.RoleProsecutor, NoteRead, own, Hide},
		{haven.RoleAdministrator, CaseRead, own, Hide},
		{haven.RoleAdministrator, CaseList, nil, Deny},
		{haven.RoleStatistician, CaseList, nil, Deny},
		{haven.RoleRapporteur, CaseRead, own, Hide},
		{haven.RoleFirstResponder, Action("case.delete"), own, Deny},
	}
	for _, tt := range tests {
		t.Run(string(tt.role)+"/"+string(tt.action), func(t *testing.T) {
			if got := Decide(user(tt.role), tt.action, tt.rec); got != tt.want {
				t.Fatalf("Decide = %v, want %v", got, tt.want)
			}
		})
	}
	if Decide(nil, CaseList, nil) != Deny {
		t.Fatal("no user must be denied")
	}
	disabled := user(haven.RoleCaseworker)
	disabled.Disabled = true
	if Decide(disabled, CaseRead, own) != Deny {
		t.Fatal("a disabled user must be denied")
	}
}
