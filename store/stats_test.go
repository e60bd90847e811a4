package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/stats"
	"github.com/haven-nrm/haven/store"
	"github.com/haven-nrm/haven/store/statsource"
	"github.com/haven-nrm/haven/store/storetest"
)

// statsCase is one hand-made victim for the statistics tests.
type statsCase struct {
	sex         string
	age         int // -1: unknown
	forms       []string
	rg, ident   string
	nationality string
}

// statsCases is the small world the counts below are computed from by hand.
var statsCases = []statsCase{
	{"female", 15, []string{"sexual_exploitation"}, "2025-01-01", "", "NG"},                 // 1 in (first day)
	{"female", 30, []string{"forced_labour", "domestic_servitude"}, "2025-12-31", "", "NG"}, // 2 in (last day); one group
	{"male", 16, []string{"forced_labour", "begging"}, "2025-06-01", "", "TH"},              // 3 in; two groups
	{"male", 40, []string{"organ_removal"}, "2024-12-31", "2025-03-01", "TH"},               // 4 out (RG), in (identification)
	{"female", -1, []string{"sexual_exploitation"}, "2026-01-01", "", "VN"},                 // 5 out (day after)
	{"other", 25, nil, "2025-07-01", "", "VN"},                                              // 6 in; no form
	{"female", 20, []string{"sexual_exploitation"}, "2025-03-03", "2025-04-01", "NG"},       // 7 in; in (identification)
	{"female", 22, []string{"forced_marriage"}, "", "2025-12-31", "NG"},                     // 8 no RG decision; in (identification)
}

func seedStatsCases(t *testing.T, db *store.DB) context.Context {
	t.Helper()
	fx := storetest.Seed(t, db)
	ctx := fx.As(context.Background(), haven.RoleFirstResponder)
	for i, sc := range statsCases {
		c := &haven.Case{
			EncounteredOn: mustDate(t, "2024-06-01"),
			Victim: haven.VictimContext{Sex: sc.sex, AgeStatus: "declared", Disability: "none",
				Nationality: sc.nationality, ImmigrationStatus: "irregular", SocioeconomicStatus: "unknown"},
			FormsOfExploitation: sc.forms,
		}
		if sc.age >= 0 {
			c.Victim.AgeAtEncounter = intp(sc.age)
		} else {
			c.Victim.AgeStatus = "unknown"
		}
		if sc.rg != "" {
			c.ReasonableGroundsOn = mustDate(t, sc.rg)
		}
		if sc.ident != "" {
			c.IdentifiedOn = mustDate(t, sc.ident)
		}
		if err := db.CreateCase(ctx, c, nil); err != nil {
			t.Fatalf("case %d: %v", i+1, err)
		}
	}
	return ctx
}

