package screening

import (
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

const fixtureFrench = `language: fr
catalogue_version: "test.1"
dimensions:
  deceptive-recruitment:
    name: recrutement trompeur
lists:
  adult:
    title: Liste adulte
indicators:
  a.dr.s1:
    label: Étiquette a.dr.s1
    question: Question a.dr.s1 en français ?
    explanation: Explication a.dr.s1.
  fl.deception:
    label: Tromperie
messages:
  disclaimer: Ce repérage suggère ; il ne décide pas.
  counts: "{strong} fort(s), {medium} moyen(s), {weak} faible(s)"
`

func TestTranslationOverridesText(t *testing.T) {
	files := fixtureFiles(t)
	files["i18n/fr.yaml"] = fixtureFrench
	c, err := LoadFS(mapFS(files), "fr")
	if err != nil {
		t.Fatalf("LoadFS(fr): %v", err)
	}
	if c.Language != "fr" || c.SourceLanguage != "en" {
		t.Errorf("language = %q (source %q), want fr (en)", c.Language, c.SourceLanguage)
	}
	ind, _ := c.Indicator("a.dr.s1")
	want := Indicator{
		ID: "a.dr.s1", List: "adult", Dimension: DeceptiveRecruitment, Grade: Strong, Source: "ilo-ec-2009",
		Label: "Étiquette a.dr.s1", Question: "Question a.dr.s1 en français ?", Explanation: "Explication a.dr.s1.",
		ForcedLabour: []string{"fl.deception"},
	}
	if diff := cmp.Diff(want, *ind); diff != "" {
		t.Errorf("translated indicator (-want +got):\n%s", diff)
	}
	// Untranslated text stays in the source language.
	if other, _ := c.Indicator("a.dr.s2"); other.Question != "Question a.dr.s2?" {
		t.Errorf("untranslated question = %q, want the English one", other.Question)
	}
	if got := c.ForcedLabour.Indicators[0]; got.Label != "Tromperie" || got.Question != "Is the work as promised?" {
		t.Errorf("checklist indicator = %+v, want French label and English question", got)
	}
	if l, _ := c.List("adult"); l.Title != "Liste adulte" {
		t.Errorf("list title = %q", l.Title)
	}

	r, err := Evaluate(c, Answers{List: "adult", Age: AgeAdult, Observations: observed("a.dr.s1", "a.dr.s2")})
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	if r.Language != "fr" || r.Disclaimer != "Ce repérage suggère ; il ne décide pas." {
		t.Errorf("result language %q, disclaimer %q", r.Language, r.Disclaimer)
	}
	if r.Dimensions[0].Name != "recrutement trompeur" || !strings.Contains(r.Dimensions[0].Reason, "2 fort(s), 0 moyen(s), 0 faible(s)") {
		t.Errorf("dimension = %q: %q", r.Dimensions[0].Name, r.Dimensions[0].Reason)
	}
	if r.Indicators[0].Label != "Étiquette a.dr.s1" {
		t.Errorf("indicator label in result = %q", r.Indicators[0].Label)
	}
	// Codes do not change with the language: they are what records keep.
	if r.Suggestion.Outcome != SuggestContinueAssessment || r.Dimensions[0].Clause != ClauseTwoStrong {
		t.Errorf("outcome %q, clause %q", r.Suggestion.Outcome, r.Dimensions[0].Clause)
	}

	// A translation never changes the rule's inputs, nor the source digest.
	en := loadFixture(t)
	if en.Digest != c.Digest {
		t.Errorf("digest changed with the translation: %s vs %s", en.Digest, c.Digest)
	}
}

func TestTranslationLanguageMatching(t *testing.T) {
	files := fixtureFiles(t)
	files["i18n/fr.yaml"] = fixtureFrench
	fsys := mapFS(files)
	tests := []struct {
		lang string
		want string
	}{
		{"", "en"},
		{"en", "en"},
		{"fr", "fr"},
		{"fr-CA", "fr"},
		{"fr-BE", "fr"},
		{"de", "en"}, // no German: the source language
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			c, err := LoadFS(fsys, tt.lang)
			if err != nil {
				t.Fatalf("LoadFS(%q): %v", tt.lang, err)
			}
			if c.Language != tt.want {
				t.Errorf("language = %q, want %q", c.Language, tt.want)
			}
		})
	}
	if _, err := LoadFS(fsys, "not a language!"); !errors.Is(err, ErrInvalidLanguage) {
		t.Errorf("bad tag: err = %v, want ErrInvalidLanguage", err)
	}
	langs, err := Languages(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"en", "fr"}, langs); diff != "" {
		t.Errorf("Languages (-want +got):\n%s", diff)
	}
}

