package main_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// havenBinary builds the real binary once per test run.
var havenBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "haven-e2e-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "haven")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

func binary(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end tests build the binary; skipped with -short")
	}
	bin, err := havenBinary()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// runHaven runs the binary to completion and returns its output and exit code.
func runHaven(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	go func() { <-ctx.Done(); cmd.Process.Kill() }()
	err := cmd.Run()
	code = 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

// demoProcess is a running `haven demo`.
type demoProcess struct {
	cmd      *exec.Cmd
	url      string
	accounts map[string][2]string // role → username, password
	stderr   *bytes.Buffer
	done     chan error
}

func startDemo(t *testing.T, args ...string) *demoProcess {
	t.Helper()
	cmd := exec.Command(binary(t), append([]string{"demo", "--addr", "127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &demoProcess{cmd: cmd, accounts: map[string][2]string{}, stderr: &bytes.Buffer{}, done: make(chan error, 1)}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
	})
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		urlLine := regexp.MustCompile(`running at (http://\S+?)/?$`)
		inTable := false
		for sc.Scan() {
			line := sc.Text()
			if m := urlLine.FindStringSubmatch(line); m != nil {
				p.url = m[1]
			}
			if strings.HasPrefix(line, "ROLE") {
				inTable = true
				continue
			}
			if inTable {
				f := strings.Fields(line)
				if len(f) < 3 {
					inTable = false
					close(ready)
					continue
				}
				if _, seen := p.accounts[f[0]]; !seen { // the role's own account comes first
					p.accounts[f[0]] = [2]string{f[1], f[2]}
				}
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	go func() { p.done <- cmd.Wait() }()
	select {
	case <-ready:
	case err := <-p.done:
		t.Fatalf("demo exited early: %v\n%s", err, p.stderr)
	case <-time.After(90 * time.Second):
		t.Fatalf("demo did not start within 90 s\n%s", p.stderr)
	}
	return p
}

func TestEndToEnd(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "demo.db")
	p := startDemo(t, "--cases", "150", "--seed", "7", "--db", dbPath)
	fr, ok := p.accounts["first_responder"]
	if !ok || p.url == "" {
		t.Fatalf("demo printed no URL or no first responder account: %q %v", p.url, p.accounts)
	}
	for _, role := range []string{"competent_body", "caseworker", "service_provider", "guardian", "law_enforcement",
		"prosecutor", "immigration", "statistician", "rapporteur", "administrator"} {
		if _, ok := p.accounts[role]; !ok {
			t.Errorf("demo printed no account for %s", role)
		}
	}

	// An API token, created by the CLI against the running demo's database.
	out, errOut, code := runHaven(t, nil, "token", "create", "--user", fr[0], "--db", dbPath)
	token := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(token, "hvn_") {
		t.Fatalf("token create: exit %d, %q %q", code, out, errOut)
	}
	api := func(method, path string, body any) (int, map[string]any) {
		t.Helper()
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, p.url+path, rd)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	st, c := api("POST", "/api/v1/cases", map[string]any{
		"encountered_on": "2026-04-10", "victim": map[string]any{"gender": "female", "age_status": "unknown", "nationality": "MM"},
		"type_of_exploitation": []string{"forced_marriage"},
	})
	if st != 201 {
		t.Fatalf("create: %d %v", st, c)
	}
	id := c["id"].(string)
	st, got := api("GET", "/api/v1/cases/"+id, nil)
	if st != 200 || got["reference"] != c["reference"] {
		t.Fatalf("read back: %d %v", st, got)
	}
	if st, _ := api("PATCH", "/api/v1/cases/"+id, map[string]any{"version": 1, "type_of_exploitation": []string{"forced_marriage", "domestic_servitude"}}); st != 200 {
		t.Fatalf("update: %d", st)
	}
	if st, m := api("PATCH", "/api/v1/cases/"+id, map[string]any{"version": 1, "type_of_exploitation": []string{"begging"}}); st != 409 {
		t.Fatalf("stale update: %d %v, want 409", st, m)
	}

	// The login form, as a browser would.
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	resp, err := browser.Get(p.url + "/login")
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := goquery.NewDocumentFromReader(resp.Body)
	resp.Body.Close()
	csrf, _ := doc.Find(`input[name=csrf_token]`).Attr("value")
	resp, err = browser.PostForm(p.url+"/login", url.Values{"username": {fr[0]}, "password": {fr[1]}, "csrf_token": {csrf}})
	if err != nil {
		t.Fatal(err)
	}
	doc, _ = goquery.NewDocumentFromReader(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/cases" || doc.Find("table.cases tbody tr").Length() == 0 {
		t.Fatalf("login through the form: %d at %s, %d rows", resp.StatusCode, resp.Request.URL.Path, doc.Find("table.cases tbody tr").Length())
	}
	if r, err := http.Get(p.url + "/readyz"); err != nil || r.StatusCode != 200 {
		t.Fatalf("readyz: %v %v", r, err)
	}

	// SIGTERM: a graceful stop, exit status 0.
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		if err != nil {
			t.Fatalf("demo exit after SIGTERM: %v\n%s", err, p.stderr)
		}
		p.done <- err // for the cleanup
	case <-time.After(20 * time.Second):
		t.Fatal("demo did not stop within 20 s of SIGTERM")
	}
	if strings.Contains(p.stderr.String(), "Okafor") {
		t.Fatal("a synthetic person's name reached the logs")
	}
}

// TestStartupErrors checks that each misconfiguration gives one clear
// line on stderr and a non-zero exit, never a stack trace.
func TestStartupErrors(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "master.key")
	if _, e, code := runHaven(t, nil, "keys", "init", "--master-key-file", key); code != 0 {
		t.Fatalf("keys init: %s", e)
	}
	fresh := filepath.Join(dir, "fresh.db")
	migrated := filepath.Join(dir, "migrated.db")
	if _, e, code := runHaven(t, nil, "migrate", "--db", migrated); code != 0 {
		t.Fatalf("migrate: %s", e)
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	otherKey := filepath.Join(dir, "other.key")
	runHaven(t, nil, "keys", "init", "--master-key-file", otherKey)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"wrong database URL", []string{"serve", "--db", "postgres://nobody@127.0.0.1:1/none?connect_timeout=2", "--master-key-file", key}, "cannot reach PostgreSQL"},
		{"unwritable database path", []string{"serve", "--db", "/proc/haven/haven.db", "--master-key-file", key}, "does not exist"},
		{"schema behind", []string{"serve", "--db", fresh, "--master-key-file", key}, "haven migrate"},
		{"port in use", []string{"serve", "--db", migrated, "--master-key-file", key, "--addr", busy.Addr().String()}, "cannot listen"},
		{"missing key file", []string{"serve", "--db", migrated, "--master-key-file", filepath.Join(dir, "none.key")}, "does not exist"},
		{"bad flag value", []string{"serve", "--log-level", "loud"}, "--log-level"},
		{"demo on a public address", []string{"demo", "--addr", "0.0.0.0:0"}, "loopback"},
		{"key init over an existing key", []string{"keys", "init", "--master-key-file", key}, "refusing to overwrite"},
		{"user with a bad role", []string{"user", "add", "--db", migrated, "--username", "x1", "--role", "king", "--organisation", "O"}, "--role"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := runHaven(t, []string{"HAVEN_PASSWORD=correct horse battery"}, tt.args...)
			if code == 0 {
				t.Fatalf("exit 0, want non-zero; stderr %q", stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Fatalf("stderr %q does not say %q", stderr, tt.want)
			}
			if strings.Contains(stderr, "goroutine ") || strings.Count(strings.TrimSpace(stderr), "\n") > 2 {
				t.Fatalf("stderr is not one clear line:\n%s", stderr)
			}
		})
	}
	// A wrong master key: the keysets were made with key, opened with otherKey.
	runHaven(t, nil, "serve", "--db", migrated, "--master-key-file", key, "--addr", busy.Addr().String()) // creates keysets, then fails to listen
	_, stderr, code := runHaven(t, nil, "serve", "--db", migrated, "--master-key-file", otherKey)
	if code == 0 || !strings.Contains(stderr, "wrong key") {
		t.Fatalf("wrong master key: exit %d, %q", code, stderr)
	}
}

func TestUserAndTokenCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "h.db")
	runHaven(t, nil, "migrate", "--db", db)
	env := []string{"HAVEN_PASSWORD=correct horse battery"}
	if _, e, code := runHaven(t, env, "user", "add", "--db", db, "--username", "amal", "--role", "caseworker",
		"--organisation", "Safe Harbour", "--sector", "ngo"); code != 0 {
		t.Fatalf("user add: %s", e)
	}
	out, _, _ := runHaven(t, nil, "user", "list", "--db", db)
	if !strings.Contains(out, "amal") || !strings.Contains(out, "caseworker") || !strings.Contains(out, "active") {
		t.Fatalf("user list: %q", out)
	}
	if _, e, code := runHaven(t, env, "user", "add", "--db", db, "--username", "amal", "--role", "caseworker", "--organisation", "Safe Harbour"); code == 0 || !strings.Contains(e, "already exists") {
		t.Fatalf("duplicate user: %d %q", code, e)
	}
	if _, e, code := runHaven(t, []string{"HAVEN_PASSWORD=short"}, "user", "add", "--db", db, "--username", "bo", "--role", "guardian", "--organisation", "Safe Harbour"); code == 0 || !strings.Contains(e, "--password") {
		t.Fatalf("short password: %d %q", code, e)
	}
	out, _, code := runHaven(t, nil, "token", "create", "--db", db, "--user", "amal")
	if code != 0 || !strings.HasPrefix(out, "hvn_") {
		t.Fatalf("token: %q", out)
	}
	if _, _, code := runHaven(t, nil, "user", "disable", "--db", db, "--username", "amal"); code != 0 {
		t.Fatal("disable failed")
	}
	out, _, _ = runHaven(t, nil, "user", "list", "--db", db)
	if !strings.Contains(out, "disabled") {
		t.Fatalf("after disable: %q", out)
	}
	if _, e, code := runHaven(t, nil, "token", "create", "--db", db, "--user", "nobody"); code == 0 || strings.Contains(e, "goroutine") {
		t.Fatalf("token for unknown user: %d %q", code, e)
	}
	out, _, code = runHaven(t, nil, "version")
	if code != 0 || !strings.HasPrefix(out, "haven ") {
		t.Fatalf("version: %q", out)
	}
}
