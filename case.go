package haven

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// LifecycleState is where a case stands in the referral mechanism
// (DESIGN.md "Case lifecycle").
type LifecycleState string

const (
	StateEncountered      LifecycleState = "encountered"
	StateScreening        LifecycleState = "screening"
	StateReferred         LifecycleState = "referred"
	StatePresumedVictim   LifecycleState = "presumed_victim"
	StateReflectionPeriod LifecycleState = "reflection_period"
	StateIdentified       LifecycleState = "identified"
	StateNotIdentified    LifecycleState = "not_identified"
	StateAssistance       LifecycleState = "assistance"
	StateClosed           LifecycleState = "closed"
)

// LifecycleStates lists the states in lifecycle order.
var LifecycleStates = []LifecycleState{
	StateEncountered, StateScreening, StateReferred, StatePresumedVictim,
	StateReflectionPeriod, StateIdentified, StateNotIdentified, StateAssistance, StateClosed,
}

// Case status, HTCDS "status": whether anyone still works on the case.
const (
	StatusOpen   = "open"
	StatusClosed = "closed"
)

// Case is one person's path through the referral mechanism. Its coded
// fields carry the disaggregations of GR 38 §110; the person's identity is
// kept apart, encrypted (see Person).
type Case struct {
	ID        string `json:"id"`
	Reference string `json:"reference"`
	// Version grows by one with every change; an update must carry the
	// version it read (optimistic locking).
	Version int `json:"version"`

	OwnerOrganisationID string         `json:"case_owner"`
	Status              string         `json:"status"`
	State               LifecycleState `json:"lifecycle_state"`
	ClosureReason       string         `json:"reason_for_case_closure,omitempty"`
	EncounteredOn       Date           `json:"encountered_on"`
	IdentifiedOn        Date           `json:"identified_on,omitzero"`
	// ReasonableGroundsOn is the day of the positive reasonable-grounds
	// decision; set by the lifecycle, never by an edit.
	ReasonableGroundsOn Date `json:"reasonable_grounds_on,omitzero"`

	Victim              VictimContext `json:"victim"`
	FormsOfExploitation []string      `json:"type_of_exploitation"`
	Events              []Event       `json:"events"`

	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// VictimContext holds the coded, non-identifying facts about the person that
// statistics disaggregate by (GR 38 §110). HTCDS lacks disability, ethnicity,
// immigration status, socioeconomic status and location of identification:
// they are Haven's extension.
type VictimContext struct {
	Sex                      string `json:"gender"`
	AgeStatus                string `json:"age_status"`
	AgeAtEncounter           *int   `json:"age_at_encounter,omitempty"`
	Disability               string `json:"disability"`
	Ethnicity                string `json:"ethnicity,omitempty"`
	Nationality              string `json:"nationality"`
	ImmigrationStatus        string `json:"immigration_status"`
	SocioeconomicStatus      string `json:"socioeconomic_status"`
	LocationOfIdentification string `json:"location_of_identification,omitempty"`
	MethodOfRecruitment      string `json:"method_of_recruitment,omitempty"`
}

// TreatedAsChild tells whether the person must be treated as a child: under
// 18, or of unknown or disputed age (GR 38 §96, presumption of childhood).
func (v VictimContext) TreatedAsChild() bool {
	if v.AgeStatus == "unknown" || v.AgeStatus == "disputed" || v.AgeAtEncounter == nil {
		return true
	}
	return *v.AgeAtEncounter < 18
}

// Event is a recruitment, transit or exploitation event of the case (HTCDS
// events). Places are coded (country, region), never free text.
type Event struct {
	Type               string `json:"type"`
	Country            string `json:"country"`
	Region             string `json:"region,omitempty"`
	StartedOn          Date   `json:"started_on,omitzero"`
	EndedOn            Date   `json:"ended_on,omitzero"`
	FormOfExploitation string `json:"form_of_exploitation,omitempty"`
}

// Limits on sizes that keep one record from filling the database.
const (
	MaxEvents        = 50
	MaxCodeLength    = 64
	MaxNoteLength    = 20000
	MaxFormsPerCase  = 14
	MaxCasePageLimit = 200
)

var (
	countryPattern = regexp.MustCompile(`^[A-Z]{2}$`)
	codePattern    = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)
)

// Normalize fills defaults a new case takes before it is validated.
func (c *Case) Normalize() {
	if c.Status == "" {
		c.Status = StatusOpen
	}
	if c.State == "" {
		c.State = StateEncountered
	}
	v := &c.Victim
	for _, f := range []*string{&v.Sex, &v.AgeStatus, &v.Disability, &v.ImmigrationStatus, &v.SocioeconomicStatus} {
		if *f == "" {
			*f = "unknown"
		}
	}
	if v.Nationality == "" {
		v.Nationality = "ZZ" // ISO 3166 user-assigned code for "unknown"
	}
	slices.Sort(c.FormsOfExploitation)
	c.FormsOfExploitation = slices.Compact(c.FormsOfExploitation)
}

