package i18n_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"testing/fstest"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/i18n"
)

// TestTemplatesUseKnownMessages finds every message id the page
// templates ask for and checks the English catalogue has it.
func TestTemplatesUseKnownMessages(t *testing.T) {
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("../server/templates/*.html")
	if len(files) == 0 {
		t.Fatal("no templates found")
	}
	call := regexp.MustCompile(`\bt \$?\.?L "([a-z_.]+)"|\bsel \.L "([a-z_.]+)"`)
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllStringSubmatch(string(b), -1) {
			id := m[1] + m[2]
			n++
			if !c.Has(id) {
				t.Errorf("%s uses message %q, which en.yaml lacks", filepath.Base(f), id)
			}
		}
	}
	if n < 50 {
		t.Fatalf("found only %d message uses: the pattern no longer matches the templates", n)
	}
}

// TestEveryCodeHasALabel checks that every coded value a page can show
// has an English label.
func TestEveryCodeHasALabel(t *testing.T) {
	c, _ := i18n.Load()
	v := haven.Vocab
	lists := map[string][]string{
		"form": v.FormCodes(), "sex": v.Sexes, "age_status": v.AgeStatuses, "disability": v.Disabilities,
		"immigration": v.ImmigrationStatuses, "socioeconomic": v.SocioeconomicStatuses,
		"recruitment": v.RecruitmentMethods, "event": v.EventTypes, "closure": v.ClosureReasons,
	}
	for _, s := range haven.LifecycleStates {
		lists["state"] = append(lists["state"], string(s))
	}
	for _, r := range haven.Roles {
		lists["role"] = append(lists["role"], string(r))
	}
	for list, codes := range lists {
		for _, code := range codes {
			if !c.Has(list + "." + code) {
				t.Errorf("no label %s.%s", list, code)
			}
		}
	}
}

func TestLanguageChoiceAndDirection(t *testing.T) {
	fsys := fstest.MapFS{
		"locales/en.yaml": {Data: []byte("hello: Hello\ngreet: \"Hello {{.Name}}\"\n")},
		"locales/ar.yaml": {Data: []byte("hello: مرحبا\n")},
		"locales/fr.yaml": {Data: []byte("hello: Bonjour\n")},
	}
	c, err := i18n.LoadFS(fsys)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		prefs     []string
		want, dir string
	}{
		{[]string{"ar"}, "مرحبا", "rtl"},
		{[]string{"fr-CA,fr;q=0.9,en;q=0.5"}, "Bonjour", "ltr"},
		{[]string{"de"}, "Hello", "ltr"},
		{nil, "Hello", "ltr"},
	}
	for _, tt := range tests {
		l := c.Localizer(tt.prefs...)
		if got := l.T("hello"); got != tt.want || l.Dir != tt.dir {
			t.Errorf("prefs %v: %q %s, want %q %s", tt.prefs, got, l.Dir, tt.want, tt.dir)
		}
	}
	// A message missing in French falls back to English; an unknown id shows itself.
	if got := c.Localizer("fr").T("greet", "Name", "Ana"); got != "Hello Ana" {
		t.Errorf("fallback: %q", got)
	}
	if got := c.Localizer("en").T("no.such"); got != "no.such" {
		t.Errorf("unknown id: %q", got)
	}
	if _, err := i18n.LoadFS(fstest.MapFS{"locales/fr.yaml": {Data: []byte("hello: Bonjour\n")}}); err == nil {
		t.Error("a catalogue without English loaded")
	}
}
