package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/chart"
	"github.com/haven-nrm/haven/server"
	"github.com/haven-nrm/haven/stats"
	"github.com/haven-nrm/haven/store"
	"github.com/haven-nrm/haven/store/storetest"
)

// seedVictims records detected victims decided in 2025: 15 women, 12 men
// and 3 girls, so that with k = 11 some cells are published and some
// suppressed.
func seedVictims(t *testing.T, e *env) {
	t.Helper()
	ctx := e.fx.As(context.Background(), haven.RoleFirstResponder)
	add := func(n int, sex string, age int, form string) {
		for range n {
			a := age
			c := &haven.Case{
				EncounteredOn: mustDate(t, "2025-01-10"),
				Victim: haven.VictimContext{Sex: sex, AgeStatus: "declared", AgeAtEncounter: &a, Disability: "none",
					Nationality: "NG", ImmigrationStatus: "irregular", SocioeconomicStatus: "unknown"},
				FormsOfExploitation: []string{form},
				ReasonableGroundsOn: mustDate(t, "2025-03-01"),
			}
			if err := e.db.CreateCase(ctx, c, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	add(15, "female", 30, "sexual_exploitation")
	add(12, "male", 40, "forced_labour")
	add(3, "female", 15, "sexual_exploitation")
}

func mustDate(t *testing.T, s string) haven.Date {
	t.Helper()
	d, err := haven.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

const statsQuery = "by=unodc_category&from=2025-01-01&to=2025-12-31"

// statsJSON fetches a table through the API as the statistician.
func statsJSON(t *testing.T, e *env, query string) *stats.Result {
	t.Helper()
	st, body, h := e.do(haven.RoleStatistician, "GET", "/api/v1/statistics?"+query, nil)
	if st != http.StatusOK || h.Get("Content-Type") != "application/json" {
		t.Fatalf("statistics JSON: %d %s %s", st, h.Get("Content-Type"), body)
	}
	var pub struct {
		Tables []struct {
			stats.Result
			Cells []struct {
				Labels     []string `json:"labels"`
				Count      *int64   `json:"count"`
				Suppressed bool     `json:"suppressed"`
			} `json:"cells"`
		} `json:"tables"`
	}
	decodeInto(t, body, &pub)
	if len(pub.Tables) != 1 {
		t.Fatalf("%d tables, want 1", len(pub.Tables))
	}
	res := pub.Tables[0].Result
	res.Cells = nil
	for _, c := range pub.Tables[0].Cells {
		if c.Suppressed != (c.Count == nil) {
			t.Fatalf("cell %v: suppressed %v with count %v", c.Labels, c.Suppressed, c.Count)
		}
		cell := stats.Cell{Labels: c.Labels, Suppressed: c.Suppressed}
		if c.Count != nil {
			cell.Count = *c.Count
		}
		res.Cells = append(res.Cells, cell)
	}
	return &res
}

func TestStatisticsAPI(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		e := newEnv(t, open)
		seedVictims(t, e)
		res := statsJSON(t, e, statsQuery)
		var published, suppressed int
		for _, c := range res.Cells {
			if c.Suppressed {
				suppressed++
			} else {
				published++
			}
		}
		if res.Withheld || published == 0 || suppressed == 0 || res.K != 11 || res.From != "2025-01-01" {
			t.Fatalf("table %+v: want published and suppressed cells with k = 11", res)
		}
		girls := slices.IndexFunc(res.Cells, func(c stats.Cell) bool { return c.Labels[0] == "girls" })
		if girls < 0 || !res.Cells[girls].Suppressed {
			t.Errorf("the 3 girls are not suppressed: %+v", res.Cells)
		}

		// CSV and XLSX are downloads of the same table; suppressed reads C.
		st, body, h := e.do(haven.RoleStatistician, "GET", "/api/v1/statistics?"+statsQuery+"&format=csv", nil)
		if st != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") ||
			h.Get("Content-Disposition") != `attachment; filename="haven-statistics-2025-01-01-2025-12-31.csv"` {
			t.Fatalf("CSV: %d %q %q", st, h.Get("Content-Type"), h.Get("Content-Disposition"))
		}
		if !regexp.MustCompile(`(?m)^Detected victims by unodc_category,girls,C,suppressed,$`).Match(body) {
			t.Errorf("CSV does not mark the girls suppressed:\n%s", body)
		}
		if h.Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control %q", h.Get("Cache-Control"))
		}
		st, body, h = e.do(haven.RoleRapporteur, "GET", "/api/v1/statistics?"+statsQuery+"&format=xlsx", nil)
		if st != http.StatusOK || h.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
			!strings.HasPrefix(h.Get("Content-Disposition"), "attachment; ") || !bytes.HasPrefix(body, []byte("PK")) {
			t.Fatalf("XLSX: %d %q %q", st, h.Get("Content-Type"), h.Get("Content-Disposition"))
		}

		// Other roles are refused.
		for _, role := range []haven.Role{haven.RoleCaseworker, haven.RoleImmigration, haven.RoleCompetentBody} {
			if st, _, _ := e.do(role, "GET", "/api/v1/statistics?"+statsQuery, nil); st != http.StatusForbidden {
				t.Errorf("%s: %d, want 403", role, st)
			}
		}

		// Each table served is a release on record: statistician's JSON
		// and CSV, the rapporteur's XLSX.
		rels, err := e.db.Releases(context.Background(), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(rels) != 3 {
			t.Fatalf("%d releases, want 3: %+v", len(rels), rels)
		}
		byFormat := map[string]haven.Release{}
		for _, r := range rels {
			var q map[string]any
			if err := json.Unmarshal([]byte(r.Query), &q); err != nil {
				t.Fatalf("release query %q: %v", r.Query, err)
			}
			byFormat[q["format"].(string)] = r
		}
		csv := byFormat["csv"]
		want := `{"by":["unodc_category"],"basis":"reasonable_grounds","from":"2025-01-01","to":"2025-12-31","forms":"each","k":11,"format":"csv"}`
		if csv.Query != want || csv.Channel != haven.ReleaseAPI || csv.UserID != e.fx.Users[haven.RoleStatistician].ID ||
			!strings.HasPrefix(csv.Protection, "suppression k=11") || csv.Tables != 1 || csv.Withheld != 0 {
			t.Errorf("CSV release %+v, want query %s", csv, want)
		}
		if x := byFormat["xlsx"]; x.UserID != e.fx.Users[haven.RoleRapporteur].ID {
			t.Errorf("XLSX release by %q, want the rapporteur", x.UserID)
		}
	})
}

func TestStatisticsAPIRefusesBadInput(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite)
	tests := []struct {
		query, field string
	}{
		{"from=2025-01-01&to=2025-12-31", "by"},
		{"by=sex,shoe_size", "by"},
		{"by=sex,sex", "by"},
		{"by=sex,age_band,age_group,unodc_category,year", "by"},
		{"by=sex&from=2025-13-01", "from"},
		{"by=sex&to=yesterday", "to"},
		{"by=sex&from=2025-12-31&to=2025-01-01", "period"},
		{"by=sex&from=2000-01-01&to=2020-01-01", "period"},
		{"by=sex&basis=arrest", "basis"},
		{"by=sex&forms=some", "forms"},
		{"by=sex&k=1", "k"},
		{"by=sex&k=0", "k"},
		{"by=sex&k=eleven", "k"},
		{"by=sex&format=pdf", "format"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			st, body, h := e.do(haven.RoleStatistician, "GET", "/api/v1/statistics?"+tt.query, nil)
			if st != http.StatusBadRequest || h.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("%d %s %s, want 400 problem+json", st, h.Get("Content-Type"), body)
			}
			p := decode[problem](t, body)
			var fields []string
			for _, f := range p.Errors {
				fields = append(fields, f.Field)
			}
			if !slices.Contains(fields, tt.field) {
				t.Errorf("fields %v, want %s", fields, tt.field)
			}
			if strings.Contains(string(body), "shoe_size") || strings.Contains(string(body), "yesterday") {
				t.Errorf("the problem quotes the value sent: %s", body)
			}
		})
	}
	// Twenty years exactly is allowed.
	if st, body, _ := e.do(haven.RoleStatistician, "GET", "/api/v1/statistics?by=sex&from=2005-01-01&to=2024-12-31", nil); st != http.StatusOK {
		t.Errorf("20 years: %d %s", st, body)
	}
	rels, err := e.db.Releases(context.Background(), 10)
	if err != nil || len(rels) != 1 {
		t.Errorf("%d releases (%v), want 1: a refused request releases nothing", len(rels), err)
	}
}