func mustDate(t *testing.T, s string) haven.Date {
	t.Helper()
	d, err := haven.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func countVictims(t *testing.T, db *store.DB, q store.VictimCountQuery) map[string]int64 {
	t.Helper()
	got := map[string]int64{}
	err := db.CountVictims(context.Background(), q, func(values []string, n int64) error {
		got[strings.Join(values, "|")] += n
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestCountVictims(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		db := open(t)
		seedStatsCases(t, db)
		year2025 := func(basis, forms string, cols ...string) store.VictimCountQuery {
			return store.VictimCountQuery{Basis: basis, From: mustDate(t, "2025-01-01"), To: mustDate(t, "2025-12-31"), Columns: cols, Forms: forms}
		}
		tests := []struct {
			name string
			q    store.VictimCountQuery
			want map[string]int64
		}{
			{"total, reasonable grounds, bounds inclusive", year2025(store.BasisReasonableGrounds, ""),
				map[string]int64{"": 5}},
			{"total, identification", year2025(store.BasisIdentification, ""),
				map[string]int64{"": 3}},
			{"sex by age by form group, each", year2025(store.BasisReasonableGrounds, store.FormsEach, "sex", "age", "form_group"),
				map[string]int64{
					"female|15|sexual_exploitation": 1,
					"female|30|forced_labour":       1, // two forms, one group: once
					"male|16|forced_labour":         1, // two groups: once in each
					"male|16|other":                 1,
					"other|25|none":                 1,
					"female|20|sexual_exploitation": 1,
				}},
			{"form group, once", year2025(store.BasisReasonableGrounds, store.FormsOnce, "form_group"),
				map[string]int64{"sexual_exploitation": 2, "forced_labour": 1, "multiple": 1, "none": 1}},
			{"form group, each: rows exceed victims", year2025(store.BasisReasonableGrounds, store.FormsEach, "form_group"),
				map[string]int64{"sexual_exploitation": 2, "forced_labour": 2, "other": 1, "none": 1}},
			{"identification by sex, form group and year", year2025(store.BasisIdentification, store.FormsEach, "sex", "form_group", "year"),
				map[string]int64{"male|organ_removal|2025": 1, "female|sexual_exploitation|2025": 1, "female|other|2025": 1}},
			{"nationality and child flag", year2025(store.BasisReasonableGrounds, "", "nationality", "treated_as_child"),
				map[string]int64{"NG|1": 1, "NG|0": 2, "TH|1": 1, "VN|0": 1}},
			{"one day", store.VictimCountQuery{Basis: store.BasisReasonableGrounds, From: mustDate(t, "2026-01-01"), To: mustDate(t, "2026-01-01"), Columns: []string{"age", "treated_as_child"}},
				map[string]int64{"|1": 1}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if diff := cmp.Diff(tt.want, countVictims(t, db, tt.q)); diff != "" {
					t.Errorf("counts (-want +got):\n%s", diff)
				}
			})
		}
	})
}

func TestCountVictimsRejectsBadQueries(t *testing.T) {
	db := storetest.OpenSQLite(t)
	d := mustDate(t, "2025-01-01")
	for name, q := range map[string]store.VictimCountQuery{
		"basis":    {Basis: "encounter", From: d, To: d},
		"column":   {From: d, To: d, Columns: []string{"given_name_enc"}},
		"no start": {To: d},
		"reversed": {From: d, To: mustDate(t, "2024-12-31")},
	} {
		err := db.CountVictims(context.Background(), q, func([]string, int64) error { return nil })
		if haven.ErrorCode(err) != haven.EINVALID {
			t.Errorf("%s: got %v, want an invalid-input error", name, err)
		}
	}
}

// TestStatsEngineOnStore runs the statistics engine on the real store.
func TestStatsEngineOnStore(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		db := open(t)
		seedStatsCases(t, db)
		engine := &stats.Engine{Source: stats.SourceFunc(func(ctx context.Context, r stats.CountRequest, emit func([]string, int64) error) error {
			return db.CountVictims(ctx, store.VictimCountQuery(r), emit)
		})}
		r, err := engine.Table(context.Background(), stats.Query{From: mustDate(t, "2025-01-01"), To: mustDate(t, "2025-12-31"),
			By: []string{stats.DimAgeGroup}, K: 2})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, c := range r.Cells {
			v := fmt.Sprint(c.Count)
			if c.Suppressed {
				v = "C"
			}
			got[c.Labels[0]] = v
		}
		// Children: cases 1 (15) and 3 (16); adults: 2, 6 and 7.
		if diff := cmp.Diff(map[string]string{"child": "2", "adult": "3", "unknown": "0", "_T": "5"}, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
}

// TestScanMatchesGroupBy checks that counting tables in one scan of the
// covering indexes gives exactly the tables the per-table GROUP BYs give,
// for every dimension, both form modes and both bases, and the SDG
// publication.
func TestScanMatchesGroupBy(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		db := open(t)
		seedVariedCases(t, seedStatsCases(t, db), db, 150)
		ctx := context.Background()
		grouped := &stats.Engine{Source: stats.SourceFunc(func(ctx context.Context, r stats.CountRequest, emit func([]string, int64) error) error {
			return db.CountVictims(ctx, store.VictimCountQuery(r), emit)
		})}
		scanned := &stats.Engine{Source: statsource.New(db)}
		var queries []stats.Query
		for _, basis := range []string{stats.BasisReasonableGrounds, stats.BasisIdentification} {
			for _, forms := range []string{stats.FormsEach, stats.FormsOnce} {
				base := stats.Query{Basis: basis, Forms: forms, From: mustDate(t, "2025-01-01"), To: mustDate(t, "2025-12-31"), K: 3}
				for _, d := range stats.Dimensions() {
					q := base
					q.By = []string{d}
					queries = append(queries, q)
				}
				q := base
				q.By = []string{stats.DimYear, stats.DimSex, stats.DimAgeGroup, stats.DimFormGroup}
				queries = append(queries, q)
				q.By = []string{stats.DimFormGroup, stats.DimNationality, stats.DimUNODC}
				queries = append(queries, q)
			}
		}
		// One table at a time: a publication of several tables is protected
		// together, so its cells depend on which tables it holds.
		for _, q := range queries {
			want, err := grouped.Table(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			got, err := scanned.Tables(ctx, []stats.Query{q, q}) // the one-pass path, linking two equal tables
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got[0]); diff != "" {
				t.Errorf("%s %s by %v (-group by +scan):\n%s", q.Basis, q.Forms, q.By, diff)
			}
			if q.Forms == stats.FormsOnce && len(got[0].Cells) == 0 {
				t.Errorf("by %v: an empty table proves nothing", q.By)
			}
		}
		var sb strings.Builder
		sb.WriteString("year,sex,age_band,population\n")
		for _, sex := range []string{"female", "male"} {
			for _, band := range stats.Default.BandCodes() {
				fmt.Fprintf(&sb, "2025,%s,%s,100000\n", sex, band)
			}
		}
		pop, err := stats.ReadPopulation(strings.NewReader(sb.String()), nil)
		if err != nil {
			t.Fatal(err)
		}
		sq := stats.SDGQuery{Basis: stats.BasisReasonableGrounds, From: mustDate(t, "2025-01-01"), To: mustDate(t, "2025-12-31"), K: 3, Population: pop}
		wantPub, err := grouped.SDG(ctx, sq)
		if err != nil {
			t.Fatal(err)
		}
		gotPub, err := scanned.SDG(ctx, sq)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(wantPub, gotPub); diff != "" {
			t.Errorf("SDG publication (-group by +scan):\n%s", diff)
		}
	})
}

