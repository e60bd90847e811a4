package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/store/storetest"
)

func TestLifecyclePages(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite)
	_, body, _ := e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases", validCase())
	c := decode[haven.Case](t, body)
	b := e.browser()
	csrf := b.login("caseworker", storetest.Password)
	_, doc := b.get("/inbox")
	if !strings.Contains(doc.Find("table.inbox").Text(), c.Reference) {
		t.Fatalf("the inbox page lacks the girl's guardian alert: %q", doc.Find("main").Text())
	}
	_, doc = b.get("/cases/" + c.ID)
	if doc.Find(`#stage`).Length() != 1 || !strings.Contains(doc.Find("ul.alerts").Text(), "guardian") {
		t.Fatalf("the case page lacks its stage and time limits: %q", doc.Find("main").Text())
	}
	found := false
	doc.Find(`.events form input[name=event]`).Each(func(_ int, s *goquery.Selection) {
		if v, _ := s.Attr("value"); v == "appoint_guardian" {
			found = true
		}
	})
	if !found {
		t.Fatal("no button to record the guardian's appointment")
	}
	// A refused event shows its rule and changes nothing.
	resp, doc := b.post("/cases/"+c.ID+"/events", url.Values{"csrf_token": {csrf}, "version": {"1"}, "event": {"close_integrated"}})
	if resp.StatusCode != http.StatusConflict || doc.Find(".error").Text() == "" {
		t.Fatalf("refused event: %d %q", resp.StatusCode, doc.Find(".error").Text())
	}
	resp, _ = b.post("/cases/"+c.ID+"/events", url.Values{"csrf_token": {csrf}, "version": {"1"}, "event": {"appoint_guardian"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("appoint guardian: %d", resp.StatusCode)
	}
	_, doc = b.get("/inbox")
	if strings.Contains(doc.Find("main").Text(), c.Reference) && strings.Contains(doc.Find("main").Text(), "guardian") {
		t.Fatal("the guardian alert stayed in the inbox")
	}
	_, doc = b.get("/cases/" + c.ID)
	if !strings.Contains(doc.Find("table.steps").Text(), "Guardian appointed") {
		t.Fatalf("the step is not in the history: %q", doc.Find("table.steps").Text())
	}
}
