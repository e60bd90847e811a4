package server_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/server"
	"github.com/haven-nrm/haven/store/storetest"
)

func TestHealthReadyMetrics(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite)
	if st, body, _ := e.do("", "GET", "/healthz", nil); st != 200 || !strings.Contains(string(body), `"ok"`) {
		t.Fatalf("healthz: %d %s", st, body)
	}
	if st, body, _ := e.do("", "GET", "/readyz", nil); st != 200 {
		t.Fatalf("readyz: %d %s", st, body)
	}
	e.do(haven.RoleFirstResponder, "GET", "/api/v1/cases/some-id", nil)
	st, body, _ := e.do("", "GET", "/metrics", nil)
	if st != 200 || !strings.Contains(string(body), `haven_http_requests_total{method="GET",route="GET /api/v1/cases/{id}",status="404"} 1`) {
		t.Fatalf("metrics lack the request, labelled by route pattern:\n%s", body)
	}
	if strings.Contains(string(body), "some-id") {
		t.Fatal("a record id became a metric label")
	}
}

type brokenHealth struct{ ping, schema error }

func (b brokenHealth) Ping(context.Context) error        { return b.ping }
func (b brokenHealth) CheckSchema(context.Context) error { return b.schema }

func TestReadyzFailures(t *testing.T) {
	db := storetest.OpenSQLite(t)
	for name, h := range map[string]brokenHealth{
		"database down": {ping: errors.New("connection refused")},
		"schema behind": {schema: errors.New("the database schema is at version 0, behind this binary's 1: run 'haven migrate'")},
	} {
		t.Run(name, func(t *testing.T) {
			srv, err := server.New(server.Config{}, prometheus.NewRegistry(), servicesOf(db, h), slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
			if rec.Code != http.StatusServiceUnavailable {
				t.Fatalf("readyz: %d, want 503", rec.Code)
			}
		})
	}
}

func TestLogsCarryNoPersonalData(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite)
	c := validCase()
	c["person"] = map[string]any{"given_name": "Esperanza", "family_name": "Quispe", "document_number": "ZX-4471"}
	st, body, h := e.do(haven.RoleFirstResponder, "POST", "/api/v1/cases", c)
	if st != 201 {
		t.Fatalf("create: %d %s", st, body)
	}
	id := decode[haven.Case](t, body).ID
	e.do(haven.RoleFirstResponder, "GET", "/api/v1/cases/"+id+"/person", nil)
	e.do(haven.RoleFirstResponder, "GET", "/api/v1/cases?nationality=VN", nil)
	logs := e.logs.String()
	for _, secret := range []string{"Esperanza", "Quispe", "ZX-4471", id, "nationality=VN"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the logs contain %q:\n%s", secret, logs)
		}
	}
	if !strings.Contains(logs, "request_id="+h.Get("X-Request-Id")) || !strings.Contains(logs, `route="POST /api/v1/cases"`) {
		t.Fatalf("the log line lacks the request id or route:\n%s", logs)
	}
}

func TestAPIWithSessionNeedsCSRFHeader(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite)
	b := e.browser()
	csrf := b.login("first_responder", storetest.Password)
	post := func(token string) int {
		req, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/cases", strings.NewReader(`{"encountered_on":"2026-01-02"}`))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("X-CSRF-Token", token)
		}
		resp, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := post(""); st != http.StatusForbidden {
		t.Fatalf("session POST without CSRF header: %d, want 403", st)
	}
	if st := post("wrong"); st != http.StatusForbidden {
		t.Fatalf("session POST with a wrong CSRF header: %d, want 403", st)
	}
	if st := post(csrf); st != http.StatusCreated {
		t.Fatalf("session POST with the CSRF header: %d, want 201", st)
	}
	if n := countCases(t, e); n != 1 {
		t.Fatalf("%d cases, want 1", n)
	}
}

// TestForwardedHeadersTrustedOnlyFromProxies checks that a client cannot
// claim HTTPS (and so a __Host- Secure cookie) unless it comes through a
// configured proxy.
func TestForwardedHeadersTrustedOnlyFromProxies(t *testing.T) {
	db := storetest.OpenSQLite(t)
	storetest.Seed(t, db)
	for _, tt := range []struct {
		name    string
		proxies []netip.Prefix
		cookie  string
	}{
		{"no proxy configured", nil, "haven_session"},
		{"another proxy configured", []netip.Prefix{netip.MustParsePrefix("10.9.9.9/32")}, "haven_session"},
		{"loopback is the proxy", []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, "__Host-haven_session"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, err := server.New(server.Config{TrustedProxies: tt.proxies}, prometheus.NewRegistry(), servicesOf(db, nil), slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			ts := httptest.NewServer(srv)
			defer ts.Close()
			form := url.Values{"username": {"caseworker"}, "password": {storetest.Password}, "csrf_token": {strings.Repeat("x", 43)}}
			req, _ := http.NewRequest("POST", ts.URL+"/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-Proto", "https")
			req.Header.Set("X-Forwarded-For", "203.0.113.7")
			req.AddCookie(&http.Cookie{Name: "haven_login_csrf", Value: strings.Repeat("x", 43)})
			resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			var got *http.Cookie
			for _, c := range resp.Cookies() {
				if strings.HasSuffix(c.Name, "haven_session") {
					got = c
				}
			}
			if got == nil || got.Name != tt.cookie || got.Secure != (tt.cookie == "__Host-haven_session") {
				t.Fatalf("cookie %+v, want %s", got, tt.cookie)
			}
			hsts := resp.Header.Get("Strict-Transport-Security") != ""
			if hsts != (tt.cookie == "__Host-haven_session") {
				t.Fatalf("HSTS header present = %v", hsts)
			}
		})
	}
}