// seedVariedCases adds n cases through the store with every statistics
// field varied, some without a form, some with an ethnicity or location
// left empty, decided on days spread over 2024-2026.
func seedVariedCases(t *testing.T, ctx context.Context, db *store.DB, n int) {
	t.Helper()
	forms := haven.Vocab.FormCodes()
	sexes := []string{"female", "male", "other", "unknown"}
	for i := range n {
		c := &haven.Case{
			EncounteredOn: mustDate(t, "2024-01-01"),
			Victim: haven.VictimContext{Sex: sexes[i%len(sexes)], AgeStatus: "declared",
				Disability: haven.Vocab.Disabilities[i%len(haven.Vocab.Disabilities)], Nationality: []string{"NG", "TH", "VN"}[i%3],
				ImmigrationStatus:   haven.Vocab.ImmigrationStatuses[i%len(haven.Vocab.ImmigrationStatuses)],
				SocioeconomicStatus: haven.Vocab.SocioeconomicStatuses[i%len(haven.Vocab.SocioeconomicStatuses)]},
		}
		if i%5 != 0 {
			c.Victim.Ethnicity = fmt.Sprintf("E%d", i%4)
		}
		if i%6 != 0 {
			c.Victim.LocationOfIdentification = fmt.Sprintf("R-%d", i%5)
		}
		if i%9 == 0 {
			c.Victim.AgeStatus = "unknown"
		} else {
			c.Victim.AgeAtEncounter = intp(i % 60)
		}
		for k := range i % 4 {
			f := forms[(i+k*5)%len(forms)]
			if !slices.Contains(c.FormsOfExploitation, f) {
				c.FormsOfExploitation = append(c.FormsOfExploitation, f)
			}
		}
		day := time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i*3)
		c.ReasonableGroundsOn = haven.Date{Time: day}
		if i%2 == 0 {
			c.IdentifiedOn = haven.Date{Time: day.AddDate(0, 1, 0)}
		}
		if err := db.CreateCase(ctx, c, nil); err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
	}
}

