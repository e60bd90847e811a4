package server_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/store"
	"github.com/haven-nrm/haven/store/storetest"
)

func TestLoginForm(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite)
	b := e.browser()
	resp, _ := b.get("/cases")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Fatalf("anonymous /cases: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, doc := b.get("/login")
	token, _ := doc.Find(`input[name=csrf_token]`).Attr("value")
	if doc.Find(`label[for=f-username]`).Length() != 1 || doc.Find(`html[lang=en][dir=ltr]`).Length() != 1 {
		t.Fatal("login page lacks its labelled fields or language")
	}
	// Wrong password: 401, the form again with an error, no session.
	resp, doc = b.post("/login", url.Values{"username": {"caseworker"}, "password": {"wrong password"}, "csrf_token": {token}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(doc.Find(".error").Text(), "Wrong username or password") {
		t.Fatalf("wrong password: %d %q", resp.StatusCode, doc.Find(".error").Text())
	}
	// Missing CSRF token: refused even with the right password.
	resp, _ = b.post("/login", url.Values{"username": {"caseworker"}, "password": {storetest.Password}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("login without CSRF token: %d", resp.StatusCode)
	}
	csrf := b.login("caseworker", storetest.Password)
	// The session cookie's attributes.
	resp, _ = b.client.PostForm(b.base+"/login", url.Values{})
	_ = resp
	// Logout without the token is refused; with it, the session ends.
	resp, _ = b.post("/logout", url.Values{})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("logout without CSRF: %d", resp.StatusCode)
	}
	resp, _ = b.post("/logout", url.Values{"csrf_token": {csrf}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	resp, _ = b.get("/cases")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("/cases after logout: %d", resp.StatusCode)
	}
}

func TestSessionCookieAttributes(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite)
	b := e.browser()
	_, doc := b.get("/login")
	token, _ := doc.Find(`input[name=csrf_token]`).Attr("value")
	resp, err := b.client.PostForm(b.base+"/login", url.Values{"username": {"guardian"}, "password": {storetest.Password}, "csrf_token": {token}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "haven_session" {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || cookie.Path != "/" {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Strict, Path=/", cookie)
	}
	if cookie.Secure {
		t.Fatal("cookie is Secure over plain HTTP: the browser would drop it")
	}
}

func TestCasePages(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		e := newEnv(t, open)
		b := e.browser()
		csrf := b.login("first_responder", storetest.Password)
		_, doc := b.get("/cases/new")
		if doc.Find(`form.case-form input[name=encountered_on]`).Length() != 1 {
			t.Fatal("no case form")
		}
		// Every input has a label.
		doc.Find(`form.case-form input:not([type=hidden]):not([type=checkbox]), form.case-form select, form.case-form textarea`).Each(func(_ int, s *goquery.Selection) {
			id, _ := s.Attr("id")
			if id == "" || doc.Find(`label[for="`+id+`"]`).Length() == 0 {
				name, _ := s.Attr("name")
				t.Errorf("field %q has no label", name)
			}
		})
		form := url.Values{
			"csrf_token": {csrf}, "encountered_on": {"2026-05-02"},
			"gender": {"female"}, "age_status": {"unknown"}, "disability": {"none"}, "nationality": {"er"},
			"immigration_status": {"asylum_seeker"}, "socioeconomic_status": {"unknown"},
			"type_of_exploitation": {"forced_marriage", "domestic_servitude"},
			"event_type":           {"recruitment", "", ""}, "event_country": {"ER", "", ""}, "event_region": {"", "", ""},
			"event_started_on": {"", "", ""}, "event_ended_on": {"", "", ""}, "event_form": {"", "", ""},
			"given_name": {"Saba"}, "family_name": {"Tesfay"},
		}
		// Invalid first: a bad nationality and a bad date; nothing written.
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad["nationality"] = []string{"Eritrea"}
		bad["encountered_on"] = []string{"2026-13-01"}
		resp, doc := b.post("/cases", bad)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("invalid form: %d", resp.StatusCode)
		}
		errs := doc.Find(".error li").Text()
		if !strings.Contains(errs, "victim.nationality") || !strings.Contains(errs, "encountered_on") {
			t.Fatalf("form errors %q do not name the fields", errs)
		}
		if countCases(t, e) != 0 {
			t.Fatal("an invalid form wrote a case")
		}
		resp, _ = b.post("/cases", form)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/cases/") {
			t.Fatalf("create: %d", resp.StatusCode)
		}
		loc := resp.Header.Get("Location")
		_, doc = b.get(loc)
		if !strings.Contains(doc.Find(".flash").Text(), "created") || !strings.Contains(doc.Find("dl").Text(), "Saba") {
			t.Fatalf("case page lacks the flash or the identity: %q", doc.Find("main").Text())
		}
		if doc.Find(`span.tag`).Length() == 0 {
			t.Fatal("a person of unknown age is not shown as a child")
		}
		// Edit: save once, then submit the old form again (stale version).
		_, doc = b.get(loc + "/edit")
		version, _ := doc.Find(`input[name=version]`).Attr("value")
		edit := url.Values{}
		for k, v := range form {
			edit[k] = v
		}
		edit.Set("version", version)
		edit.Set("location_of_identification", "R-02")
		resp, _ = b.post(loc+"/edit", edit)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("edit: %d", resp.StatusCode)
		}
		edit.Set("location_of_identification", "R-03")
		resp, doc = b.post(loc+"/edit", edit)
		if resp.StatusCode != http.StatusConflict || !strings.Contains(doc.Find(".error").Text(), "changed this case") {
			t.Fatalf("stale edit: %d %q", resp.StatusCode, doc.Find(".error").Text())
		}
		// The list shows the case with its filters.
		_, doc = b.get("/cases?child=true&type_of_exploitation=forced_marriage")
		if doc.Find("table.cases tbody tr").Length() != 1 {
			t.Fatalf("filtered list: %d rows", doc.Find("table.cases tbody tr").Length())
		}
		_, doc = b.get("/cases?gender=unicorn")
		if doc.Find(".error").Length() == 0 {
			t.Fatal("a bad filter is not reported")
		}
		// Note form.
		resp, _ = b.post(loc+"/notes", url.Values{"csrf_token": {csrf}, "body": {"She asked for a female interpreter."}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("note: %d", resp.StatusCode)
		}
		_, doc = b.get(loc)
		if !strings.Contains(doc.Find(".note").Text(), "female interpreter") {
			t.Fatal("note not shown")
		}
		// Forged form (no CSRF token) is refused and writes nothing.
		resp, _ = b.post("/cases", url.Values{"encountered_on": {"2026-05-02"}})
		if resp.StatusCode != http.StatusForbidden || countCases(t, e) != 1 {
			t.Fatalf("forged create: %d, %d cases", resp.StatusCode, countCases(t, e))
		}
	})
}

func TestPagesHideCasesFromImmigration(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite)
	_, body, _ := e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases", validCase())
	c := decode[haven.Case](t, body)
	b := e.browser()
	b.login("immigration", storetest.Password)
	for _, path := range []string{"/cases/" + c.ID, "/cases/" + c.ID + "/edit"} {
		resp, doc := b.get(path)
		if resp.StatusCode != http.StatusNotFound || strings.Contains(doc.Text(), c.Reference) {
			t.Errorf("immigration GET %s: %d", path, resp.StatusCode)
		}
	}
	resp, _ := b.get("/cases")
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("immigration case list: %d", resp.StatusCode)
	}
}

func TestPagesUseTheCatalogue(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite)
	b := e.browser()
	b.login("first_responder", storetest.Password)
	// A message id left untranslated shows as a dotted lower-case key.
	key := regexp.MustCompile(`\b[a-z_]+\.[a-z_]+\b`)
	for _, path := range []string{"/cases", "/cases/new"} {
		_, doc := b.get(path)
		text := doc.Find("body").Text()
		for _, m := range key.FindAllString(text, -1) {
			if e.srv != nil && strings.Count(m, ".") == 1 && !strings.Contains(m, "haven") {
				t.Errorf("%s shows an untranslated message id %q", path, m)
			}
		}
	}
}
