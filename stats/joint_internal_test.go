package stats

import (
	"context"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/disclosure"
)

type memRows []Row

func (rs memRows) CountVictims(context.Context, CountRequest, func([]string, int64) error) error {
	panic("the engine must scan a RowSource")
}

func (rs memRows) ScanVictims(_ context.Context, r ScanRequest, _ int, fn func(int, *Row) error) error {
	for i := range rs {
		if err := fn(0, &rs[i]); err != nil {
			return err
		}
	}
	return nil
}

// attack is what an attacker holding every table of a publication
// computes: for each hidden cell that is a sum of the finer table, how far
// it can move given every published such cell. It returns how many hidden
// cells move less than k.
func attack(t *testing.T, q Query, results []*Result) int {
	t.Helper()
	f := newFineTable(Default, q, results)
	var published []disclosure.LinearCell
	var hidden [][]int
	for _, r := range results {
		if r.Withheld {
			continue
		}
		for _, c := range r.Cells {
			vars, ok := f.vars(r, c.Labels)
			switch {
			case !ok:
			case c.Suppressed:
				hidden = append(hidden, vars)
			default:
				published = append(published, disclosure.LinearCell{Vars: vars, Value: c.Count})
			}
		}
	}
	if len(hidden) == 0 {
		return 0
	}
	bounds, err := disclosure.JointBounds(context.Background(), f.size(), published, hidden)
	if err != nil {
		t.Fatal(err)
	}
	broken := 0
	for _, b := range bounds {
		if b.Width() < int64(q.K) {
			broken++
		}
	}
	return broken
}

// TestSumsAcrossTablesCannotUndoSuppression publishes random SDG-like
// publications — the SDG table by year, sex, age group and form group,
// the age bands by sex, and a §110 dimension by UNODC category — and
// attacks them by linear programming over year × sex × age band × form
// group. Protected one by one, some fall: a hidden age band is the SDG
// table's children minus the published bands. Protected together, none.
func TestSumsAcrossTablesCannotUndoSuppression(t *testing.T) {
	rng := rand.New(rand.NewPCG(115, 117))
	ctx := context.Background()
	from, _ := haven.ParseDate("2025-01-01")
	to, _ := haven.ParseDate("2025-12-31")
	base := Query{Basis: BasisReasonableGrounds, From: from, To: to, K: 5, Forms: FormsOnce}
	var queries []Query
	for _, by := range [][]string{
		{DimYear, DimSex, DimAgeGroup, DimFormGroup},
		{DimSex, DimAgeBand},
		{DimDisability, DimUNODC},
	} {
		q := base
		q.By = by
		queries = append(queries, q)
	}
	sexes := []string{"female", "female", "male", "male", "other"}
	forms := []string{"sexual_exploitation", "forced_labour", "begging", ""}
	dis := []string{"none", "none", "physical"}
	brokenAlone, withheld := 0, 0
	for trial := range 60 {
		var rows memRows
		for range 40 + rng.IntN(80) {
			age := ""
			if rng.IntN(12) > 0 {
				age = strconv.Itoa(3 + rng.IntN(50))
			}
			rows = append(rows, Row{Date: []byte("2025-06-01"), Sex: []byte(sexes[rng.IntN(len(sexes))]), Age: []byte(age),
				Disability: []byte(dis[rng.IntN(len(dis))]), Forms: []byte(forms[rng.IntN(len(forms))])})
		}
		e := &Engine{Source: rows}
		var alone []*Result
		for _, q := range queries {
			r, err := e.Tables(ctx, []Query{q})
			if err != nil {
				t.Fatal(err)
			}
			alone = append(alone, r[0])
		}
		if attack(t, base, alone) > 0 {
			brokenAlone++
		}
		together, err := e.Tables(ctx, queries)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		if n := attack(t, base, together); n > 0 {
			t.Fatalf("trial %d: %d hidden cells can be worked out within k from the published tables", trial, n)
		}
		if together[0].Withheld && !alone[0].Withheld {
			t.Fatalf("trial %d: the first table was withheld", trial)
		}
		for _, r := range together[1:] {
			if r.Withheld && r.Note == jointNote {
				withheld++
			}
		}
	}
	if brokenAlone == 0 {
		t.Fatal("no publication protected table by table could be attacked: the test proves nothing")
	}
	t.Logf("%d of 60 publications could be attacked when protected table by table; %d tables withheld to protect them together", brokenAlone, withheld)
}