// statsPage fetches the statistics page as a logged-in role.
func statsPage(t *testing.T, e *env, role haven.Role, query string) (*http.Response, *goquery.Document) {
	t.Helper()
	b := e.browser()
	b.login(string(role), storetest.Password)
	path := "/statistics"
	if query != "" {
		path += "?" + query
	}
	return b.get(path)
}

func TestStatisticsPage(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		e := newEnv(t, open)
		seedVictims(t, e)

		// The first visit is the form alone, and releases nothing.
		resp, doc := statsPage(t, e, haven.RoleStatistician, "")
		if resp.StatusCode != http.StatusOK || doc.Find(`form[action="/statistics"][method=get] input[type=checkbox][name=by]`).Length() != len(stats.Dimensions()) {
			t.Fatalf("form: %d, %d dimension checkboxes", resp.StatusCode, doc.Find(`input[name=by]`).Length())
		}
		for _, id := range []string{"f-from", "f-to", "f-k"} {
			if doc.Find(`label[for=`+id+`]`).Length() != 1 || doc.Find(`input#`+id).Length() != 1 {
				t.Errorf("no labelled field %s", id)
			}
		}
		if doc.Find(`nav a[href="/statistics"]`).Length() != 1 {
			t.Error("the statistician's navigation does not link the statistics page")
		}
		if doc.Find(`table, svg`).Length() != 0 {
			t.Error("the first visit shows a table")
		}

		resp, doc = statsPage(t, e, haven.RoleStatistician, statsQuery)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("page: %d %s", resp.StatusCode, doc.Find(".error").Text())
		}
		res := statsJSON(t, e, statsQuery)

		// The table: one row per category and the total; suppressed cells
		// say so and hold no number.
		table := doc.Find(`table#statistics-table`)
		if table.Length() != 1 || table.Find(`caption`).Text() == "" {
			t.Fatal("no captioned table#statistics-table")
		}
		if n := table.Find(`tbody tr`).Length(); n != len(res.Cells) {
			t.Errorf("%d rows, want %d", n, len(res.Cells))
		}
		var suppressed int
		for _, c := range res.Cells {
			if c.Suppressed {
				suppressed++
			}
		}
		cells := table.Find(`td.suppressed`)
		if cells.Length() != suppressed || suppressed == 0 {
			t.Errorf("%d suppressed cells shown, want %d", cells.Length(), suppressed)
		}
		cells.Each(func(_ int, s *goquery.Selection) {
			if txt := strings.TrimSpace(s.Text()); txt != "suppressed" || strings.ContainsAny(txt, "0123456789") {
				t.Errorf("a suppressed cell reads %q", txt)
			}
		})
		girls := table.Find(`tbody tr`).FilterFunction(func(_ int, s *goquery.Selection) bool {
			return s.Find(`th[scope=row]`).Text() == "Girls"
		})
		if girls.Find(`td.suppressed`).Length() != 1 {
			t.Errorf("the girls' row: %q", girls.Text())
		}
		if table.Find(`tbody tr.total th`).Text() != "Total" {
			t.Error("no total row")
		}

		// The chart: inline SVG named by its title, described by the
		// table, one bar per published cell and a mark per suppressed one.
		svg := doc.Find(`figure.chart svg[role=img]`)
		if svg.Length() != 1 {
			t.Fatal("no chart")
		}
		titleID, _ := svg.Attr("aria-labelledby")
		if describedBy, _ := svg.Attr("aria-describedby"); describedBy != "statistics-table" {
			t.Errorf("aria-describedby %q", describedBy)
		}
		if title := svg.Find(`title#` + titleID); title.Length() != 1 || !strings.Contains(title.Text(), "UNODC category") {
			t.Errorf("the chart's title %q (id %q)", title.Text(), titleID)
		}
		if doc.Find(`figure.chart figcaption a[href="#statistics-table"]`).Length() != 1 {
			t.Error("the figure's caption does not point at the table")
		}
		bars, marks, err := chart.Drawn(res)
		if err != nil {
			t.Fatal(err)
		}
		palette := map[string]bool{}
		for _, c := range chart.Palette {
			palette[fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B)] = true
		}
		filled := svg.Find(`path`).FilterFunction(func(_ int, s *goquery.Selection) bool {
			return palette[strings.ToLower(s.AttrOr("fill", ""))]
		}).Length()
		if filled != bars || bars == 0 {
			t.Errorf("%d bars drawn, want %d (one per published category)", filled, bars)
		}
		drawnMarks := svg.Find(`text`).FilterFunction(func(_ int, s *goquery.Selection) bool { return s.Text() == chart.SuppressedMark }).Length()
		if drawnMarks != marks || marks == 0 {
			t.Errorf("%d suppressed marks, want %d", drawnMarks, marks)
		}
		if doc.Find(`script, svg [style], svg foreignObject`).Length() != 0 {
			t.Error("the page holds a script or inline style")
		}

		// Links to the same table as downloads from the API.
		var formats []string
		doc.Find(`a[href^="/api/v1/statistics?"]`).Each(func(_ int, link *goquery.Selection) {
			href, _ := link.Attr("href")
			u, err := url.Parse(href)
			if err != nil || u.Query().Get("by") != "unodc_category" || u.Query().Get("from") != "2025-01-01" || u.Query().Get("k") != "11" {
				t.Errorf("download link %q", href)
			}
			formats = append(formats, u.Query().Get("format"))
		})
		if !slices.Equal(formats, []string{"csv", "xlsx", "json"}) {
			t.Errorf("download formats %v", formats)
		}

		rels, err := e.db.Releases(context.Background(), 10)
		if err != nil {
			t.Fatal(err)
		}
		var page []haven.Release
		for _, r := range rels {
			if r.Channel == haven.ReleasePage {
				page = append(page, r)
			}
		}
		want := `{"by":["unodc_category"],"basis":"reasonable_grounds","from":"2025-01-01","to":"2025-12-31","forms":"each","k":11,"format":"html"}`
		if len(page) != 1 || page[0].Query != want || page[0].UserID != e.fx.Users[haven.RoleStatistician].ID || !strings.HasPrefix(page[0].Protection, "suppression k=11") {
			t.Errorf("page releases %+v, want one with query %s", page, want)
		}

		// Two dimensions: a cross-table and grouped bars.
		_, doc = statsPage(t, e, haven.RoleRapporteur, "by=sex,age_group&from=2025-01-01&to=2025-12-31&forms=once")
		if doc.Find(`table#statistics-table thead th[scope=colgroup]`).Text() != "Age group" ||
			doc.Find(`figure.chart svg[role=img]`).Length() != 1 {
			t.Errorf("two dimensions: no cross-table or chart: %q", doc.Find(`main`).Text())
		}
		// A withheld table: a message, no table, no chart.
		_, doc = statsPage(t, e, haven.RoleAdministrator, statsQuery+"&k=100")
		if doc.Find(`.withheld`).Length() != 1 || doc.Find(`svg, table`).Length() != 0 {
			t.Errorf("withheld: %q", doc.Find(`main`).Text())
		}
		// Bad input: the form again, the field named.
		resp, doc = statsPage(t, e, haven.RoleStatistician, "by=sex&from=2025-12-31&to=2025-01-01")
		if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`.error a[href="#f-period"]`).Length() != 1 || doc.Find(`svg`).Length() != 0 {
			t.Errorf("bad period: %d %q", resp.StatusCode, doc.Find(`.error`).Text())
		}
		if doc.Find(`input#by-sex[checked]`).Length() != 1 || doc.Find(`input#f-from`).AttrOr("value", "") != "2025-12-31" {
			t.Error("the form does not keep the values sent")
		}
	})
}

