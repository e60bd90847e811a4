package stats_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/haven-nrm/haven/stats"
)

// population2025 has 150,000 adult women, 200,000 adult men, 30,000 girls
// and 30,000 boys in 2025.
func populationCSV(years ...int) string {
	var b strings.Builder
	b.WriteString("year,sex,age_band,population\n")
	for _, y := range years {
		for _, sex := range []string{"female", "male"} {
			adult := []int{50000, 50000, 25000, 25000}
			if sex == "male" {
				adult = []int{50000, 50000, 50000, 50000}
			}
			fmt.Fprintf(&b, "%d,%s,0-11,10000\n%d,%s,12-14,10000\n%d,%s,15-17,10000\n", y, sex, y, sex, y, sex)
			for i, band := range []string{"18-24", "25-34", "35-49", "50+"} {
				fmt.Fprintf(&b, "%d,%s,%s,%d\n", y, sex, band, adult[i])
			}
		}
	}
	return b.String()
}

func TestReadPopulation(t *testing.T) {
	p, err := stats.ReadPopulation(strings.NewReader(populationCSV(2025)), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		sex, age string
		want     int64
	}{{"female", "adult", 150000}, {"male", "adult", 200000}, {"female", "child", 30000}, {"_T", "_T", 410000}, {"_T", "adult", 350000}} {
		if got, ok := p.Of(2025, c.sex, c.age); !ok || got != c.want {
			t.Errorf("%s %s: got %d %v, want %d", c.sex, c.age, got, ok, c.want)
		}
	}
	if _, ok := p.Of(2025, "other", "adult"); ok {
		t.Error("a population for sex other")
	}
}

