package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/lifecycle"
	"github.com/haven-nrm/haven/report"
	"github.com/haven-nrm/haven/store"
	"github.com/haven-nrm/haven/store/storetest"
)

const aprilQuery = "from=2026-04-01&to=2026-04-30"

// seedReport writes eleven children's cases opened on 2 April 2026,
// referred on 3 April and decided at reasonable grounds 0 to 10 days
// later, none with a guardian; it drops the recorded length of five
// reflection periods, as for steps stored before Haven kept it.
func seedReport(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	clock := time.Date(2026, 4, 2, 0, 0, 0, 0, time.UTC)
	e.db.Now = func() time.Time { return clock }
	defer func() { e.db.Now = func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) } }()
	as := func(r haven.Role) context.Context { return e.fx.As(ctx, r) }
	fire := func(c *haven.Case, r haven.Role, ev lifecycle.Event, d *lifecycle.Decision) {
		t.Helper()
		cur, err := e.db.FindCaseByID(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.db.FireEvent(as(r), c.ID, cur.Version, lifecycle.Request{Event: ev, Decision: d}); err != nil {
			t.Fatalf("%s: %v", ev, err)
		}
	}
	team := &lifecycle.Decision{Reasons: "Indicators of trafficking.", Evidence: []string{"screening"}}
	for _, r := range []haven.Role{haven.RoleCompetentBody, haven.RoleServiceProvider} {
		u := e.fx.Users[r]
		team.Members = append(team.Members, lifecycle.Member{UserID: u.ID, Role: r, Sector: u.Sector})
	}
	referred := time.Date(2026, 4, 3, 9, 0, 0, 0, time.UTC)
	for i := range 11 {
		clock = time.Date(2026, 4, 2, i, 0, 0, 0, time.UTC)
		c := &haven.Case{
			EncounteredOn: haven.DateOf(time.Date(2026, 3, 30, 0, 0, 0, 0, time.UTC)),
			Victim: haven.VictimContext{Sex: "female", AgeStatus: "unknown", Disability: "none", Nationality: "VN",
				ImmigrationStatus: "irregular", SocioeconomicStatus: "low_income"},
			FormsOfExploitation: []string{"forced_labour"},
		}
		if err := e.db.CreateCase(as(haven.RoleFirstResponder), c, nil); err != nil {
			t.Fatal(err)
		}
		clock = referred
		fire(c, haven.RoleFirstResponder, lifecycle.StartScreening, nil)
		fire(c, haven.RoleFirstResponder, lifecycle.Refer, nil)
		clock = referred.Add(time.Duration(i) * 24 * time.Hour)
		fire(c, haven.RoleCompetentBody, lifecycle.ReasonableGroundsPositive, team)
		if i < 5 {
			if _, err := e.db.Exec(ctx, `UPDATE case_steps SET reflection_days = NULL WHERE case_id = ? AND event = ?`,
				c.ID, string(lifecycle.ReasonableGroundsPositive)); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestRapporteurReportAPI(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		e := newEnv(t, open)
		seedReport(t, e)

		st, body, h := e.do(haven.RoleRapporteur, "GET", "/api/v1/reports/rapporteur?"+aprilQuery, nil)
		if st != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "application/json") || h.Get("Cache-Control") != "no-store" {
			t.Fatalf("report: %d %s %s", st, h.Get("Content-Type"), body)
		}
		var got struct {
			Period     map[string]string `json:"period"`
			K          int               `json:"k"`
			Indicators []map[string]json.RawMessage
		}
		decodeInto(t, body, &got)
		if got.Period["from"] != "2026-04-01" || got.Period["to"] != "2026-04-30" || got.K != 11 {
			t.Errorf("period %v, k %d", got.Period, got.K)
		}
		byID := map[string]map[string]json.RawMessage{}
		var order []string
		for _, ind := range got.Indicators {
			var id string
			json.Unmarshal(ind["id"], &id)
			byID[id] = ind
			order = append(order, id)
		}
		var want []string
		for _, ind := range report.Indicators() {
			want = append(want, ind.ID)
		}
		if diff := cmp.Diff(want, order); diff != "" {
			t.Errorf("indicators (-want +got):\n%s", diff)
		}

		// Days from referral 0 to 10: median (6th) 5, 90th percentile
		// (10th of 11) 9, five within the 5-day limit.
		figures := func(id string) map[string]any {
			t.Helper()
			var fs []map[string]any
			if err := json.Unmarshal(byID[id]["figures"], &fs); err != nil {
				t.Fatalf("%s figures: %v", id, err)
			}
			out := map[string]any{}
			for _, f := range fs {
				if f["suppressed"] == true {
					if _, ok := f["value"]; ok {
						t.Errorf("%s.%s is suppressed and carries a value", id, f["id"])
					}
					out[f["id"].(string)] = "suppressed"
					continue
				}
				out[f["id"].(string)] = f["value"]
			}
			return out
		}
		if diff := cmp.Diff(map[string]any{"cases": 11.0, "median_days": 5.0, "p90_days": 9.0, "within_limit": 5.0,
			"within_limit_share": 45.5, "after_limit": 6.0, "limit_hours": 120.0}, figures("reasonable_grounds_days")); diff != "" {
			t.Errorf("reasonable_grounds_days (-want +got):\n%s", diff)
		}
		// Six lengths recorded: too few for a median, minimum or maximum.
		if diff := cmp.Diff(map[string]any{"granted": 11.0, "median_days": "suppressed", "min_days": "suppressed",
			"max_days": "suppressed", "shorter_than_minimum": 0.0, "not_recorded": 5.0}, figures("reflection_periods")); diff != "" {
			t.Errorf("reflection_periods (-want +got):\n%s", diff)
		}
		// No guardian: every child's case is past the 24-hour limit, a
		// shortfall the JSON marks.
		if !strings.Contains(string(byID["child_guardians"]["figures"]), `"id":"overdue","label":"No guardian, time limit passed","kind":"count","unit":"cases","suppressed":false,"value":11,"shortfall":true`) {
			t.Errorf("child_guardians: %s", byID["child_guardians"]["figures"])
		}
		// No finding: suppressed, with no number at all.
		keys := slices.Sorted(maps.Keys(byID["non_punishment"]))
		if diff := cmp.Diff([]string{"definition", "id", "paragraph", "suppressed", "title"}, keys); diff != "" {
			t.Errorf("suppressed indicator keys (-want +got):\n%s", diff)
		}
		if string(byID["non_punishment"]["suppressed"]) != "true" || string(byID["non_punishment"]["paragraph"]) != `"§98"` {
			t.Errorf("non_punishment: %v", byID["non_punishment"])
		}

		// The statistician and the administrator may read it; the care,
		// justice and immigration roles may not.
		for _, role := range haven.Roles {
			st, body, _ := e.do(role, "GET", "/api/v1/reports/rapporteur?"+aprilQuery, nil)
			want := http.StatusForbidden
			if role == haven.RoleRapporteur || role == haven.RoleStatistician || role == haven.RoleAdministrator {
				want = http.StatusOK
			}
			if st != want {
				t.Errorf("%s: %d, want %d: %s", role, st, want, body)
			}
		}
		if st, _, _ := e.do("", "GET", "/api/v1/reports/rapporteur?"+aprilQuery, nil); st != http.StatusUnauthorized {
			t.Errorf("anonymous: %d", st)
		}
	})
}

