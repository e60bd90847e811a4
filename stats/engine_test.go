package stats_test

import (
	"context"
	"strings"
	"testing"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/stats"
)

func TestTableCountsUNODCCategories(t *testing.T) {
	src := fakeSource([]victim{
		{"female", 15, "sexual_exploitation", "2025-01-01", 12}, // girls, first day
		{"female", 17, "sexual_exploitation", "2025-12-31", 3},  // girls, last day
		{"female", 18, "forced_labour", "2025-05-05", 20},       // women (18 is adult)
		{"male", 30, "forced_labour", "2025-05-05", 25},         // men
		{"male", 10, "forced_labour", "2024-12-31", 40},         // out of period
		{"male", 10, "forced_labour", "2026-01-01", 40},         // out of period
		{"unknown", 30, "other", "2025-02-02", 14},              // other_or_unknown
		{"female", -1, "other", "2025-02-02", 11},               // age unknown: other_or_unknown
	})
	e := &stats.Engine{Source: src}
	r, err := e.Table(context.Background(), stats.Query{
		From: date(t, "2025-01-01"), To: date(t, "2025-12-31"), By: []string{stats.DimUNODC},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"girls": "15", "boys": "0", "women": "20", "men": "25", "other_or_unknown": "25", "_T": "85",
	}
	got := cellMap(r)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %s, want %s", k, got[k], v)
		}
	}
	if r.Withheld || r.K != 11 || r.Basis != stats.BasisReasonableGrounds {
		t.Errorf("result header: withheld %v, k %d, basis %s", r.Withheld, r.K, r.Basis)
	}
}

func TestTableSuppressesSmallCellsAndComplements(t *testing.T) {
	src := fakeSource([]victim{
		{"female", 30, "sexual_exploitation", "2025-03-01", 42},
		{"female", 30, "forced_labour", "2025-03-01", 17},
		{"female", 30, "other", "2025-03-01", 3}, // primary
		{"male", 30, "sexual_exploitation", "2025-03-01", 12},
		{"male", 30, "forced_labour", "2025-03-01", 55},
	})
	e := &stats.Engine{Source: src}
	r, err := e.Table(context.Background(), stats.Query{
		From: date(t, "2025-01-01"), To: date(t, "2025-12-31"), By: []string{stats.DimSex, stats.DimFormGroup},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := cellMap(r)
	if got["female|other"] != "C" {
		t.Errorf("female|other = %s, want suppressed", got["female|other"])
	}
	if got["female|sexual_exploitation"] != "42" || got["male|forced_labour"] != "55" || got["_T|_T"] != "129" {
		t.Errorf("published cells wrong: %v", got)
	}
	// The 3 must not be derivable: some other cell of its row is suppressed too.
	secondary := 0
	for _, f := range []string{"sexual_exploitation", "forced_labour", "organ_removal", "none"} {
		if got["female|"+f] == "C" {
			secondary++
		}
	}
	if secondary == 0 && got["female|_T"] != "C" {
		t.Errorf("no complementary suppression in the female row: %v", got)
	}
	for _, c := range r.Cells {
		if c.Suppressed && c.Count != 0 {
			t.Errorf("suppressed cell %v carries a count", c.Labels)
		}
	}
}

func TestTableAllSuppressedIsWithheld(t *testing.T) {
	src := fakeSource([]victim{
		{"female", 15, "sexual_exploitation", "2025-03-01", 2},
		{"male", 40, "forced_labour", "2025-03-01", 3},
	})
	e := &stats.Engine{Source: src}
	r, err := e.Table(context.Background(), stats.Query{
		From: date(t, "2025-01-01"), To: date(t, "2025-12-31"), By: []string{stats.DimSex, stats.DimAgeBand},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Withheld || !strings.Contains(r.Note, "suppressed") {
		t.Fatalf("withheld %v, note %q", r.Withheld, r.Note)
	}
	if len(r.Cells) != 5*9 {
		t.Errorf("%d cells, want %d (every cell listed)", len(r.Cells), 5*9)
	}
	for _, c := range r.Cells {
		if !c.Suppressed {
			t.Fatalf("cell %v is not marked suppressed", c.Labels)
		}
	}
}

func TestAgeBands(t *testing.T) {
	src := fakeSource([]victim{
		{"female", 0, "other", "2025-03-01", 11}, {"female", 11, "other", "2025-03-01", 11},
		{"female", 12, "other", "2025-03-01", 11}, {"female", 17, "other", "2025-03-01", 11},
		{"female", 18, "other", "2025-03-01", 11}, {"female", 50, "other", "2025-03-01", 11},
		{"female", 120, "other", "2025-03-01", 11}, {"female", -1, "other", "2025-03-01", 11},
	})
	e := &stats.Engine{Source: src}
	r, err := e.Table(context.Background(), stats.Query{From: date(t, "2025-01-01"), To: date(t, "2025-12-31"), By: []string{stats.DimAgeBand}})
	if err != nil {
		t.Fatal(err)
	}
	got := cellMap(r)
	want := map[string]string{"0-11": "22", "12-14": "11", "15-17": "11", "18-24": "11", "25-34": "0", "35-49": "0", "50+": "22", "unknown": "11", "_T": "88"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %s, want %s", k, got[k], v)
		}
	}
}

func TestQueryValidation(t *testing.T) {
	e := &stats.Engine{Source: fakeSource(nil)}
	for name, q := range map[string]stats.Query{
		"no dimension": {From: date(t, "2025-01-01"), To: date(t, "2025-12-31")},
		"unknown dim":  {From: date(t, "2025-01-01"), To: date(t, "2025-12-31"), By: []string{"given_name"}},
		"repeated dim": {From: date(t, "2025-01-01"), To: date(t, "2025-12-31"), By: []string{"sex", "sex"}},
		"reversed":     {From: date(t, "2025-12-31"), To: date(t, "2025-01-01"), By: []string{"sex"}},
		"basis":        {Basis: "encounter", From: date(t, "2025-01-01"), To: date(t, "2025-12-31"), By: []string{"sex"}},
		"k":            {K: 1, From: date(t, "2025-01-01"), To: date(t, "2025-12-31"), By: []string{"sex"}},
	} {
		if _, err := e.Table(context.Background(), q); haven.ErrorCode(err) != haven.EINVALID {
			t.Errorf("%s: got %v, want invalid", name, err)
		}
	}
}

func TestBandsFileIsChecked(t *testing.T) {
	for name, y := range map[string]string{
		"gap":       "age_bands: [{code: a, min: 0, max: 10}, {code: b, min: 12, max: 120}]",
		"straddles": "age_bands: [{code: a, min: 0, max: 20}, {code: b, min: 21, max: 120}]",
		"short":     "age_bands: [{code: a, min: 0, max: 17}, {code: b, min: 18, max: 99}]",
		"repeated":  "age_bands: [{code: a, min: 0, max: 17}, {code: a, min: 18, max: 120}]",
	} {
		if _, err := stats.LoadConfig([]byte(y)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
