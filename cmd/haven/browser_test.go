package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// The browser tests drive Haven's pages in headless Chromium: the real
// binary runs `haven demo`, and Debian's Chromium loads the pages under
// the real Content-Security-Policy. They check what a server-side test of
// the HTML cannot: that the browser applies every style and runs no
// blocked code (no CSP violation, no console error), that the statistics
// chart is laid out and accessible, and that the pages work without
// JavaScript.

// browserTestTimeout bounds each browser test: every tab it opens is
// closed by then.
const browserTestTimeout = 60 * time.Second

// statisticsPeriod lies inside every demo's history: the demo's cases are
// encountered over the three years before its reference date (2026-10-31,
// moved back by up to 60 days by the seed; see demo/data/world.yaml), and
// decided on after that.
var statisticsPeriod = url.Values{"from": {"2024-01-01"}, "to": {"2025-12-31"}}

// chromiumPath returns Debian's Chromium, or skips the test.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests start the demo and Chromium; skipped with -short")
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	t.Skip("browser tests need Debian's Chromium (/usr/bin/chromium or chromium on PATH; apt-get install chromium): skipped")
	return ""
}

// startChromium starts one headless Chromium for the test, with exactly
// the flags below and a fresh profile, and returns a context to open tabs
// in.
func startChromium(t *testing.T, path string) context.Context {
	t.Helper()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
	})
	// The first call starts the browser and binds its life to browserCtx,
	// which has no deadline: each tab gets its own.
	if err := chromedp.Do(browserCtx); err != nil {
		t.Fatalf("start Chromium (%s): %v", path, err)
	}
	return browserCtx
}

// tab is one browser tab in a browser context of its own (its own
// cookies), watching its console.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string

	mu        sync.Mutex
	problems  []string
	documents map[string]bool // URLs of the pages loaded, whose status the tests check
}

// openTab opens a tab that closes at deadline.
func openTab(t *testing.T, browserCtx context.Context, base string, deadline time.Time) *tab {
	t.Helper()
	tb := &tab{t: t, base: base, documents: map[string]bool{}}
	tabCtx, cancelTab := chromedp.NewContext(browserCtx,
		chromedp.WithNewBrowserContext(), chromedp.WithListener(tb.record))
	ctx, cancel := context.WithDeadline(tabCtx, deadline)
	t.Cleanup(func() {
		cancel()
		cancelTab()
	})
	tb.ctx = ctx
	// The first call opens the tab. chromedp enables the Log domain on a
	// new tab; enabling it again costs nothing and does not depend on that.
	if err := chromedp.Do(ctx,
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, log.Enable, cdp.Empty{})
			return err
		}),
		chromedp.EmulateViewport(1280, 900),
	); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return tb
}

