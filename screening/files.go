package screening

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"gopkg.in/yaml.v3"
)

// The structs below are the schema of the catalogue files, documented for
// reviewers in docs/SCREENING.md. They stay separate from the public types so
// that the file format can change without changing the API.

type catalogueFile struct {
	Version     string          `yaml:"version"`
	Date        string          `yaml:"date"`
	Language    string          `yaml:"language"`
	Title       string          `yaml:"title"`
	Description string          `yaml:"description"`
	Sources     []sourceFile    `yaml:"sources"`
	Grades      []textEntryFile `yaml:"grades"`
	Dimensions  []textEntryFile `yaml:"dimensions"`
	Forms       []textEntryFile `yaml:"forms"`
	Lists       []string        `yaml:"lists"`
}

type sourceFile struct {
	ID             string `yaml:"id"`
	Title          string `yaml:"title"`
	Citation       string `yaml:"citation"`
	URL            string `yaml:"url"`
	HavenExtension bool   `yaml:"haven_extension"`
}

type textEntryFile struct {
	ID          string `yaml:"id"`
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
}

type listFile struct {
	ID          string   `yaml:"id"`
	Title       string   `yaml:"title"`
	Description string   `yaml:"description"`
	AgeGroup    string   `yaml:"age_group"`
	Forms       []string `yaml:"forms"`
	Source      string   `yaml:"source"`
	// Extends names the list a variant starts from; Inherit limits which of its
	// dimensions are taken (all when empty); Omit drops single indicators.
	Extends    string                     `yaml:"extends"`
	Inherit    []string                   `yaml:"inherit"`
	Omit       []string                   `yaml:"omit"`
	Indicators map[string][]indicatorFile `yaml:"indicators"`
}

type indicatorFile struct {
	ID           string   `yaml:"id"`
	Grade        string   `yaml:"grade"`
	Label        string   `yaml:"label"`
	Question     string   `yaml:"question"`
	Explanation  string   `yaml:"explanation"`
	ForcedLabour []string `yaml:"forced_labour"`
}

type checklistFile struct {
	ID          string                   `yaml:"id"`
	Title       string                   `yaml:"title"`
	Description string                   `yaml:"description"`
	Source      string                   `yaml:"source"`
	Indicators  []checklistIndicatorFile `yaml:"indicators"`
}

type checklistIndicatorFile struct {
	ID          string `yaml:"id"`
	Label       string `yaml:"label"`
	Question    string `yaml:"question"`
	Explanation string `yaml:"explanation"`
}

type translationFile struct {
	Language         string                       `yaml:"language"`
	CatalogueVersion string                       `yaml:"catalogue_version"`
	Title            string                       `yaml:"title"`
	Description      string                       `yaml:"description"`
	Grades           map[string]textOverrideFile  `yaml:"grades"`
	Dimensions       map[string]textOverrideFile  `yaml:"dimensions"`
	Forms            map[string]textOverrideFile  `yaml:"forms"`
	Lists            map[string]listOverrideFile  `yaml:"lists"`
	ForcedLabour     *listOverrideFile            `yaml:"forced_labour"`
	Indicators       map[string]indicatorOverride `yaml:"indicators"`
	Messages         map[string]string            `yaml:"messages"`
}

type textOverrideFile struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
}

type listOverrideFile struct {
	Title       string `yaml:"title"`
	Description string `yaml:"description"`
}

type indicatorOverride struct {
	Label       string `yaml:"label"`
	Question    string `yaml:"question"`
	Explanation string `yaml:"explanation"`
}

// decodeStrict decodes one YAML document and refuses unknown fields, so that a
// misspelt key ("questoin") is reported instead of silently dropping text.
func decodeStrict(data []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("the file is empty")
		}
		return err
	}
	var extra any
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return fmt.Errorf("the file holds more than one YAML document")
	}
	return nil
}

// yamlUnmarshal decodes leniently, for reading one field of a file that Load
// checks strictly anyway.
func yamlUnmarshal(data []byte, v any) error { return yaml.Unmarshal(data, v) }