func TestScanVictimsRejectsBadQueries(t *testing.T) {
	db := storetest.OpenSQLite(t)
	seedStatsCases(t, db)
	ctx := context.Background()
	from, to := mustDate(t, "2025-01-01"), mustDate(t, "2025-12-31")
	for name, q := range map[string]store.VictimScanQuery{
		"unknown basis":    {Basis: "arrest", From: from, To: to},
		"no start":         {To: to},
		"end before start": {From: to, To: from},
	} {
		err := db.ScanVictims(ctx, q, 2, func(int, *store.VictimRow) error { t.Fatal("called"); return nil })
		if haven.ErrorCode(err) != haven.EINVALID {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
	// Only the asked columns are read; a day-long period is one part.
	var sexes []string
	err := db.ScanVictims(ctx, store.VictimScanQuery{From: from, To: from, Columns: []string{store.CountBySex}}, 4,
		func(part int, r *store.VictimRow) error {
			if part != 0 || r.Nationality != nil || r.Date != nil {
				t.Errorf("part %d, row %+v", part, r)
			}
			sexes = append(sexes, string(r.Sex))
			return nil
		})
	if err != nil || !slices.Equal(sexes, []string{"female"}) {
		t.Fatalf("%v, %v", sexes, err)
	}
}

// TestCaseFormsFollowUpdates checks that the forms kept in the case's row
// (read by statistics and by FindCaseByID) follow every write of the forms.
func TestCaseFormsFollowUpdates(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		db := open(t)
		ctx := seedStatsCases(t, db)
		c := &haven.Case{EncounteredOn: mustDate(t, "2025-01-02"), ReasonableGroundsOn: mustDate(t, "2025-02-01"),
			Victim: haven.VictimContext{Sex: "female", AgeStatus: "unknown", Disability: "none", Nationality: "NG",
				ImmigrationStatus: "irregular", SocioeconomicStatus: "unknown"},
			FormsOfExploitation: []string{"sexual_exploitation", "begging"}}
		if err := db.CreateCase(ctx, c, nil); err != nil {
			t.Fatal(err)
		}
		forms := func() (string, []string) {
			t.Helper()
			var row string
			err := db.ScanVictims(context.Background(), store.VictimScanQuery{From: mustDate(t, "2025-02-01"), To: mustDate(t, "2025-02-01"),
				Columns: []string{store.CountByFormGroup}}, 1, func(_ int, r *store.VictimRow) error {
				row = string(r.Forms)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			got, err := db.FindCaseByID(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			return row, got.FormsOfExploitation
		}
		if row, found := forms(); row != "begging,sexual_exploitation" || !slices.Equal(found, []string{"begging", "sexual_exploitation"}) {
			t.Fatalf("after create: row %q, case %q", row, found)
		}
		newForms := []string{"forced_labour"}
		if _, err := db.UpdateCase(ctx, c.ID, haven.CaseUpdate{Version: c.Version, FormsOfExploitation: &newForms}); err != nil {
			t.Fatal(err)
		}
		if row, found := forms(); row != "forced_labour" || !slices.Equal(found, newForms) {
			t.Fatalf("after update: row %q, case %q", row, found)
		}
	})
}