func TestStatisticsPageRefusesOtherRoles(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite)
	for _, role := range []haven.Role{haven.RoleCaseworker, haven.RoleFirstResponder, haven.RoleImmigration} {
		resp, doc := statsPage(t, e, role, statsQuery)
		if resp.StatusCode != http.StatusForbidden || doc.Find(`table, svg`).Length() != 0 {
			t.Errorf("%s: %d", role, resp.StatusCode)
		}
		if doc.Find(`nav a[href="/statistics"]`).Length() != 0 {
			t.Errorf("%s's navigation links the statistics page", role)
		}
	}
	if rels, _ := e.db.Releases(context.Background(), 10); len(rels) != 0 {
		t.Errorf("%d releases after refusals", len(rels))
	}
}

// failingLog is a release log that cannot record.
type failingLog struct{}

func (failingLog) RecordRelease(context.Context, *haven.Release) error {
	return errors.New("disk full")
}

func (failingLog) Releases(context.Context, int) ([]haven.Release, error) { return nil, nil }

// A table whose release cannot be recorded is not served.
func TestStatisticsNotServedWithoutRelease(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite)
	seedVictims(t, e)
	svc := servicesOf(e.db, nil)
	svc.Releases = failingLog{}
	srv, err := server.New(server.Config{Version: "test"}, prometheus.NewRegistry(), svc, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	for _, format := range []string{"json", "csv", "xlsx"} {
		req, _ := http.NewRequest("GET", ts.URL+"/api/v1/statistics?"+statsQuery+"&format="+format, nil)
		req.Header.Set("Authorization", "Bearer "+e.tokens[haven.RoleStatistician])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusInternalServerError || resp.Header.Get("Content-Disposition") != "" ||
			strings.Contains(string(body), "women") || strings.Contains(string(body), "disk full") {
			t.Errorf("%s: %d %q %s", format, resp.StatusCode, resp.Header.Get("Content-Disposition"), body)
		}
	}
	b := &browser{t: t, base: ts.URL, client: e.browser().client}
	b.login(string(haven.RoleStatistician), storetest.Password)
	resp, doc := b.get("/statistics?" + statsQuery)
	if resp.StatusCode != http.StatusInternalServerError || doc.Find(`table, svg`).Length() != 0 {
		t.Errorf("page: %d", resp.StatusCode)
	}
}

