package estimate

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// referenceDir holds the reference tables, shared beside the repository.
const referenceDir = "../../shared/data/mse"

// referenceTable reads one of the reference CSVs, skipping the test when the
// shared data are not there (a checkout without the shared folder).
func referenceTable(tb testing.TB, name string) *Table {
	tb.Helper()
	path := filepath.Join(referenceDir, name+".csv")
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		tb.Skipf("reference data %s not found; it lives in the shared folder beside the repository", path)
	}
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	t, err := ReadCSV(f)
	if err != nil {
		tb.Fatalf("ReadCSV(%s): %v", path, err)
	}
	return t
}

// mergeLists returns t with lists a and b combined into one list, "a+b",
// that holds everyone on either, in a's place. SparseMSE's Ned_5 is Ned with
// I and O merged this way.
func mergeLists(tb testing.TB, t *Table, a, b string) *Table {
	tb.Helper()
	lists := t.Lists()
	ia, ib := slices.Index(lists, a), slices.Index(lists, b)
	if ia < 0 || ib < 0 || ia == ib {
		tb.Fatalf("cannot merge %q and %q of %v", a, b, lists)
	}
	names := slices.Clone(lists)
	names[ia] = a + "+" + b
	names = slices.Delete(names, ib, ib+1)
	counts := map[uint32]int{}
	var order []uint32
	for _, r := range t.Rows() {
		on := slices.Clone(r.On)
		on[ia] = r.On[ia] || r.On[ib]
		on = slices.Delete(on, ib, ib+1)
		m := maskOf(on)
		if _, ok := counts[m]; !ok {
			order = append(order, m)
		}
		counts[m] += r.Count
	}
	var rows []Row
	for _, m := range order {
		on := make([]bool, len(names))
		for i := range on {
			on[i] = m&(1<<i) != 0
		}
		rows = append(rows, Row{On: on, Count: counts[m]})
	}
	out, err := NewTable(names, rows)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func maskOf(on []bool) uint32 {
	var m uint32
	for i, v := range on {
		if v {
			m |= 1 << i
		}
	}
	return m
}

// TestNedFive checks mergeLists against SparseMSE's description of Ned_5:
// five lists, 17 combinations, the same people.
func TestNedFive(t *testing.T) {
	ned := referenceTable(t, "Ned")
	five := mergeLists(t, ned, "I", "O")
	if len(five.Lists()) != 5 || len(five.Rows()) != 17 || five.Observed() != ned.Observed() {
		t.Errorf("Ned_5 has %d lists, %d combinations, %d people; want 5, 17, %d", len(five.Lists()), len(five.Rows()), five.Observed(), ned.Observed())
	}
	if _, err := Estimate(five, Options{}); err != nil {
		t.Error(err)
	}
}
