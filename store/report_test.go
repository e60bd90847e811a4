package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/lifecycle"
	"github.com/haven-nrm/haven/report"
	"github.com/haven-nrm/haven/store"
	"github.com/haven-nrm/haven/store/storetest"
)

// TestReportInputOnBothDatabases fires lifecycle events through the store
// on a clock it moves, reads the report's input for April 2026 without a
// key, and checks the plain facts kept beside each step and the indicators
// computed from them, on SQLite and PostgreSQL.
func TestReportInputOnBothDatabases(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		db := open(t)
		fx := storetest.Seed(t, db)
		ctx := context.Background()
		clock := time.Date(2026, 4, 2, 10, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return clock }
		cfg := lifecycle.DefaultConfig()
		cfg.ReflectionDays = 45 // not the default, so the column is seen to come from the case
		db.SetLifecycleConfig(cfg)
		as := func(r haven.Role) context.Context { return fx.As(ctx, r) }
		newChild := func() *haven.Case {
			t.Helper()
			c := sampleCase()
			c.Victim.AgeStatus, c.Victim.AgeAtEncounter = "unknown", nil
			if err := db.CreateCase(as(haven.RoleFirstResponder), c, nil); err != nil {
				t.Fatal(err)
			}
			return c
		}
		fire := func(c *haven.Case, r haven.Role, e lifecycle.Event, d *lifecycle.Decision) {
			t.Helper()
			cur, err := db.FindCaseByID(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := db.FireEvent(as(r), c.ID, cur.Version, lifecycle.Request{Event: e, Decision: d}); err != nil {
				t.Fatalf("%s: %v", e, err)
			}
		}
		team := func(members ...haven.Role) *lifecycle.Decision {
			d := &lifecycle.Decision{Reasons: "Indicators of trafficking.", Evidence: []string{"screening"}}
			for _, r := range members {
				u := fx.Users[r]
				d.Members = append(d.Members, lifecycle.Member{UserID: u.ID, Role: r, Sector: u.Sector})
			}
			return d
		}

		// Before the period: a case opened and referred in March.
		clock = time.Date(2026, 3, 31, 12, 0, 0, 0, time.UTC)
		before := newChild()
		fire(before, haven.RoleFirstResponder, lifecycle.StartScreening, nil)

		// Eleven children's cases opened on 2 April, one an hour, all
		// referred on 3 April at 09:00 and decided 0 to 10 days later.
		// Guardians: six within the hour, one after 30 hours, four never.
		opened := time.Date(2026, 4, 2, 0, 0, 0, 0, time.UTC)
		var cases []*haven.Case
		for i := range 11 {
			clock = opened.Add(time.Duration(i) * time.Hour)
			c := newChild()
			cases = append(cases, c)
			switch {
			case i < 6:
				clock = clock.Add(time.Hour)
				fire(c, haven.RoleCaseworker, lifecycle.AppointGuardian, nil)
			case i == 6:
				clock = clock.Add(30 * time.Hour)
				fire(c, haven.RoleCaseworker, lifecycle.AppointGuardian, nil)
			}
		}
		referred := time.Date(2026, 4, 3, 9, 0, 0, 0, time.UTC)
		for i, c := range cases {
			clock = referred
			fire(c, haven.RoleFirstResponder, lifecycle.StartScreening, nil)
			fire(c, haven.RoleFirstResponder, lifecycle.Refer, nil)
			clock = referred.Add(time.Duration(i) * 24 * time.Hour)
			d := team(haven.RoleCompetentBody, haven.RoleServiceProvider)
			if i == 0 {
				d = team(haven.RoleCompetentBody, haven.RoleServiceProvider, haven.RoleGuardian, haven.RoleLawEnforcement)
			}
			fire(c, haven.RoleCompetentBody, lifecycle.ReasonableGroundsPositive, d)
		}
		// Non-punishment findings: one in the period, one before it.
		clock = time.Date(2026, 4, 20, 12, 0, 0, 0, time.UTC)
		for _, on := range []string{"2026-04-10", "2026-03-01"} {
			decided, _ := haven.ParseDate(on)
			f := &haven.NonPunishmentFinding{CaseID: cases[3].ID, DecidedOn: decided, DecidedBy: "Team",
				Offences: []haven.Offence{{Description: "x", Jurisdiction: "y", Date: decided, RecordNumber: "z"}}}
			if err := db.RecordNonPunishment(as(haven.RoleFirstResponder), f); err != nil {
				t.Fatal(err)
			}
		}
		// After the period: a case opened and screened in May.
		clock = time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
		after := newChild()
		fire(after, haven.RoleFirstResponder, lifecycle.StartScreening, nil)

		// The plain columns beside the steps of the first case.
		rows, err := db.RawQuery(ctx, `SELECT event, decision_sectors, decision_multidisciplinary, reflection_days
			FROM case_steps WHERE case_id = ? ORDER BY seq`, cases[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		var columns []string
		for rows.Next() {
			var (
				event         string
				sectors, days sql.NullInt64
				multi         sql.NullBool
			)
			if err := rows.Scan(&event, &sectors, &multi, &days); err != nil {
				t.Fatal(err)
			}
			columns = append(columns, event+" "+nullString(sectors.Valid, sectors.Int64)+" "+
				nullString(multi.Valid, multi.Bool)+" "+nullString(days.Valid, days.Int64))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		// Four members of four sectors, one of them police: still
		// multidisciplinary; the period of 45 days.
		if diff := cmp.Diff([]string{
			"appoint_guardian NULL NULL NULL",
			"start_screening NULL NULL NULL",
			"refer NULL NULL NULL",
			"reasonable_grounds_positive 4 true 45",
		}, columns); diff != "" {
			t.Errorf("case_steps columns (-want +got):\n%s", diff)
		}

		// The report needs no key: read it with the vault gone.
		db.SetVault(nil)
		clock = time.Date(2026, 5, 20, 0, 0, 0, 0, time.UTC)
		april := report.Period{From: mustDate(t, "2026-04-01"), To: mustDate(t, "2026-04-30")}
		in, err := db.ReportInput(ctx, april)
		if err != nil {
			t.Fatal(err)
		}
		if len(in.Cases) != 11 || !in.AsOf.Equal(clock) || in.Limits.ReflectionDays != 45 {
			t.Fatalf("input: %d cases as of %v, reflection %d days; want the 11 April cases as of %v, 45 days",
				len(in.Cases), in.AsOf, in.Limits.ReflectionDays, clock)
		}
		first := in.Cases[0]
		for _, c := range in.Cases {
			if c.OpenedAt.Equal(opened) {
				first = c
			}
		}
		multi := true
		want := report.Case{OpenedAt: opened, Child: true, Steps: []report.Step{
			{Event: lifecycle.AppointGuardian, At: opened.Add(time.Hour)},
			{Event: lifecycle.StartScreening, At: referred},
			{Event: lifecycle.Refer, At: referred},
			{Event: lifecycle.ReasonableGroundsPositive, At: referred, Sectors: 4, Multidisciplinary: &multi, ReflectionDays: 45},
		}}
		if diff := cmp.Diff(want, first); diff != "" {
			t.Errorf("first case (-want +got):\n%s", diff)
		}
		var findings []string
		for _, c := range in.Cases {
			for _, d := range c.NonPunishment {
				findings = append(findings, d.String())
			}
		}
		if diff := cmp.Diff([]string{"2026-04-10"}, findings); diff != "" {
			t.Errorf("non-punishment findings (-want +got):\n%s", diff)
		}

		// The indicators over it. Days 0 to 10: median (6th) 5, 90th
		// percentile (10th of 11) 9; within the 5-day limit: 0 to 4.
		got := map[string]map[string]float64{}
		for _, r := range report.Compute(in).Results {
			if r.Suppressed {
				continue
			}
			got[r.ID] = map[string]float64{}
			for _, f := range r.Figures {
				got[r.ID][f.ID] = f.Value
			}
		}
		if diff := cmp.Diff(map[string]map[string]float64{
			"reasonable_grounds_days": {"cases": 11, "median_days": 5, "p90_days": 9, "within_limit": 5,
				"within_limit_share": 45.5, "after_limit": 6, "limit_hours": 120},
			"multidisciplinary_decisions": {"decisions": 11, "multidisciplinary": 11, "multidisciplinary_share": 100,
				"not_multidisciplinary": 0, "not_recorded": 0, "median_sectors": 2},
			"reflection_periods": {"granted": 11, "median_days": 45, "min_days": 45, "max_days": 45,
				"shorter_than_minimum": 0, "not_recorded": 0},
			"child_guardians": {"children": 11, "in_time": 6, "in_time_share": 54.5, "late": 1, "waiting": 0,
				"overdue": 4, "limit_hours": 24},
		}, got); diff != "" {
			t.Errorf("published indicators (-want +got):\n%s", diff)
		}

		// A bad period is refused before any query.
		if _, err := db.ReportInput(ctx, report.Period{From: april.To, To: april.From}); haven.ErrorCode(err) != haven.EINVALID {
			t.Errorf("a period ending before it starts: %v", err)
		}
	})
}

func nullString[T any](valid bool, v T) string {
	if !valid {
		return "NULL"
	}
	return fmt.Sprint(v)
}
