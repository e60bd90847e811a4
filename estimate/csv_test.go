package estimate

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadCSV(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		lists     []string
		countName string
		rows      []Row
	}{
		{
			name:      "quoted header, as SparseMSE's data",
			in:        "\"A\",\"B\",\"frequency\"\n1,0,5\n0,1,7\n1,1,2\n",
			lists:     []string{"A", "B"},
			countName: "frequency",
			rows:      []Row{{On: []bool{true, false}, Count: 5}, {On: []bool{false, true}, Count: 7}, {On: []bool{true, true}, Count: 2}},
		},
		{
			name:      "unquoted header, spaces, CRLF, byte-order mark, blank line",
			in:        "\ufeffNGO, Police , n\r\n1, 0, 5\r\n\r\n0,1,7\r\n1,1,2.0\r\n",
			lists:     []string{"NGO", "Police"},
			countName: "n",
			rows:      []Row{{On: []bool{true, false}, Count: 5}, {On: []bool{false, true}, Count: 7}, {On: []bool{true, true}, Count: 2}},
		},
		{
			name:      "zero counts are dropped",
			in:        "A,B,n\n1,0,5\n1,1,0\n0,1,7\n",
			lists:     []string{"A", "B"},
			countName: "n",
			rows:      []Row{{On: []bool{true, false}, Count: 5}, {On: []bool{false, true}, Count: 7}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tb, err := ReadCSV(strings.NewReader(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.lists, tb.Lists()); diff != "" {
				t.Errorf("lists (-want +got):\n%s", diff)
			}
			if got := tb.CountName(); got != tc.countName {
				t.Errorf("count name = %q, want %q", got, tc.countName)
			}
			if diff := cmp.Diff(tc.rows, tb.Rows()); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			want := 0
			for _, r := range tc.rows {
				want += r.Count
			}
			if got := tb.Observed(); got != want {
				t.Errorf("observed = %d, want %d", got, want)
			}
		})
	}
}

func TestReadCSVErrors(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		line   int
		column string
		reason string // a part of the reason
	}{
		{"empty file", "", 0, "", "file is empty"},
		{"header only", "A,B,n\n", 0, "", "no rows"},
		{"single list", "A,n\n1,5\n", 1, "", "at least 2 lists"},
		{"header missing", "1,0,5\n0,1,7\n", 1, "", "must be a header"},
		{"duplicate list name", "A,A,n\n1,0,5\n", 1, "A", "repeats list 1"},
		{"unnamed list", "A,,n\n1,0,5\n", 1, "", "list 2 has no name"},
		{"too few fields", "A,B,n\n1,0,5\n0,7\n", 3, "", "has 2 fields, want 3"},
		{"too many fields", "A,B,n\n1,0,5,1\n", 2, "", "has 4 fields, want 3"},
		{"value 2 in a list column", "A,B,n\n1,0,5\n0,2,7\n", 3, "B", `value "2" is not 0 or 1`},
		{"empty list value", "A,B,n\n1,,5\n", 2, "B", `value "" is not 0 or 1`},
		{"text in a list column", "A,B,n\nyes,0,5\n", 2, "A", `value "yes" is not 0 or 1`},
		{"negative count", "A,B,n\n1,0,5\n0,1,-3\n", 3, "n", "negative"},
		{"fractional count", "A,B,n\n1,0,5\n0,1,2.5\n", 3, "n", "not a whole number"},
		{"text count", "A,B,n\n1,0,many\n", 2, "n", "not a number"},
		{"all-zero combination", "A,B,n\n1,0,5\n0,0,9\n", 3, "", "dark figure"},
		{"duplicate combination", "A,B,n\n1,0,5\n0,1,7\n1,0,2\n", 4, "", "combination 1,0 repeats line 2"},
		{"list nobody is on", "A,B,C,n\n1,0,0,5\n0,1,0,7\n1,1,0,2\n", 0, "C", "nobody is on this list"},
		{"only zero counts", "A,B,n\n1,0,0\n0,1,0\n", 0, "", "table is empty"},
		{"bad quoting", "A,B,n\n1,\"0,5\n", 2, "", "quote"},
		{"count column first", "count,B,A\n5,0,1\n6,1,0\n", 1, "count", "must be the last column"},
		{"frequency in the middle", "A,frequency,B\n1,5,0\n", 1, "frequency", "must be the last column"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tb, err := ReadCSV(strings.NewReader(tc.in))
			if err == nil {
				t.Fatalf("ReadCSV succeeded with %d lists, want an error", len(tb.Lists()))
			}
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v is a %T, want *InputError", err, err)
			}
			if ie.Op != "ReadCSV" || ie.Line != tc.line || ie.Column != tc.column {
				t.Errorf("error at op %q line %d column %q, want ReadCSV line %d column %q (%v)", ie.Op, ie.Line, ie.Column, tc.line, tc.column, err)
			}
			if !strings.Contains(ie.Reason, tc.reason) {
				t.Errorf("reason %q does not say %q", ie.Reason, tc.reason)
			}
			if !strings.HasPrefix(err.Error(), "estimate.ReadCSV: ") {
				t.Errorf("error %q does not name the operation", err)
			}
		})
	}
}

func TestInputErrorMessage(t *testing.T) {
	_, err := ReadCSV(strings.NewReader("A,B,n\n1,0,5\n0,2,7\n"))
	want := `estimate.ReadCSV: line 3, column "B": value "2" is not 0 or 1`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
}

func TestWriteCSVRoundTrip(t *testing.T) {
	t.Run("reference table", func(t *testing.T) {
		orig := referenceTable(t, "NewOrl")
		var b strings.Builder
		if err := orig.WriteCSV(&b); err != nil {
			t.Fatal(err)
		}
		back, err := ReadCSV(strings.NewReader(b.String()))
		if err != nil {
			t.Fatalf("ReadCSV(WriteCSV()): %v\n%s", err, b.String())
		}
		if diff := cmp.Diff(orig.Lists(), back.Lists()); diff != "" {
			t.Errorf("lists (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(orig.Rows(), back.Rows()); diff != "" {
			t.Errorf("rows (-want +got):\n%s", diff)
		}
		if orig.CountName() != back.CountName() {
			t.Errorf("count name %q became %q", orig.CountName(), back.CountName())
		}
	})
}