func TestTranslationValidation(t *testing.T) {
	tests := []struct {
		name    string
		old     string
		new     string
		problem string
	}{
		{"unknown indicator", "  a.dr.s1:\n", "  a.dr.s9:\n", `indicators: unknown indicator "a.dr.s9"`},
		{"written for another version", `catalogue_version: "test.1"`, `catalogue_version: "test.0"`, `written for catalogue version "test.0", but the catalogue is version "test.1"`},
		{"language not matching the file", "language: fr", "language: es", `language "es" does not match the file name`},
		{"unknown dimension", "  deceptive-recruitment:\n    name:", "  deception:\n    name:", `dimensions: unknown dimension "deception"`},
		{"unknown list", "  adult:\n    title:", "  adults:\n    title:", `lists: unknown list "adults"`},
		{"unknown message", "  disclaimer:", "  avertissement:", `message "avertissement" is not used by the engine`},
		{"message losing a placeholder", "{weak} faible(s)", "faible(s)", `message "counts" lacks the placeholder {weak}`},
		{"misspelt field", "    question: Question a.dr.s1", "    questoin: Question a.dr.s1", "field questoin not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := fixtureFiles(t)
			if !strings.Contains(fixtureFrench, tt.old) {
				t.Fatalf("fixture has no %q", tt.old)
			}
			files["i18n/fr.yaml"] = strings.Replace(fixtureFrench, tt.old, tt.new, 1)
			_, err := LoadFS(mapFS(files), "fr")
			var verr *ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("err = %v, want a *ValidationError", err)
			}
			for _, p := range verr.Problems {
				if strings.Contains(p, tt.problem) && strings.HasPrefix(p, "i18n/fr.yaml: ") {
					return
				}
			}
			t.Errorf("no problem contains %q; problems:\n  %s", tt.problem, strings.Join(verr.Problems, "\n  "))
		})
	}
	// A broken translation breaks loading in its language only.
	files := fixtureFiles(t)
	files["i18n/fr.yaml"] = strings.Replace(fixtureFrench, "  a.dr.s1:\n", "  a.dr.s9:\n", 1)
	if _, err := LoadFS(mapFS(files), "en"); err != nil {
		t.Errorf("a broken French file must not break English: %v", err)
	}
}

// TestShippedFrenchIsComplete checks that the French translation shipped as
// proof covers every text of the catalogue, so that a French-speaking worker
// never meets an English question.
func TestShippedFrenchIsComplete(t *testing.T) {
	data, err := fs.ReadFile(Files(), "i18n/fr.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var tf translationFile
	if err := yaml.Unmarshal(data, &tf); err != nil {
		t.Fatal(err)
	}
	en, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	check := func(what, text string) {
		if strings.TrimSpace(text) == "" {
			missing = append(missing, what)
		}
	}
	for id := range en.indicators {
		o := tf.Indicators[id]
		check(id+" label", o.Label)
		check(id+" question", o.Question)
		check(id+" explanation", o.Explanation)
	}
	for id := range en.checklist {
		o := tf.Indicators[id]
		check(id+" label", o.Label)
		check(id+" question", o.Question)
		check(id+" explanation", o.Explanation)
	}
	for _, l := range en.Lists {
		check("list "+l.ID, tf.Lists[l.ID].Title)
	}
	for _, d := range en.Dimensions {
		check("dimension "+string(d.Dimension), tf.Dimensions[string(d.Dimension)].Name)
	}
	for _, g := range en.Grades {
		check("grade "+string(g.Grade), tf.Grades[string(g.Grade)].Name)
	}
	for _, f := range en.Forms {
		check("form "+f.ID, tf.Forms[f.ID].Name)
	}
	for _, key := range messageKeys() {
		check("message "+key, tf.Messages[key])
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("French lacks %d texts:\n  %s", len(missing), strings.Join(missing, "\n  "))
	}

	fr, err := Load("fr")
	if err != nil {
		t.Fatalf("Load(fr): %v", err)
	}
	for id, ind := range fr.indicators {
		if ind.Question == en.indicators[id].Question {
			t.Errorf("%s: the French question is the English one: %q", id, ind.Question)
		}
	}
}
