package main_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/haven-nrm/haven"
	main "github.com/haven-nrm/haven/cmd/haven"
	"github.com/haven-nrm/haven/store"
)

// statsDB creates a migrated SQLite file with n adult women exploited
// sexually and m boys in forced labour, all with a reasonable-grounds
// decision on 2025-06-30.
func statsDB(t *testing.T, women, boys int) string {
	t.Helper()
	ctx := context.Background()
	db, fx, path := main.VaultDB(t)
	uctx := fx.As(ctx, haven.RoleFirstResponder)
	rg, _ := haven.ParseDate("2025-06-30")
	enc, _ := haven.ParseDate("2025-01-15")
	add := func(n int, sex string, age int, form string) {
		for range n {
			a := age
			c := &haven.Case{EncounteredOn: enc, ReasonableGroundsOn: rg, FormsOfExploitation: []string{form},
				Victim: haven.VictimContext{Sex: sex, AgeStatus: "declared", AgeAtEncounter: &a, Nationality: "NG"}}
			if err := db.CreateCase(uctx, c, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	add(women, "female", 30, "sexual_exploitation")
	add(boys, "male", 15, "forced_labour")
	return path
}

func TestStatsCommand(t *testing.T) {
	db := statsDB(t, 12, 15)
	dir := t.TempDir()
	pop := filepath.Join(dir, "pop.csv")
	var b strings.Builder
	b.WriteString("year,sex,age_band,population\n")
	for _, sex := range []string{"female", "male"} {
		for _, band := range []string{"0-11", "12-14", "15-17", "18-24", "25-34", "35-49", "50+"} {
			fmt.Fprintf(&b, "2025,%s,%s,100000\n", sex, band)
		}
	}
	if err := os.WriteFile(pop, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	period := []string{"--db", db, "--from", "2025-01-01", "--to", "2025-12-31"}

	t.Run("csv by UNODC category", func(t *testing.T) {
		out, e, code := runHaven(t, nil, append([]string{"stats", "--by", "unodc_category"}, period...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, e)
		}
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, r := range rows[1:] {
			got[r[1]] = r[2] + "/" + r[3]
		}
		for k, v := range map[string]string{"women": "12/published", "boys": "15/published", "girls": "0/published", "_T": "27/published"} {
			if got[k] != v {
				t.Errorf("%s: %s, want %s (%v)", k, got[k], v, got)
			}
		}
	})
	t.Run("outside the period", func(t *testing.T) {
		out, _, code := runHaven(t, nil, "stats", "--db", db, "--by", "sex", "--from", "2025-07-01", "--to", "2025-12-31")
		if code != 0 || !strings.Contains(out, "_T,0,published") {
			t.Fatalf("exit %d: %s", code, out)
		}
	})
	t.Run("sdmx", func(t *testing.T) {
		if _, e, code := runHaven(t, nil, append([]string{"stats", "--sdg", "--population", pop, "--format", "sdmx"}, period...)...); code == 0 || !strings.Contains(e, "--ref-area") {
			t.Fatalf("SDMX without a reporting area: exit %d: %s", code, e)
		}
		out, e, code := runHaven(t, nil, append([]string{"stats", "--sdg", "--population", pop, "--format", "sdmx", "--ref-area", "566"}, period...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, e)
		}
		// 12 adult women / 400,000 adult women = 3.00 per 100,000.
		for _, want := range []string{
			"DATAFLOW,FREQ,REPORTING_TYPE,SERIES,REF_AREA,SEX,AGE,TIME_PERIOD,OBS_VALUE,UNIT_MEASURE,OBS_STATUS,CONF_STATUS",
			",A,N,VC_HTF_DETVSX,566,F,Y_GE18,2025,12,NUMBER,A,F",
			",A,N,VC_HTF_DETVR,566,F,Y_GE18,2025,3.00,PER_100000_POP,A,F",
			",A,N,VC_HTF_DETVR,566,M,Y0T17,2025,5.00,PER_100000_POP,A,F",
			",A,N,VC_HTF_DETVFL,566,M,Y0T17,2025,15,NUMBER,A,F",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("missing %q in\n%s", want, out)
			}
		}
	})
	t.Run("xlsx", func(t *testing.T) {
		file := filepath.Join(dir, "t.xlsx")
		if _, e, code := runHaven(t, nil, append([]string{"stats", "--sdg", "--population", pop, "--format", "xlsx", "--out", file}, period...)...); code != 0 {
			t.Fatalf("exit %d: %s", code, e)
		}
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if len(f.GetSheetList()) != 8 {
			t.Errorf("sheets %v", f.GetSheetList())
		}
	})
	t.Run("all suppressed", func(t *testing.T) {
		small := statsDB(t, 2, 3)
		out, e, code := runHaven(t, nil, "stats", "--db", small, "--by", "sex", "--from", "2025-01-01", "--to", "2025-12-31", "--format", "json")
		if code != 0 || !strings.Contains(e, "withheld") || !strings.Contains(out, `"withheld": true`) || strings.Contains(out, `"count": 5`) {
			t.Fatalf("exit %d: %s\n%s", code, e, out)
		}
	})
	t.Run("errors", func(t *testing.T) {
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"--by", "sex", "--format", "sdmx"}, "add --sdg"},
			{[]string{"--sdg"}, "--population: required"},
			{[]string{"--by", "given_name"}, "--by must list"},
			{[]string{"--by", "sex", "--k", "1"}, "--k: must be at least 2"},
			{[]string{"--sdg", "--population", pop, "--from", "2024-01-01"}, "no rows for year 2024"},
			{[]string{"--by", "sex", "--from", "2025-13-01"}, "--from: must be a date"},
		} {
			_, e, code := runHaven(t, nil, append(append([]string{"stats"}, period...), c.args...)...)
			if code == 0 || !strings.Contains(e, c.want) {
				t.Errorf("%v: exit %d, %q, want %q", c.args, code, e, c.want)
			}
		}
	})
}

