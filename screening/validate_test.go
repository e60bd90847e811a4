package screening

import (
	"errors"
	"strings"
	"testing"
)

// replace returns a change that replaces old by new once in one file, and
// fails the test if old is not there (a change that changes nothing would
// make its test pass for the wrong reason).
func replace(file, old, new string) func(t *testing.T, files map[string]string) {
	return func(t *testing.T, files map[string]string) {
		t.Helper()
		if !strings.Contains(files[file], old) {
			t.Fatalf("%s does not contain %q", file, old)
		}
		files[file] = strings.Replace(files[file], old, new, 1)
	}
}

func setFile(file, text string) func(t *testing.T, files map[string]string) {
	return func(t *testing.T, files map[string]string) { files[file] = text }
}

func removeFile(file string) func(t *testing.T, files map[string]string) {
	return func(t *testing.T, files map[string]string) { delete(files, file) }
}

func TestLoadFixture(t *testing.T) {
	c := loadFixture(t)
	if got := len(c.Lists); got != 3 {
		t.Fatalf("got %d lists, want 3", got)
	}
	l, _ := c.List("adult-begging")
	if got, want := len(l.Indicators), 6*8-1+1; got != want {
		t.Errorf("variant has %d indicators, want %d", got, want)
	}
}

func TestValidationCatchesMistakes(t *testing.T) {
	const variant = "lists/adult-begging.yaml"
	tests := []struct {
		name    string
		change  func(t *testing.T, files map[string]string)
		problem string // a fragment of the expected problem
	}{
		{"duplicate id in one list",
			replace("lists/adult.yaml", "id: a.dr.s2\n", "id: a.dr.s1\n"),
			`lists/adult.yaml: indicators.deceptive-recruitment[1]: id "a.dr.s1" is already used in lists/adult.yaml`},
		{"duplicate id across lists",
			replace("lists/child.yaml", "id: c.ex.m1\n", "id: a.ex.m1\n"),
			`id "a.ex.m1" is already used in lists/adult.yaml`},
		{"id of the forced-labour checklist reused",
			replace(variant, "id: b.ex.quota", "id: fl.deception"),
			`id "fl.deception" is already used in forced-labour.yaml`},
		{"malformed id",
			replace("lists/adult.yaml", "id: a.dr.m1\n", "id: A DR M1\n"),
			`id "A DR M1" must be lower-case words`},
		{"unknown grade",
			replace("lists/adult.yaml", "grade: medium", "grade: moderate"),
			`grade "moderate" is not strong, medium or weak`},
		{"unknown dimension in a list",
			replace(variant, "  exploitative-conditions:", "  exploitation:"),
			`indicators: unknown dimension "exploitation"`},
		{"list without a dimension",
			// Without its key, the dimension's indicators join the one before.
			replace("lists/child.yaml", "  coercion-at-destination:\n", ""),
			`lists/child.yaml: dimension "coercion-at-destination" has no indicator`},
		{"variant that inherits too little",
			replace(variant, "omit: [a.cd.s2]", "inherit: [deceptive-recruitment, exploitative-conditions]"),
			`lists/adult-begging.yaml: dimension "coercive-recruitment" has no indicator`},
		{"question missing",
			replace("lists/adult.yaml", "      question: Question a.cr.m2?\n", ""),
			`indicator "a.cr.m2": question is missing`},
		{"label missing",
			replace(variant, "      label: Quota\n", ""),
			`indicator "b.ex.quota": label is missing`},
		{"explanation empty",
			replace(variant, "explanation: A daily quota.", `explanation: ""`),
			`indicator "b.ex.quota": explanation is missing`},
		{"misspelt field",
			replace(variant, "      question:", "      questoin:"),
			`field questoin not found`},
		{"YAML syntax error",
			replace("lists/adult.yaml", "title: List adult", "title: [List adult"),
			`lists/adult.yaml: yaml:`},
		{"catalogue without a dimension",
			replace("catalogue.yaml", "  - {id: coercion-at-destination, name: coercion at destination}\n", ""),
			`catalogue.yaml: dimensions: "coercion-at-destination" is missing`},
		{"catalogue with an unknown dimension",
			replace("catalogue.yaml", "id: coercion-at-destination,", "id: coercion,"),
			`dimensions: unknown "coercion"`},
		{"catalogue without a grade",
			replace("catalogue.yaml", "  - {id: weak, name: weak}\n", ""),
			`catalogue.yaml: grades: "weak" is missing`},
		{"catalogue with an unknown grade",
			replace("catalogue.yaml", "{id: weak, name: weak}", "{id: mild, name: mild}"),
			`grades: unknown "mild"`},
		{"grade without a name",
			replace("catalogue.yaml", "{id: weak, name: weak}", "{id: weak}"),
			`grades: "weak" has no name`},
		{"missing version",
			replace("catalogue.yaml", `version: "test.1"`, `version: ""`),
			`catalogue.yaml: version is missing`},
		{"bad date",
			replace("catalogue.yaml", `date: "2026-01-31"`, `date: "31/01/2026"`),
			`date "31/01/2026" is not a date`},
		{"bad language",
			replace("catalogue.yaml", "language: en", "language: english!"),
			`language "english!" is not a BCP 47 language tag`},
		{"unknown source",
			replace("lists/child.yaml", "source: ilo-ec-2009", "source: unicef"),
			`lists/child.yaml: source "unicef" is not in the sources`},
		{"unknown form",
			replace("lists/child.yaml", "forms: [forced_labour]", "forms: [forced_labour, piracy]"),
			`form "piracy" is not in the forms of catalogue.yaml`},
		{"form without a list",
			replace("catalogue.yaml", "  - {id: begging, name: begging}\n", "  - {id: begging, name: begging}\n  - {id: slavery, name: slavery}\n"),
			`catalogue.yaml: form "slavery" has no list`},
		{"two lists for the same form and age group",
			replace("lists/child.yaml", "age_group: child", "age_group: adult"),
			`form "forced_labour" for age group "adult" is already covered by list "adult"`},
		{"unknown age group",
			replace("lists/child.yaml", "age_group: child", "age_group: teen"),
			`age_group "teen" is not "adult" or "child"`},
		{"list id not matching its file",
			replace("lists/child.yaml", "id: child\n", "id: children\n"),
			`lists/child.yaml: id "children" does not match the file name`},
		{"list file missing",
			removeFile("lists/child.yaml"),
			`lists/child.yaml: cannot read`},
		{"list file not in the index",
			setFile("lists/extra.yaml", "id: extra\n"),
			`lists/extra.yaml: the file is not in the lists of catalogue.yaml`},
		{"variant extends an unknown list",
			replace(variant, "extends: adult", "extends: adults"),
			`extends "adults", which is not a list of catalogue.yaml`},
		{"variant extends form a cycle",
			func(t *testing.T, files map[string]string) {
				replace("lists/adult.yaml", "source: ilo-ec-2009\n", "source: ilo-ec-2009\nextends: adult-begging\n")(t, files)
			},
			`extends forms a cycle: adult → adult-begging → adult`},
		{"variant omits an indicator its base does not have",
			replace(variant, "omit: [a.cd.s2]", "omit: [c.cd.s2]"),
			`omit: "c.cd.s2" is not among the indicators inherited from "adult"`},
		{"variant changes the age group",
			replace(variant, "age_group: adult", "age_group: child"),
			`age_group "child" differs from "adult" of the list it extends`},
		{"inherit without extends",
			replace("lists/child.yaml", "source: ilo-ec-2009\n", "source: ilo-ec-2009\nomit: [c.dr.s1]\n"),
			`lists/child.yaml: inherit and omit need extends`},
		{"unknown forced-labour reference",
			replace(variant, "forced_labour: [fl.debt-bondage]", "forced_labour: [fl.slavery]"),
			`forced_labour "fl.slavery" is not in forced-labour.yaml`},
		{"checklist id duplicated",
			replace("forced-labour.yaml", "id: fl.debt-bondage,", "id: fl.deception,"),
			`forced-labour.yaml: indicators[1]: id "fl.deception" is used twice`},
		{"checklist question missing",
			replace("forced-labour.yaml", `question: "Do you owe money?", `, ""),
			`indicator "fl.debt-bondage": question is missing`},
		{"message missing",
			func(t *testing.T, files map[string]string) {
				files["messages.yaml"] = removeYAMLKey(t, files["messages.yaml"], "child-protection")
			},
			`messages.yaml: message "child-protection" is missing`},
		{"message without its placeholder",
			replace("messages.yaml", "{count} indicators", "Some indicators"),
			`message "not-asked" lacks the placeholder {count}`},
		{"message with an unknown placeholder",
			replace("messages.yaml", "{count} indicators", "{count} {number} indicators"),
			`message "not-asked" has the unknown placeholder {number}`},
		{"unknown message",
			func(t *testing.T, files map[string]string) {
				files["messages.yaml"] += "\noutcome.decided.title: Victim\n"
			},
			`message "outcome.decided.title" is not used by the engine`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := fixtureFiles(t)
			tt.change(t, files)
			_, err := LoadFS(mapFS(files), "")
			if err == nil {
				t.Fatalf("LoadFS accepted the catalogue; want a problem containing %q", tt.problem)
			}
			if !errors.Is(err, ErrInvalidCatalogue) {
				t.Errorf("err = %v, want ErrInvalidCatalogue", err)
			}
			var verr *ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("err is %T, want *ValidationError", err)
			}
			for _, p := range verr.Problems {
				if strings.Contains(p, tt.problem) {
					return
				}
			}
			t.Errorf("no problem contains %q; problems:\n  %s", tt.problem, strings.Join(verr.Problems, "\n  "))
		})
	}
}

