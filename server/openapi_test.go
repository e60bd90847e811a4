package server_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/haven-nrm/haven/store/storetest"
)

// TestOpenAPIMatchesRoutes checks that every /api/v1 route the server
// registers is in the OpenAPI document, and that the document describes no
// route the server lacks.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite)
	st, body, h := e.do("", "GET", "/api/v1/openapi.json", nil)
	if st != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
		t.Fatalf("openapi.json: %d %s", st, h.Get("Content-Type"))
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi version %q, want 3.1.0", doc.OpenAPI)
	}
	methods := []string{"get", "put", "post", "patch", "delete", "head", "options"}
	var documented []string
	for path, item := range doc.Paths {
		for m := range item {
			if slices.Contains(methods, m) {
				documented = append(documented, strings.ToUpper(m)+" "+path)
			}
		}
	}
	var registered []string
	for _, r := range e.srv.Routes() {
		method, path, _ := strings.Cut(r, " ")
		if strings.HasPrefix(path, "/api/") {
			registered = append(registered, method+" "+path)
		}
	}
	slices.Sort(documented)
	slices.Sort(registered)
	for _, r := range registered {
		if !slices.Contains(documented, r) {
			t.Errorf("route %s is not in openapi.json", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(registered, d) {
			t.Errorf("openapi.json describes %s, which the server does not register", d)
		}
	}
	// Every $ref points at a schema that exists.
	var full struct {
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	json.Unmarshal(body, &full)
	for _, m := range regexp.MustCompile(`"#/components/schemas/([A-Za-z]+)"`).FindAllStringSubmatch(string(body), -1) {
		if _, ok := full.Components.Schemas[m[1]]; !ok {
			t.Errorf("dangling $ref to schema %s", m[1])
		}
	}
}
