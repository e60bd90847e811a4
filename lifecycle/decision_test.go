package lifecycle

import (
	"strings"
	"testing"

	"github.com/haven-nrm/haven"
)

func TestValidateDecision(t *testing.T) {
	m := func(id string, r haven.Role, s haven.Sector) Member { return Member{UserID: id, Role: r, Sector: s} }
	good := func() Decision {
		return Decision{Kind: KindConclusive, Outcome: Positive, Members: team(), Reasons: "r", Evidence: []string{"e"}}
	}
	for _, tc := range []struct {
		name  string
		edit  func(d *Decision)
		rule  string
		field string
	}{
		{"good", func(d *Decision) {}, "", ""},
		{"NGO and police may decide together", func(d *Decision) {
			d.Members = []Member{m("a", haven.RoleCaseworker, haven.SectorNGO), m("b", haven.RoleLawEnforcement, haven.SectorPolice)}
		}, "", ""},
		{"unknown kind", func(d *Decision) { d.Kind = "verdict" }, "decision_kind", "decision.kind"},
		{"finding of another kind", func(d *Decision) { d.Outcome = Adult }, "decision_outcome", "decision.outcome"},
		{"no members", func(d *Decision) { d.Members = nil }, "decision_two_sectors", "decision.members"},
		{"one sector", func(d *Decision) {
			d.Members = []Member{m("a", haven.RoleCaseworker, haven.SectorNGO), m("b", haven.RoleCompetentBody, haven.SectorNGO)}
		}, "decision_two_sectors", "decision.members"},
		{"police and prosecution alone", func(d *Decision) {
			d.Members = []Member{m("a", haven.RoleLawEnforcement, haven.SectorPolice), m("b", haven.RoleProsecutor, haven.SectorProsecution)}
		}, "decision_not_enforcement_alone", "decision.members"},
		{"immigration officers in another sector's clothes", func(d *Decision) {
			d.Members = []Member{m("a", haven.RoleImmigration, haven.SectorGovernment), m("b", haven.RoleCompetentBody, haven.SectorPolice)}
		}, "decision_not_enforcement_alone", "decision.members"},
		{"member twice", func(d *Decision) {
			d.Members = append(d.Members, d.Members[0])
		}, "decision_members", "decision.members[3].user_id"},
		{"unknown sector", func(d *Decision) { d.Members[0].Sector = "church" }, "decision_members", "decision.members[0].sector"},
		{"unknown role", func(d *Decision) { d.Members[0].Role = "judge" }, "decision_members", "decision.members[0].role"},
		{"no reasons", func(d *Decision) { d.Reasons = "" }, "decision_reasons", "decision.reasons"},
		{"reasons too long", func(d *Decision) { d.Reasons = strings.Repeat("x", haven.MaxNoteLength+1) }, "decision_reasons", "decision.reasons"},
		{"no evidence", func(d *Decision) { d.Evidence = nil }, "decision_evidence", "decision.evidence"},
		{"empty evidence", func(d *Decision) { d.Evidence = []string{" "} }, "decision_evidence", "decision.evidence[0]"},
		{"last resort on an identification", func(d *Decision) { d.LastResort = "x" }, "decision_kind", "decision.last_resort"},
		{"age assessment without last resort", func(d *Decision) { d.Kind, d.Outcome = KindAgeAssessment, Child }, "age_assessment_last_resort", "decision.last_resort"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := good()
			tc.edit(&d)
			err := ValidateDecision(d)
			if tc.rule == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatalf("valid, want refused by %s", tc.rule)
			}
			if r := refusal(t, err); r.Rule.ID != tc.rule || haven.ErrorCode(err) != haven.EINVALID {
				t.Errorf("refused by %s (%s), want %s", r.Rule.ID, haven.ErrorCode(err), tc.rule)
			}
			found := false
			for _, f := range haven.ErrorFields(err) {
				found = found || f.Field == tc.field
			}
			if !found {
				t.Errorf("fields %v, want %s", haven.ErrorFields(err), tc.field)
			}
		})
	}
}

// Every bad field is reported at once.
func TestValidateDecisionReportsEverything(t *testing.T) {
	err := ValidateDecision(Decision{Kind: KindReview, Outcome: Positive})
	if got := len(haven.ErrorFields(err)); got != 3 {
		t.Errorf("fields %v, want members, reasons and evidence", haven.ErrorFields(err))
	}
	if haven.ErrorMessage(err) != "a decision needs members of at least two sectors (GR 38 §78)" {
		t.Errorf("message %q", haven.ErrorMessage(err))
	}
}