func TestReadPopulationErrors(t *testing.T) {
	good := populationCSV(2025)
	lines := strings.Split(good, "\n")
	tests := map[string]struct{ file, want string }{
		"header":       {"yr,sex,band,n\n", "line 1: the header"},
		"negative":     {strings.Replace(good, "2025,female,0-11,10000", "2025,female,0-11,-5", 1), "line 2: the population must be a whole number"},
		"non-integer":  {strings.Replace(good, "2025,male,50+,50000", "2025,male,50+,500.5", 1), "line 15: the population must be a whole number"},
		"duplicate":    {good + lines[3] + "\n", "line 16: 2025 female 15-17 is already given on line 4"},
		"missing band": {strings.Replace(good, "2025,male,12-14,10000\n", "", 1), "year 2025 has no row for sex male, age band 12-14"},
		"bad band":     {strings.Replace(good, "2025,male,12-14", "2025,male,12-15", 1), "line 10: the age band must be one of"},
		"bad sex":      {strings.Replace(good, "2025,male,12-14", "2025,man,12-14", 1), "line 10: the sex must be female or male"},
		"fields":       {good + "2025,male\n", "line 16: a row needs 4 fields"},
		"year":         {strings.Replace(good, "2025,male,12-14", "20x5,male,12-14", 1), "line 10: the year must be"},
		"empty":        {"year,sex,age_band,population\n", "no rows"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := stats.ReadPopulation(strings.NewReader(tt.file), nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// sdgVictims: 2025, 3 adult women (sexual exploitation) and 4 adult men
// (forced labour); the rest is padding the tables can publish.
func sdgPublication(t *testing.T, k int) *stats.Publication {
	t.Helper()
	pop, err := stats.ReadPopulation(strings.NewReader(populationCSV(2025)), nil)
	if err != nil {
		t.Fatal(err)
	}
	e := &stats.Engine{Source: fakeSource([]victim{
		{"female", 30, "sexual_exploitation", "2025-03-01", 3},
		{"male", 40, "forced_labour", "2025-09-01", 4},
	})}
	pub, err := e.SDG(context.Background(), stats.SDGQuery{Basis: stats.BasisReasonableGrounds,
		From: date(t, "2025-01-01"), To: date(t, "2025-12-31"), K: k, Population: pop})
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

func TestSDGRates(t *testing.T) {
	pub := sdgPublication(t, 2)
	core := pub.Tables[0]
	if core.Title != stats.SDGCoreTitle || core.Withheld {
		t.Fatalf("core table %q withheld %v", core.Title, core.Withheld)
	}
	rates := map[string]float64{}
	for _, c := range core.Cells {
		if c.Rate != nil {
			rates[strings.Join(c.Labels, "|")] = *c.Rate
		}
	}
	for key, want := range map[string]float64{
		"2025|female|adult|sexual_exploitation": 2.0,                // 3 / 150,000
		"2025|female|adult|_T":                  2.0,                // 3 / 150,000
		"2025|male|adult|forced_labour":         2.0,                // 4 / 200,000
		"2025|_T|adult|_T":                      2.0,                // 7 / 350,000
		"2025|_T|_T|_T":                         7.0 / 410000 * 1e5, // 1.707...
		"2025|female|child|_T":                  0,                  // 0 / 30,000
	} {
		got, ok := rates[key]
		if !ok || math.Abs(got-want) > 1e-9 {
			t.Errorf("rate %s: got %v (present %v), want %v", key, got, ok, want)
		}
	}
	for key := range rates {
		l := strings.Split(key, "|")
		if l[0] == "_T" || l[1] == "other" || l[1] == "unknown" || l[2] == "unknown" {
			t.Errorf("rate %s has no population and must be empty", key)
		}
	}
	if len(pub.Tables) != 2+len(stats.Section110()) {
		t.Errorf("%d tables", len(pub.Tables))
	}
}

func TestSDGNeedsEveryYear(t *testing.T) {
	pop, err := stats.ReadPopulation(strings.NewReader(populationCSV(2024)), nil)
	if err != nil {
		t.Fatal(err)
	}
	e := &stats.Engine{Source: fakeSource(nil)}
	_, err = e.SDG(context.Background(), stats.SDGQuery{Basis: stats.BasisReasonableGrounds,
		From: date(t, "2024-07-01"), To: date(t, "2025-06-30"), Population: pop})
	if err == nil || !strings.Contains(err.Error(), "no rows for year 2025") {
		t.Fatalf("got %v, want the missing year named", err)
	}
}

func TestOutputsMarkSuppressedCells(t *testing.T) {
	pub := sdgPublication(t, 11) // 3 and 4 are under 11: the core table is withheld
	core := pub.Tables[0]
	if !core.Withheld {
		t.Fatal("core table should be withheld")
	}

	t.Run("sdmx", func(t *testing.T) {
		var b bytes.Buffer
		if err := stats.WriteSDMX(&b, pub, nil); !errors.Is(err, stats.ErrNoRefArea) {
			t.Fatalf("SDMX without a reporting area: %v", err)
		}
		if err := stats.WriteSDMX(&b, pub, refArea(t)); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&b).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(rows[0], ","); got != "DATAFLOW,FREQ,REPORTING_TYPE,SERIES,REF_AREA,SEX,AGE,TIME_PERIOD,OBS_VALUE,UNIT_MEASURE,OBS_STATUS,CONF_STATUS" {
			t.Fatalf("header %s", got)
		}
		if len(rows) < 2 {
			t.Fatal("no observations")
		}
		for _, r := range rows[1:] {
			if r[8] != "" || r[10] != "M" || r[11] != "C" {
				t.Fatalf("suppressed observation written as %v", r)
			}
		}
	})
	t.Run("csv", func(t *testing.T) {
		var b bytes.Buffer
		if err := stats.WriteCSV(&b, pub); err != nil {
			t.Fatal(err)
		}
		rows, _ := csv.NewReader(&b).ReadAll()
		n := 0
		for _, r := range rows[1:] {
			if r[0] == stats.SDGCoreTitle {
				n++
				if r[len(r)-3] != "C" || r[len(r)-2] != "withheld" {
					t.Fatalf("row %v", r)
				}
			}
		}
		if n == 0 {
			t.Fatal("no core rows")
		}
	})
	t.Run("json", func(t *testing.T) {
		var b bytes.Buffer
		if err := stats.WriteJSON(&b, pub); err != nil {
			t.Fatal(err)
		}
		var got struct {
			Tables []struct {
				Withheld bool `json:"withheld"`
				Cells    []struct {
					Count      *int64 `json:"count"`
					Suppressed bool   `json:"suppressed"`
				} `json:"cells"`
			} `json:"tables"`
		}
		if err := json.Unmarshal(b.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if !got.Tables[0].Withheld {
			t.Error("withheld not marked")
		}
		for _, c := range got.Tables[0].Cells {
			if c.Count != nil || !c.Suppressed {
				t.Fatalf("cell written as %+v", c)
			}
		}
	})
}

func TestOutputsAgree(t *testing.T) {
	pub := sdgPublication(t, 2)
	core := pub.Tables[0]

	var sd bytes.Buffer
	if err := stats.WriteSDMX(&sd, pub, refArea(t)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sd.String(), "IAEG-SDGs:DF_SDG_GLH(1.12),A,N,VC_HTF_DETVSX,826,F,Y_GE18,2025,3,NUMBER,A,F") ||
		!strings.Contains(sd.String(), "IAEG-SDGs:DF_SDG_GLH(1.12),A,N,VC_HTF_DETVFLR,826,M,Y_GE18,2025,2.00,PER_100000_POP,A,F") ||
		!strings.Contains(sd.String(), "IAEG-SDGs:DF_SDG_GLH(1.12),A,N,VC_HTF_DETV,826,_T,_T,2025,") ||
		strings.Contains(sd.String(), "MULTIPLE") {
		t.Errorf("SDMX-CSV lacks the hand-computed observations:\n%s", sd.String())
	}

	var x bytes.Buffer
	if err := stats.WriteXLSX(&x, pub); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&x)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := len(f.GetSheetList()); got != len(pub.Tables) {
		t.Fatalf("%d sheets for %d tables", got, len(pub.Tables))
	}
	rows, err := f.GetRows("Table 1")
	if err != nil {
		t.Fatal(err)
	}
	if rows[0][0] != stats.SDGCoreTitle {
		t.Errorf("title %q", rows[0][0])
	}
	// Header then one row per cell, in the same order and values.
	var start int
	for i, r := range rows {
		if len(r) > 4 && r[4] == "count" {
			start = i + 1
		}
	}
	if start == 0 || len(rows)-start != len(core.Cells) {
		t.Fatalf("%d data rows for %d cells", len(rows)-start, len(core.Cells))
	}
	for i, c := range core.Cells {
		r := rows[start+i]
		want := fmt.Sprint(c.Count)
		if c.Suppressed {
			want = "C"
		}
		if strings.Join(r[:4], "|") != strings.Join(c.Labels, "|") || r[4] != want {
			t.Fatalf("row %d: %v, want %v %s", i, r, c.Labels, want)
		}
	}
}

func refArea(t *testing.T) *stats.Config {
	t.Helper()
	c, err := stats.Default.WithRefArea("826")
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "82", "8260", "GBR", "82a"} {
		if _, err := stats.Default.WithRefArea(bad); err == nil {
			t.Fatalf("reference area %q accepted", bad)
		}
	}
	return c
}
