package document_test

import (
	"bytes"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/document"
	"github.com/haven-nrm/haven/i18n"
)

func TestNonPunishmentValidation(t *testing.T) {
	tests := []struct {
		name   string
		change func(np *document.NonPunishment)
		fields []string
	}{
		{"no reference", func(np *document.NonPunishment) { np.Reference = " " }, []string{"reference"}},
		{"bad reference", func(np *document.NonPunishment) { np.Reference = "HV 1" }, []string{"reference"}},
		{"no date of issue", func(np *document.NonPunishment) { np.IssuedOn = haven.Date{} }, []string{"issued_on"}},
		{"issued in the future", func(np *document.NonPunishment) {
			np.IssuedOn = haven.DateOf(np.IssuedOn.AddDate(50, 0, 0))
		}, []string{"issued_on"}},
		{"no authority", func(np *document.NonPunishment) { np.Authority = "" }, []string{"authority"}},
		{"no case reference", func(np *document.NonPunishment) { np.CaseReference = "" }, []string{"case_reference"}},
		{"no name", func(np *document.NonPunishment) { np.PersonName = "" }, []string{"person_name"}},
		{"name on two lines", func(np *document.NonPunishment) { np.PersonName = "Ana\nNúñez" }, []string{"person_name"}},
		{"name too long", func(np *document.NonPunishment) { np.PersonName = strings.Repeat("Ñ", 201) }, []string{"person_name"}},
		{"no date of birth", func(np *document.NonPunishment) { np.DateOfBirth = haven.Date{} }, []string{"date_of_birth"}},
		{"born after issue", func(np *document.NonPunishment) { np.DateOfBirth = day("2026-11-27") }, []string{"date_of_birth"}},
		{"no finding date", func(np *document.NonPunishment) { np.Finding.DecidedOn = haven.Date{} }, []string{"finding.decided_on"}},
		{"finding after issue", func(np *document.NonPunishment) { np.Finding.DecidedOn = day("2026-11-27") }, []string{"finding.decided_on"}},
		{"no deciding body", func(np *document.NonPunishment) { np.Finding.DecidedBy = "" }, []string{"finding.decided_by"}},
		{"no offences", func(np *document.NonPunishment) { np.Offences = nil }, []string{"offences"}},
		{"too many offences", func(np *document.NonPunishment) {
			for len(np.Offences) <= document.MaxOffences {
				np.Offences = append(np.Offences, np.Offences[0])
			}
		}, []string{"offences"}},
		{"offence without anything", func(np *document.NonPunishment) { np.Offences[1] = document.Offence{} }, []string{
			"offences[1].description", "offences[1].jurisdiction", "offences[1].date", "offences[1].record_number",
		}},
		{"offence after issue", func(np *document.NonPunishment) { np.Offences[2].Date = day("2027-01-01") }, []string{"offences[2].date"}},
		{"no signatory", func(np *document.NonPunishment) { np.Signatory = document.Signatory{} }, []string{"signatory.name", "signatory.role"}},
		{"provision with a control character", func(np *document.NonPunishment) { np.NationalProvision = "Art. 26\x00" }, []string{"national_provision"}},
		{"contact not UTF-8", func(np *document.NonPunishment) { np.VerificationContact = "\xff" }, []string{"verification_contact"}},
	}
	l := localizer(t, "en")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			np := statement()
			np.Offences = slices.Clone(np.Offences)
			tt.change(&np)
			d, err := document.NonPunishmentDoc(l, np)
			if d != nil || haven.ErrorCode(err) != haven.EINVALID {
				t.Fatalf("got %v, %v; want an EINVALID error", d, err)
			}
			var got []string
			for _, f := range haven.ErrorFields(err) {
				got = append(got, f.Field)
			}
			if diff := cmp.Diff(tt.fields, got); diff != "" {
				t.Errorf("bad fields (-want +got):\n%s", diff)
			}
		})
	}
}

// TestValidationNamesEveryField checks that an empty statement reports every
// required field at once, and that no reason repeats a value.
func TestValidationNamesEveryField(t *testing.T) {
	err := (&document.NonPunishment{}).Validate()
	var got []string
	for _, f := range haven.ErrorFields(err) {
		got = append(got, f.Field)
	}
	want := []string{
		"reference", "issued_on", "authority", "case_reference", "person_name", "date_of_birth",
		"finding.decided_on", "finding.decided_by", "offences", "signatory.name", "signatory.role",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("bad fields (-want +got):\n%s", diff)
	}

	np := statement()
	np.PersonName = "Olena\nKoval"
	np.Offences = []document.Offence{{Description: "Theft\rby Olena", Jurisdiction: "Court", Date: day("2025-01-01"), RecordNumber: "R-1"}}
	err = np.Validate()
	if err == nil || strings.Contains(err.Error(), "Olena") {
		t.Errorf("error %v should name the fields, not quote them", err)
	}
}

