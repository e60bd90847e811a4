package lifecycle

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/haven-nrm/haven"
)

func TestNewCaseState(t *testing.T) {
	age := 24
	for _, tc := range []struct {
		victim haven.VictimContext
		child  bool
	}{
		{haven.VictimContext{AgeStatus: "documented", AgeAtEncounter: &age}, false},
		{haven.VictimContext{AgeStatus: "disputed", AgeAtEncounter: &age}, true},
		{haven.VictimContext{AgeStatus: "unknown"}, true},
	} {
		cs := NewCaseState(&haven.Case{Victim: tc.victim, CreatedAt: t0, UpdatedAt: t0})
		if cs.Child != tc.child || cs.State != haven.StateEncountered || !cs.OpenedAt.Equal(t0) {
			t.Errorf("%+v: %+v", tc.victim, cs.Facts)
		}
	}
}

// The store keeps case states and steps as JSON: they must read back as
// they were written.
func TestStepsRoundTripAsJSON(t *testing.T) {
	w := adultCase(t).notIdentifiedRG()
	w.cs.Cooperation = Cooperation{Status: CooperationDeclined, AskedAt: t0}
	roundTrip(t, w.cs)
	roundTrip(t, w.history)
}

func roundTrip[T any](t *testing.T, v T) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var back T
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(v, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}
