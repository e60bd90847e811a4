package screening

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDimensionClause(t *testing.T) {
	tests := []struct {
		name   string
		counts Counts
		want   Clause
	}{
		{"nothing observed", Counts{}, ClauseNone},
		{"one strong alone is not enough", Counts{Strong: 1}, ClauseNone},
		{"two strong", Counts{Strong: 2}, ClauseTwoStrong},
		{"one strong and one medium", Counts{Strong: 1, Medium: 1}, ClauseStrongPlusOther},
		{"one strong and one weak", Counts{Strong: 1, Weak: 1}, ClauseStrongPlusOther},
		{"one medium alone is not enough", Counts{Medium: 1}, ClauseNone},
		{"two medium alone are not enough", Counts{Medium: 2}, ClauseNone},
		{"three medium", Counts{Medium: 3}, ClauseThreeMedium},
		{"two medium and one weak", Counts{Medium: 2, Weak: 1}, ClauseTwoMediumOneWeak},
		{"one medium and two weak are not enough", Counts{Medium: 1, Weak: 2}, ClauseNone},
		{"one medium and many weak are not enough", Counts{Medium: 1, Weak: 9}, ClauseNone},
		{"three weak are not enough", Counts{Weak: 3}, ClauseNone},
		{"many weak are not enough", Counts{Weak: 12}, ClauseNone},
		{"two strong take precedence over three medium", Counts{Strong: 2, Medium: 3}, ClauseTwoStrong},
		{"strong plus other takes precedence over three medium", Counts{Strong: 1, Medium: 3}, ClauseStrongPlusOther},
		{"three medium take precedence over two medium and one weak", Counts{Medium: 3, Weak: 1}, ClauseThreeMedium},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DimensionClause(tt.counts); got != tt.want {
				t.Errorf("DimensionClause(%+v) = %q, want %q", tt.counts, got, tt.want)
			}
		})
	}
}

func TestPresumedVictimIndicated(t *testing.T) {
	tests := []struct {
		name    string
		present []Dimension
		adult   bool // the answer when screened as an adult
		child   bool // the answer when screened as a child
	}{
		{"nothing present", nil, false, false},
		{"deceptive recruitment, exploitation and coercion at destination",
			[]Dimension{DeceptiveRecruitment, ExploitativeConditions, CoercionAtDestination}, true, true},
		{"coercive recruitment, exploitation and abuse of vulnerability at destination",
			[]Dimension{CoerciveRecruitment, ExploitativeConditions, AbuseOfVulnerabilityAtDestination}, true, true},
		{"recruitment by abuse of vulnerability, exploitation and coercion at destination",
			[]Dimension{RecruitmentAbuseOfVulnerability, ExploitativeConditions, CoercionAtDestination}, true, true},
		{"recruitment and exploitation without means: enough for a child only",
			[]Dimension{DeceptiveRecruitment, ExploitativeConditions}, false, true},
		{"exploitation and means without recruitment",
			[]Dimension{ExploitativeConditions, CoercionAtDestination}, false, false},
		{"recruitment and means without exploitation",
			[]Dimension{CoerciveRecruitment, CoercionAtDestination, AbuseOfVulnerabilityAtDestination}, false, false},
		{"exploitation alone", []Dimension{ExploitativeConditions}, false, false},
		{"all six", Dimensions(), true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			present := map[Dimension]bool{}
			for _, d := range tt.present {
				present[d] = true
			}
			if got := PresumedVictimIndicated(present, false); got != tt.adult {
				t.Errorf("adult: got %v, want %v", got, tt.adult)
			}
			if got := PresumedVictimIndicated(present, true); got != tt.child {
				t.Errorf("child: got %v, want %v", got, tt.child)
			}
		})
	}
}

func TestRequiredElements(t *testing.T) {
	if diff := cmp.Diff([]Element{Recruitment, Exploitation, MeansAtDestination}, RequiredElements(false)); diff != "" {
		t.Errorf("adult (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Element{Recruitment, Exploitation}, RequiredElements(true)); diff != "" {
		t.Errorf("child (-want +got):\n%s", diff)
	}
}

func TestAgeStatusTreatedAsChild(t *testing.T) {
	tests := []struct {
		age  AgeStatus
		want bool
	}{
		{AgeAdult, false},
		{AgeChild, true},
		{AgeUnknown, true},  // presumption of childhood, GR 38 §96
		{AgeDisputed, true}, // presumption of childhood, GR 38 §96
	}
	for _, tt := range tests {
		t.Run(string(tt.age), func(t *testing.T) {
			if got := tt.age.TreatedAsChild(); got != tt.want {
				t.Errorf("TreatedAsChild() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDimensionElement(t *testing.T) {
	want := map[Dimension]Element{
		DeceptiveRecruitment:              Recruitment,
		CoerciveRecruitment:               Recruitment,
		RecruitmentAbuseOfVulnerability:   Recruitment,
		ExploitativeConditions:            Exploitation,
		CoercionAtDestination:             MeansAtDestination,
		AbuseOfVulnerabilityAtDestination: MeansAtDestination,
	}
	for _, d := range Dimensions() {
		if got := d.Element(); got != want[d] {
			t.Errorf("%s.Element() = %q, want %q", d, got, want[d])
		}
	}
	if len(Dimensions()) != 6 {
		t.Errorf("Dimensions() has %d dimensions, want 6", len(Dimensions()))
	}
}