func TestOptionalParts(t *testing.T) {
	np := statement()
	np.NationalProvision, np.VerificationContact, np.Finding.DecisionReference = "", "", ""
	d, err := document.NonPunishmentDoc(localizer(t, "en"), np)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := renderHTML(t, d)
	body := page.Find("body").Text()
	if strings.Contains(body, "National law") {
		t.Error("an empty national provision is cited")
	}
	if page.Find(`[data-field="decision_reference"]`).Length() != 0 {
		t.Error("an empty decision reference is listed")
	}
	if want := "To verify this statement, contact National Referral Mechanism Secretariat and quote the reference HV-7K3M-9QXD-NP-1."; !strings.Contains(body, want) {
		t.Errorf("the page lacks %q", want)
	}
}

func TestNonPunishmentReference(t *testing.T) {
	if got := document.NonPunishmentReference("HV-7K3M-9QXD", 2); got != "HV-7K3M-9QXD-NP-2" {
		t.Errorf("got %q", got)
	}
}

func TestFormatDate(t *testing.T) {
	en := localizer(t, "en")
	for _, tt := range []struct {
		date, want string
	}{
		{"2026-11-26", "26 November 2026"},
		{"1998-03-04", "4 March 1998"},
	} {
		if got := document.FormatDate(en, day(tt.date)); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.date, got, tt.want)
		}
	}
	for m := 1; m <= 12; m++ {
		d := haven.DateOf(day("2026-01-15").AddDate(0, m-1, 0))
		if got := document.FormatDate(en, d); strings.Contains(got, "document.") {
			t.Errorf("month %d: %q", m, got)
		}
	}
	if got := document.FormatDate(en, haven.Date{}); got != "" {
		t.Errorf("zero date: %q", got)
	}

	// A language sets its own order and month names in the catalogue.
	c := catalogue(t, map[string]string{
		"locales/document.de.yaml": "document.date: \"{{.Day}}. {{.Month}} {{.Year}}\"\ndocument.month.11: November\n",
		"locales/document.ru.yaml": "document.month.11: ноября\n",
	})
	for lang, want := range map[string]string{"de": "26. November 2026", "ru": "26 ноября 2026"} {
		if got := document.FormatDate(c.Localizer(lang), day("2026-11-26")); got != want {
			t.Errorf("%s: got %q, want %q", lang, got, want)
		}
	}
}

// catalogue loads the real English catalogue with extra files beside it.
func catalogue(t *testing.T, extra map[string]string) *i18n.Catalog {
	t.Helper()
	fsys := fstest.MapFS{}
	files, _ := filepath.Glob("../i18n/locales/*.en.yaml")
	files = append(files, "../i18n/locales/en.yaml")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fsys["locales/"+filepath.Base(f)] = &fstest.MapFile{Data: b}
	}
	for name, data := range extra {
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	c, err := i18n.LoadFS(fsys)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestRightToLeft builds the statement in a right-to-left language: the
// HTML says so, and the PDF, which cannot order such text, refuses.
func TestRightToLeft(t *testing.T) {
	c := catalogue(t, map[string]string{
		"locales/document.ar.yaml": "document.np.title: بيان بشأن عدم معاقبة ضحية الاتجار بالبشر\n",
	})
	np := statement()
	np.PersonName = "فاطمة الزهراء"
	d, err := document.NonPunishmentDoc(c.Localizer("ar"), np)
	if err != nil {
		t.Fatal(err)
	}
	page, raw := renderHTML(t, d)
	writeSample(t, "statement-ar.html", []byte(raw))
	if lang, _ := page.Find("html").Attr("lang"); lang != "ar" {
		t.Errorf("lang = %q", lang)
	}
	if dir, _ := page.Find("html").Attr("dir"); dir != "rtl" {
		t.Errorf("dir = %q", dir)
	}
	if got := page.Find("h1").Text(); got != "بيان بشأن عدم معاقبة ضحية الاتجار بالبشر" {
		t.Errorf("title = %q", got)
	}
	var buf bytes.Buffer
	if err := document.RenderPDF(&buf, d); haven.ErrorCode(err) != haven.EINVALID || buf.Len() != 0 {
		t.Errorf("RenderPDF: %v, %d bytes; want an EINVALID error and nothing written", err, buf.Len())
	}
}

// TestMessagesExist checks that every message the package asks for is in
// the English catalogue, and that the catalogue holds no document message
// the package does not use.
func TestMessagesExist(t *testing.T) {
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	files, _ := filepath.Glob("*.go")
	id := regexp.MustCompile(`"(document\.[a-z0-9_.]+)"`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range id.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
	}
	if len(used) < 40 {
		t.Fatalf("found only %d message ids: the pattern no longer matches the code", len(used))
	}
	delete(used, "document.month.")
	for m := 1; m <= 12; m++ {
		used["document.month."+strconv.Itoa(m)] = true
	}
	for id := range used {
		if !c.Has(id) {
			t.Errorf("the code uses %q, which the catalogue lacks", id)
		}
	}
	for _, id := range c.IDs() {
		if strings.HasPrefix(id, "document.") && !used[id] {
			t.Errorf("the catalogue has %q, which the code never uses", id)
		}
	}
}

// TestNeverLogs keeps the package free of logging: documents hold personal
// data and only ever go to the caller's writer.
func TestNeverLogs(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range file.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if path == "log" || path == "log/slog" || path == "os" || path == "net/http" {
				t.Errorf("%s imports %s: the package renders to the caller's writer only", f, path)
			}
		}
	}
}
