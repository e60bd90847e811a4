package server_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/policy"
	"github.com/haven-nrm/haven/server"
	"github.com/haven-nrm/haven/store"
	"github.com/haven-nrm/haven/store/storetest"
)

// totpEnv is an env whose server was built with cfg and whose database
// clock stands still until the test moves it, so codes can be computed.
type totpEnv struct {
	*env
	clock time.Time
}

func newTOTPEnv(t *testing.T, open func(testing.TB) *store.DB, cfg server.Config) *totpEnv {
	t.Helper()
	db := open(t)
	// Near the real time: the cookie jar drops cookies that expired by it.
	te := &totpEnv{clock: time.Now().UTC().Truncate(time.Second)}
	db.Now = func() time.Time { return te.clock }
	fx := storetest.Seed(t, db)
	logs := &bytes.Buffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg.Version = "test"
	srv, err := server.New(cfg, prometheus.NewRegistry(), servicesOf(db, nil), logger)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	te.env = &env{t: t, db: db, fx: fx, srv: srv, ts: ts, tokens: map[haven.Role]string{}, logs: logs}
	for _, r := range haven.Roles {
		tok, err := db.CreateToken(context.Background(), string(r), "test", 0)
		if err != nil {
			t.Fatal(err)
		}
		te.tokens[r] = tok
	}
	return te
}

// tick moves the clock to the next 30-second step: a code just used is spent.
func (te *totpEnv) tick() { te.clock = te.clock.Add(30 * time.Second) }

func (te *totpEnv) code(secret string) string {
	te.t.Helper()
	c, err := totp.GenerateCodeCustom(secret, te.clock, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		te.t.Fatal(err)
	}
	return c
}

// wrongCode is a code no step near now accepts.
func (te *totpEnv) wrongCode(secret string) string {
	near := map[string]bool{}
	saved := te.clock
	for d := -2; d <= 2; d++ {
		te.clock = saved.Add(time.Duration(d) * 30 * time.Second)
		near[te.code(secret)] = true
	}
	te.clock = saved
	n, _ := strconv.Atoi(te.code(secret))
	for {
		n = (n + 1) % 1_000_000
		if c := fmt.Sprintf("%06d", n); !near[c] {
			return c
		}
	}
}

// passwordLogin posts the login form and returns where it redirects.
func (b *browser) passwordLogin(username string) string {
	b.t.Helper()
	_, doc := b.get("/login")
	token, _ := doc.Find(`input[name=csrf_token]`).Attr("value")
	resp, doc := b.post("/login", url.Values{"username": {username}, "password": {storetest.Password}, "csrf_token": {token}})
	if resp.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("login %s: status %d, error %q", username, resp.StatusCode, doc.Find(".error").Text())
	}
	return resp.Header.Get("Location")
}

// sessionCookie returns the browser's session cookie.
func (b *browser) sessionCookie() string {
	u, _ := url.Parse(b.base)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == "haven_session" {
			return c.Value
		}
	}
	return ""
}