// TestStatsRecordsRelease checks that a published table leaves a record
// of its release (GR 38 §111) and that a refused query leaves none.
func TestStatsRecordsRelease(t *testing.T) {
	path := statsDB(t, 12, 15)
	if _, e, code := runHaven(t, nil, "stats", "--db", path, "--by", "nope", "--from", "2025-01-01", "--to", "2025-12-31"); code == 0 {
		t.Fatalf("an unknown dimension was accepted: %s", e)
	}
	if _, e, code := runHaven(t, nil, "stats", "--db", path, "--by", "unodc_category,form_group", "--forms", "once",
		"--from", "2025-01-01", "--to", "2025-12-31", "--k", "5"); code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rels, err := db.Releases(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(rels) != 1 {
		t.Fatalf("%d releases recorded, want 1: %+v", len(rels), rels)
	}
	out, e, code := runHaven(t, nil, "releases", "--db", path)
	if code != 0 || !strings.Contains(out, "(command line)") || !strings.Contains(out, `"by":["unodc_category","form_group"]`) {
		t.Fatalf("haven releases: exit %d: %s%s", code, out, e)
	}
	if _, e, code := runHaven(t, nil, "releases", "--db", path, "--limit", "0"); code == 0 || !strings.Contains(e, "--limit") {
		t.Fatalf("haven releases --limit 0: exit %d: %s", code, e)
	}
	r := rels[0]
	wantQuery := `{"by":["unodc_category","form_group"],"basis":"reasonable_grounds","from":"2025-01-01","to":"2025-12-31","forms":"once","k":5,"format":"csv"}`
	if r.Channel != haven.ReleaseCLI || r.Query != wantQuery || !strings.HasPrefix(r.Protection, "suppression k=5") || r.Tables != 1 || r.Withheld != 0 {
		t.Fatalf("release = %+v\nwant query %s", r, wantQuery)
	}
}

// TestNoisyStatsSpendTheBudget opens a budget, spends it with noisy
// releases, and checks that a release it cannot pay for is refused and
// recorded nowhere.
func TestNoisyStatsSpendTheBudget(t *testing.T) {
	path := statsDB(t, 40, 30)
	period := []string{"--db", path, "--from", "2025-01-01", "--to", "2025-12-31"}
	noisy := append([]string{"stats", "--by", "unodc_category", "--epsilon", "0.6", "--dataset", "victims-2025"}, period...)
	if _, e, code := runHaven(t, nil, noisy...); code == 0 || !strings.Contains(e, "victims-2025") {
		t.Fatalf("a release without a budget: exit %d: %s", code, e)
	}
	if _, e, code := runHaven(t, nil, "budget", "open", "--db", path, "--dataset", "victims-2025", "--epsilon", "1"); code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	if _, e, code := runHaven(t, nil, "budget", "open", "--db", path, "--dataset", "victims-2025", "--epsilon", "5"); code == 0 || !strings.Contains(e, "never raised") {
		t.Fatalf("reopening: exit %d: %s", code, e)
	}
	out, e, code := runHaven(t, nil, noisy...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("%v: %q", err, out)
	}
	if _, e, code := runHaven(t, nil, noisy...); code == 0 || !strings.Contains(e, "budget") {
		t.Fatalf("overspending: exit %d: %s", code, e)
	}
	if _, e, code := runHaven(t, nil, append([]string{"stats", "--by", "nationality", "--epsilon", "0.1", "--dataset", "victims-2025"}, period...)...); code == 0 || !strings.Contains(e, "nationality") {
		t.Fatalf("noisy nationality: exit %d: %s", code, e)
	}
	show, e, code := runHaven(t, nil, "budget", "show", "--db", path, "--dataset", "victims-2025")
	if code != 0 || !strings.Contains(show, "total ε 1, spent 0.6, left 0.4") || strings.Count(show, "discrete Laplace") != 1 {
		t.Fatalf("exit %d: %s%s", code, show, e)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rels, err := db.Releases(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(rels) != 1 || !strings.Contains(rels[0].Protection, "ε=0.6") || !strings.Contains(rels[0].Query, `"noise":{"dataset":"victims-2025","epsilon":"0.6"}`) {
		t.Fatalf("releases %+v", rels)
	}
}
