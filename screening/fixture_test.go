package screening

import (
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

// The fixture is a small catalogue built for the engine's tests, so that they
// test the rule and not the shipped grades, which a country may change. Each
// list has, in every dimension, two strong (s1, s2), three medium (m1-m3) and
// three weak (w1-w3) indicators, with ids like "a.dr.s1".

// fixtureDims maps the short code used in fixture ids to a dimension.
var fixtureDims = []struct {
	code string
	dim  Dimension
}{
	{"dr", DeceptiveRecruitment},
	{"cr", CoerciveRecruitment},
	{"vr", RecruitmentAbuseOfVulnerability},
	{"ex", ExploitativeConditions},
	{"cd", CoercionAtDestination},
	{"vd", AbuseOfVulnerabilityAtDestination},
}

const fixtureCatalogue = `version: "test.1"
date: "2026-01-31"
language: en
title: Test catalogue
sources:
  - {id: ilo-ec-2009, title: ILO/EC}
  - {id: ilo-2012, title: ILO forced labour}
  - {id: haven, title: Haven extension, haven_extension: true}
grades:
  - {id: strong, name: strong}
  - {id: medium, name: medium}
  - {id: weak, name: weak}
dimensions:
  - {id: deceptive-recruitment, name: deceptive recruitment}
  - {id: coercive-recruitment, name: coercive recruitment}
  - {id: recruitment-abuse-of-vulnerability, name: recruitment by abuse of vulnerability}
  - {id: exploitative-conditions, name: exploitative conditions}
  - {id: coercion-at-destination, name: coercion at destination}
  - {id: abuse-of-vulnerability-at-destination, name: abuse of vulnerability at destination}
forms:
  - {id: forced_labour, name: forced labour}
  - {id: begging, name: begging}
lists: [adult, child, adult-begging]
`

const fixtureChecklist = `id: fl-test
title: Forced labour
source: ilo-2012
indicators:
  - {id: fl.deception, label: Deception, question: "Is the work as promised?", explanation: Promises not kept.}
  - {id: fl.debt-bondage, label: Debt bondage, question: "Do you owe money?", explanation: A debt binds the worker.}
`

// fixtureList writes a list with every dimension filled as described above.
func fixtureList(id, prefix, ageGroup string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "id: %s\ntitle: List %s\nage_group: %s\nforms: [forced_labour]\nsource: ilo-ec-2009\nindicators:\n", id, id, ageGroup)
	for _, d := range fixtureDims {
		fmt.Fprintf(&b, "  %s:\n", d.dim)
		for _, g := range []struct {
			short string
			grade Grade
			n     int
		}{{"s", Strong, 2}, {"m", Medium, 3}, {"w", Weak, 3}} {
			for i := 1; i <= g.n; i++ {
				ind := fmt.Sprintf("%s.%s.%s%d", prefix, d.code, g.short, i)
				fmt.Fprintf(&b, "    - id: %s\n      grade: %s\n      label: Label %s\n      question: Question %s?\n      explanation: Explanation %s.\n", ind, g.grade, ind, ind, ind)
				if ind == prefix+".dr.s1" {
					b.WriteString("      forced_labour: [fl.deception]\n")
				}
			}
		}
	}
	return b.String()
}

const fixtureVariant = `id: adult-begging
title: Adult begging
age_group: adult
forms: [begging]
source: haven
extends: adult
omit: [a.cd.s2]
indicators:
  exploitative-conditions:
    - id: b.ex.quota
      grade: strong
      label: Quota
      question: Is there an amount to bring back?
      explanation: A daily quota.
      forced_labour: [fl.debt-bondage]
`

// fixtureFiles returns the fixture's files by path, for tests to change.
func fixtureFiles(t *testing.T) map[string]string {
	t.Helper()
	messages, err := fs.ReadFile(Files(), "messages.yaml")
	if err != nil {
		t.Fatalf("read shipped messages: %v", err)
	}
	return map[string]string{
		"catalogue.yaml":           fixtureCatalogue,
		"messages.yaml":            string(messages),
		"forced-labour.yaml":       fixtureChecklist,
		"lists/adult.yaml":         fixtureList("adult", "a", "adult"),
		"lists/child.yaml":         fixtureList("child", "c", "child"),
		"lists/adult-begging.yaml": fixtureVariant,
	}
}

func mapFS(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for name, text := range files {
		m[name] = &fstest.MapFile{Data: []byte(text)}
	}
	return m
}

// loadFixture loads the fixture, failing the test if it does not load.
func loadFixture(t *testing.T) *Catalogue {
	t.Helper()
	c, err := LoadFS(mapFS(fixtureFiles(t)), "")
	if err != nil {
		t.Fatalf("load fixture: %v", err)
	}
	return c
}

// observed builds answers marking the given ids observed.
func observed(ids ...string) map[string]Observation {
	m := map[string]Observation{}
	for _, id := range ids {
		m[id] = Observed
	}
	return m
}
