package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/store/storetest"
)

func TestConsentPages(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite)
	_, body, _ := e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases", validCase())
	c := decode[haven.Case](t, body)
	b := e.browser()
	csrf := b.login("first_responder", storetest.Password)
	_, doc := b.get("/cases/" + c.ID)
	if doc.Find(`form.consent-form select[name=given_by] option[value=guardian]`).Length() != 1 {
		t.Fatal("a child's consent form does not ask for the guardian")
	}
	if doc.Find(`form.consent-form select[name=child_view]`).Length() != 1 {
		t.Fatal("a child's consent form does not record the child's view")
	}
	shelter := e.fx.Users[haven.RoleServiceProvider].OrganisationID
	// No scope: refused, naming the field, nothing written.
	resp, doc := b.post("/cases/"+c.ID+"/consents", url.Values{"csrf_token": {csrf}, "purpose": {"share_with_organisation"},
		"recipient_organisation_id": {shelter}, "given_by": {"guardian"}, "child_view": {"agrees"}, "method": {"oral"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find(".error").Text(), "scope") {
		t.Fatalf("consent without scope: %d %q", resp.StatusCode, doc.Find(".error").Text())
	}
	if countRows(t, e, "consents") != 0 {
		t.Fatal("a refused consent was written")
	}
	resp, _ = b.post("/cases/"+c.ID+"/consents", url.Values{"csrf_token": {csrf}, "purpose": {"share_with_organisation"},
		"recipient_organisation_id": {shelter}, "scope": {"case"}, "given_by": {"guardian"}, "child_view": {"agrees"},
		"method": {"oral"}, "expires_on": {"2099-01-01"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("record consent: %d", resp.StatusCode)
	}
	if st, _, _ := e.do(haven.RoleServiceProvider, "GET", "/api/v1/cases/"+c.ID, nil); st != 200 {
		t.Fatalf("the shelter cannot read after the consent: %d", st)
	}
	_, doc = b.get("/cases/" + c.ID)
	action, ok := doc.Find(`table.consents form`).Attr("action")
	if !ok || !strings.Contains(doc.Find("table.consents").Text(), "2099-01-01") {
		t.Fatal("the consent is not listed with its expiry and a withdraw button")
	}
	resp, _ = b.post(action, url.Values{"csrf_token": {csrf}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("withdraw: %d", resp.StatusCode)
	}
	if st, _, _ := e.do(haven.RoleServiceProvider, "GET", "/api/v1/cases/"+c.ID, nil); st != 404 {
		t.Fatalf("the shelter still reads after withdrawal: %d", st)
	}
	_, doc = b.get("/cases/" + c.ID)
	if !strings.Contains(doc.Find("table.consents").Text(), "Withdrawn on") {
		t.Fatal("the withdrawn consent is not shown as withdrawn")
	}
}
