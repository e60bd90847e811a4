package screening

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"golang.org/x/text/language"
)

// Languages returns the languages a catalogue can be loaded in: its source
// language first, then one per file in i18n/.
func Languages(fsys fs.FS) ([]string, error) {
	var cf struct {
		Language string `yaml:"language"`
	}
	data, err := fs.ReadFile(fsys, "catalogue.yaml")
	if err != nil {
		return nil, fmt.Errorf("screening: languages: %w", err)
	}
	// Not strict: only the language is wanted here, Load checks the rest.
	if err := yamlUnmarshal(data, &cf); err != nil {
		return nil, fmt.Errorf("screening: languages: catalogue.yaml: %w", err)
	}
	names, err := fs.Glob(fsys, "i18n/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("screening: languages: %w", err)
	}
	langs := []string{cf.Language}
	for _, name := range names {
		if lang := strings.TrimSuffix(path.Base(name), ".yaml"); lang != cf.Language {
			langs = append(langs, lang)
		}
	}
	slices.Sort(langs[1:])
	return langs, nil
}

// translate overlays the texts of the translation closest to lang onto c.
// Texts a translation leaves out stay in the source language, so a partial
// translation is usable while it is being completed.
func translate(fsys fs.FS, c *Catalogue, lang string) error {
	want, err := language.Parse(lang)
	if err != nil {
		return fmt.Errorf("%w: %q is not a BCP 47 language tag", ErrInvalidLanguage, lang)
	}
	langs, err := Languages(fsys)
	if err != nil {
		return err
	}
	tags := make([]language.Tag, len(langs))
	for i, l := range langs {
		if tags[i], err = language.Parse(l); err != nil {
			return &ValidationError{Problems: []string{fmt.Sprintf("i18n/%s.yaml: the file name is not a BCP 47 language tag", l)}}
		}
	}
	_, index, confidence := language.NewMatcher(tags).Match(want)
	if confidence == language.No || index == 0 {
		return nil
	}
	chosen := langs[index]
	l := &loader{fsys: fsys, files: map[string][]byte{}}
	file := "i18n/" + chosen + ".yaml"
	var tf translationFile
	if !l.read(file, &tf) {
		return &ValidationError{Problems: l.problems}
	}
	l.checkTranslation(file, chosen, &tf, c)
	if len(l.problems) > 0 {
		return &ValidationError{Problems: l.problems}
	}
	applyTranslation(c, chosen, &tf)
	return nil
}

// checkTranslation reports keys that name nothing in the catalogue (a typo
// would otherwise leave a text untranslated without anyone noticing) and a
// translation written for another catalogue version (its texts may describe
// indicators that have since changed).
func (l *loader) checkTranslation(file, lang string, tf *translationFile, c *Catalogue) {
	if tf.Language != lang {
		l.problemf(file, "language %q does not match the file name", tf.Language)
	}
	if tf.CatalogueVersion != c.Version {
		l.problemf(file, "written for catalogue version %q, but the catalogue is version %q: review the texts that changed and update catalogue_version",
			tf.CatalogueVersion, c.Version)
	}
	for _, id := range sortedKeys(tf.Grades) {
		if !Grade(id).Valid() {
			l.problemf(file, "grades: unknown grade %q", id)
		}
	}
	for _, id := range sortedKeys(tf.Dimensions) {
		if !Dimension(id).Valid() {
			l.problemf(file, "dimensions: unknown dimension %q", id)
		}
	}
	for _, id := range sortedKeys(tf.Forms) {
		if !slices.ContainsFunc(c.Forms, func(f Form) bool { return f.ID == id }) {
			l.problemf(file, "forms: unknown form %q", id)
		}
	}
	for _, id := range sortedKeys(tf.Lists) {
		if _, ok := c.lists[id]; !ok {
			l.problemf(file, "lists: unknown list %q", id)
		}
	}
	for _, id := range sortedKeys(tf.Indicators) {
		_, inList := c.indicators[id]
		_, inChecklist := c.checklist[id]
		if !inList && !inChecklist {
			l.problemf(file, "indicators: unknown indicator %q", id)
		}
	}
	l.checkMessages(file, tf.Messages, false)
}

func applyTranslation(c *Catalogue, lang string, tf *translationFile) {
	c.Language = lang
	override(&c.Title, tf.Title)
	override(&c.Description, tf.Description)
	for i := range c.Grades {
		t := tf.Grades[string(c.Grades[i].Grade)]
		override(&c.Grades[i].Name, t.Name)
		override(&c.Grades[i].Description, t.Description)
	}
	for i := range c.Dimensions {
		t := tf.Dimensions[string(c.Dimensions[i].Dimension)]
		override(&c.Dimensions[i].Name, t.Name)
		override(&c.Dimensions[i].Description, t.Description)
	}
	for i := range c.Forms {
		t := tf.Forms[c.Forms[i].ID]
		override(&c.Forms[i].Name, t.Name)
		override(&c.Forms[i].Description, t.Description)
	}
	for _, list := range c.Lists {
		t := tf.Lists[list.ID]
		override(&list.Title, t.Title)
		override(&list.Description, t.Description)
	}
	if tf.ForcedLabour != nil {
		override(&c.ForcedLabour.Title, tf.ForcedLabour.Title)
		override(&c.ForcedLabour.Description, tf.ForcedLabour.Description)
	}
	for id, t := range tf.Indicators {
		if ind, ok := c.indicators[id]; ok {
			override(&ind.Label, t.Label)
			override(&ind.Question, t.Question)
			override(&ind.Explanation, t.Explanation)
		}
		if ind, ok := c.checklist[id]; ok {
			override(&ind.Label, t.Label)
			override(&ind.Question, t.Question)
			override(&ind.Explanation, t.Explanation)
		}
	}
	for key, text := range tf.Messages {
		c.messages[key] = text
	}
}

// override replaces *dst with text unless the translation left it empty.
func override(dst *string, text string) {
	if strings.TrimSpace(text) != "" {
		*dst = text
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
