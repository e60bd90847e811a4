package estimate

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// within reports whether got is within rel (relative) of want.
func within(got, want, rel float64) bool {
	return math.Abs(got-want) <= rel*math.Abs(want)
}

// TestReference checks the results of SparseMSE 2.0.1's
// estimatepopulation.0(data, method, pthresh = 0.02) given in
// shared/data/mse/README.md, to within 0.5%.
func TestReference(t *testing.T) {
	tests := []struct {
		data                   string
		method                 Method
		lower, estimate, upper float64
	}{
		{"Ned", Main, 48523.9, 52823.5, 57581.9},
		{"Ned", Stepwise, 92439.9, 111139.4, 133991.5},
		{"NewOrl", Main, 644.9, 996.7, 1617.5},
		{"NewOrl", Stepwise, 720.9, 1183.7, 2046.1},
	}
	for _, tc := range tests {
		t.Run(tc.data+"/"+string(tc.method), func(t *testing.T) {
			tb := referenceTable(t, tc.data)
			r, err := Estimate(tb, Options{Method: tc.method, PThreshold: 0.02})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				name      string
				got, want float64
			}{
				{"lower", r.Lower, tc.lower},
				{"estimate", r.Estimate, tc.estimate},
				{"upper", r.Upper, tc.upper},
			} {
				if !within(c.got, c.want, 0.005) {
					t.Errorf("%s = %.1f, want %.1f ± 0.5%% (model %s)", c.name, c.got, c.want, r.Model)
				}
			}
			if r.Observed != tb.Observed() || r.Estimate != float64(r.Observed)+r.DarkFigure {
				t.Errorf("observed %d + dark figure %g ≠ estimate %g", r.Observed, r.DarkFigure, r.Estimate)
			}
		})
	}
}