func TestRapporteurReportBadPeriod(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite)
	before := countRows(t, e, "audit_log")
	tests := []struct {
		query  string
		fields []string
	}{
		{"", []string{"from", "to"}},
		{"to=2026-04-30", []string{"from"}},
		{"from=2026-04-01", []string{"to"}},
		{"from=%3Cscript%3E&to=2026-04-30", []string{"from"}},
		{"from=2026-04-01&to=30.04.2026", []string{"to"}},
		{"from=2026-04-30&to=2026-04-01", []string{"to"}},
		{"from=2016-04-01&to=2026-04-01", []string{"to"}},
	}
	for _, path := range []string{"/api/v1/reports/rapporteur", "/api/v1/reports/rapporteur.pdf"} {
		for _, tt := range tests {
			st, body, h := e.do(haven.RoleRapporteur, "GET", path+"?"+tt.query, nil)
			if st != http.StatusBadRequest || h.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s?%s: %d %s", path, tt.query, st, h.Get("Content-Type"))
				continue
			}
			p := decode[problem](t, body)
			var fields []string
			for _, f := range p.Errors {
				fields = append(fields, f.Field)
			}
			if diff := cmp.Diff(tt.fields, fields); diff != "" {
				t.Errorf("%s?%s fields (-want +got):\n%s", path, tt.query, diff)
			}
			if strings.Contains(string(body), "script") || strings.Contains(string(body), "30.04") {
				t.Errorf("%s?%s: the error repeats the input: %s", path, tt.query, body)
			}
		}
	}
	// A refused role learns nothing of the input's faults.
	if st, _, _ := e.do(haven.RoleCaseworker, "GET", "/api/v1/reports/rapporteur", nil); st != http.StatusForbidden {
		t.Errorf("caseworker with no period: %d, want 403", st)
	}
	if after := countRows(t, e, "audit_log"); after != before {
		t.Errorf("bad requests wrote %d access-log entries", after-before)
	}
	// A good one is recorded, naming no case.
	if st, body, _ := e.do(haven.RoleRapporteur, "GET", "/api/v1/reports/rapporteur?"+aprilQuery, nil); st != http.StatusOK {
		t.Fatalf("report: %d %s", st, body)
	}
	if after := countRows(t, e, "audit_log"); after != before+1 {
		t.Errorf("a report read wrote %d access-log entries, want 1", after-before)
	}
	// ... and released on record, with its period and protection.
	if n := countRows(t, e, "statistics_releases"); n != 1 {
		t.Fatalf("%d releases recorded, want 1", n)
	}
	var query, protection, channel string
	if err := e.db.QueryRow(context.Background(), `SELECT query, protection, channel FROM statistics_releases`).Scan(&query, &protection, &channel); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(query, `"report":"rapporteur"`) || !strings.Contains(query, `"format":"json"`) ||
		!strings.Contains(protection, "fewer than 11") || channel != haven.ReleaseAPI {
		t.Errorf("release %s / %s / %s", query, protection, channel)
	}
}