// record notes every console message that is an error or speaks of the
// Content-Security-Policy. It runs in the tab's event loop, in the order
// the events arrive: it must return fast and send no command.
//
// Two errors of the browser's network log are not the page's: the status of
// a page itself, which the tests check where they load it (a refusal is
// meant to answer 403), and the browser's own request for /favicon.ico,
// which no page asks for.
func (tb *tab) record(ev any) {
	var problem string
	switch ev := ev.(type) {
	case *network.EventResponseReceived:
		if ev.Type == network.ResourceTypeDocument {
			tb.mu.Lock()
			tb.documents[ev.Response.URL] = true
			tb.mu.Unlock()
		}
	case *runtime.EventConsoleAPICalled:
		text := consoleArgs(ev.Args)
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert || mentionsCSP(text) {
			problem = fmt.Sprintf("console.%s: %s", ev.Type, text)
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil {
			text += " " + d.Exception.Description
		}
		problem = fmt.Sprintf("uncaught exception at %s:%d: %s", d.URL, d.LineNumber+1, text)
	case *log.EventEntryAdded:
		e := ev.Entry
		tb.mu.Lock()
		notThePage := e.Source == log.EntrySourceNetwork && (tb.documents[e.URL] || e.URL == tb.base+"/favicon.ico")
		tb.mu.Unlock()
		if mentionsCSP(e.Text) || (e.Level == log.EntryLevelError && !notThePage) {
			problem = fmt.Sprintf("%s %s (%s): %s", e.Source, e.Level, e.URL, e.Text)
		}
	}
	if problem != "" {
		tb.mu.Lock()
		tb.problems = append(tb.problems, problem)
		tb.mu.Unlock()
	}
}

func mentionsCSP(s string) bool {
	return strings.Contains(s, "Content Security Policy") || strings.Contains(s, "Content-Security-Policy")
}

func consoleArgs(args []*runtime.RemoteObject) string {
	var parts []string
	for _, a := range args {
		var s string
		if len(a.Value) > 0 && json.Unmarshal(a.Value, &s) == nil {
			parts = append(parts, s)
		} else if len(a.Value) > 0 {
			parts = append(parts, string(a.Value))
		} else {
			parts = append(parts, a.Description)
		}
	}
	return strings.Join(parts, " ")
}

// takeProblems returns the console problems seen since the last call. It
// waits a moment first: the browser reports a violation while it applies
// the page, which can end after the load event.
func (tb *tab) takeProblems() []string {
	time.Sleep(150 * time.Millisecond)
	tb.mu.Lock()
	defer tb.mu.Unlock()
	p := tb.problems
	tb.problems = nil
	return p
}

// checkConsole fails the test for each console problem of the page.
func (tb *tab) checkConsole(page string) {
	tb.t.Helper()
	for _, p := range tb.takeProblems() {
		tb.t.Errorf("%s: %s", page, p)
	}
}

// visit loads path, checks the console and that the page answers want
// (0: any status), and returns the page's response.
func (tb *tab) visit(path string, want int64) *network.Response {
	tb.t.Helper()
	resp, err := chromedp.Run(tb.ctx, chromedp.NavigateResponse(tb.base+path))
	if err != nil {
		tb.t.Fatalf("load %s: %v", path, err)
	}
	tb.checkConsole(path)
	if want != 0 && resp.Status != want {
		tb.t.Fatalf("%s answers %d, want %d", path, resp.Status, want)
	}
	return resp
}

// submit clicks sel, waits for the page it loads and checks the console.
func (tb *tab) submit(sel string) *network.Response {
	tb.t.Helper()
	resp, err := chromedp.RunResponse(tb.ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		tb.t.Fatalf("click %s: %v", sel, err)
	}
	tb.checkConsole("after clicking " + sel + " (" + tb.path() + ")")
	return resp
}

// path is the path of the page the tab shows.
func (tb *tab) path() string {
	tb.t.Helper()
	loc, err := chromedp.Run(tb.ctx, chromedp.Location())
	if err != nil {
		tb.t.Fatalf("location: %v", err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		tb.t.Fatalf("location %q: %v", loc, err)
	}
	return u.Path
}

// dom returns the document as the browser holds it now, to check with CSS
// selectors. It reads the DOM through the DevTools protocol, not through
// the page's JavaScript, so it works with JavaScript off.
func (tb *tab) dom() *goquery.Document {
	tb.t.Helper()
	html, err := chromedp.Run(tb.ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		tb.t.Fatalf("read the DOM: %v", err)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(html))
	if err != nil {
		tb.t.Fatalf("parse the DOM: %v", err)
	}
	return doc
}

// login logs in through the form and returns the response of the page it
// lands on.
func (tb *tab) login(account [2]string) *network.Response {
	tb.t.Helper()
	tb.visit("/login", 200)
	if err := chromedp.Do(tb.ctx,
		chromedp.SendKeys(chromedp.ID("f-username"), account[0]),
		chromedp.SendKeys(chromedp.ID("f-password"), account[1]),
	); err != nil {
		tb.t.Fatalf("fill the login form: %v", err)
	}
	resp := tb.submit(`form[action="/login"] button[type=submit]`)
	if tb.path() == "/login" {
		tb.t.Fatalf("logging in as %s failed: %d %q", account[0], resp.Status,
			strings.Join(strings.Fields(tb.dom().Find("main .error").Text()), " "))
	}
	return resp
}

// screenshot saves a full-page PNG in the test's folder and, when
// HAVEN_BROWSER_SCREENSHOTS names a folder, there too.
func (tb *tab) screenshot(name string) {
	tb.t.Helper()
	png, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Fatalf("screenshot: %v", err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG")) {
		tb.t.Fatalf("screenshot %s is not a PNG", name)
	}
	dirs := []string{tb.t.TempDir()}
	if d := os.Getenv("HAVEN_BROWSER_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			tb.t.Fatalf("HAVEN_BROWSER_SCREENSHOTS: %v", err)
		}
		dirs = append(dirs, d)
	}
	for _, d := range dirs {
		f := filepath.Join(d, name+".png")
		if err := os.WriteFile(f, png, 0o644); err != nil {
			tb.t.Fatal(err)
		}
		tb.t.Logf("screenshot: %s", f)
	}
}

func TestBrowser(t *testing.T) {
	chromium := chromiumPath(t)
	demo := startDemo(t, "--cases", "400", "--seed", "7")
	account := func(t *testing.T, role string) [2]string {
		a, ok := demo.accounts[role]
		if !ok {
			t.Fatalf("the demo printed no %s account: %v", role, demo.accounts)
		}
		return a
	}
	browser := startChromium(t, chromium)
	// newTab opens a tab for t, closed at the latest browserTestTimeout
	// after t's first tab: the tabs of one test share its time.
	var mu sync.Mutex
	deadlines := map[*testing.T]time.Time{}
	newTab := func(t *testing.T) *tab {
		mu.Lock()
		d, ok := deadlines[t]
		if !ok {
			d = time.Now().Add(browserTestTimeout)
			deadlines[t] = d
		}
		mu.Unlock()
		return openTab(t, browser, demo.url, d)
	}

	t.Run("login and cases", func(t *testing.T) {
		tb := newTab(t)
		resp := tb.login(account(t, "caseworker"))
		if resp.Status != 200 || tb.path() != "/cases" {
			t.Fatalf("login as a caseworker landed on %s with status %d, want /cases with 200", tb.path(), resp.Status)
		}
		doc := tb.dom()
		if n := doc.Find("header.top nav a[href='/cases']").Length(); n != 1 {
			t.Errorf("the navigation has %d links to the cases, want 1", n)
		}
		if doc.Find("header.top form.logout button[type=submit]").Length() != 1 {
			t.Error("the header has no logout button")
		}
		rows := doc.Find("table.cases tbody tr")
		if rows.Length() == 0 {
			t.Fatal("the cases list has no row")
		}
		if doc.Find("table.cases caption").Length() != 1 || doc.Find("table.cases thead th[scope=col]").Length() != 7 {
			t.Error("the cases table lacks its caption or its seven column headers")
		}
		first := rows.First().Find("td a[href^='/cases/']")
		href, _ := first.Attr("href")
		reference := strings.TrimSpace(first.Text())
		if href == "" || reference == "" {
			t.Fatal("the first row does not link to its case")
		}
		resp = tb.submit(`table.cases tbody tr:first-child td a[href^="/cases/"]`)
		if resp.Status != 200 || tb.path() != href {
			t.Fatalf("opening %s landed on %s with status %d", href, tb.path(), resp.Status)
		}
		doc = tb.dom()
		if h1 := doc.Find("main h1").Text(); !strings.Contains(h1, reference) {
			t.Errorf("the case page's heading %q does not name the case %s", h1, reference)
		}
		if n := doc.Find("main dl.facts dt").Length(); n < 10 {
			t.Errorf("the case page shows %d facts, want the case's and the victim's", n)
		}
		if doc.Find("main h2#stage").Length() != 1 {
			t.Error("the case page has no lifecycle section")
		}
		tb.screenshot("case")
	})

	t.Run("no CSP violations or console errors", func(t *testing.T) {
		// First, that the watch sees a violation at all: a page whose own
		// policy forbids its inline style.
		tb := newTab(t)
		if err := chromedp.Do(tb.ctx, chromedp.Navigate("data:text/html,"+url.PathEscape(
			`<meta http-equiv="Content-Security-Policy" content="style-src 'self'"><p style="color:red">x</p>`))); err != nil {
			t.Fatal(err)
		}
		if p := tb.takeProblems(); len(p) == 0 || !mentionsCSP(strings.Join(p, "\n")) {
			t.Fatalf("the console watch missed a CSP violation; it saw %q", p)
		}
		// Then every page of each role's navigation, and the pages behind
		// them: a case, the new case form, a statistics table, a report.
		// (Whether a link answers 200 is the navigation test's concern.)
		for _, role := range []string{"caseworker", "statistician", "rapporteur"} {
			tb := newTab(t)
			tb.login(account(t, role))
			tb.dom().Find("header.top nav a").Each(func(_ int, a *goquery.Selection) {
				href, _ := a.Attr("href")
				tb.visit(href, 0)
			})
			switch role {
			case "caseworker":
				tb.visit("/cases", 200)
				href, _ := tb.dom().Find("table.cases tbody tr td a").First().Attr("href")
				tb.visit(href, 200)
				tb.visit("/cases/new", 200)
			case "statistician":
				tb.visit("/statistics?"+statisticsQuery().Encode(), 200)
			case "rapporteur":
				tb.visit("/reports/rapporteur?"+reportPeriod().Encode(), 200)
			}
		}
	})

	t.Run("navigation leads to pages the role may see", func(t *testing.T) {
		for _, role := range slices.Sorted(maps.Keys(demo.accounts)) {
			t.Run(role, func(t *testing.T) {
				t.Parallel() // each in a tab of its own
				tb := newTab(t)
				resp := tb.login(account(t, role))
				if resp.Status != 200 {
					t.Errorf("logging in lands on %s, which answers %d (%q): a role must land on a page it may see",
						tb.path(), resp.Status, strings.Join(strings.Fields(tb.dom().Find("main").Text()), " "))
				}
				tb.dom().Find("header.top nav a").Each(func(_ int, a *goquery.Selection) {
					href, _ := a.Attr("href")
					if resp := tb.visit(href, 0); resp.Status != 200 {
						t.Errorf("the navigation's link %q (%s) answers %d", strings.TrimSpace(a.Text()), href, resp.Status)
					}
				})
			})
		}
	})

	t.Run("statistics", func(t *testing.T) {
		tb := newTab(t)
		tb.login(account(t, "statistician"))
		tb.visit("/statistics", 200)
		doc := tb.dom()
		if doc.Find("form.statistics-form").Length() != 1 || doc.Find("#statistics-table").Length() != 0 {
			t.Fatal("the first visit to /statistics should show the form and no table")
		}
		if err := chromedp.Do(tb.ctx,
			chromedp.Click(chromedp.ID("by-sex")),
			chromedp.Click(chromedp.ID("by-unodc_category")),
			chromedp.SetValue(chromedp.ID("f-from"), statisticsPeriod.Get("from")),
			chromedp.SetValue(chromedp.ID("f-to"), statisticsPeriod.Get("to")),
		); err != nil {
			t.Fatalf("fill the statistics form: %v", err)
		}
		resp := tb.submit(`form.statistics-form button[type=submit]`)
		if resp.Status != 200 {
			t.Fatalf("the statistics form answers %d", resp.Status)
		}
		u, _ := url.Parse(resp.URL)
		if q := u.Query(); !slices.Equal(q["by"], []string{"sex", "unodc_category"}) ||
			q.Get("from") != statisticsPeriod.Get("from") || q.Get("to") != statisticsPeriod.Get("to") {
			t.Fatalf("the form sent %s, want by=sex&by=unodc_category and the period", u.RawQuery)
		}
		doc = tb.dom()
		checkStatisticsPage(t, doc)

		// The chart is laid out: a box of its own on the page.
		box, err := chromedp.Run(tb.ctx, chromedp.Evaluate[struct{ Width, Height float64 }](
			`(() => { const r = document.getElementById("statistics-chart").getBoundingClientRect(); return {Width: r.width, Height: r.height}; })()`))
		if err != nil {
			t.Fatalf("the chart's bounding box: %v", err)
		}
		if box.Width < 100 || box.Height < 100 {
			t.Errorf("the chart is %.0f × %.0f px, want a visible chart", box.Width, box.Height)
		}
		// Its colours are presentation attributes, which the policy allows:
		// a blocked style would leave every bar in the default black.
		colours, err := chromedp.Run(tb.ctx, chromedp.Evaluate[[]string](
			`[...new Set([...document.querySelectorAll("#statistics-chart path, #statistics-chart rect")].map(e => getComputedStyle(e).fill))]`))
		if err != nil {
			t.Fatalf("the chart's colours: %v", err)
		}
		colours = slices.DeleteFunc(colours, func(c string) bool { return c == "none" || c == "rgb(0, 0, 0)" })
		if len(colours) < 3 {
			t.Errorf("the chart fills its shapes with %q: the bars lost their colours", colours)
		}
		// Its description is the table, in the live DOM.
		described, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](
			`document.getElementById(document.getElementById("statistics-chart").getAttribute("aria-describedby"))?.tagName ?? ""`))
		if err != nil || described != "TABLE" {
			t.Errorf("the element the chart's aria-describedby names is %q (%v), want the TABLE", described, err)
		}

		// The table shows the cells of the JSON download of the same table.
		checkStatisticsDownload(t, tb, doc)
		tb.screenshot("statistics")
	})

	t.Run("refusal", func(t *testing.T) {
		tb := newTab(t)
		tb.login(account(t, "caseworker"))
		if tb.dom().Find("header.top nav a[href='/statistics']").Length() != 0 {
			t.Error("the navigation links a caseworker to the statistics")
		}
		resp := tb.visit("/statistics?"+statisticsQuery().Encode(), 0)
		if resp.Status != 403 {
			t.Errorf("a caseworker asking for /statistics gets %d, want 403", resp.Status)
		}
		doc := tb.dom()
		if msg := doc.Find("main .error[role=alert]").Text(); !strings.Contains(msg, "Your role does not allow this") {
			t.Errorf("the refusal page says %q, want that the role does not allow it", strings.TrimSpace(msg))
		}
		if doc.Find("#statistics-table, #statistics-chart, form.statistics-form").Length() != 0 {
			t.Error("the refusal page shows the statistics form, table or chart")
		}
		tb.screenshot("statistics-refused")
	})

	t.Run("rapporteur report", func(t *testing.T) {
		tb := newTab(t)
		tb.login(account(t, "rapporteur"))
		resp := tb.visit("/reports/rapporteur", 0)
		if resp.Status != 200 {
			t.Fatalf("/reports/rapporteur answers %d", resp.Status)
		}
		// The demo stores its cases, and their lifecycle steps, when it
		// generates them: only a period up to today has figures to show.
		period := reportPeriod()
		if err := chromedp.Do(tb.ctx,
			chromedp.SetValue(chromedp.ID("f-from"), period.Get("from")),
			chromedp.SetValue(chromedp.ID("f-to"), period.Get("to")),
		); err != nil {
			t.Fatalf("fill the report's period: %v", err)
		}
		if resp := tb.submit(`form[action="/reports/rapporteur"] button[type=submit]`); resp.Status != 200 {
			t.Fatalf("the report's form answers %d", resp.Status)
		}
		doc := tb.dom()
		if doc.Find("main dd[data-field=period]").Length() != 1 {
			t.Error("the report does not say its period")
		}
		indicators := doc.Find("section.indicator")
		if indicators.Length() == 0 {
			t.Fatal("the report shows no indicator")
		}
		tables := 0
		indicators.Each(func(_ int, s *goquery.Selection) {
			id, _ := s.Attr("data-section")
			table := s.Find("table.report")
			switch {
			case table.Length() == 1:
				tables++
				if table.Find("caption").Length() != 1 || table.Find("tbody tr[data-figure]").Length() == 0 {
					t.Errorf("indicator %s: the table has no caption or no figure", id)
				}
				table.Find("tbody tr").Each(func(_ int, tr *goquery.Selection) {
					if strings.TrimSpace(tr.Find("th[scope=row]").Text()) == "" || strings.TrimSpace(tr.Find("td").Text()) == "" {
						t.Errorf("indicator %s: a figure without a label or a value", id)
					}
				})
			case s.Find("p.suppressed").Length() == 1:
			default:
				t.Errorf("indicator %s has neither a table of figures nor a suppression notice", id)
			}
		})
		if tables == 0 {
			t.Errorf("no indicator of the report for %s has a table of figures", period.Encode())
		}
		tb.screenshot("report")

		href, ok := doc.Find("a.pdf").Attr("href")
		if !ok {
			t.Fatal("the report has no PDF link")
		}
		type fetched struct {
			Status      int
			ContentType string
			Magic       string
			Size        int
		}
		pdf, err := chromedp.Run(tb.ctx, chromedp.Evaluate[fetched](fmt.Sprintf(`(async () => {
			const r = await fetch(%q, {credentials: "same-origin"});
			const b = new Uint8Array(await r.arrayBuffer());
			return {Status: r.status, ContentType: r.headers.get("Content-Type") || "",
				Magic: String.fromCharCode(...b.slice(0, 5)), Size: b.length};
		})()`, href), chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("fetch the PDF %s: %v", href, err)
		}
		if pdf.Status != 200 || !strings.HasPrefix(pdf.ContentType, "application/pdf") || pdf.Magic != "%PDF-" || pdf.Size < 1000 {
			t.Errorf("the PDF link %s answers %d %q, %d bytes starting %q; want 200 application/pdf starting %%PDF-",
				href, pdf.Status, pdf.ContentType, pdf.Size, pdf.Magic)
		}
		tb.checkConsole("the PDF download")
	})

	t.Run("works without JavaScript", func(t *testing.T) {
		tb := newTab(t)
		if _, err := chromedp.Call(tb.ctx, emulation.SetScriptExecutionDisabled,
			emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatal(err)
		}
		// That the switch holds: a page's script does not run.
		if err := chromedp.Do(tb.ctx, chromedp.Navigate("data:text/html,"+url.PathEscape(
			`<title>before</title><script>document.title = "after"</script>`))); err != nil {
			t.Fatal(err)
		}
		if title, err := chromedp.Run(tb.ctx, chromedp.Title()); err != nil || title != "before" {
			t.Fatalf("with JavaScript off a page's script ran: title %q, %v", title, err)
		}
		tb.takeProblems()

		tb.login(account(t, "statistician"))
		tb.visit("/statistics?"+statisticsQuery().Encode(), 200)
		checkStatisticsPage(t, tb.dom())
		box, err := chromedp.Run(tb.ctx, chromedp.Dimensions(chromedp.ID("statistics-chart")))
		if err != nil {
			t.Fatalf("the chart's box: %v", err)
		}
		if box.Width < 100 || box.Height < 100 {
			t.Errorf("without JavaScript the chart is %d × %d px, want a visible chart", box.Width, box.Height)
		}
		tb.screenshot("statistics-no-javascript")
	})
}

