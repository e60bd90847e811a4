package lifecycle

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/haven-nrm/haven"
)

var update = flag.Bool("update", false, "rewrite the generated sections of docs/LIFECYCLE.md from the code")

const docPath = "../docs/LIFECYCLE.md"

// TestDocsMatchTheCode fails when a generated section of docs/LIFECYCLE.md
// differs from what the code says. Run `go test ./lifecycle -run Docs
// -update` after changing the table, the rules, the alerts or the limits.
func TestDocsMatchTheCode(t *testing.T) {
	doc, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	got := string(doc)
	want := got
	for name, body := range generatedSections() {
		re := regexp.MustCompile(`(?s)(<!-- BEGIN GENERATED: ` + name + ` -->\n).*?(<!-- END GENERATED: ` + name + ` -->)`)
		if !re.MatchString(want) {
			t.Errorf("%s has no generated section %q", docPath, name)
			continue
		}
		want = re.ReplaceAllLiteralString(want, "<!-- BEGIN GENERATED: "+name+" -->\n"+body+"<!-- END GENERATED: "+name+" -->")
	}
	if want == got {
		return
	}
	if *update {
		if err := os.WriteFile(docPath, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s is out of date; run go test ./lifecycle -run Docs -update (-file +code):\n%s", docPath, cmp.Diff(got, want))
}

func generatedSections() map[string]string {
	return map[string]string{
		"diagram":     diagramMarkdown(),
		"transitions": transitionsMarkdown(),
		"rules":       rulesMarkdown(),
		"alerts":      alertsMarkdown(),
		"limits":      limitsMarkdown(),
	}
}

func code(s string) string { return "`" + s + "`" }

func join[T ~string](xs []T, f func(string) string) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = f(string(x))
	}
	return strings.Join(s, ", ")
}

// diagramMarkdown draws the transitions between states; the closures that
// can happen from many states are named in a note rather than drawn.
func diagramMarkdown() string {
	var b strings.Builder
	var many []string
	b.WriteString("```mermaid\nstateDiagram-v2\n    [*] --> encountered\n")
	for _, tr := range Transitions() {
		switch {
		case tr.To == "":
		case len(tr.From) > 1:
			if !slices.Contains(many, string(tr.Event)) {
				many = append(many, string(tr.Event))
			}
		default:
			fmt.Fprintf(&b, "    %s --> %s: %s\n", tr.From[0], tr.To, tr.Event)
		}
	}
	fmt.Fprintf(&b, "    closed --> [*]\n    note right of closed\n        also from other states: %s\n    end note\n```\n", strings.Join(many, ", "))
	return b.String()
}

// statesLabel names a group of states briefly.
func statesLabel(from []haven.LifecycleState) string {
	switch {
	case slices.Equal(from, all):
		return "any, `closed` included"
	case slices.Equal(from, open):
		return "any open state"
	}
	return join(from, code)
}

func transitionsMarkdown() string {
	var b strings.Builder
	b.WriteString("| event | from | to | who | decision record | guards, in order | effects | GR 38 |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	for _, tr := range Transitions() {
		to := "(stays)"
		if tr.To != "" {
			to = code(string(tr.To))
		}
		from := statesLabel(tr.From)
		guards := make([]string, len(tr.Guards))
		for i, g := range tr.Guards {
			guards[i] = code(g.ID)
		}
		decision := ""
		if tr.Decision != "" {
			decision = code(string(tr.Decision))
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n",
			code(string(tr.Event)), from, to, join(tr.Roles, code), decision, strings.Join(guards, ", "),
			join(tr.Effects, code), tr.Basis)
	}
	b.WriteString("\n")
	for _, tr := range Transitions() {
		fmt.Fprintf(&b, "- %s (from %s): %s.\n", code(string(tr.Event)), statesLabel(tr.From), tr.Summary)
	}
	return b.String()
}

func rulesMarkdown() string {
	var b strings.Builder
	b.WriteString("| rule | code | message |\n|---|---|---|\n")
	for _, r := range Rules() {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", code(r.ID), r.Code, r.Message)
	}
	return b.String()
}

func alertsMarkdown() string {
	var b strings.Builder
	b.WriteString("| alert | inbox of | due | what |\n|---|---|---|---|\n")
	for _, a := range AlertRules() {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", code(a.Rule), join(a.Roles, code), a.Limit, a.Message)
	}
	return b.String()
}

func limitsMarkdown() string {
	c := DefaultConfig()
	var b strings.Builder
	b.WriteString("| key | default |\n|---|---|\n")
	fmt.Fprintf(&b, "| `reflection_days` | %d (never below %d) |\n", c.ReflectionDays, MinReflectionDays)
	for _, l := range []struct {
		key string
		val string
	}{
		{"guardian_within", FormatDuration(c.GuardianWithin)},
		{"best_interests_within", FormatDuration(c.BestInterestsWithin)},
		{"reasonable_grounds_within", FormatDuration(c.ReasonableGroundsWithin)},
		{"reflection_start_within", FormatDuration(c.ReflectionStartWithin)},
		{"conclusive_within", FormatDuration(c.ConclusiveWithin)},
		{"review_within", FormatDuration(c.ReviewWithin)},
		{"reflection_ending_notice", FormatDuration(c.ReflectionEndingNotice)},
	} {
		fmt.Fprintf(&b, "| %s | %s |\n", code(l.key), l.val)
	}
	return b.String()
}
