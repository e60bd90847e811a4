package stats_test

import (
	"context"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/disclosure"
	"github.com/haven-nrm/haven/stats"
)

// nationalSource emits adult women of the given nationalities, counted by
// whatever columns are asked ("nationality", "sex", "age"; others empty).
func nationalSource(byNationality map[string]int64) stats.Source {
	return stats.SourceFunc(func(_ context.Context, r stats.CountRequest, emit func([]string, int64) error) error {
		for nat, n := range byNationality {
			vals := make([]string, len(r.Columns))
			for i, c := range r.Columns {
				switch c {
				case "nationality":
					vals[i] = nat
				case "sex":
					vals[i] = "female"
				case "age":
					vals[i] = "30"
				case "year":
					vals[i] = "2025"
				}
			}
			if err := emit(vals, n); err != nil {
				return err
			}
		}
		return nil
	})
}

func cellsOf(r *stats.Result) map[string]string {
	got := map[string]string{}
	for _, c := range r.Cells {
		v := "C"
		if !c.Suppressed {
			v = strconv.FormatInt(c.Count, 10)
		}
		got[strings.Join(c.Labels, "|")] = v
	}
	return got
}

// TestRareCodesAreGathered checks that a nationality held by fewer than k
// victims never appears as a row: it is counted under "other".
func TestRareCodesAreGathered(t *testing.T) {
	e := &stats.Engine{Source: nationalSource(map[string]int64{"NG": 30, "TH": 12, "VN": 3, "ER": 2, "SY": 7})}
	r, err := e.Table(context.Background(), stats.Query{From: date(t, "2025-01-01"), To: date(t, "2025-12-31"),
		By: []string{stats.DimNationality}, K: 5})
	if err != nil {
		t.Fatal(err)
	}
	got := cellsOf(r)
	// VN (3) and ER (2) are below k = 5: together 5 under "other"; SY (7) stays.
	want := map[string]string{"NG": "30", "TH": "12", "SY": "7", "other": "5", "_T": "54"}
	if len(got) != len(want) {
		t.Fatalf("cells %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %s, want %s (%v)", k, got[k], v, got)
		}
	}
	if !strings.Contains(r.Note, `"other"`) {
		t.Errorf("note %q does not say codes were gathered", r.Note)
	}
}

// TestYearsComeFromThePeriod checks that a year without any victim still
// has its row, so a row's presence tells nothing.
func TestYearsComeFromThePeriod(t *testing.T) {
	e := &stats.Engine{Source: nationalSource(map[string]int64{"NG": 30})}
	r, err := e.Table(context.Background(), stats.Query{From: date(t, "2024-01-01"), To: date(t, "2026-12-31"),
		By: []string{stats.DimYear}, K: 5})
	if err != nil {
		t.Fatal(err)
	}
	got := cellsOf(r)
	for k, v := range map[string]string{"2024": "0", "2025": "30", "2026": "0", "_T": "30"} {
		if got[k] != v {
			t.Errorf("%s = %s, want %s (%v)", k, got[k], v, got)
		}
	}
}

func TestNoisyTables(t *testing.T) {
	ctx := context.Background()
	ledger := disclosure.NewMemoryLedger()
	one, _ := disclosure.ParseEpsilon("1")
	half, _ := disclosure.ParseEpsilon("0.5")
	if err := ledger.Open(ctx, "victims-2025", one); err != nil {
		t.Fatal(err)
	}
	seed := uint64(0)
	e := &stats.Engine{Source: fakeSource([]victim{{"female", 30, "sexual_exploitation", "2025-03-01", 400}, {"male", 15, "forced_labour", "2025-04-01", 300}}),
		Ledger: ledger, Randomness: func() rand.Source { seed++; return rand.NewChaCha8([32]byte{byte(seed)}) }}
	q := stats.Query{From: date(t, "2025-01-01"), To: date(t, "2025-12-31"), By: []string{stats.DimUNODC}, K: 5,
		Title: "by UNODC category", Noise: &stats.Noise{Dataset: "victims-2025", Epsilon: half}}
	r, err := e.Table(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if r.Noise == nil || r.Noise.Epsilon != half || !strings.Contains(r.Note, "noise") {
		t.Fatalf("result does not say it is noisy: %+v", r)
	}
	// Noise of scale 2 on 700 victims: the total and the large cells stay
	// close to the truth.
	var total, women int64 = -1, -1
	for _, c := range r.Cells {
		switch {
		case c.Labels[0] == stats.Total && !c.Suppressed:
			total = c.Count
		case c.Labels[0] == "women" && !c.Suppressed:
			women = c.Count
		}
	}
	if total < 650 || total > 750 || women < 360 || women > 440 {
		t.Fatalf("total %d, women %d: too far from 700 and 400 (%v)", total, women, cellsOf(r))
	}
	if b, _ := ledger.Balance(ctx, "victims-2025"); b.Spent != half {
		t.Fatalf("spent %v, want 0.5", b.Spent)
	}
	// A second release of 0.5 fits; a third does not, and costs nothing.
	if _, err := e.Table(ctx, q); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Table(ctx, q); haven.ErrorCode(err) != haven.ECONFLICT {
		t.Fatalf("third release = %v, want a conflict: the budget is spent", err)
	}
	if charges, _ := ledger.Charges(ctx, "victims-2025"); len(charges) != 2 {
		t.Fatalf("%d charges, want 2", len(charges))
	}
	for name, bad := range map[string]stats.Query{
		"unknown dataset":      {From: q.From, To: q.To, By: q.By, Noise: &stats.Noise{Dataset: "nope", Epsilon: half}},
		"no dataset":           {From: q.From, To: q.To, By: q.By, Noise: &stats.Noise{Epsilon: half}},
		"no epsilon":           {From: q.From, To: q.To, By: q.By, Noise: &stats.Noise{Dataset: "victims-2025"}},
		"categories from data": {From: q.From, To: q.To, By: []string{stats.DimNationality}, Noise: &stats.Noise{Dataset: "victims-2025", Epsilon: half}},
	} {
		if _, err := e.Table(ctx, bad); haven.ErrorCode(err) != haven.EINVALID {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
	if _, err := (&stats.Engine{Source: e.Source}).Table(ctx, q); haven.ErrorCode(err) != haven.EINVALID {
		t.Errorf("no ledger: %v, want invalid", err)
	}
}
