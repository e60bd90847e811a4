package server_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/store/storetest"
)

func TestNonPunishmentStatement(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite)
	in := validCase()
	in["person"] = map[string]any{"given_name": "Ana-María", "family_name": "Núñez", "date_of_birth": "2007-06-15"}
	_, body, _ := e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases", in)
	c := decode[haven.Case](t, body)
	// Bad input names every field and writes nothing.
	st, body, _ := e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases/"+c.ID+"/non-punishment", map[string]any{
		"decided_on": "2099-01-01", "offences": []map[string]any{{"description": "", "date": "2025-01-01"}}})
	if st != 422 {
		t.Fatalf("bad finding: %d %s", st, body)
	}
	for _, f := range []string{"decided_on", "decided_by", "offences[0].description", "offences[0].jurisdiction", "offences[0].record_number"} {
		if !strings.Contains(string(body), `"`+f+`"`) {
			t.Errorf("the error does not name %s: %s", f, body)
		}
	}
	if countRows(t, e, "non_punishment") != 0 {
		t.Fatal("a refused finding was written")
	}
	st, body, _ = e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases/"+c.ID+"/non-punishment", map[string]any{
		"decided_on": "2026-03-01", "decided_by": "National Identification Team", "decision_reference": "NIT-2026-17",
		"offences": []map[string]any{{"description": "Possession of a forged passport", "jurisdiction": "Central District Court",
			"date": "2025-11-02", "record_number": "CR-2025-0042"}}})
	if st != 201 {
		t.Fatalf("record finding: %d %s", st, body)
	}
	get := func(role haven.Role, format string) (*http.Response, []byte) {
		req, _ := http.NewRequest("GET", e.ts.URL+"/api/v1/cases/"+c.ID+"/non-punishment/1/document?format="+format, nil)
		req.Header.Set("Authorization", "Bearer "+e.tokens[role])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	resp, html := get(haven.RoleFirstResponder, "html")
	if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("HTML statement: %d %s", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	doc, _ := goquery.NewDocumentFromReader(bytes.NewReader(html))
	text := doc.Text()
	for _, want := range []string{"Ana-María Núñez", "CR-2025-0042", c.Reference + "-NP-1", "98"} {
		if !strings.Contains(text, want) {
			t.Errorf("the statement lacks %q", want)
		}
	}
	resp, pdf := get(haven.RoleFirstResponder, "pdf")
	if resp.StatusCode != 200 || !bytes.HasPrefix(pdf, []byte("%PDF-")) || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("PDF statement: %d %q", resp.StatusCode, pdf[:min(len(pdf), 20)])
	}
	// Nobody outside the owner organisation gets it.
	for _, role := range []haven.Role{haven.RoleImmigration, haven.RoleCompetentBody, haven.RoleLawEnforcement} {
		if resp, _ := get(role, "html"); resp.StatusCode != 404 {
			t.Errorf("%s got the statement: %d", role, resp.StatusCode)
		}
	}
	if strings.Contains(e.logs.String(), "Núñez") {
		t.Fatal("the person's name reached the logs")
	}
}