// TestValidationReportsAllProblems checks that a reviewer sees every mistake
// at once, not one per load.
func TestValidationReportsAllProblems(t *testing.T) {
	files := fixtureFiles(t)
	replace("lists/adult.yaml", "grade: medium", "grade: moderate")(t, files)
	replace("lists/child.yaml", "source: ilo-ec-2009", "source: unicef")(t, files)
	replace("catalogue.yaml", `version: "test.1"`, `version: ""`)(t, files)
	_, err := LoadFS(mapFS(files), "")
	var verr *ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("err = %v, want *ValidationError", err)
	}
	if len(verr.Problems) != 3 {
		t.Errorf("got %d problems, want 3:\n  %s", len(verr.Problems), strings.Join(verr.Problems, "\n  "))
	}
	if !strings.HasPrefix(err.Error(), "screening: load catalogue: ") {
		t.Errorf("error %q is not wrapped with the operation's name", err)
	}
}

// removeYAMLKey removes a top-level key and its (folded) value from a YAML
// text.
func removeYAMLKey(t *testing.T, text, key string) string {
	t.Helper()
	lines := strings.Split(text, "\n")
	var out []string
	skipping, found := false, false
	for _, line := range lines {
		if strings.HasPrefix(line, key+":") {
			skipping, found = true, true
			continue
		}
		if skipping && strings.HasPrefix(line, "  ") {
			continue
		}
		skipping = false
		out = append(out, line)
	}
	if !found {
		t.Fatalf("key %q not found", key)
	}
	return strings.Join(out, "\n")
}
