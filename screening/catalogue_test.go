package screening

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// These tests are about the catalogue Haven ships. A country that adapts the
// catalogue updates them with it: they say what the adaptation changed.

func loadShipped(t *testing.T, lang string) *Catalogue {
	t.Helper()
	c, err := Load(lang)
	if err != nil {
		t.Fatalf("Load(%q): %v", lang, err)
	}
	return c
}

func TestShippedCatalogueLoads(t *testing.T) {
	for _, lang := range []string{"", "fr"} {
		c := loadShipped(t, lang)
		if c.Version == "" || c.Date == "" || !strings.HasPrefix(c.Digest, "sha256:") {
			t.Errorf("Load(%q): version %q, date %q, digest %q", lang, c.Version, c.Date, c.Digest)
		}
	}
}

// ilo has, for each of the four ILO/EC lists as Haven transcribed them, which
// dimensions hold at least one strong indicator, and how many indicators the
// list has. The abuse-of-vulnerability dimensions have no strong indicator in
// any ILO/EC list; adult sexual exploitation has none for exploitative
// conditions.
var ilo = map[string]struct {
	strong []Dimension
	count  int
}{
	"adult-labour": {[]Dimension{DeceptiveRecruitment, CoerciveRecruitment, ExploitativeConditions, CoercionAtDestination}, 67},
	"adult-sexual": {[]Dimension{DeceptiveRecruitment, CoerciveRecruitment, CoercionAtDestination}, 67},
	"child-labour": {[]Dimension{DeceptiveRecruitment, CoerciveRecruitment, ExploitativeConditions, CoercionAtDestination}, 65},
	"child-sexual": {[]Dimension{DeceptiveRecruitment, CoerciveRecruitment, ExploitativeConditions, CoercionAtDestination}, 65},
}

func strongDimensions(l *List) []Dimension {
	var out []Dimension
	for _, d := range Dimensions() {
		if slices.ContainsFunc(l.InDimension(d), func(ind *Indicator) bool { return ind.Grade == Strong }) {
			out = append(out, d)
		}
	}
	return out
}

// TestShippedStrongIndicatorsPerDimension checks that every list keeps a
// strong indicator in each dimension where the ILO/EC list it comes from has
// one: a variant that dropped it would make a dimension far harder to meet.
func TestShippedStrongIndicatorsPerDimension(t *testing.T) {
	c := loadShipped(t, "")
	for _, l := range c.Lists {
		t.Run(l.ID, func(t *testing.T) {
			root := l
			for root.Extends != "" {
				root, _ = c.List(root.Extends)
			}
			want, ok := ilo[root.ID]
			if !ok {
				t.Fatalf("list %q does not derive from an ILO/EC list", l.ID)
			}
			got := strongDimensions(l)
			if l == root {
				if diff := cmp.Diff(want.strong, got); diff != "" {
					t.Errorf("dimensions with a strong indicator (-ILO/EC +catalogue):\n%s", diff)
				}
				if len(l.Indicators) != want.count {
					t.Errorf("%d indicators, want %d", len(l.Indicators), want.count)
				}
				return
			}
			for _, d := range want.strong {
				if !slices.Contains(got, d) {
					t.Errorf("dimension %q has no strong indicator, but %q has", d, root.ID)
				}
			}
		})
	}
}

func TestShippedSources(t *testing.T) {
	c := loadShipped(t, "")
	for _, l := range c.Lists {
		_, isILO := ilo[l.ID]
		src, ok := c.Source(l.Source)
		if !ok {
			t.Fatalf("%s: unknown source %q", l.ID, l.Source)
		}
		if isILO && (l.Source != "ilo-ec-2009" || src.HavenExtension) {
			t.Errorf("%s: source %q, want ilo-ec-2009", l.ID, l.Source)
		}
		if !isILO {
			if !src.HavenExtension || !strings.Contains(l.Title, "Haven extension") {
				t.Errorf("%s: a Haven list must be marked as an extension in its source and title (%q)", l.ID, l.Title)
			}
			if l.Extends == "" {
				t.Errorf("%s: a Haven list must extend an ILO/EC list", l.ID)
			}
		}
		// An indicator keeps the source of the list that defines it.
		for _, ind := range l.Indicators {
			_, definedByILO := ilo[ind.List]
			if (ind.Source == "ilo-ec-2009") != definedByILO {
				t.Errorf("%s: indicator %s defined in %s has source %q", l.ID, ind.ID, ind.List, ind.Source)
			}
		}
	}
}

