package estimate

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNewTableErrors(t *testing.T) {
	two := []string{"A", "B"}
	tests := []struct {
		name   string
		lists  []string
		rows   []Row
		row    int
		column string
		reason string
	}{
		{"no lists", nil, nil, 0, "", "at least 2"},
		{"one list", []string{"A"}, []Row{{On: []bool{true}, Count: 3}}, 0, "", "at least 2"},
		{"too many lists", strings.Split("a,b,c,d,e,f,g,h,i,j,k,l,m", ","), nil, 0, "", "at most 12"},
		{"duplicate list", []string{"A", "A"}, nil, 0, "A", "repeats"},
		{"no rows", two, nil, 0, "", "table is empty"},
		{"wrong width", two, []Row{{On: []bool{true}, Count: 3}}, 1, "", "has 1 list values, want 2"},
		{"negative count", two, []Row{{On: []bool{true, false}, Count: 3}, {On: []bool{false, true}, Count: -1}}, 2, "", "negative"},
		{"all-zero combination", two, []Row{{On: []bool{false, false}, Count: 3}}, 1, "", "dark figure"},
		{"duplicate", two, []Row{{On: []bool{true, false}, Count: 3}, {On: []bool{false, true}, Count: 3}, {On: []bool{true, false}, Count: 1}}, 3, "", "repeats row 1"},
		{"list nobody is on", two, []Row{{On: []bool{true, false}, Count: 3}}, 0, "B", "nobody is on this list"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewTable(tc.lists, tc.rows)
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error = %v, want *InputError", err)
			}
			if ie.Op != "NewTable" || ie.Row != tc.row || ie.Column != tc.column || ie.Line != 0 {
				t.Errorf("error at op %q row %d column %q, want NewTable row %d column %q (%v)", ie.Op, ie.Row, ie.Column, tc.row, tc.column, err)
			}
			if !strings.Contains(ie.Reason, tc.reason) {
				t.Errorf("reason %q does not say %q", ie.Reason, tc.reason)
			}
		})
	}
}

func TestFromPersons(t *testing.T) {
	lists := []string{"NGO", "Police", "Labour"}
	persons := [][]string{
		{"Police"},
		{"NGO", "Police"},
		{"NGO"},
		{"Police"},
		{"Police", "NGO"}, // order does not matter
		{"Labour", "Labour"},
	}
	tb, err := FromPersons(lists, persons)
	if err != nil {
		t.Fatal(err)
	}
	want := []Row{
		{On: []bool{false, true, false}, Count: 2},
		{On: []bool{true, true, false}, Count: 2},
		{On: []bool{true, false, false}, Count: 1},
		{On: []bool{false, false, true}, Count: 1},
	}
	if diff := cmp.Diff(want, tb.Rows()); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if tb.Observed() != len(persons) {
		t.Errorf("observed = %d, want %d", tb.Observed(), len(persons))
	}

	t.Run("errors", func(t *testing.T) {
		for _, tc := range []struct {
			name    string
			persons [][]string
			row     int
			reason  string
		}{
			{"unknown list", [][]string{{"NGO"}, {"Court"}}, 2, `"Court" is not one of`},
			{"person on no list", [][]string{{"NGO"}, {}}, 2, "on no list"},
			{"list nobody is on", [][]string{{"NGO"}, {"Police"}}, 0, "nobody is on this list"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := FromPersons(lists, tc.persons)
				var ie *InputError
				if !errors.As(err, &ie) || ie.Row != tc.row || !strings.Contains(ie.Reason, tc.reason) {
					t.Errorf("error = %v, want an InputError at row %d saying %q", err, tc.row, tc.reason)
				}
			})
		}
	})
}

func TestRowsAreCopies(t *testing.T) {
	tb, err := NewTable([]string{"A", "B"}, []Row{{On: []bool{true, false}, Count: 3}, {On: []bool{false, true}, Count: 4}, {On: []bool{true, true}, Count: 1}})
	if err != nil {
		t.Fatal(err)
	}
	tb.Rows()[0].On[0] = false
	tb.Lists()[0] = "changed"
	if !tb.Rows()[0].On[0] || tb.Lists()[0] != "A" {
		t.Error("changing what Rows or Lists returned changed the table")
	}
}

func TestWithoutEmptyLists(t *testing.T) {
	h := histories{lists: []string{"A", "B", "C"}, counts: make([]float64, 8), observed: 9}
	h.counts[0b001] = 2 // A
	h.counts[0b100] = 3 // C
	h.counts[0b101] = 4 // A and C
	got := h.withoutEmptyLists()
	if diff := cmp.Diff([]string{"A", "C"}, got.lists); diff != "" {
		t.Fatalf("lists (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]float64{0, 2, 3, 4}, got.counts); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
}