// TestReferenceModels pins the models the stepwise search picks on the
// reference data, which are the ones that reproduce R's numbers. Ned's has
// two pairs of lists that share nobody (K:R and I:K), so it exercises the
// treatment of empty overlaps.
func TestReferenceModels(t *testing.T) {
	tests := []struct {
		data  string
		model string
		empty []string
	}{
		{"Ned", "main effects + O:Z + P:Z + I:Z + P:R + O:P + K:R + I:K + K:O", []string{"K:R", "I:K"}},
		{"NewOrl", "main effects + D:E", nil},
	}
	for _, tc := range tests {
		t.Run(tc.data, func(t *testing.T) {
			r, err := Estimate(referenceTable(t, tc.data), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if r.Model != tc.model {
				t.Errorf("model = %q, want %q", r.Model, tc.model)
			}
			var empty []string
			for _, in := range r.Interactions {
				if in.Empty {
					empty = append(empty, in.Lists[0]+":"+in.Lists[1])
				}
				if in.Empty != (in.Shared == 0) {
					t.Errorf("%v: empty = %v but %d shared", in.Lists, in.Empty, in.Shared)
				}
				if !(in.PValue < DefaultPThreshold) {
					t.Errorf("%v added with p-value %g, not below %g", in.Lists, in.PValue, DefaultPThreshold)
				}
			}
			if diff := cmp.Diff(tc.empty, empty); diff != "" {
				t.Errorf("empty pairs (-want +got):\n%s", diff)
			}
		})
	}
}

// permuteColumns returns t with its lists in the order perm gives.
func permuteColumns(tb testing.TB, t *Table, perm []int) *Table {
	tb.Helper()
	lists := t.Lists()
	var names []string
	for _, p := range perm {
		names = append(names, lists[p])
	}
	var rows []Row
	for _, r := range t.Rows() {
		on := make([]bool, len(perm))
		for i, p := range perm {
			on[i] = r.On[p]
		}
		rows = append(rows, Row{On: on, Count: r.Count})
	}
	out, err := NewTable(names, rows)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func TestColumnOrderDoesNotMatter(t *testing.T) {
	tb := referenceTable(t, "Ned")
	perms := [][]int{{5, 4, 3, 2, 1, 0}, {1, 2, 3, 4, 5, 0}, {3, 0, 5, 1, 4, 2}}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 10 {
		perms = append(perms, rng.Perm(6))
	}
	for _, m := range []Method{Main, Stepwise} {
		want, err := Estimate(tb, Options{Method: m})
		if err != nil {
			t.Fatal(err)
		}
		for _, perm := range perms {
			t.Run(fmt.Sprint(m, perm), func(t *testing.T) {
				got, err := Estimate(permuteColumns(t, tb, perm), Options{Method: m})
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range [][2]float64{{got.Estimate, want.Estimate}, {got.Lower, want.Lower}, {got.Upper, want.Upper}} {
					if !within(c[0], c[1], 1e-9) {
						t.Errorf("columns %v: %.6f, want %.6f", perm, c[0], c[1])
					}
				}
				// The same interactions, added in the same order; each pair
				// may name its lists the other way round.
				if len(got.Interactions) != len(want.Interactions) {
					t.Fatalf("columns %v: model %s, want %s", perm, got.Model, want.Model)
				}
				for i, in := range got.Interactions {
					w := want.Interactions[i]
					if in.Lists != w.Lists && in.Lists != [2]string{w.Lists[1], w.Lists[0]} {
						t.Errorf("columns %v: interaction %d is %v, want %v", perm, i, in.Lists, w.Lists)
					}
				}
			})
		}
	}
}

// table builds a table from rows written as "AB 20": the lists a
// combination is on (one letter each) and its count.
func table(t testing.TB, lists string, rows ...string) *Table {
	t.Helper()
	names := strings.Split(lists, "")
	var rs []Row
	for _, r := range rows {
		combo, count, _ := strings.Cut(r, " ")
		on := make([]bool, len(names))
		for _, l := range strings.Split(combo, "") {
			on[slices.Index(names, l)] = true
		}
		var n int
		for _, c := range count {
			n = 10*n + int(c-'0')
		}
		rs = append(rs, Row{On: on, Count: n})
	}
	tb, err := NewTable(names, rs)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

const z975 = 1.959963984540054 // the 97.5% point of the standard normal

// TestLincolnPetersen: with two lists the main-effects model is saturated, so
// its estimate is the Lincoln–Petersen estimate n₁n₂/m, and the variance of
// the log dark figure is 1/n₁₀ + 1/n₀₁ + 1/n₁₁ (delta method; for a
// saturated Poisson model it is also the inverse information).
func TestLincolnPetersen(t *testing.T) {
	// 60 on A only, 40 on B only, 20 on both: n₁ = 80, n₂ = 60, m = 20.
	tb := table(t, "AB", "A 60", "B 40", "AB 20")
	const (
		total   = 80.0 * 60 / 20           // 240
		dark    = 60.0 * 40 / 20           // 120, the total less the 120 observed
		logVar  = 1.0/60 + 1.0/40 + 1.0/20 // 11/120
		observe = 120
	)
	se := math.Sqrt(logVar)
	want := Result{
		Observed:   observe,
		DarkFigure: dark,
		Estimate:   total,
		Lower:      observe + dark*math.Exp(-z975*se),
		Upper:      observe + dark*math.Exp(z975*se),
		LogDarkSE:  se,
		Model:      "main effects",
	}
	// Stepwise gives the same: the only interaction, A:B, would leave a
	// model with more parameters than combinations, which is not identifiable.
	for _, m := range []Method{Main, Stepwise} {
		t.Run(string(m), func(t *testing.T) {
			r, err := Estimate(tb, Options{Method: m})
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, r, want)
			if r.Deviance > 1e-9 || r.DF != 0 {
				t.Errorf("saturated fit has deviance %g on %d df, want 0 on 0", r.Deviance, r.DF)
			}
		})
	}
}

// TestIndependentLists: counts that are exactly 1000 × the probabilities of
// three independent lists with capture probabilities ½, ½ and ⅕. The main
// effects model fits them perfectly, so its dark figure is exactly the 200
// people on no list; and no pair overlaps more or less than expected, so the
// stepwise search adds nothing.
func TestIndependentLists(t *testing.T) {
	tb := table(t, "ABC", "A 200", "B 200", "C 50", "AB 200", "AC 50", "BC 50", "ABC 50")
	for _, m := range []Method{Main, Stepwise} {
		t.Run(string(m), func(t *testing.T) {
			r, err := Estimate(tb, Options{Method: m})
			if err != nil {
				t.Fatal(err)
			}
			if !within(r.DarkFigure, 200, 1e-9) || !within(r.Estimate, 1000, 1e-9) {
				t.Errorf("dark figure %g, total %g; want 200 and 1000", r.DarkFigure, r.Estimate)
			}
			if r.Model != "main effects" || r.Deviance > 1e-6 || r.DF != 3 {
				t.Errorf("model %q, deviance %g on %d df; want main effects, 0 on 3", r.Model, r.Deviance, r.DF)
			}
		})
	}
}

// TestEmptyOverlap: A and B share nobody, though main effects expect dozens
// on both, so the stepwise search adds A:B first with p-value e^−λ*. Its
// estimate is −∞: the combinations AB and ABC drop out, and the rest is the
// independence of C from "A or B", whose dark figure is again Lincoln–Petersen,
// between C and A∪B: n_C·(n_A + n_B)/(n_AC + n_BC) = 50·200/100 = 100, with
// log variance 1/50 + 1/100 + 1/200. The counts fit that model exactly, so
// A:C and B:C are then as expected and are not added.
func TestEmptyOverlap(t *testing.T) {
	tb := table(t, "ABC", "A 100", "B 100", "C 50", "AC 50", "BC 50")
	r, err := Estimate(tb, Options{})
	if err != nil {
		t.Fatal(err)
	}
	se := math.Sqrt(1.0/50 + 1.0/100 + 1.0/200)
	checkResult(t, r, Result{
		Observed:   350,
		DarkFigure: 100,
		Estimate:   450,
		Lower:      350 + 100*math.Exp(-z975*se),
		Upper:      350 + 100*math.Exp(z975*se),
		LogDarkSE:  se,
		Model:      "main effects + A:B",
	})
	if len(r.Interactions) != 1 || !r.Interactions[0].Empty || r.Interactions[0].Shared != 0 {
		t.Fatalf("interactions = %+v, want A:B, empty", r.Interactions)
	}
	// The p-value of an empty overlap is P(N = 0) = e^−λ*, λ* the number
	// of people main effects expect on both lists.
	main, err := fitPoisson(newDesign(&tb.h, nil))
	if err != nil {
		t.Fatal(err)
	}
	lambda := expectedShared(main, pairMask(0, 1))
	if want := math.Exp(-lambda); !within(r.Interactions[0].PValue, want, 1e-9) {
		t.Errorf("p-value %g, want e^−%g = %g", r.Interactions[0].PValue, lambda, want)
	}
	if r.DF != 1 {
		t.Errorf("df = %d, want 1 (5 combinations kept, 4 parameters)", r.DF)
	}
	if r.AIC <= 0 {
		t.Errorf("AIC = %g", r.AIC)
	}
}

func checkResult(t *testing.T, got, want Result) {
	t.Helper()
	if got.Observed != want.Observed || got.Model != want.Model {
		t.Errorf("observed %d, model %q; want %d, %q", got.Observed, got.Model, want.Observed, want.Model)
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"dark figure", got.DarkFigure, want.DarkFigure},
		{"estimate", got.Estimate, want.Estimate},
		{"lower", got.Lower, want.Lower},
		{"upper", got.Upper, want.Upper},
		{"log standard error", got.LogDarkSE, want.LogDarkSE},
	} {
		// The fit stops at glm's relative deviance change of 1e-8.
		if !within(c.got, c.want, 1e-6) {
			t.Errorf("%s = %.9g, want %.9g", c.name, c.got, c.want)
		}
	}
}

// TestStepwiseSkipsModelsThatCannotBeEstimated: with a threshold of 0.5,
// after B:C and A:C the pair A:B is below the threshold too, but adding it
// would make the model saturated while nobody is on all three lists, so its
// estimate would not exist. SparseMSE gives such a candidate p-value 1; the
// search must stop without it.
func TestStepwiseSkipsModelsThatCannotBeEstimated(t *testing.T) {
	tb := table(t, "ABC", "A 40", "B 80", "C 120", "AB 60", "AC 30", "BC 15")
	r, err := Estimate(tb, Options{PThreshold: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	if r.Model != "main effects + B:C + A:C" {
		t.Fatalf("model = %q, want main effects + B:C + A:C", r.Model)
	}
	f, err := fitPoisson(newDesign(&tb.h, []uint32{pairMask(1, 2), pairMask(0, 2)}))
	if err != nil {
		t.Fatal(err)
	}
	if p := poissonPValue(60, expectedShared(f, pairMask(0, 1))); p >= 0.5 {
		t.Fatalf("A:B has p-value %g, not below 0.5, so the test does not test the skip", p)
	}
	err = checkModel(newDesign(&tb.h, []uint32{pairMask(1, 2), pairMask(0, 2), pairMask(0, 1)}))
	if !errors.Is(err, ErrNotEstimable) {
		t.Errorf("checkModel(A:B + A:C + B:C) = %v, want ErrNotEstimable", err)
	}
}

func TestNotEstimable(t *testing.T) {
	tests := []struct {
		name   string
		tb     *Table
		reason string
	}{
		// With two lists that share nobody, n₁n₂/m has m = 0.
		{"two lists, no overlap", table(t, "AB", "A 10", "B 20"), "does not exist"},
		// Everyone is on A, so nothing shows how many A missed.
		{"a list holds everyone", table(t, "ABC", "A 10", "AB 5", "AC 4", "ABC 1"), `every observed person is on list "A"`},
	}
	for _, tc := range tests {
		for _, m := range []Method{Main, Stepwise} {
			t.Run(tc.name+"/"+string(m), func(t *testing.T) {
				r, err := Estimate(tc.tb, Options{Method: m})
				if !errors.Is(err, ErrNotEstimable) {
					t.Fatalf("Estimate = %+v, %v; want ErrNotEstimable", r, err)
				}
				if !strings.Contains(err.Error(), tc.reason) || !strings.HasPrefix(err.Error(), "estimate.Estimate: ") {
					t.Errorf("error %q does not start with the operation or say %q", err, tc.reason)
				}
			})
		}
	}
}

func TestOptions(t *testing.T) {
	tb := table(t, "AB", "A 60", "B 40", "AB 20")
	for _, tc := range []struct {
		name string
		opt  Options
		ok   bool
	}{
		{"zero value", Options{}, true},
		{"explicit", Options{Method: Main, PThreshold: 0.05, Level: 0.9}, true},
		{"unknown method", Options{Method: "bayes"}, false},
		{"threshold 1", Options{PThreshold: 1}, false},
		{"negative threshold", Options{PThreshold: -0.1}, false},
		{"level 1", Options{Level: 1}, false},
		{"level NaN", Options{Level: math.NaN()}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Estimate(tb, tc.opt)
			if (err == nil) != tc.ok {
				t.Errorf("Estimate(%+v) error = %v, want ok = %v", tc.opt, err, tc.ok)
			}
		})
	}
	t.Run("level", func(t *testing.T) {
		r90, _ := Estimate(tb, Options{Level: 0.9})
		r95, _ := Estimate(tb, Options{})
		if !(r95.Lower < r90.Lower && r90.Upper < r95.Upper && r90.Estimate == r95.Estimate) {
			t.Errorf("90%% interval [%g, %g] is not inside the 95%% one [%g, %g]", r90.Lower, r90.Upper, r95.Lower, r95.Upper)
		}
	})
	t.Run("nil table", func(t *testing.T) {
		if _, err := Estimate(nil, Options{}); err == nil {
			t.Error("Estimate(nil) succeeded")
		}
	})
}

func TestResultJSON(t *testing.T) {
	r, err := Estimate(referenceTable(t, "Ned"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]any{
		"observed": float64(r.Observed),
		"estimate": r.Estimate,
		"lower":    r.Lower,
		"upper":    r.Upper,
		"model":    r.Model,
		"method":   "stepwise",
	} {
		if got[key] != want {
			t.Errorf("%s = %v, want %v", key, got[key], want)
		}
	}
	if in, ok := got["interactions"].([]any); !ok || len(in) != len(r.Interactions) {
		t.Errorf("interactions = %v", got["interactions"])
	}
}