func TestRapporteurReportPDF(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite)
	seedReport(t, e)
	st, body, h := e.do(haven.RoleRapporteur, "GET", "/api/v1/reports/rapporteur.pdf?"+aprilQuery, nil)
	if st != http.StatusOK || h.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(body, []byte("%PDF-")) {
		t.Fatalf("PDF: %d %s %.20q", st, h.Get("Content-Type"), body)
	}
	if got := h.Get("Content-Disposition"); got != `attachment; filename="RR-2026-04-01-2026-04-30.pdf"` {
		t.Errorf("Content-Disposition %q", got)
	}
	if h.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", h.Get("Cache-Control"))
	}
}

func TestRapporteurReportPage(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite)
	seedReport(t, e)
	b := e.browser()
	b.login(string(haven.RoleRapporteur), storetest.Password)

	resp, doc := b.get("/reports/rapporteur?" + aprilQuery)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("page: %d %s", resp.StatusCode, doc.Find(".error").Text())
	}
	if doc.Find(`nav a[href="/reports/rapporteur"]`).Length() != 1 {
		t.Error("the navigation has no link to the report")
	}
	if v, _ := doc.Find("#f-from").Attr("value"); v != "2026-04-01" {
		t.Errorf("the form shows from %q", v)
	}
	if href, _ := doc.Find("a.pdf").Attr("href"); href != "/api/v1/reports/rapporteur.pdf?"+aprilQuery {
		t.Errorf("PDF link %q", href)
	}
	if got := doc.Find(`dd[data-field=period]`).Text(); got != "1 April 2026 to 30 April 2026" {
		t.Errorf("period %q", got)
	}
	var sections []string
	doc.Find("main section").Each(func(_ int, s *goquery.Selection) { sections = append(sections, s.AttrOr("data-section", "")) })
	if len(sections) != len(report.Indicators())+2 || sections[0] != "summary" || sections[1] != "reasonable_grounds_days" {
		t.Errorf("sections %v", sections)
	}
	cell := func(section, figure string) string {
		return strings.TrimSpace(doc.Find(`section[data-section=` + section + `] tr[data-figure=` + figure + `] td`).Text())
	}
	for _, c := range []struct{ section, figure, want string }{
		{"reasonable_grounds_days", "median_days", "5"},
		{"reasonable_grounds_days", "p90_days", "9"},
		{"reasonable_grounds_days", "within_limit_share", "45.5"},
		{"reflection_periods", "median_days", "Too few to publish"},
		{"child_guardians", "overdue", "11"},
	} {
		if got := cell(c.section, c.figure); got != c.want {
			t.Errorf("%s %s: %q, want %q", c.section, c.figure, got, c.want)
		}
	}
	// The shortfalls lead the page, and their rows are marked.
	summary := doc.Find(`section[data-section=summary] li`)
	var items []string
	summary.Each(func(_ int, li *goquery.Selection) { items = append(items, li.AttrOr("data-figure", "")) })
	if diff := cmp.Diff([]string{"reasonable_grounds_days.after_limit", "child_guardians.overdue"}, items); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	if !strings.Contains(doc.Find(`section[data-section=child_guardians] tr[data-figure=overdue] th`).Text(), "Falls short of GR 38") {
		t.Error("the overdue row is not marked as a shortfall")
	}
	if got := doc.Find(`section[data-section=non_punishment]`); got.Find("table").Length() != 0 ||
		!strings.Contains(got.Text(), "Too few to publish (fewer than 11 cases).") {
		t.Errorf("suppressed indicator: %q", got.Text())
	}

	// A bad period: 400, the form kept, the field named, no report.
	resp, doc = b.get("/reports/rapporteur?from=2026-04-30&to=2026-04-01")
	if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`.error a[href="#f-to"]`).Length() != 1 ||
		doc.Find("section").Length() != 0 {
		t.Errorf("bad period: %d %q", resp.StatusCode, doc.Find(".error").Text())
	}
	// No period: last year.
	resp, doc = b.get("/reports/rapporteur")
	year := time.Now().UTC().Year() - 1
	if v, _ := doc.Find("#f-to").Attr("value"); resp.StatusCode != http.StatusOK || v != time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC).Format(time.DateOnly) {
		t.Errorf("default period: %d, to %q", resp.StatusCode, v)
	}

	// A caseworker has no link and no page.
	cw := e.browser()
	cw.login(string(haven.RoleCaseworker), storetest.Password)
	resp, doc = cw.get("/reports/rapporteur?" + aprilQuery)
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("caseworker page: %d", resp.StatusCode)
	}
	if _, doc = cw.get("/cases"); doc.Find(`nav a[href="/reports/rapporteur"]`).Length() != 0 {
		t.Error("the caseworker's navigation links the report")
	}
}
