package haven_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/haven-nrm/haven"
)

func TestVocabularyCoversGR38(t *testing.T) {
	// GR 38 §112c names these forms; each must be a code.
	for _, f := range []string{"sexual_exploitation", "forced_labour", "domestic_servitude", "forced_marriage",
		"child_marriage", "debt_bondage", "serfdom", "begging", "slavery", "forced_criminality",
		"abusive_surrogacy", "sale_of_children", "organ_removal"} {
		found := false
		for _, c := range haven.Vocab.FormCodes() {
			found = found || c == f
		}
		if !found {
			t.Errorf("form of exploitation %s missing from vocabulary.yaml", f)
		}
	}
}

func TestLoadVocabularyRejectsBrokenFiles(t *testing.T) {
	good, err := os.ReadFile("vocabulary.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(string) string{
		"repeated code": func(s string) string {
			return strings.Replace(s, "sexes: [female, male,", "sexes: [female, female,", 1)
		},
		"empty list": func(s string) string {
			return strings.Replace(s, "event_types: [recruitment, transit, exploitation]", "event_types: []", 1)
		},
		"not yaml": func(string) string { return "sexes: [" },
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := haven.LoadVocabulary([]byte(edit(string(good)))); err == nil {
				t.Fatal("a broken vocabulary loaded")
			}
		})
	}
}

func TestTreatedAsChild(t *testing.T) {
	age := func(i int) *int { return &i }
	tests := []struct {
		status string
		age    *int
		want   bool
	}{
		{"documented", age(17), true},
		{"documented", age(18), false},
		{"declared", age(30), false},
		{"estimated", age(16), true},
		{"unknown", nil, true},
		{"disputed", age(19), true}, // disputed: a child until decided (GR 38 §96)
		{"declared", nil, true},
	}
	for _, tt := range tests {
		v := haven.VictimContext{AgeStatus: tt.status, AgeAtEncounter: tt.age}
		if got := v.TreatedAsChild(); got != tt.want {
			t.Errorf("TreatedAsChild(%s, %v) = %v, want %v", tt.status, tt.age, got, tt.want)
		}
	}
}

func TestCaseValidateClosure(t *testing.T) {
	c := &haven.Case{EncounteredOn: haven.DateOf(mustTime(t, "2025-01-01")), State: haven.StateClosed}
	c.Normalize()
	err := c.Validate()
	if fields := haven.ErrorFields(err); len(fields) != 1 || fields[0].Field != "reason_for_case_closure" {
		t.Fatalf("closed case without reason: %v", err)
	}
	c.ClosureReason = "returned"
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	c.State, c.Status = haven.StateAssistance, haven.StatusOpen
	if err := c.Validate(); haven.ErrorCode(err) != haven.EINVALID {
		t.Fatal("an open case accepted a closure reason")
	}
}

func TestDateJSON(t *testing.T) {
	var e haven.Event
	if err := json.Unmarshal([]byte(`{"type":"transit","country":"FR","started_on":"2024-02-29"}`), &e); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(e)
	if diff := cmp.Diff(`{"type":"transit","country":"FR","started_on":"2024-02-29"}`, string(out)); diff != "" {
		t.Fatal(diff)
	}
	for _, bad := range []string{`"2023-02-29"`, `"29/02/2024"`, `20240229`} {
		if err := json.Unmarshal([]byte(`{"started_on":`+bad+`}`), &e); err == nil {
			t.Errorf("date %s accepted", bad)
		}
	}
}

func TestErrorHelpers(t *testing.T) {
	if haven.ErrorCode(nil) != "" || haven.ErrorCode(os.ErrNotExist) != haven.EINTERNAL {
		t.Fatal("ErrorCode of plain errors")
	}
	if haven.ErrorMessage(os.ErrNotExist) != "Internal error." {
		t.Fatal("an internal error's text must not be shown")
	}
	var v haven.Validation
	if v.Err() != nil {
		t.Fatal("empty validation is an error")
	}
}
