// Package i18n is Haven's message catalogue. Every string a person reads in
// the web pages comes from locales/<lang>.yaml through it, so a country adds
// a language by adding a file, not by changing code. Right-to-left
// languages are marked so pages can set dir="rtl".
package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"gopkg.in/yaml.v3"
)

//go:embed locales/*.yaml
var locales embed.FS

// rtl lists the base languages written right to left.
var rtl = []string{"ar", "fa", "he", "ur", "ps", "ku", "dv", "yi"}

// Catalog holds every language's messages.
type Catalog struct {
	bundle *goi18n.Bundle
	tags   []language.Tag
	ids    map[string]bool
}

// Load reads the embedded catalogue. English is the source language: every
// message exists in it.
func Load() (*Catalog, error) {
	return LoadFS(locales)
}

// LoadFS reads a catalogue from fsys's locales/*.yaml.
func LoadFS(fsys fs.FS) (*Catalog, error) {
	b := goi18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	files, err := fs.Glob(fsys, "locales/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("load catalogue: %w", err)
	}
	c := &Catalog{bundle: b, ids: map[string]bool{}}
	for _, f := range files {
		mf, err := b.LoadMessageFileFS(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("load catalogue %s: %w", path.Base(f), err)
		}
		c.tags = append(c.tags, mf.Tag)
		if mf.Tag == language.English {
			for _, m := range mf.Messages {
				c.ids[m.ID] = true
			}
		}
	}
	if len(c.ids) == 0 {
		return nil, fmt.Errorf("load catalogue: no English messages")
	}
	return c, nil
}

// Languages returns the catalogue's languages.
func (c *Catalog) Languages() []language.Tag { return slices.Clone(c.tags) }

// Has tells whether id is a message of the source language.
func (c *Catalog) Has(id string) bool { return c.ids[id] }

// IDs returns every message id of the source language.
func (c *Catalog) IDs() []string {
	out := make([]string, 0, len(c.ids))
	for id := range c.ids {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// Localizer speaks one language, chosen from a user's preferences.
type Localizer struct {
	loc  *goi18n.Localizer
	Lang string
	Dir  string // "ltr" or "rtl"
}

// Localizer returns the best language for the preferences (a
// language code, an Accept-Language header, or both).
func (c *Catalog) Localizer(prefs ...string) *Localizer {
	// The matcher falls back to its first tag: English, the source language.
	tags := append([]language.Tag{language.English}, c.tags...)
	matcher := language.NewMatcher(tags)
	tag, _ := language.MatchStrings(matcher, prefs...)
	base, _ := tag.Base()
	dir := "ltr"
	if slices.Contains(rtl, base.String()) {
		dir = "rtl"
	}
	return &Localizer{loc: goi18n.NewLocalizer(c.bundle, prefs...), Lang: base.String(), Dir: dir}
}

// T returns the message id in the localizer's language, filled with data
// (pairs of key, value). A missing message shows its id, never fails a page;
// a test checks that every id the pages use exists.
func (l *Localizer) T(id string, data ...any) string {
	var td map[string]any
	if len(data) > 0 {
		td = make(map[string]any, len(data)/2)
		for i := 0; i+1 < len(data); i += 2 {
			td[fmt.Sprint(data[i])] = data[i+1]
		}
	}
	s, err := l.loc.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: td})
	if err != nil && s == "" {
		return id
	}
	return s
}

// Code returns the label of a coded value, such as a form of exploitation:
// the message "<list>.<code>", or the code itself if there is none.
func (l *Localizer) Code(list, code string) string {
	if code == "" {
		return ""
	}
	id := list + "." + code
	if s := l.T(id); s != id {
		return s
	}
	return strings.ReplaceAll(code, "_", " ")
}