// reportPeriod is a period of the rapporteur's report that holds the
// demo's lifecycle steps: the year up to tomorrow (UTC).
func reportPeriod() url.Values {
	now := time.Now().UTC()
	return url.Values{"from": {now.AddDate(-1, 0, 0).Format(time.DateOnly)}, "to": {now.AddDate(0, 0, 1).Format(time.DateOnly)}}
}

// statisticsQuery is what the statistics form sends for the table the
// tests ask for.
func statisticsQuery() url.Values {
	q := url.Values{"by": {"sex", "unodc_category"}, "basis": {"reasonable_grounds"}, "forms": {"each"}, "k": {"11"}}
	for k, v := range statisticsPeriod {
		q[k] = v
	}
	return q
}

// checkStatisticsPage checks the shown table by sex and UNODC category and
// its chart, as the browser holds them.
func checkStatisticsPage(t *testing.T, doc *goquery.Document) {
	t.Helper()
	if doc.Find(".statistics-result .withheld, .statistics-result .empty").Length() != 0 {
		t.Fatalf("the table is withheld or empty: %q", strings.TrimSpace(doc.Find(".statistics-result").Text()))
	}
	svg := doc.Find("figure.chart > svg#statistics-chart")
	if svg.Length() != 1 {
		t.Fatal("the page has no inline SVG chart #statistics-chart")
	}
	if role, _ := svg.Attr("role"); role != "img" {
		t.Errorf("the chart's role is %q, want img", role)
	}
	title := svg.ChildrenFiltered("title")
	titleID, _ := title.Attr("id")
	if title.Length() != 1 || strings.TrimSpace(title.Text()) == "" {
		t.Error("the chart has no <title>")
	}
	if labelled, _ := svg.Attr("aria-labelledby"); labelled == "" || labelled != titleID {
		t.Errorf("the chart's aria-labelledby is %q, want its title's id %q", labelled, titleID)
	}
	described, _ := svg.Attr("aria-describedby")
	if described == "" || doc.Find("table#"+described).Length() != 1 {
		t.Errorf("the chart's aria-describedby %q names no table of the page", described)
	}
	if svg.Find("[style]").Length() != 0 || svg.Find("style").Length() != 0 {
		t.Error("the chart carries style attributes or elements, which the Content-Security-Policy blocks")
	}
	if svg.Find("rect, path").Length() == 0 || svg.Find("text").Length() == 0 {
		t.Error("the chart draws no shape or no text")
	}

	table := doc.Find("table#statistics-table")
	if table.Length() != 1 {
		t.Fatal("the page has no table #statistics-table")
	}
	columns := table.Find("thead tr:last-child th.num")
	rows := table.Find("tbody tr")
	// A row per sex, then the total; a column per UNODC category, then
	// the total.
	var heads []string
	rows.Each(func(_ int, tr *goquery.Selection) {
		heads = append(heads, strings.TrimSpace(tr.Find("th[scope=row]").Text()))
		if n := tr.Find("td").Length(); n != columns.Length() {
			t.Errorf("row %q has %d cells for %d columns", heads[len(heads)-1], n, columns.Length())
		}
	})
	if len(heads) < 3 || !rows.Last().HasClass("total") || rows.Filter(".total").Length() != 1 {
		t.Errorf("the table's rows are %q: want a row per sex and one total row, last", heads)
	}
	if len(slices.Compact(slices.Sorted(slices.Values(heads)))) != len(heads) {
		t.Errorf("the table repeats a row: %q", heads)
	}
	if columns.Length() < 3 || !strings.EqualFold(strings.TrimSpace(columns.Last().Text()), "total") {
		t.Errorf("the table has %d value columns, want a column per UNODC category and the total", columns.Length())
	}
	number := regexp.MustCompile(`^[0-9]+$`)
	published, suppressed := 0, 0
	var mark string
	table.Find("tbody td").Each(func(_ int, td *goquery.Selection) {
		text := strings.TrimSpace(td.Text())
		status, _ := td.Attr("data-status")
		switch {
		case td.HasClass("suppressed") || status == "suppressed":
			suppressed++
			if !td.HasClass("suppressed") || status != "suppressed" {
				t.Errorf("a suppressed cell lacks its class or its data-status: %q", text)
			}
			if text == "" || number.MatchString(text) {
				t.Errorf("a suppressed cell shows %q, want a mark and never a number", text)
			}
			if mark != "" && text != mark {
				t.Errorf("suppressed cells show %q and %q, want one mark", mark, text)
			}
			mark = text
		case text == "":
			// No person of that sex falls in that category (girls who
			// are male): the cell does not exist.
		case number.MatchString(text):
			published++
		default:
			t.Errorf("a cell shows %q, neither a count nor the suppression mark", text)
		}
	})
	if published == 0 || suppressed == 0 {
		t.Errorf("the table has %d published and %d suppressed cells; the demo's table should have both", published, suppressed)
	}
	if suppressed > 0 && !strings.Contains(doc.Find(".statistics-result .protection").Text(), mark) {
		t.Errorf("the page does not explain the suppression mark %q", mark)
	}
}