// TestReleaseLog lists the releases a statistician made, and refuses the
// list to a caseworker and a bad limit.
func TestReleaseLog(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite)
	if st, body, _ := e.do(haven.RoleStatistician, "GET", "/api/v1/statistics?by=sex&from=2025-01-01&to=2025-12-31", nil); st != http.StatusOK {
		t.Fatalf("table: %d %s", st, body)
	}
	if st, body, _ := e.do(haven.RoleStatistician, "GET", "/api/v1/statistics?by=sex&from=2025-01-01&to=2025-12-31&format=csv", nil); st != http.StatusOK {
		t.Fatalf("csv: %d %s", st, body)
	}
	st, body, _ := e.do(haven.RoleRapporteur, "GET", "/api/v1/statistics/releases?limit=10", nil)
	if st != http.StatusOK {
		t.Fatalf("releases: %d %s", st, body)
	}
	got := decode[struct{ Releases []haven.Release }](t, body)
	if len(got.Releases) != 2 || !strings.Contains(got.Releases[0].Query, `"format":"csv"`) ||
		!strings.Contains(got.Releases[1].Query, `"format":"json"`) || got.Releases[0].Channel != haven.ReleaseAPI ||
		got.Releases[0].UserID == "" || !strings.HasPrefix(got.Releases[0].Protection, "suppression k=11") {
		t.Fatalf("releases %+v", got.Releases)
	}
	if st, _, _ := e.do(haven.RoleCaseworker, "GET", "/api/v1/statistics/releases", nil); st != http.StatusForbidden {
		t.Errorf("caseworker: %d, want 403", st)
	}
	for _, bad := range []string{"0", "1001", "ten"} {
		st, body, _ := e.do(haven.RoleStatistician, "GET", "/api/v1/statistics/releases?limit="+bad, nil)
		if st != http.StatusBadRequest || !strings.Contains(string(body), `"limit"`) {
			t.Errorf("limit=%s: %d %s", bad, st, body)
		}
	}
}