// TestShippedFormsOfExploitation checks that every form of GR 38 §112(c) can
// be screened, for adults and children alike.
func TestShippedFormsOfExploitation(t *testing.T) {
	c := loadShipped(t, "")
	forms := []string{
		"sexual_exploitation", "forced_labour", "domestic_servitude", "forced_marriage", "debt_bondage",
		"serfdom", "begging", "slavery", "forced_criminality", "abusive_surrogacy", "sale_of_children", "organ_removal",
	}
	var ids []string
	for _, f := range c.Forms {
		ids = append(ids, f.ID)
	}
	if diff := cmp.Diff(forms, ids); diff != "" {
		t.Errorf("forms (-GR 38 §112c +catalogue):\n%s", diff)
	}
	// Forms with a list for one age group only; all others have both.
	oneGroup := map[string]AgeGroup{
		"abusive_surrogacy": ForAdults,
		"organ_removal":     ForAdults,
		"sale_of_children":  ForChildren,
	}
	for _, form := range forms {
		for _, age := range []AgeStatus{AgeAdult, AgeChild, AgeUnknown, AgeDisputed} {
			l, err := c.ListFor(form, age)
			if err != nil {
				t.Errorf("ListFor(%s, %s): %v", form, age, err)
				continue
			}
			want := ageGroupFor(age)
			if g, ok := oneGroup[form]; ok {
				want = g
			}
			if l.AgeGroup != want {
				t.Errorf("ListFor(%s, %s) = %s for %s, want a list for %s", form, age, l.ID, l.AgeGroup, want)
			}
		}
	}
}

func TestShippedForcedLabourChecklist(t *testing.T) {
	c := loadShipped(t, "")
	want := []string{
		"Abuse of vulnerability", "Deception", "Restriction of movement", "Isolation",
		"Physical and sexual violence", "Intimidation and threats", "Retention of identity documents",
		"Withholding of wages", "Debt bondage", "Abusive working and living conditions", "Excessive overtime",
	}
	var got []string
	for _, ind := range c.ForcedLabour.Indicators {
		got = append(got, ind.Label)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ILO indicators of forced labour (-want +got):\n%s", diff)
	}
	if c.ForcedLabour.Source != "ilo-2012" {
		t.Errorf("checklist source = %q", c.ForcedLabour.Source)
	}
	// Every checklist indicator is suggested by at least one list indicator,
	// so the result can show what the list answers already point to.
	linked := map[string]bool{}
	for _, ind := range c.indicators {
		for _, fl := range ind.ForcedLabour {
			linked[fl] = true
		}
	}
	for _, ind := range c.ForcedLabour.Indicators {
		if !linked[ind.ID] {
			t.Errorf("no list indicator links to %s", ind.ID)
		}
	}
}

// TestShippedQuestionsArePlain checks what can be checked mechanically of a
// frontline question: it is a short question, and it neither names the crime
// nor labels the person, which would lead the answer and can frighten.
func TestShippedQuestionsArePlain(t *testing.T) {
	// Word starts, so that "traitement" is not taken for "traite".
	forbidden := map[string]*regexp.Regexp{
		"en": regexp.MustCompile(`\b(traffick|victim|exploit|slave)`),
		"fr": regexp.MustCompile(`\b(traite\b|victime|exploit|esclav)`),
	}
	for _, lang := range []string{"en", "fr"} {
		c := loadShipped(t, lang)
		questions := map[string]string{}
		for id, ind := range c.indicators {
			questions[id] = ind.Question
		}
		for id, ind := range c.checklist {
			questions[id] = ind.Question
		}
		for id, q := range questions {
			if n := utf8.RuneCountInString(q); n > 160 {
				t.Errorf("%s %s: question of %d characters, keep it under 160: %q", lang, id, n, q)
			}
			if !strings.HasSuffix(q, "?") {
				t.Errorf("%s %s: not a question: %q", lang, id, q)
			}
			if word := forbidden[lang].FindString(strings.ToLower(q)); word != "" {
				t.Errorf("%s %s: question uses %q: %q", lang, id, word, q)
			}
		}
	}
}

// TestShippedScenario runs a whole screening on the shipped catalogue: a woman
// of disputed age, recruited for a restaurant job abroad and made to sell sex.
func TestShippedScenario(t *testing.T) {
	c := loadShipped(t, "")
	l, err := c.ListFor("sexual_exploitation", AgeDisputed)
	if err != nil {
		t.Fatal(err)
	}
	if l.ID != "child-sexual" {
		t.Fatalf("ListFor = %s, want child-sexual (presumption of childhood)", l.ID)
	}
	r, err := Evaluate(c, Answers{List: l.ID, Age: AgeDisputed, Observations: map[string]Observation{
		"cs.dr.nature-of-job":               Observed,
		"cs.dr.wages":                       Observed,
		"cs.ex.very-bad-working-conditions": Observed,
		"cs.ex.hazardous-work":              Observed,
		"cs.cd.documents":                   Observed,
		"cs.cd.violence":                    NotObserved,
		"fl.retention-of-documents":         Observed,
	}})
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	if r.Suggestion.Outcome != SuggestReferral {
		t.Errorf("outcome = %q, want %q; reasons: %v", r.Suggestion.Outcome, SuggestReferral, r.Suggestion.Reasons)
	}
	if !r.TreatedAsChild || len(r.Suggestion.Cautions) != 0 {
		t.Errorf("treated as child %v, cautions %v", r.TreatedAsChild, r.Suggestion.Cautions)
	}
	for _, fl := range r.ForcedLabour {
		if fl.ID == "fl.retention-of-documents" && (!fl.Observed || !slices.Equal(fl.SuggestedBy, []string{"cs.cd.documents"})) {
			t.Errorf("retention of documents: %+v", fl)
		}
	}
}
