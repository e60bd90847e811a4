package disclosure

import (
	"errors"
	"math/rand/v2"
	"testing"
)

func TestNewTableRejects(t *testing.T) {
	tests := []struct {
		name string
		dims []Dimension
	}{
		{"no dimension", nil},
		{"unnamed dimension", []Dimension{{Categories: []string{"a"}}}},
		{"repeated dimension", []Dimension{{Name: "sex", Categories: []string{"f"}}, {Name: "sex", Categories: []string{"m"}}}},
		{"no category", []Dimension{{Name: "sex"}}},
		{"repeated category", []Dimension{{Name: "sex", Categories: []string{"f", "f"}}}},
		{"empty category", []Dimension{{Name: "sex", Categories: []string{""}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewTable(tt.dims...); !errors.Is(err, ErrInvalid) {
				t.Fatalf("NewTable = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestTableCounts(t *testing.T) {
	tab, err := NewTable(
		Dimension{Name: "sex", Categories: []string{"female", "male"}},
		Dimension{Name: "form", Categories: []string{"sexual", "labour", "marriage"}},
	)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := tab.Add(1, "female", "marriage"); err != nil {
			t.Fatal(err)
		}
	}
	if err := tab.Set(40, 1, 1); err != nil {
		t.Fatal(err)
	}
	if err := tab.Add(12, "female", "sexual"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		at   []int
		want int64
	}{
		{[]int{0, 2}, 3},
		{[]int{1, 1}, 40},
		{[]int{0, Total}, 15},
		{[]int{Total, 1}, 40},
		{[]int{Total, Total}, 55},
		{[]int{1, 0}, 0},
	}
	for _, tt := range tests {
		got, err := tab.Count(tt.at...)
		if err != nil || got != tt.want {
			t.Errorf("Count(%v) = %d, %v; want %d", tt.at, got, err, tt.want)
		}
	}
	bad := []struct {
		name string
		err  error
	}{
		{"unknown label", tab.Add(1, "female", "begging")},
		{"label count", tab.Add(1, "female")},
		{"negative add", tab.Add(-1, "female", "sexual")},
		{"negative set", tab.Set(-1, 0, 0)},
		{"set out of range", tab.Set(1, 2, 0)},
		{"set margin", tab.Set(1, Total, 0)},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			if !errors.Is(b.err, ErrInvalid) {
				t.Fatalf("got %v, want ErrInvalid", b.err)
			}
		})
	}
	if _, err := tab.Count(0, 5); !errors.Is(err, ErrInvalid) {
		t.Errorf("Count out of range = %v, want ErrInvalid", err)
	}
	dims := tab.Dimensions()
	dims[0].Categories[0] = "changed"
	if tab.Dimensions()[0].Categories[0] != "female" {
		t.Error("Dimensions exposes the table's own slices")
	}
}

func TestTableCountMatchesMargins(t *testing.T) {
	tab := smallRandomTable(t, rand.New(rand.NewPCG(5, 5)), []int{3, 2, 4})
	ext := tab.lat.margins(tab.counts)
	for idx := range tab.lat.cells {
		got, err := tab.Count(tab.lat.toPublic(idx)...)
		if err != nil || got != ext[idx] {
			t.Fatalf("Count(%v) = %d, %v; want %d", tab.lat.toPublic(idx), got, err, ext[idx])
		}
	}
}
