package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/server"
	"github.com/haven-nrm/haven/store"
	"github.com/haven-nrm/haven/store/statsource"
	"github.com/haven-nrm/haven/store/storetest"
)

// env is a running server on a real database with the fixture's users.
type env struct {
	t      testing.TB
	db     *store.DB
	fx     *storetest.Fixture
	srv    *server.Server
	ts     *httptest.Server
	tokens map[haven.Role]string
	logs   *bytes.Buffer
}

func newEnv(t testing.TB, open func(testing.TB) *store.DB) *env {
	t.Helper()
	db := open(t)
	fx := storetest.Seed(t, db)
	logs := &bytes.Buffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := server.New(server.Config{Version: "test"}, prometheus.NewRegistry(), servicesOf(db, nil), logger)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	e := &env{t: t, db: db, fx: fx, srv: srv, ts: ts, tokens: map[haven.Role]string{}, logs: logs}
	for _, r := range haven.Roles {
		tok, err := db.CreateToken(context.Background(), string(r), "test", 0)
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[r] = tok
	}
	return e
}

// do sends a request as role (no auth when role is "") and returns the
// status and body.
func (e *env) do(role haven.Role, method, path string, body any) (int, []byte, http.Header) {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.ts.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[role])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out, resp.Header
}

// browser is a cookie-keeping client that does not follow redirects.
type browser struct {
	t      testing.TB
	base   string
	client *http.Client
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: e.t, base: e.ts.URL, client: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (b *browser) get(path string) (*http.Response, *goquery.Document) {
	b.t.Helper()
	resp, err := b.client.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp, doc
}

func (b *browser) post(path string, form url.Values) (*http.Response, *goquery.Document) {
	b.t.Helper()
	resp, err := b.client.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp, doc
}

// login logs the browser in through the form and returns the CSRF token
// of the session.
func (b *browser) login(username, password string) string {
	b.t.Helper()
	_, doc := b.get("/login")
	token, _ := doc.Find(`input[name=csrf_token]`).Attr("value")
	resp, doc := b.post("/login", url.Values{"username": {username}, "password": {password}, "csrf_token": {token}})
	home := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(home, "/") || strings.HasPrefix(home, "/login") {
		b.t.Fatalf("login: status %d to %q, error %q", resp.StatusCode, home, doc.Find(".error").Text())
	}
	// Every role lands on a page it may see.
	resp, doc = b.get(home)
	if resp.StatusCode != http.StatusOK {
		b.t.Fatalf("%s logs in to %s, which answers %d", username, home, resp.StatusCode)
	}
	csrf, ok := doc.Find(`form.logout input[name=csrf_token]`).Attr("value")
	if !ok || csrf == "" {
		b.t.Fatal("no CSRF token on the page after login")
	}
	return csrf
}

func decode[T any](t testing.TB, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

// validCase is a minimal valid create body.
func validCase() map[string]any {
	return map[string]any{
		"encountered_on": "2026-02-01",
		"victim": map[string]any{
			"gender": "female", "age_status": "declared", "age_at_encounter": 16,
			"nationality": "VN", "immigration_status": "irregular",
		},
		"type_of_exploitation": []string{"forced_labour"},
		"events":               []map[string]any{{"type": "recruitment", "country": "VN"}},
		"person":               map[string]any{"given_name": "Lan", "family_name": "Nguyen"},
	}
}

type problem struct {
	Status int                `json:"status"`
	Detail string             `json:"detail"`
	Errors []haven.FieldError `json:"errors"`
}

// servicesOf serves everything from one store; health may replace the
// store's own readiness checks.
func servicesOf(db *store.DB, health server.Health) server.Services {
	if health == nil {
		health = db
	}
	return server.Services{Cases: db, Users: db, Orgs: db, Auth: db, Consents: db, Permits: db, BreakGlass: db, Screenings: db, Audit: db, Identities: db, Lifecycle: db, NonPunishment: db, Protection: db, Health: health,
		Statistics: statsource.New(db), Releases: db, Reports: db}
}

func decodeInto(t testing.TB, b []byte, v any) {
	t.Helper()
	if len(b) == 0 {
		return
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}