// Validate checks every field of a case and reports all bad ones at once.
func (c *Case) Validate() error {
	var v Validation
	if !slices.Contains([]string{StatusOpen, StatusClosed}, c.Status) {
		v.Add("status", "must be open or closed")
	}
	if !slices.Contains(LifecycleStates, c.State) {
		v.Addf("lifecycle_state", "must be one of %v", LifecycleStates)
	}
	if c.State == StateClosed || c.Status == StatusClosed {
		checkCode(&v, "reason_for_case_closure", c.ClosureReason, Vocab.ClosureReasons)
	} else if c.ClosureReason != "" {
		v.Add("reason_for_case_closure", "only a closed case has a closure reason")
	}
	if c.EncounteredOn.IsZero() {
		v.Add("encountered_on", "is required")
	} else if c.EncounteredOn.After(time.Now().AddDate(0, 0, 1)) {
		v.Add("encountered_on", "cannot be in the future")
	} else if c.EncounteredOn.Year() < 1990 {
		v.Add("encountered_on", "must be 1990 or later")
	}
	if !c.IdentifiedOn.IsZero() && c.IdentifiedOn.Before(c.EncounteredOn.Time) {
		v.Add("identified_on", "cannot be before encountered_on")
	} else if c.IdentifiedOn.After(time.Now().AddDate(0, 0, 1)) {
		v.Add("identified_on", "cannot be in the future")
	}

	vc := c.Victim
	checkCode(&v, "victim.gender", vc.Sex, Vocab.Sexes)
	checkCode(&v, "victim.age_status", vc.AgeStatus, Vocab.AgeStatuses)
	if vc.AgeAtEncounter != nil && (*vc.AgeAtEncounter < 0 || *vc.AgeAtEncounter > 120) {
		v.Add("victim.age_at_encounter", "must be between 0 and 120")
	}
	if vc.AgeAtEncounter == nil && slices.Contains([]string{"documented", "declared", "estimated"}, vc.AgeStatus) {
		v.Add("victim.age_at_encounter", "is required when the age is documented, declared or estimated")
	}
	checkCode(&v, "victim.disability", vc.Disability, Vocab.Disabilities)
	if vc.Ethnicity != "" && !codePattern.MatchString(vc.Ethnicity) {
		v.Add("victim.ethnicity", "must be a code of letters, digits, dots, dashes or underscores, at most 64")
	}
	if !countryPattern.MatchString(vc.Nationality) {
		v.Add("victim.nationality", "must be an ISO 3166-1 alpha-2 code (XX stateless, ZZ unknown)")
	}
	checkCode(&v, "victim.immigration_status", vc.ImmigrationStatus, Vocab.ImmigrationStatuses)
	checkCode(&v, "victim.socioeconomic_status", vc.SocioeconomicStatus, Vocab.SocioeconomicStatuses)
	if vc.LocationOfIdentification != "" && !codePattern.MatchString(vc.LocationOfIdentification) {
		v.Add("victim.location_of_identification", "must be a region code of letters, digits, dots, dashes or underscores, at most 64")
	}
	if vc.MethodOfRecruitment != "" {
		checkCode(&v, "victim.method_of_recruitment", vc.MethodOfRecruitment, Vocab.RecruitmentMethods)
	}

	if len(c.FormsOfExploitation) > MaxFormsPerCase {
		v.Addf("type_of_exploitation", "must list at most %d forms", MaxFormsPerCase)
	}
	for i, f := range c.FormsOfExploitation {
		checkCode(&v, fieldIndex("type_of_exploitation", i), f, Vocab.FormCodes())
	}
	if len(c.Events) > MaxEvents {
		v.Addf("events", "must have at most %d events", MaxEvents)
	}
	for i, e := range c.Events {
		p := fieldIndex("events", i)
		checkCode(&v, p+".type", e.Type, Vocab.EventTypes)
		if !countryPattern.MatchString(e.Country) {
			v.Add(p+".country", "must be an ISO 3166-1 alpha-2 code")
		}
		if e.Region != "" && !codePattern.MatchString(e.Region) {
			v.Add(p+".region", "must be a region code of letters, digits, dots, dashes or underscores, at most 64")
		}
		for _, d := range []struct {
			name string
			date Date
		}{{"started_on", e.StartedOn}, {"ended_on", e.EndedOn}} {
			if d.date.After(time.Now().AddDate(0, 0, 1)) {
				v.Add(p+"."+d.name, "cannot be in the future")
			}
		}
		if !e.StartedOn.IsZero() && !e.EndedOn.IsZero() && e.EndedOn.Before(e.StartedOn.Time) {
			v.Add(p+".ended_on", "cannot be before started_on")
		}
		if e.FormOfExploitation != "" {
			if e.Type != "exploitation" {
				v.Add(p+".form_of_exploitation", "only an exploitation event has a form of exploitation")
			} else {
				checkCode(&v, p+".form_of_exploitation", e.FormOfExploitation, Vocab.FormCodes())
			}
		}
	}
	return v.Err()
}

