package document

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/i18n"
)

// NonPunishment is what a non-punishment statement records (CEDAW GR 38
// §98): that a competent body identified the person as a victim of
// trafficking and found that the listed offences were a direct consequence
// of it, so that she is not punished for them and can have her criminal
// records cleared (§98 (c)). The statement is handed to the person or her
// lawyer; it holds her name and date of birth and is never logged or stored
// by this package.
type NonPunishment struct {
	// Reference identifies this statement, such as "HV-7K3M-9QXD-NP-1"
	// (see NonPunishmentReference).
	Reference string     `json:"reference"`
	IssuedOn  haven.Date `json:"issued_on"`
	// Authority is the issuing authority or organisation, named at the
	// head of the statement and in the request to clear the records.
	Authority string `json:"authority"`
	// CaseReference is the case's reference (haven.Case.Reference), never
	// its internal id.
	CaseReference string `json:"case_reference"`

	PersonName  string     `json:"person_name"` // as the records to be cleared write it
	DateOfBirth haven.Date `json:"date_of_birth"`

	Finding  Finding   `json:"finding"`
	Offences []Offence `json:"offences"`

	// NationalProvision cites the country's law on non-punishment, free
	// text such as "Article 26 of the Law on Combating Trafficking in Human
	// Beings". Optional: GR 38 §98 is always cited.
	NationalProvision string `json:"national_provision,omitempty"`

	Signatory Signatory `json:"signatory"` // signs on the date of issue
	// VerificationContact is how a court or registry reaches the issuing
	// authority to check the statement (a telephone or an address).
	// Optional.
	VerificationContact string `json:"verification_contact,omitempty"`
}

// Finding is the decision that identified the person as a victim and linked
// the offences to the trafficking.
type Finding struct {
	DecidedOn         haven.Date `json:"decided_on"`
	DecidedBy         string     `json:"decided_by"` // the deciding body
	DecisionReference string     `json:"decision_reference,omitempty"`
}

// Offence is one offence the person was charged with, prosecuted or
// convicted for, as a court or a criminal record lists it.
type Offence struct {
	Description  string     `json:"description"`
	Jurisdiction string     `json:"jurisdiction"` // court or jurisdiction
	Date         haven.Date `json:"date"`         // the date the record gives for it
	RecordNumber string     `json:"record_number"`
}

// Signatory is who signs the statement for the issuing authority.
type Signatory struct {
	Name string `json:"name"`
	Role string `json:"role"`
}

// Limits that keep a statement printable on a few pages.
const (
	MaxOffences         = 50
	maxReferenceLength  = 64
	maxTextLength       = 200
	maxLongTextLength   = 1000
	maxFutureIssueDrift = 24 * time.Hour
)

var referencePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]*$`)

// NonPunishmentReference returns the reference of a case's n-th
// non-punishment statement: "HV-7K3M-9QXD-NP-1" for the first statement of
// case HV-7K3M-9QXD.
func NonPunishmentReference(caseReference string, n int) string {
	return caseReference + "-NP-" + strconv.Itoa(n)
}

// Validate checks a statement and reports every bad field at once, as an
// EINVALID *haven.Error. Reasons never repeat a value.
func (np *NonPunishment) Validate() error {
	var v haven.Validation
	switch {
	case strings.TrimSpace(np.Reference) == "":
		v.Add("reference", "is required")
	case len(np.Reference) > maxReferenceLength || !referencePattern.MatchString(np.Reference):
		v.Addf("reference", "must be at most %d letters, digits, dots, dashes, slashes or underscores", maxReferenceLength)
	}
	switch {
	case np.IssuedOn.IsZero():
		v.Add("issued_on", "is required")
	case np.IssuedOn.After(time.Now().Add(maxFutureIssueDrift)):
		v.Add("issued_on", "cannot be in the future")
	}
	checkText(&v, "authority", np.Authority, true, maxTextLength)
	checkText(&v, "case_reference", np.CaseReference, true, maxReferenceLength)
	checkText(&v, "person_name", np.PersonName, true, maxTextLength)
	if np.DateOfBirth.IsZero() {
		v.Add("date_of_birth", "is required")
	} else if afterIssue(np.DateOfBirth, np.IssuedOn) {
		v.Add("date_of_birth", "cannot be after the date of issue")
	}

	f := np.Finding
	if f.DecidedOn.IsZero() {
		v.Add("finding.decided_on", "is required")
	} else if afterIssue(f.DecidedOn, np.IssuedOn) {
		v.Add("finding.decided_on", "cannot be after the date of issue")
	}
	checkText(&v, "finding.decided_by", f.DecidedBy, true, maxTextLength)
	checkText(&v, "finding.decision_reference", f.DecisionReference, false, maxTextLength)

	switch {
	case len(np.Offences) == 0:
		v.Add("offences", "must list at least one offence")
	case len(np.Offences) > MaxOffences:
		v.Addf("offences", "must list at most %d offences", MaxOffences)
	}
	for i, o := range np.Offences {
		p := "offences[" + strconv.Itoa(i) + "]"
		checkText(&v, p+".description", o.Description, true, maxLongTextLength)
		checkText(&v, p+".jurisdiction", o.Jurisdiction, true, maxTextLength)
		if o.Date.IsZero() {
			v.Add(p+".date", "is required")
		} else if afterIssue(o.Date, np.IssuedOn) {
			v.Add(p+".date", "cannot be after the date of issue")
		}
		checkText(&v, p+".record_number", o.RecordNumber, true, maxTextLength)
	}

	checkText(&v, "national_provision", np.NationalProvision, false, maxLongTextLength)
	checkText(&v, "signatory.name", np.Signatory.Name, true, maxTextLength)
	checkText(&v, "signatory.role", np.Signatory.Role, true, maxTextLength)
	checkText(&v, "verification_contact", np.VerificationContact, false, maxTextLength)
	return v.Err()
}

// afterIssue tells whether d falls after the date of issue, when both are set.
func afterIssue(d, issued haven.Date) bool {
	return !issued.IsZero() && d.After(issued.Time)
}

// checkText checks a single line of printable text.
func checkText(v *haven.Validation, field, s string, required bool, max int) {
	switch {
	case strings.TrimSpace(s) == "":
		if required {
			v.Add(field, "is required")
		}
	case !utf8.ValidString(s):
		v.Add(field, "must be valid UTF-8 text")
	case utf8.RuneCountInString(s) > max:
		v.Addf(field, "must be at most %d characters", max)
	case strings.ContainsFunc(s, unicode.IsControl):
		v.Add(field, "must be a single line of text")
	}
}

// NonPunishmentDoc builds the non-punishment statement in l's language. It
// validates np first and returns its EINVALID error, naming each bad field.
func NonPunishmentDoc(l *i18n.Localizer, np NonPunishment) (*Doc, error) {
	if err := np.Validate(); err != nil {
		return nil, err
	}
	issued := FormatDate(l, np.IssuedOn)
	d := &Doc{
		Lang:      l.Lang,
		Dir:       l.Dir,
		Issuer:    np.Authority,
		Title:     l.T("document.np.title"),
		Subtitle:  l.T("document.np.subtitle"),
		Reference: np.Reference,
		Date:      np.IssuedOn,
		Meta: []Field{
			{Key: "reference", Label: l.T("document.reference"), Value: np.Reference},
			{Key: "issued_on", Label: l.T("document.issued_on"), Value: issued},
			{Key: "issued_by", Label: l.T("document.issued_by"), Value: np.Authority},
		},
		Footer: Footer{
			Text:   l.T("document.footer", "Reference", np.Reference),
			PageOf: l.T("document.page", "Page", "{page}", "Pages", "{pages}"),
		},
	}

	decision := []Field{
		{Key: "decided_on", Label: l.T("document.np.decided_on"), Value: FormatDate(l, np.Finding.DecidedOn)},
		{Key: "decided_by", Label: l.T("document.np.decided_by"), Value: np.Finding.DecidedBy},
	}
	if np.Finding.DecisionReference != "" {
		decision = append(decision, Field{Key: "decision_reference", Label: l.T("document.np.decision_reference"), Value: np.Finding.DecisionReference})
	}

	offences := Table{
		Key:     "offences",
		Caption: l.T("document.np.offences_caption", "Count", len(np.Offences)),
		Header: []string{
			l.T("document.np.offence_number"), l.T("document.np.offence_description"),
			l.T("document.np.offence_jurisdiction"), l.T("document.np.offence_date"),
			l.T("document.np.offence_record"),
		},
		RowHeaders: true,
	}
	for i, o := range np.Offences {
		offences.Rows = append(offences.Rows, []string{
			strconv.Itoa(i + 1), o.Description, o.Jurisdiction, FormatDate(l, o.Date), o.RecordNumber,
		})
	}

	legal := []Block{
		Paragraph{Text: l.T("document.np.legal_basis_intro")},
		Quote{Text: l.T("document.np.gr38_98"), Source: l.T("document.np.gr38_source")},
	}
	if np.NationalProvision != "" {
		legal = append(legal, Paragraph{Text: l.T("document.np.national_law", "Provision", np.NationalProvision)})
	}

	verification := l.T("document.np.verification", "Authority", np.Authority, "Reference", np.Reference)
	if np.VerificationContact != "" {
		verification = l.T("document.np.verification_contact",
			"Authority", np.Authority, "Contact", np.VerificationContact, "Reference", np.Reference)
	}

	d.Sections = []Section{
		{ID: "person", Heading: l.T("document.np.person"), Blocks: []Block{DefinitionList{Items: []Field{
			{Key: "person_name", Label: l.T("document.np.name"), Value: np.PersonName},
			{Key: "date_of_birth", Label: l.T("document.np.date_of_birth"), Value: FormatDate(l, np.DateOfBirth)},
			{Key: "case_reference", Label: l.T("document.np.case_reference"), Value: np.CaseReference},
		}}}},
		{ID: "finding", Heading: l.T("document.np.finding"), Blocks: []Block{
			Paragraph{Text: l.T("document.np.finding_text",
				"Date", FormatDate(l, np.Finding.DecidedOn), "Body", np.Finding.DecidedBy)},
			DefinitionList{Items: decision},
		}},
		{ID: "offences", Heading: l.T("document.np.offences"), Blocks: []Block{offences}},
		{ID: "legal-basis", Heading: l.T("document.np.legal_basis"), Blocks: legal},
		{ID: "request", Heading: l.T("document.np.request"), Blocks: []Block{
			Paragraph{Text: l.T("document.np.request_text", "Authority", np.Authority)},
			Paragraph{Text: l.T("document.np.unconditional")},
		}},
		{ID: "signature", Blocks: []Block{
			Signature{Label: l.T("document.signature"), Lines: []Field{
				{Key: "signatory_name", Label: l.T("document.signature_name"), Value: np.Signatory.Name},
				{Key: "signatory_role", Label: l.T("document.signature_role"), Value: np.Signatory.Role},
				{Key: "signed_on", Label: l.T("document.signature_date"), Value: issued},
			}},
			Paragraph{Text: verification, Note: true},
			Paragraph{Text: l.T("document.np.confidential"), Note: true},
		}},
	}
	return d, nil
}