// TestReleasesPage shows the record to a statistician, naming who
// released what, and refuses it to a caseworker.
func TestReleasesPage(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite)
	if st, body, _ := e.do(haven.RoleStatistician, "GET", "/api/v1/statistics?by=sex&from=2025-01-01&to=2025-12-31&format=csv", nil); st != http.StatusOK {
		t.Fatalf("table: %d %s", st, body)
	}
	b := e.browser()
	b.login("rapporteur", storetest.Password)
	resp, doc := b.get("/statistics/releases")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("releases page: %d", resp.StatusCode)
	}
	// Newest first: the rapporteur's report she landed on, then the table.
	rows := doc.Find("table.releases tbody tr")
	if rows.Length() != 2 {
		t.Fatalf("%d rows, want 2", rows.Length())
	}
	report := rows.Eq(0).Find("td")
	if by, ch, q := report.Eq(1).Text(), report.Eq(2).Text(), report.Eq(5).Text(); by != "rapporteur" || ch != "web page" ||
		!strings.Contains(q, `"report":"rapporteur"`) {
		t.Errorf("first row: by %q, through %q, query %q", by, ch, q)
	}
	cells := rows.Eq(1).Find("td")
	if by := cells.Eq(1).Text(); by != "statistician" {
		t.Errorf("by %q, want the statistician's username", by)
	}
	if ch := cells.Eq(2).Text(); ch != "API" {
		t.Errorf("channel %q", ch)
	}
	if q := cells.Eq(5).Text(); !strings.Contains(q, `"format":"csv"`) || !strings.Contains(q, `"by":["sex"]`) {
		t.Errorf("query %q", q)
	}
	if p := cells.Eq(4).Text(); !strings.HasPrefix(p, "suppression k=11") {
		t.Errorf("protection %q", p)
	}
	cw := e.browser()
	cw.login("caseworker", storetest.Password)
	if resp, _ := cw.get("/statistics/releases"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("caseworker: %d, want 403", resp.StatusCode)
	}
}