// checkStatisticsDownload fetches the page's JSON download, with the
// browser's session, and checks the table shows the same cells.
func checkStatisticsDownload(t *testing.T, tb *tab, doc *goquery.Document) {
	t.Helper()
	var href string
	doc.Find(".statistics-result a[download]").Each(func(_ int, a *goquery.Selection) {
		if h, _ := a.Attr("href"); strings.Contains(h, "format=json") {
			href = h
		}
	})
	if href == "" {
		t.Fatal("the page has no JSON download link")
	}
	type fetched struct {
		Status int
		Body   string
	}
	got, err := chromedp.Run(tb.ctx, chromedp.Evaluate[fetched](fmt.Sprintf(`(async () => {
		const r = await fetch(%q, {credentials: "same-origin"});
		return {Status: r.status, Body: await r.text()};
	})()`, href), chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("fetch %s: %v", href, err)
	}
	tb.checkConsole("the JSON download")
	if got.Status != 200 {
		t.Fatalf("the JSON download %s answers %d", href, got.Status)
	}
	var pub struct {
		Tables []struct {
			Dimensions []string
			Cells      []struct {
				Labels     []string
				Count      *int64
				Suppressed bool
			}
		}
	}
	if err := json.Unmarshal([]byte(got.Body), &pub); err != nil || len(pub.Tables) != 1 {
		t.Fatalf("the JSON download does not parse as one table: %v\n%s", err, got.Body)
	}
	var sexes, categories []string
	var wantCounts []string
	wantSuppressed := 0
	for _, c := range pub.Tables[0].Cells {
		if !slices.Contains(sexes, c.Labels[0]) {
			sexes = append(sexes, c.Labels[0])
		}
		if !slices.Contains(categories, c.Labels[1]) {
			categories = append(categories, c.Labels[1])
		}
		switch {
		case c.Suppressed && c.Count != nil:
			t.Errorf("the JSON download gives suppressed cell %v a count", c.Labels)
		case c.Suppressed:
			wantSuppressed++
		case c.Count != nil:
			wantCounts = append(wantCounts, strconv.FormatInt(*c.Count, 10))
		}
	}
	table := doc.Find("table#statistics-table")
	if n := table.Find("tbody tr").Length(); n != len(sexes) {
		t.Errorf("the table has %d rows, the release %d categories of sex with the total (%q)", n, len(sexes), sexes)
	}
	if n := table.Find("thead tr:last-child th.num").Length(); n != len(categories) {
		t.Errorf("the table has %d value columns, the release %d UNODC categories with the total (%q)", n, len(categories), categories)
	}
	var counts []string
	table.Find("tbody td:not(.suppressed)").Each(func(_ int, td *goquery.Selection) {
		if s := strings.TrimSpace(td.Text()); s != "" {
			counts = append(counts, s)
		}
	})
	slices.Sort(counts)
	slices.Sort(wantCounts)
	if !slices.Equal(counts, wantCounts) {
		t.Errorf("the table shows the counts %q, the release %q", counts, wantCounts)
	}
	if n := table.Find("tbody td.suppressed").Length(); n != wantSuppressed {
		t.Errorf("the table suppresses %d cells, the release %d", n, wantSuppressed)
	}
}
