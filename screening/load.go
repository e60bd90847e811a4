package screening

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// The catalogue ships inside the binary so that every instance behind a load
// balancer screens with exactly the same, reviewed version.
//
//go:embed catalogue
var embedded embed.FS

// Files returns the embedded catalogue files: the starting point a country
// copies to adapt the catalogue, and what an export can publish.
func Files() fs.FS {
	sub, err := fs.Sub(embedded, "catalogue")
	if err != nil {
		panic("screening: embedded catalogue folder is missing: " + err.Error())
	}
	return sub
}

// Load loads the embedded catalogue with its texts in the language closest to
// lang (a BCP 47 tag such as "fr" or "fr-CA"); an empty lang, or a language
// without a translation, gives the source language.
func Load(lang string) (*Catalogue, error) {
	return LoadFS(Files(), lang)
}

// LoadFS loads, validates and translates a catalogue laid out as in
// docs/SCREENING.md. Every problem found is reported at once in a
// *ValidationError.
func LoadFS(fsys fs.FS, lang string) (*Catalogue, error) {
	l := &loader{
		fsys:      fsys,
		files:     map[string][]byte{},
		listFiles: map[string]*listFile{},
		own:       map[string][]*Indicator{},
	}
	c := l.load()
	if len(l.problems) > 0 {
		return nil, fmt.Errorf("screening: load catalogue: %w", &ValidationError{Problems: l.problems})
	}
	if lang != "" {
		if err := translate(fsys, c, lang); err != nil {
			return nil, fmt.Errorf("screening: load catalogue in %q: %w", lang, err)
		}
	}
	return c, nil
}

// loader reads the files of one catalogue and collects their problems.
type loader struct {
	fsys      fs.FS
	files     map[string][]byte       // every source file read, for the digest
	listFiles map[string]*listFile    // by list id, as read
	own       map[string][]*Indicator // by list id, the indicators it defines
	problems  []string
}

func (l *loader) problemf(file, format string, args ...any) {
	l.problems = append(l.problems, file+": "+fmt.Sprintf(format, args...))
}

// read decodes one file into v and reports whether it could.
func (l *loader) read(name string, v any) bool {
	data, err := fs.ReadFile(l.fsys, name)
	if err != nil {
		l.problemf(name, "cannot read: %v", err)
		return false
	}
	l.files[name] = data
	if err := decodeStrict(data, v); err != nil {
		l.problemf(name, "%v", err)
		return false
	}
	return true
}

func (l *loader) load() *Catalogue {
	var cf catalogueFile
	if !l.read("catalogue.yaml", &cf) {
		return nil
	}
	l.checkCatalogueFile(&cf)

	var messages map[string]string
	if l.read("messages.yaml", &messages) {
		l.checkMessages("messages.yaml", messages, true)
	}

	sources := map[string]bool{}
	for _, s := range cf.Sources {
		sources[s.ID] = true
	}

	// checklistIDs stays nil when the checklist cannot be read, so that the
	// lists' references to it are not reported as a cascade of problems.
	var clf checklistFile
	var checklistIDs map[string]bool
	if l.read("forced-labour.yaml", &clf) {
		l.checkChecklist(&clf, sources)
		checklistIDs = map[string]bool{}
		for _, ind := range clf.Indicators {
			checklistIDs[ind.ID] = true
		}
	}

	l.readLists(cf.Lists)
	forms := map[string]bool{}
	for _, f := range cf.Forms {
		forms[f.ID] = true
	}
	refs := listRefs{index: cf.Lists, forms: forms, sources: sources, checklist: checklistIDs}
	indicators := l.checkLists(refs, clf.Indicators)
	resolved := l.resolve(cf.Lists)
	l.checkCoverage(resolved, cf.Lists, cf.Forms)
	if len(l.problems) > 0 {
		return nil
	}
	return l.build(&cf, messages, &clf, resolved, indicators)
}

// readLists reads lists/<id>.yaml for every id of the index, and reports list
// files the index forgot, which would otherwise be silently ignored.
func (l *loader) readLists(index []string) {
	for _, id := range index {
		var lf listFile
		if l.read(listPath(id), &lf) {
			l.listFiles[id] = &lf
		}
	}
	names, err := fs.Glob(l.fsys, "lists/*.yaml")
	if err != nil {
		l.problemf("lists", "cannot list files: %v", err)
		return
	}
	for _, name := range names {
		id := strings.TrimSuffix(path.Base(name), ".yaml")
		if !slices.Contains(index, id) {
			l.problemf(name, "the file is not in the lists of catalogue.yaml")
		}
	}
}

func listPath(id string) string { return "lists/" + id + ".yaml" }

func (l *loader) build(cf *catalogueFile, messages map[string]string, clf *checklistFile,
	resolved map[string][]*Indicator, indicators map[string]*Indicator) *Catalogue {
	c := &Catalogue{
		Version:        cf.Version,
		Date:           cf.Date,
		Digest:         l.digest(),
		Language:       cf.Language,
		SourceLanguage: cf.Language,
		Title:          cf.Title,
		Description:    cf.Description,
		messages:       messages,
		lists:          map[string]*List{},
		indicators:     indicators,
		checklist:      map[string]*ChecklistIndicator{},
	}
	for _, s := range cf.Sources {
		c.Sources = append(c.Sources, Source(s))
	}
	for _, g := range cf.Grades {
		c.Grades = append(c.Grades, GradeInfo{Grade: Grade(g.ID), Name: g.Name, Description: g.Description})
	}
	// Dimensions follow the canonical order whatever the file's order.
	for _, d := range Dimensions() {
		for _, e := range cf.Dimensions {
			if Dimension(e.ID) == d {
				c.Dimensions = append(c.Dimensions, DimensionInfo{Dimension: d, Element: d.Element(), Name: e.Name, Description: e.Description})
			}
		}
	}
	for _, f := range cf.Forms {
		c.Forms = append(c.Forms, Form(f))
	}
	for _, id := range cf.Lists {
		lf := l.listFiles[id]
		list := &List{
			ID:          lf.ID,
			Title:       lf.Title,
			Description: lf.Description,
			AgeGroup:    AgeGroup(lf.AgeGroup),
			Forms:       lf.Forms,
			Source:      lf.Source,
			Extends:     lf.Extends,
			Indicators:  resolved[id],
		}
		c.Lists = append(c.Lists, list)
		c.lists[id] = list
	}
	c.ForcedLabour = &Checklist{ID: clf.ID, Title: clf.Title, Description: clf.Description, Source: clf.Source}
	for _, f := range clf.Indicators {
		ind := &ChecklistIndicator{ID: f.ID, Label: f.Label, Question: f.Question, Explanation: f.Explanation}
		c.ForcedLabour.Indicators = append(c.ForcedLabour.Indicators, ind)
		c.checklist[ind.ID] = ind
	}
	return c
}

// digest hashes the source files in name order, each with its name, so that
// renaming or moving text changes it too.
func (l *loader) digest() string {
	names := make([]string, 0, len(l.files))
	for name := range l.files {
		names = append(names, name)
	}
	slices.Sort(names)
	h := sha256.New()
	for _, name := range names {
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(l.files[name]))
		h.Write(l.files[name])
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}
