package screening

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/language"
)

// idPattern keeps ids readable and stable in URLs, exports and records:
// lower-case words joined by "." or "-".
var idPattern = regexp.MustCompile(`^[a-z0-9]+(?:[._-][a-z0-9]+)*$`)

func (l *loader) checkCatalogueFile(cf *catalogueFile) {
	const file = "catalogue.yaml"
	if strings.TrimSpace(cf.Version) == "" {
		l.problemf(file, "version is missing")
	}
	if _, err := time.Parse(time.DateOnly, cf.Date); err != nil {
		l.problemf(file, "date %q is not a date (YYYY-MM-DD)", cf.Date)
	}
	if _, err := language.Parse(cf.Language); err != nil {
		l.problemf(file, "language %q is not a BCP 47 language tag", cf.Language)
	}
	if strings.TrimSpace(cf.Title) == "" {
		l.problemf(file, "title is missing")
	}

	seen := map[string]bool{}
	for i, s := range cf.Sources {
		where := fmt.Sprintf("sources[%d]", i)
		l.checkID(file, where, s.ID, seen)
		if strings.TrimSpace(s.Title) == "" {
			l.problemf(file, "%s (%s): title is missing", where, s.ID)
		}
	}

	var grades []string
	for _, g := range Grades() {
		grades = append(grades, string(g))
	}
	l.checkFixedSet(file, "grades", cf.Grades, grades)
	var dims []string
	for _, d := range Dimensions() {
		dims = append(dims, string(d))
	}
	l.checkFixedSet(file, "dimensions", cf.Dimensions, dims)

	seen = map[string]bool{}
	for i, f := range cf.Forms {
		where := fmt.Sprintf("forms[%d]", i)
		l.checkID(file, where, f.ID, seen)
		if strings.TrimSpace(f.Name) == "" {
			l.problemf(file, "%s (%s): name is missing", where, f.ID)
		}
	}

	if len(cf.Lists) == 0 {
		l.problemf(file, "lists is empty: a catalogue needs at least one list")
	}
	seen = map[string]bool{}
	for i, id := range cf.Lists {
		l.checkID(file, fmt.Sprintf("lists[%d]", i), id, seen)
	}
}

// checkFixedSet checks a section that must name exactly the values the code
// knows (grades, dimensions), each once and each with a name.
func (l *loader) checkFixedSet(file, section string, entries []textEntryFile, known []string) {
	seen := map[string]bool{}
	for _, e := range entries {
		switch {
		case !slices.Contains(known, e.ID):
			l.problemf(file, "%s: unknown %q (known: %s)", section, e.ID, strings.Join(known, ", "))
		case seen[e.ID]:
			l.problemf(file, "%s: %q appears twice", section, e.ID)
		case strings.TrimSpace(e.Name) == "":
			l.problemf(file, "%s: %q has no name", section, e.ID)
		}
		seen[e.ID] = true
	}
	for _, k := range known {
		if !seen[k] {
			l.problemf(file, "%s: %q is missing", section, k)
		}
	}
}

// checkID checks that an id is well formed and not already in seen, and
// records it.
func (l *loader) checkID(file, where, id string, seen map[string]bool) {
	switch {
	case id == "":
		l.problemf(file, "%s: id is missing", where)
	case !idPattern.MatchString(id):
		l.problemf(file, "%s: id %q must be lower-case words joined by '.', '_' or '-'", where, id)
	case seen[id]:
		l.problemf(file, "%s: id %q is used twice", where, id)
	}
	seen[id] = true
}

// checkMessages checks the texts the engine writes into a result. The source
// language must have every message; a translation may leave some out.
func (l *loader) checkMessages(file string, messages map[string]string, complete bool) {
	for key, text := range messages {
		want, known := messagePlaceholders[key]
		if !known {
			l.problemf(file, "message %q is not used by the engine (misspelt?)", key)
			continue
		}
		if strings.TrimSpace(text) == "" {
			l.problemf(file, "message %q is empty", key)
			continue
		}
		got := placeholders(text)
		for _, p := range want {
			if !slices.Contains(got, p) {
				l.problemf(file, "message %q lacks the placeholder {%s}", key, p)
			}
		}
		for _, p := range got {
			if !slices.Contains(want, p) {
				l.problemf(file, "message %q has the unknown placeholder {%s}", key, p)
			}
		}
	}
	if !complete {
		return
	}
	for _, key := range messageKeys() {
		if _, ok := messages[key]; !ok {
			l.problemf(file, "message %q is missing", key)
		}
	}
}

func (l *loader) checkChecklist(clf *checklistFile, sources map[string]bool) {
	const file = "forced-labour.yaml"
	if !idPattern.MatchString(clf.ID) {
		l.problemf(file, "id %q must be lower-case words joined by '.', '_' or '-'", clf.ID)
	}
	if strings.TrimSpace(clf.Title) == "" {
		l.problemf(file, "title is missing")
	}
	if !sources[clf.Source] {
		l.problemf(file, "source %q is not in the sources of catalogue.yaml", clf.Source)
	}
	if len(clf.Indicators) == 0 {
		l.problemf(file, "indicators is empty")
	}
	seen := map[string]bool{}
	for i, ind := range clf.Indicators {
		where := fmt.Sprintf("indicators[%d]", i)
		l.checkID(file, where, ind.ID, seen)
		l.checkTexts(file, ind.ID, ind.Label, ind.Question, ind.Explanation)
	}
}

func (l *loader) checkTexts(file, id, label, question, explanation string) {
	for _, t := range []struct{ field, text string }{
		{"label", label}, {"question", question}, {"explanation", explanation},
	} {
		if strings.TrimSpace(t.text) == "" {
			l.problemf(file, "indicator %q: %s is missing", id, t.field)
		}
	}
}