func fieldIndex(name string, i int) string {
	return name + "[" + strconv.Itoa(i) + "]"
}

// CaseFilter selects cases. Empty fields do not filter. Listing is ordered
// by id (time-ordered ids) and paged by a cursor so pages stay stable while
// cases are added.
type CaseFilter struct {
	OwnerOrganisationID string
	Status              string
	State               LifecycleState
	Sex                 string
	Nationality         string
	FormOfExploitation  string
	ChildOnly           bool
	EncounteredFrom     Date
	EncounteredTo       Date

	After string // cursor: the id of the last case of the previous page
	Limit int
}

// Validate checks a filter's coded values.
func (f *CaseFilter) Validate() error {
	var v Validation
	if f.Status != "" && f.Status != StatusOpen && f.Status != StatusClosed {
		v.Add("status", "must be open or closed")
	}
	if f.State != "" && !slices.Contains(LifecycleStates, f.State) {
		v.Addf("lifecycle_state", "must be one of %v", LifecycleStates)
	}
	if f.Sex != "" {
		checkCode(&v, "gender", f.Sex, Vocab.Sexes)
	}
	if f.Nationality != "" && !countryPattern.MatchString(f.Nationality) {
		v.Add("nationality", "must be an ISO 3166-1 alpha-2 code")
	}
	if f.FormOfExploitation != "" {
		checkCode(&v, "type_of_exploitation", f.FormOfExploitation, Vocab.FormCodes())
	}
	if f.Limit < 0 || f.Limit > MaxCasePageLimit {
		v.Addf("limit", "must be between 1 and %d", MaxCasePageLimit)
	}
	if f.After != "" && !codePattern.MatchString(f.After) {
		v.Add("after", "is not a valid cursor")
	}
	return v.Err()
}

// CaseUpdate changes a case. Nil fields stay as they are. Version must be
// the version the client read: a stale one is a conflict and changes nothing.
type CaseUpdate struct {
	Version             int             `json:"version"`
	Status              *string         `json:"status,omitempty"`
	State               *LifecycleState `json:"lifecycle_state,omitempty"`
	ClosureReason       *string         `json:"reason_for_case_closure,omitempty"`
	EncounteredOn       *Date           `json:"encountered_on,omitempty"`
	IdentifiedOn        *Date           `json:"identified_on,omitempty"`
	Victim              *VictimContext  `json:"victim,omitempty"`
	FormsOfExploitation *[]string       `json:"type_of_exploitation,omitempty"`
	Events              *[]Event        `json:"events,omitempty"`
}

// Apply copies the update's set fields onto c.
func (u *CaseUpdate) Apply(c *Case) {
	if u.Status != nil {
		c.Status = *u.Status
	}
	if u.State != nil {
		c.State = *u.State
	}
	if u.ClosureReason != nil {
		c.ClosureReason = *u.ClosureReason
	}
	if u.EncounteredOn != nil {
		c.EncounteredOn = *u.EncounteredOn
	}
	if u.IdentifiedOn != nil {
		c.IdentifiedOn = *u.IdentifiedOn
	}
	if u.Victim != nil {
		c.Victim = *u.Victim
	}
	if u.FormsOfExploitation != nil {
		c.FormsOfExploitation = *u.FormsOfExploitation
	}
	if u.Events != nil {
		c.Events = *u.Events
	}
}

// Note is a case note. Its body is a free-text narrative and is stored
// encrypted.
type Note struct {
	ID        string    `json:"id"`
	CaseID    string    `json:"case_id"`
	AuthorID  string    `json:"author_id"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

// Validate checks a note.
func (n *Note) Validate() error {
	var v Validation
	if strings.TrimSpace(n.Body) == "" {
		v.Add("body", "is required")
	} else if len(n.Body) > MaxNoteLength {
		v.Addf("body", "must be at most %d bytes", MaxNoteLength)
	}
	return v.Err()
}

// CaseService stores cases and their notes. Callers decide access through
// the policy before they call it.
type CaseService interface {
	CreateCase(ctx context.Context, c *Case, p *Person) error
	FindCaseByID(ctx context.Context, id string) (*Case, error)
	FindCases(ctx context.Context, f CaseFilter) (cases []*Case, next string, err error)
	UpdateCase(ctx context.Context, id string, u CaseUpdate) (*Case, error)
	FindPersonByCaseID(ctx context.Context, caseID string) (*Person, error)
	AddNote(ctx context.Context, n *Note) error
	ListNotes(ctx context.Context, caseID string) ([]*Note, error)
}