// enrolThroughPages sets up an authenticator app from the set-up page the
// login led to, checks the page, and returns the secret.
func (te *totpEnv) enrolThroughPages(b *browser) string {
	t := te.t
	t.Helper()
	resp, doc := b.get("/login/totp/setup")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("set-up page: %d", resp.StatusCode)
	}
	secret := strings.ReplaceAll(doc.Find("code.totp-key").Text(), " ", "")
	uri := doc.Find("code.totp-uri").Text()
	key, err := otp.NewKeyFromURL(uri)
	if err != nil || secret == "" || key.Secret() != secret {
		t.Fatalf("the page shows key %q and URI %q, which disagree", secret, uri)
	}
	// The QR code is an inline PNG (the CSP allows data: images) with a text alternative.
	img := doc.Find("img.qr")
	src, _ := img.Attr("src")
	alt, _ := img.Attr("alt")
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(src, "data:image/png;base64,"))
	if !strings.HasPrefix(src, "data:image/png;base64,") || err != nil || alt == "" {
		t.Fatalf("QR code src %.40q alt %q", src, alt)
	}
	if _, err := png.Decode(bytes.NewReader(raw)); err != nil {
		t.Fatalf("QR code is not a PNG: %v", err)
	}
	checkCodeField(t, doc.Find(`form[action="/login/totp/setup"]`))
	csrf, _ := doc.Find(`form[action="/login/totp/setup"] input[name=csrf_token]`).Attr("value")
	resp, doc = b.post("/login/totp/setup", url.Values{"csrf_token": {csrf}, "code": {te.wrongCode(secret)}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(doc.Find(".error").Text(), "not right") {
		t.Fatalf("wrong set-up code: %d %q", resp.StatusCode, doc.Find(".error").Text())
	}
	if again := strings.ReplaceAll(doc.Find("code.totp-key").Text(), " ", ""); again != secret {
		t.Fatal("a wrong code changed the key being set up")
	}
	before := b.sessionCookie()
	resp, _ = b.post("/login/totp/setup", url.Values{"csrf_token": {csrf}, "code": {te.code(secret)}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/cases" {
		t.Fatalf("right set-up code: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if after := b.sessionCookie(); after == before || after == "" {
		t.Fatal("the session token was not renewed when the second factor passed")
	}
	te.tick()
	return secret
}

// checkCodeField checks a code form's field: labelled, numeric, and
// offered to phones and password managers as a one-time code.
func checkCodeField(t testing.TB, form *goquery.Selection) {
	t.Helper()
	in := form.Find(`input[name=code]`)
	id, _ := in.Attr("id")
	ac, _ := in.Attr("autocomplete")
	mode, _ := in.Attr("inputmode")
	if in.Length() != 1 || id == "" || form.Find(`label[for="`+id+`"]`).Length() != 1 || ac != "one-time-code" || mode != "numeric" {
		t.Fatalf("code field: %d field(s), id %q, autocomplete %q, inputmode %q, or no label", in.Length(), id, ac, mode)
	}
}

func TestTOTPEnrolThenLogIn(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		te := newTOTPEnv(t, open, server.Config{RequireTOTP: true})
		b := te.browser()
		if loc := b.passwordLogin("caseworker"); loc != "/login/totp/setup" {
			t.Fatalf("first login of a caseworker goes to %q, want the set-up", loc)
		}
		checkNoMessageIDs(t, b, "/login/totp/setup")
		// The code form sends a user without an app to the set-up.
		if resp, _ := b.get("/login/totp"); resp.Header.Get("Location") != "/login/totp/setup" {
			t.Fatalf("code form before set-up: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		secret := te.enrolThroughPages(b)
		resp, doc := b.get("/cases")
		if resp.StatusCode != http.StatusOK || !strings.Contains(doc.Find(".flash").Text(), "authenticator app is set up") {
			t.Fatalf("cases after set-up: %d, flash %q", resp.StatusCode, doc.Find(".flash").Text())
		}
		// The next login asks for a code, and a right one lets her in.
		b2 := te.browser()
		if loc := b2.passwordLogin("caseworker"); loc != "/login/totp" {
			t.Fatalf("login after set-up goes to %q, want the code form", loc)
		}
		resp, doc = b2.get("/login/totp")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("code form: %d", resp.StatusCode)
		}
		checkCodeField(t, doc.Find(`form[action="/login/totp"]`))
		if doc.Find(`nav`).Length() != 0 || doc.Find(`form[action="/logout"] button`).Length() != 1 {
			t.Fatal("the code form must offer logging out and no navigation")
		}
		csrf, _ := doc.Find(`form[action="/login/totp"] input[name=csrf_token]`).Attr("value")
		pendingCookie := b2.sessionCookie()
		code := te.code(secret)
		resp, _ = b2.post("/login/totp", url.Values{"csrf_token": {csrf}, "code": {code}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/cases" {
			t.Fatalf("right code: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp, _ := b2.get("/cases"); resp.StatusCode != http.StatusOK {
			t.Fatalf("cases after the code: %d", resp.StatusCode)
		}
		// The token from before the code is dead: no session fixation.
		if st, _ := cookieRequest(t, te.env, pendingCookie, "GET", "/api/v1/me"); st != http.StatusUnauthorized {
			t.Fatalf("the pre-code session token answers %d, want 401", st)
		}
		// The same code, replayed by another login within its 30 seconds: refused.
		b3 := te.browser()
		b3.passwordLogin("caseworker")
		_, doc = b3.get("/login/totp")
		csrf, _ = doc.Find(`form[action="/login/totp"] input[name=csrf_token]`).Attr("value")
		resp, doc = b3.post("/login/totp", url.Values{"csrf_token": {csrf}, "code": {code}})
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(doc.Find(".error").Text(), "already been used") {
			t.Fatalf("replayed code: %d %q", resp.StatusCode, doc.Find(".error").Text())
		}
		if resp, _ := b3.get("/cases"); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("cases after a replayed code: %d", resp.StatusCode)
		}
		checkNoMessageIDs(t, b3, "/login/totp")
	})
}

func TestTOTPWrongCodesLockOut(t *testing.T) {
	te := newTOTPEnv(t, storetest.OpenSQLite, server.Config{RequireTOTP: true})
	secret := te.enrolThroughPages(loggedInToSetup(te, "guardian"))
	b := te.browser()
	if loc := b.passwordLogin("guardian"); loc != "/login/totp" {
		t.Fatalf("login goes to %q", loc)
	}
	_, doc := b.get("/login/totp")
	csrf, _ := doc.Find(`input[name=csrf_token]`).Attr("value")
	for i := range 5 {
		resp, _ := b.post("/login/totp", url.Values{"csrf_token": {csrf}, "code": {te.wrongCode(secret)}})
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong code %d: %d", i, resp.StatusCode)
		}
	}
	resp, doc := b.post("/login/totp", url.Values{"csrf_token": {csrf}, "code": {te.code(secret)}})
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(doc.Find(".error").Text(), "Too many") {
		t.Fatalf("right code after 5 wrong ones: %d %q", resp.StatusCode, doc.Find(".error").Text())
	}
	// The lock holds for the password too.
	b2 := te.browser()
	_, doc = b2.get("/login")
	token, _ := doc.Find(`input[name=csrf_token]`).Attr("value")
	resp, _ = b2.post("/login", url.Values{"username": {"guardian"}, "password": {storetest.Password}, "csrf_token": {token}})
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("password login while wrong codes have locked the account: %d, want 429", resp.StatusCode)
	}
	if strings.Contains(te.logs.String(), te.code(secret)) {
		t.Fatal("a code reached the logs")
	}
}

// loggedInToSetup returns a browser that passed the password of username
// and was sent to the set-up page.
func loggedInToSetup(te *totpEnv, username string) *browser {
	te.t.Helper()
	b := te.browser()
	if loc := b.passwordLogin(username); loc != "/login/totp/setup" {
		te.t.Fatalf("login of %s goes to %q, want the set-up", username, loc)
	}
	return b
}

func TestTOTPPendingSessionReachesNothingElse(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		te := newTOTPEnv(t, open, server.Config{RequireTOTP: true})
		_, body, _ := te.do(haven.RoleFirstResponder, "POST", "/api/v1/cases", validCase())
		c := decode[haven.Case](t, body)
		b := loggedInToSetup(te, "first_responder")
		_, doc := b.get("/login/totp/setup")
		csrf, _ := doc.Find(`input[name=csrf_token]`).Attr("value")
		cookie := b.sessionCookie()
		// Every page sends it to the second factor (via /login), never to content.
		for _, path := range []string{"/", "/cases", "/cases/new", "/cases/" + c.ID, "/cases/" + c.ID + "/edit", "/login"} {
			final, st, text := follow(t, b, path)
			if final != "/login/totp/setup" || strings.Contains(text, c.Reference) {
				t.Errorf("GET %s with a pending session ends at %s (%d)", path, final, st)
			}
		}
		// Forms are refused even with the session's CSRF token.
		resp, _ := b.post("/cases/"+c.ID+"/notes", url.Values{"csrf_token": {csrf}, "body": {"written before the code"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
			t.Errorf("note with a pending session: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		// The JSON API with the session cookie: 401.
		for _, path := range []string{"/api/v1/cases", "/api/v1/cases/" + c.ID, "/api/v1/me"} {
			if st, body := cookieRequest(t, te.env, cookie, "GET", path); st != http.StatusUnauthorized || strings.Contains(body, c.Reference) {
				t.Errorf("GET %s with a pending session cookie: %d", path, st)
			}
		}
		if n := countCases(t, te.env); n != 1 {
			t.Fatalf("%d cases: a pending session wrote one", n)
		}
		var notes int
		te.db.QueryRow(context.Background(), "SELECT COUNT(*) FROM case_notes").Scan(&notes)
		if notes != 0 {
			t.Fatal("a pending session wrote a note")
		}
		// Logging out works, and ends the session.
		resp, _ = b.post("/logout", url.Values{"csrf_token": {csrf}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
			t.Fatalf("logout of a pending session: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp, _ := b.get("/login/totp/setup"); resp.Header.Get("Location") != "/login" {
			t.Fatalf("set-up after logout: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
}

func TestTOTPOnlyRolesThatReadCaseContentAreForced(t *testing.T) {
	te := newTOTPEnv(t, storetest.OpenSQLite, server.Config{RequireTOTP: true})
	forced := 0
	for _, role := range haven.Roles {
		loc := te.browser().passwordLogin(string(role))
		// Each role lands on a page it may see.
		want := map[haven.Role]string{haven.RoleStatistician: "/statistics", haven.RoleAdministrator: "/statistics",
			haven.RoleRapporteur: "/reports/rapporteur", haven.RoleLawEnforcement: "/inbox", haven.RoleProsecutor: "/inbox",
			haven.RoleImmigration: "/inbox"}[role]
		if want == "" {
			want = "/cases"
		}
		if policy.ReadsCaseContent(role) {
			want = "/login/totp/setup"
			forced++
		}
		if loc != want {
			t.Errorf("%s logs in to %q, want %q", role, loc, want)
		}
	}
	if forced == 0 || forced == len(haven.Roles) {
		t.Fatalf("%d of %d roles forced: the table proves nothing", forced, len(haven.Roles))
	}
	// A bearer token, made by an administrator, is not a browser login:
	// the API answers it without a second factor.
	if st, _, _ := te.do(haven.RoleCaseworker, "GET", "/api/v1/cases", nil); st != http.StatusOK {
		t.Fatalf("caseworker's API token: %d", st)
	}
	// A role that is not forced may still set up an app; then it is asked.
	b := te.browser()
	b.login("statistician", storetest.Password)
	resp, doc := b.get("/login/totp/setup")
	if resp.StatusCode != http.StatusOK || doc.Find(`form.logout`).Length() != 1 {
		t.Fatalf("voluntary set-up page: %d", resp.StatusCode)
	}
	te.enrolThroughPages(b)
	if loc := te.browser().passwordLogin("statistician"); loc != "/login/totp" {
		t.Fatalf("a statistician with an app logs in to %q, want the code form", loc)
	}
}

func TestTOTPTurnedOff(t *testing.T) {
	te := newTOTPEnv(t, storetest.OpenSQLite, server.Config{RequireTOTP: false})
	for _, role := range []haven.Role{haven.RoleCaseworker, haven.RoleCompetentBody} {
		te.browser().login(string(role), storetest.Password) // fails unless it lands on /cases
	}
	// Off means not required: a user who chose an app is still asked.
	b := te.browser()
	b.login("guardian", storetest.Password)
	te.enrolThroughPages(b)
	if loc := te.browser().passwordLogin("guardian"); loc != "/login/totp" {
		t.Fatalf("with the setting off, a guardian with an app logs in to %q", loc)
	}
}

// follow GETs path and the redirects after it, and returns the last
// path, its status and its text.
func follow(t *testing.T, b *browser, path string) (string, int, string) {
	t.Helper()
	for range 5 {
		resp, doc := b.get(path)
		if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusFound {
			return path, resp.StatusCode, doc.Text()
		}
		path = resp.Header.Get("Location")
	}
	t.Fatalf("too many redirects, at %s", path)
	return "", 0, ""
}

// cookieRequest sends a request carrying only the given session cookie.
func cookieRequest(t *testing.T, e *env, cookie, method, path string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, e.ts.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.AddCookie(&http.Cookie{Name: "haven_session", Value: cookie})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// checkNoMessageIDs fails if a page shows a message id instead of its text.
func checkNoMessageIDs(t *testing.T, b *browser, path string) {
	t.Helper()
	_, doc := b.get(path)
	doc.Find("code").Remove()
	for _, m := range regexp.MustCompile(`\btotp\.[a-z_]+\b`).FindAllString(doc.Find("body").Text(), -1) {
		t.Errorf("%s shows the message id %q", path, m)
	}
}
