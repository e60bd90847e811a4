package haven

import (
	_ "embed"
	"fmt"
	"slices"

	"gopkg.in/yaml.v3"
)

//go:embed vocabulary.yaml
var vocabularyYAML []byte

// Vocabulary holds the controlled lists a case's coded fields are checked
// against. It is loaded from the embedded vocabulary.yaml.
type Vocabulary struct {
	Version               string               `yaml:"version"`
	FormsOfExploitation   []FormOfExploitation `yaml:"forms_of_exploitation"`
	Sexes                 []string             `yaml:"sexes"`
	AgeStatuses           []string             `yaml:"age_statuses"`
	Disabilities          []string             `yaml:"disabilities"`
	ImmigrationStatuses   []string             `yaml:"immigration_statuses"`
	SocioeconomicStatuses []string             `yaml:"socioeconomic_statuses"`
	RecruitmentMethods    []string             `yaml:"recruitment_methods"`
	EventTypes            []string             `yaml:"event_types"`
	ClosureReasons        []string             `yaml:"closure_reasons"`
}

// FormOfExploitation is one form of GR 38 §112c and the UNODC group it is
// counted under.
type FormOfExploitation struct {
	Code       string `yaml:"code"`
	UNODCGroup string `yaml:"unodc_group"`
}

// FormCodes returns the codes of all forms of exploitation, in file order.
func (v *Vocabulary) FormCodes() []string {
	codes := make([]string, len(v.FormsOfExploitation))
	for i, f := range v.FormsOfExploitation {
		codes[i] = f.Code
	}
	return codes
}

// Vocab is the vocabulary every part of Haven checks coded values against.
var Vocab = mustLoadVocabulary(vocabularyYAML)

func mustLoadVocabulary(data []byte) *Vocabulary {
	v, err := LoadVocabulary(data)
	if err != nil {
		panic(err) // the embedded file is checked by tests; a broken build must not start
	}
	return v
}

// LoadVocabulary parses and checks a vocabulary file: every list present,
// no code listed twice.
func LoadVocabulary(data []byte) (*Vocabulary, error) {
	var v Vocabulary
	if err := yaml.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("load vocabulary: %w", err)
	}
	lists := map[string][]string{
		"forms_of_exploitation":  v.FormCodes(),
		"sexes":                  v.Sexes,
		"age_statuses":           v.AgeStatuses,
		"disabilities":           v.Disabilities,
		"immigration_statuses":   v.ImmigrationStatuses,
		"socioeconomic_statuses": v.SocioeconomicStatuses,
		"recruitment_methods":    v.RecruitmentMethods,
		"event_types":            v.EventTypes,
		"closure_reasons":        v.ClosureReasons,
	}
	for name, codes := range lists {
		if len(codes) == 0 {
			return nil, fmt.Errorf("load vocabulary: list %s is empty", name)
		}
		seen := map[string]bool{}
		for _, c := range codes {
			if c == "" || seen[c] {
				return nil, fmt.Errorf("load vocabulary: list %s has an empty or repeated code %q", name, c)
			}
			seen[c] = true
		}
	}
	return &v, nil
}

// checkCode records a field error unless code is one of allowed.
func checkCode(v *Validation, field, code string, allowed []string) {
	if !slices.Contains(allowed, code) {
		v.Addf(field, "must be one of %v", allowed)
	}
}
