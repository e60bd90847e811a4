package demo

import (
	"embed"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/lifecycle"
)

// The demo's world, its case rules, names and notes are data, so that
// someone who knows the field can make them more plausible without reading
// Go (STYLE.md §9).
//
//go:embed data/*.yaml
var dataFiles embed.FS

// world is data/world.yaml: the fictional country, its agencies and the
// demo's staff accounts.
type world struct {
	Country struct {
		Name string `yaml:"name"`
		Code string `yaml:"code"`
	} `yaml:"country"`
	ReferenceDate       string         `yaml:"reference_date"`
	ReferenceJitterDays int            `yaml:"reference_jitter_days"`
	HistoryDays         int            `yaml:"history_days"`
	Regions             []regionSpec   `yaml:"regions"`
	Organisations       []orgSpec      `yaml:"organisations"`
	Accounts            []accountSpec  `yaml:"accounts"`
	PasswordWords       []string       `yaml:"password_words"`
	referenceDate       time.Time      // parsed ReferenceDate
	orgByKey            map[string]int // index into Organisations
}

type regionSpec struct {
	Code   string  `yaml:"code"`
	Weight float64 `yaml:"weight"`
}

type orgSpec struct {
	Key    string       `yaml:"key"`
	Name   string       `yaml:"name"`
	Sector haven.Sector `yaml:"sector"`
	// Cases is set for the care organisations that own cases.
	Cases *struct {
		Share       float64  `yaml:"share"`
		Creator     string   `yaml:"creator"`
		Forms       []string `yaml:"forms"`
		ChildWeight float64  `yaml:"child_weight"`
	} `yaml:"cases"`
}

type accountSpec struct {
	Username     string     `yaml:"username"`
	Role         haven.Role `yaml:"role"`
	Organisation string     `yaml:"organisation"`
	DisplayName  string     `yaml:"display_name"`
}

// caseRules is data/cases.yaml: the distributions cases are drawn from.
type caseRules struct {
	States                []stateSpec        `yaml:"states"`
	StalledMaxDays        int                `yaml:"stalled_max_days"`
	ClosureReasons        []reasonSpec       `yaml:"closure_reasons"`
	ExploitationMonths    logNormal          `yaml:"exploitation_months"`
	TransitDays           span               `yaml:"transit_days"`
	RecruitmentLeadDays   span               `yaml:"recruitment_lead_days"`
	ReturnDays            span               `yaml:"return_days"`
	OtherSexes            weights            `yaml:"other_sexes"`
	AgeStatuses           weights            `yaml:"age_statuses"`
	DisputedWithoutAge    float64            `yaml:"disputed_without_age"`
	Disabilities          weights            `yaml:"disabilities"`
	SocioeconomicStatuses weights            `yaml:"socioeconomic_statuses"`
	ImmigrationProfiles   map[string]weights `yaml:"immigration_profiles"`
	Shares                shares             `yaml:"shares"`
	PhonePattern          string             `yaml:"phone_pattern"`
	Forms                 []formSpec         `yaml:"forms"`
	Corridors             []corridorSpec     `yaml:"corridors"`
	formByCode            map[string]int     // index into Forms
}

type stateSpec struct {
	State   haven.LifecycleState `yaml:"state"`
	Weight  float64              `yaml:"weight"`
	DaysAgo span                 `yaml:"days_ago"`
	Stalled float64              `yaml:"stalled"`
}

type reasonSpec struct {
	Reason      string  `yaml:"reason"`
	Weight      float64 `yaml:"weight"`
	DaysAgo     span    `yaml:"days_ago"`
	ForeignOnly bool    `yaml:"foreign_only"`
}

// historyRules is data/history.yaml: how each case's steps through the
// lifecycle are drawn.
type historyRules struct {
	ScreeningAfter              durations `yaml:"screening_after"`
	ReferralAfter               durations `yaml:"referral_after"`
	ConsentBefore               durations `yaml:"consent_before"`
	ConsentMethods              weights   `yaml:"consent_methods"`
	ChildViews                  weights   `yaml:"child_views"`
	ReasonableGrounds           timed     `yaml:"reasonable_grounds"`
	ReflectionStartAfter        durations `yaml:"reflection_start_after"`
	ConclusiveAfter             durations `yaml:"conclusive_after"`
	AssistanceAfter             durations `yaml:"assistance_after"`
	NegativeAtReasonableGrounds float64   `yaml:"negative_at_reasonable_grounds"`
	Overturned                  float64   `yaml:"overturned"`
	Review                      timed     `yaml:"review"`
	ReviewStillOpen             float64   `yaml:"review_still_open"`
	Reconsideration             float64   `yaml:"reconsideration"`
	ReconsiderationAfter        durations `yaml:"reconsideration_after"`
	ReconsiderationReasons      []string  `yaml:"reconsideration_reasons"`
	Guardian                    timed     `yaml:"guardian"`
	GuardianNotYet              float64   `yaml:"guardian_not_yet"`
	BestInterestsAfter          durations `yaml:"best_interests_after"`
	IntegratedAfter             durations `yaml:"integrated_after"`
	ReturnedAfter               durations `yaml:"returned_after"`
	StoppedAfter                durations `yaml:"stopped_after"`
	TransferredFrom             weights   `yaml:"transferred_from"`
	WithdrawnFrom               weights   `yaml:"withdrawn_from"`
	ReturnWishBefore            durations `yaml:"return_wish_before"`
	RiskAssessmentBefore        durations `yaml:"risk_assessment_before"`
	ReintegrationPlanBefore     durations `yaml:"reintegration_plan_before"`
	Missing                     float64   `yaml:"missing"`
	MissingAfter                durations `yaml:"missing_after"`
	NoteAfter                   durations `yaml:"note_after"`
	DecisionTeam                struct {
		Chair   string   `yaml:"chair"`
		Members []string `yaml:"members"`
		Size    span     `yaml:"size"`
	} `yaml:"decision_team"`
	ReviewPanel struct {
		Members []string `yaml:"members"`
		Size    span     `yaml:"size"`
	} `yaml:"review_panel"`
	DecisionReasons  map[lifecycle.Event][]string `yaml:"decision_reasons"`
	DecisionEvidence []string                     `yaml:"decision_evidence"`
	NonPunishment    struct {
		Shares            weights             `yaml:"shares"`
		DecidedAfter      durations           `yaml:"decided_after"`
		RecordedAfter     durations           `yaml:"recorded_after"`
		DecidedBy         []string            `yaml:"decided_by"`
		NationalProvision string              `yaml:"national_provision"`
		Jurisdiction      string              `yaml:"jurisdiction"`
		RecordPattern     string              `yaml:"record_pattern"`
		Offences          map[string][]string `yaml:"offences"`
	} `yaml:"non_punishment"`
}

// timed is a step with a time limit: the share taken within the limit, and
// how long after the limit starts it comes when in time and when late.
type timed struct {
	InTime      float64   `yaml:"in_time"`
	InTimeAfter durations `yaml:"in_time_after"`
	LateAfter   durations `yaml:"late_after"`
}

// fits tells whether what t calls in time is within limit and what it
// calls late is not (a step at exactly the limit is late, as the inbox
// judges it).
func (t timed) fits(limit time.Duration) bool {
	return t.InTime >= 0 && t.InTime <= 1 && t.InTimeAfter.valid() && t.LateAfter.valid() &&
		t.InTimeAfter.hi() < limit && t.LateAfter.lo() >= limit
}

// durations is a range [low, high] of times, written like the limits of
// lifecycle/limits.yaml: [36h, 30d].
type durations []time.Duration

func (d *durations) UnmarshalYAML(n *yaml.Node) error {
	var raw []string
	if err := n.Decode(&raw); err != nil {
		return err
	}
	if len(raw) != 2 {
		return fmt.Errorf("line %d: want [low, high]", n.Line)
	}
	*d = make(durations, 2)
	for i, x := range raw {
		v, err := lifecycle.ParseDuration(x)
		if err != nil {
			return fmt.Errorf("line %d: %q %v", n.Line, x, err)
		}
		(*d)[i] = v
	}
	return nil
}

func (d durations) valid() bool       { return len(d) == 2 && 0 <= d[0] && d[0] <= d[1] && d[1] > 0 }
func (d durations) lo() time.Duration { return d[0] }
func (d durations) hi() time.Duration { return d[1] }

type logNormal struct {
	Median float64 `yaml:"median"`
	Sigma  float64 `yaml:"sigma"`
	Min    float64 `yaml:"min"`
	Max    float64 `yaml:"max"`
}

type shares struct {
	Identity                 float64 `yaml:"identity"`
	DateOfBirth              float64 `yaml:"date_of_birth"`
	Document                 float64 `yaml:"document"`
	Contact                  float64 `yaml:"contact"`
	RecruitmentMethod        float64 `yaml:"recruitment_method"`
	RecruitmentEvent         float64 `yaml:"recruitment_event"`
	TransitEvent             float64 `yaml:"transit_event"`
	SecondForm               float64 `yaml:"second_form"`
	IdentifiedWhereExploited float64 `yaml:"identified_where_exploited"`
	Notes                    float64 `yaml:"notes"`
	SecondNote               float64 `yaml:"second_note"`
}

type formSpec struct {
	Code        string   `yaml:"code"`
	Words       string   `yaml:"words"`
	Female      float64  `yaml:"female"`
	Child       float64  `yaml:"child"`
	ChildAges   span     `yaml:"child_ages"`
	AdultAges   span     `yaml:"adult_ages"`
	OftenWith   []string `yaml:"often_with"`
	Recruitment weights  `yaml:"recruitment"`
}

// onlyChildren, onlyAdults and onlyFemale say which persons a form can be
// drawn for.
func (f *formSpec) onlyChildren() bool { return f.Child >= 1 }
func (f *formSpec) onlyAdults() bool   { return f.Child <= 0 }
func (f *formSpec) onlyFemale() bool   { return f.Female >= 1 }

type corridorSpec struct {
	Key         string   `yaml:"key"`
	Nationality string   `yaml:"nationality"`
	Origin      string   `yaml:"origin"`
	Weight      float64  `yaml:"weight"`
	Names       string   `yaml:"names"`
	Document    string   `yaml:"document"`
	Transit     []string `yaml:"transit"`
	Immigration string   `yaml:"immigration"`
	ExploitedIn weights  `yaml:"exploited_in"`
	Forms       weights  `yaml:"forms"`
}

// nameList is one region's entry in data/names.yaml.
type nameList struct {
	Female []string `yaml:"female"`
	Male   []string `yaml:"male"`
	Family []string `yaml:"family"`
}

// noteSpec is one entry of data/notes.yaml.
type noteSpec struct {
	Kind string `yaml:"kind"`
	// After lists the events the note follows: it is written after the
	// first of them in the case's history.
	After   []lifecycle.Event      `yaml:"after"`
	Author  string                 `yaml:"author"`
	States  []haven.LifecycleState `yaml:"states"`
	Reasons []string               `yaml:"reasons"`
	Owners  []string               `yaml:"owners"`
	Child   bool                   `yaml:"child"`
	Texts   []string               `yaml:"texts"`
}

// Note authors: the owner organisation's staff member, or the competent body.
const (
	authorOwner         = "owner"
	authorCompetentBody = "competent_body"
)

// home stands for the demo's own country in cases.yaml.
const home = "home"

// noOrigin marks a corridor whose country of recruitment is not known.
const noOrigin = "none"

// data is everything the demo draws from, loaded and checked once.
type data struct {
	world   *world
	rules   *caseRules
	history *historyRules
	names   map[string]nameList
	notes   []noteSpec
}

// loadData loads the embedded data once; it does not change while Haven runs.
var loadData = sync.OnceValues(loadDataUncached)

func loadDataUncached() (*data, error) {
	var d data
	d.world = new(world)
	d.rules = new(caseRules)
	d.history = new(historyRules)
	for _, f := range []struct {
		name string
		into any
	}{
		{"data/world.yaml", d.world},
		{"data/cases.yaml", d.rules},
		{"data/history.yaml", d.history},
		{"data/names.yaml", &d.names},
		{"data/notes.yaml", &d.notes},
	} {
		b, err := dataFiles.ReadFile(f.name)
		if err != nil {
			return nil, fmt.Errorf("load demo data: %w", err)
		}
		dec := yaml.NewDecoder(strings.NewReader(string(b)))
		dec.KnownFields(true) // a misspelt key must not silently become a zero
		if err := dec.Decode(f.into); err != nil {
			return nil, fmt.Errorf("load demo data: %s: %w", f.name, err)
		}
	}
	if err := d.check(); err != nil {
		return nil, fmt.Errorf("load demo data: %w", err)
	}
	return &d, nil
}

var countryCode = regexp.MustCompile(`^[A-Z]{2}$`)

// check validates the data against Haven's vocabulary and itself, so that
// a bad edit fails at once with the file and entry at fault instead of as a
// validation error on the hundredth case. It also fills the parsed date
// and the indexes the drawer looks things up by.
func (d *data) check() error {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	v := haven.Vocab
	w, r := d.world, d.rules

	// world.yaml
	if !countryCode.MatchString(w.Country.Code) || w.Country.Name == "" {
		bad("world.yaml: country needs a name and a two-letter code")
	}
	ref, err := haven.ParseDate(w.ReferenceDate)
	if err != nil {
		bad("world.yaml: reference_date must be YYYY-MM-DD")
	}
	w.referenceDate = ref.Time
	if w.ReferenceJitterDays < 0 || w.HistoryDays < 365 {
		bad("world.yaml: reference_jitter_days must be ≥ 0 and history_days ≥ 365")
	}
	if len(w.Regions) == 0 {
		bad("world.yaml: no regions")
	}
	for _, rg := range w.Regions {
		if rg.Code == "" || rg.Weight <= 0 {
			bad("world.yaml: region %q needs a code and a positive weight", rg.Code)
		}
	}
	w.orgByKey = map[string]int{}
	for i, o := range w.Organisations {
		if _, dup := w.orgByKey[o.Key]; dup || o.Key == "" {
			bad("world.yaml: organisation key %q is empty or repeated", o.Key)
		}
		w.orgByKey[o.Key] = i
		org := haven.Organisation{Name: o.Name, Sector: o.Sector}
		if err := org.Validate(); err != nil {
			bad("world.yaml: organisation %s: %v", o.Key, err)
		}
	}
	accountOrg := map[string]string{}
	roleAccount := map[haven.Role]bool{}
	for _, a := range w.Accounts {
		if _, ok := w.orgByKey[a.Organisation]; !ok {
			bad("world.yaml: account %s: no organisation %q", a.Username, a.Organisation)
		}
		u := haven.User{Username: a.Username, DisplayName: a.DisplayName, Role: a.Role, OrganisationID: a.Organisation}
		if err := u.Validate(); err != nil {
			bad("world.yaml: account %s: %v", a.Username, err)
		}
		if _, dup := accountOrg[a.Username]; dup {
			bad("world.yaml: account %s is listed twice", a.Username)
		}
		accountOrg[a.Username] = a.Organisation
		if a.Username == roleUsername(a.Role) {
			roleAccount[a.Role] = true
		}
	}
	for _, role := range haven.Roles {
		if !roleAccount[role] {
			bad("world.yaml: no account %s for role %s", roleUsername(role), role)
		}
	}
	owners := 0
	for _, o := range w.Organisations {
		if o.Cases == nil {
			continue
		}
		owners++
		if o.Cases.Share <= 0 || o.Cases.ChildWeight <= 0 {
			bad("world.yaml: organisation %s: cases need a positive share and child_weight", o.Key)
		}
		if accountOrg[o.Cases.Creator] != o.Key {
			bad("world.yaml: organisation %s: creator %q is not one of its accounts", o.Key, o.Cases.Creator)
		}
		for _, f := range o.Cases.Forms {
			if !slices.Contains(v.FormCodes(), f) {
				bad("world.yaml: organisation %s: unknown form %q", o.Key, f)
			}
		}
	}
	if owners == 0 {
		bad("world.yaml: no organisation owns cases")
	}
	if len(w.PasswordWords) < 16 {
		bad("world.yaml: password_words needs at least 16 words")
	}
	for _, word := range w.PasswordWords {
		if len(word) < 4 {
			bad("world.yaml: password word %q is shorter than 4 letters", word)
		}
	}

	// cases.yaml
	var states []haven.LifecycleState
	for _, s := range r.States {
		states = append(states, s.State)
		if s.Weight <= 0 || s.Stalled < 0 || s.Stalled > 1 {
			bad("cases.yaml: state %s needs a positive weight and a stalled share in [0, 1]", s.State)
		}
		if s.State == haven.StateClosed {
			continue // closed cases take their dates from their closure reason
		}
		if !s.DaysAgo.valid() || s.DaysAgo.hi() > w.HistoryDays {
			bad("cases.yaml: state %s: days_ago must be [low, high] within history_days", s.State)
		}
	}
	if !sameSet(states, haven.LifecycleStates) {
		bad("cases.yaml: states must list each lifecycle state once: %v", haven.LifecycleStates)
	}
	var reasons []string
	for _, cr := range r.ClosureReasons {
		reasons = append(reasons, cr.Reason)
		if cr.Weight <= 0 || !cr.DaysAgo.valid() || cr.DaysAgo.hi() > w.HistoryDays {
			bad("cases.yaml: closure reason %s needs a positive weight and days_ago within history_days", cr.Reason)
		}
	}
	if !sameSet(reasons, v.ClosureReasons) {
		bad("cases.yaml: closure_reasons must list each closure reason once: %v", v.ClosureReasons)
	}
	if r.StalledMaxDays > w.HistoryDays {
		bad("cases.yaml: stalled_max_days is beyond history_days")
	}
	for name, s := range map[string]span{
		"transit_days": r.TransitDays, "recruitment_lead_days": r.RecruitmentLeadDays, "return_days": r.ReturnDays,
	} {
		if !s.valid() {
			bad("cases.yaml: %s must be [low, high] with 0 ≤ low ≤ high", name)
		}
	}
	if m := r.ExploitationMonths; m.Median <= 0 || m.Sigma < 0 || m.Min <= 0 || m.Max < m.Min {
		bad("cases.yaml: exploitation_months is not a valid log-normal")
	}
	checkWeights := func(name string, ws weights, allowed []string) {
		if len(ws) == 0 {
			bad("cases.yaml: %s is empty", name)
		}
		for _, x := range ws {
			if !slices.Contains(allowed, x.code) || x.weight < 0 {
				bad("cases.yaml: %s: %q is not one of %v or has a negative weight", name, x.code, allowed)
			}
		}
	}
	checkWeights("other_sexes", r.OtherSexes, []string{"other", "unknown"})
	checkWeights("age_statuses", r.AgeStatuses, v.AgeStatuses)
	checkWeights("disabilities", r.Disabilities, v.Disabilities)
	checkWeights("socioeconomic_statuses", r.SocioeconomicStatuses, v.SocioeconomicStatuses)
	for _, name := range sortedKeys(r.ImmigrationProfiles) {
		checkWeights("immigration_profiles."+name, r.ImmigrationProfiles[name], v.ImmigrationStatuses)
	}
	for _, p := range []float64{r.DisputedWithoutAge, r.Shares.Identity, r.Shares.DateOfBirth, r.Shares.Document,
		r.Shares.Contact, r.Shares.RecruitmentMethod, r.Shares.RecruitmentEvent, r.Shares.TransitEvent,
		r.Shares.SecondForm, r.Shares.IdentifiedWhereExploited, r.Shares.Notes, r.Shares.SecondNote} {
		if p < 0 || p > 1 || math.IsNaN(p) {
			bad("cases.yaml: shares must be between 0 and 1")
			break
		}
	}
	r.formByCode = map[string]int{}
	var forms []string
	for i, f := range r.Forms {
		forms = append(forms, f.Code)
		r.formByCode[f.Code] = i
		if f.Female < 0 || f.Female > 1 || f.Child < 0 || f.Child > 1 || f.Words == "" {
			bad("cases.yaml: form %s needs words and female and child shares in [0, 1]", f.Code)
		}
		if !f.onlyAdults() && (!f.ChildAges.valid() || f.ChildAges.hi() > 17) {
			bad("cases.yaml: form %s: child_ages must be [low, high] below 18", f.Code)
		}
		if !f.onlyChildren() && (!f.AdultAges.valid() || f.AdultAges.lo() < 18 || f.AdultAges.hi() > 120) {
			bad("cases.yaml: form %s: adult_ages must be [low, high] from 18", f.Code)
		}
		checkWeights("forms."+f.Code+".recruitment", f.Recruitment, v.RecruitmentMethods)
	}
	if !sameSet(forms, v.FormCodes()) {
		bad("cases.yaml: forms must list each form of exploitation once: %v", v.FormCodes())
	}
	for _, f := range r.Forms {
		for _, o := range f.OftenWith {
			if _, ok := r.formByCode[o]; !ok || o == f.Code {
				bad("cases.yaml: form %s: often_with %q is not another form", f.Code, o)
			}
		}
	}
	drawn := map[string]bool{}
	for _, c := range r.Corridors {
		if c.Weight <= 0 || (c.Nationality != home && !countryCode.MatchString(c.Nationality)) {
			bad("cases.yaml: corridor %s needs a positive weight and a nationality (a code or %q)", c.Key, home)
		}
		if c.Origin != "" && c.Origin != home && c.Origin != noOrigin && !countryCode.MatchString(c.Origin) {
			bad("cases.yaml: corridor %s: origin must be a country code, %q or %q", c.Key, home, noOrigin)
		}
		if _, ok := d.names[c.Names]; c.Names != "" && !ok {
			bad("cases.yaml: corridor %s: no name list %q in names.yaml", c.Key, c.Names)
		}
		if _, ok := r.ImmigrationProfiles[c.Immigration]; !ok {
			bad("cases.yaml: corridor %s: no immigration profile %q", c.Key, c.Immigration)
		}
		for _, t := range c.Transit {
			if !countryCode.MatchString(t) {
				bad("cases.yaml: corridor %s: transit %q is not a country code", c.Key, t)
			}
		}
		for _, e := range c.ExploitedIn {
			if !countryCode.MatchString(e.code) || e.weight <= 0 {
				bad("cases.yaml: corridor %s: exploited_in %q is not a country code with a positive weight", c.Key, e.code)
			}
		}
		checkWeights("corridors."+c.Key+".forms", c.Forms, v.FormCodes())
		for _, f := range c.Forms {
			if f.weight > 0 {
				drawn[f.code] = true
			}
		}
	}
	for _, f := range v.FormCodes() {
		if !drawn[f] {
			bad("cases.yaml: no corridor draws form %s", f)
		}
	}
	if err := checkPattern(r.PhonePattern); err != nil || r.PhonePattern == "" {
		bad("cases.yaml: phone_pattern must be a single line")
	}

	// names.yaml
	for _, region := range sortedKeys(d.names) {
		n := d.names[region]
		if len(n.Female) == 0 || len(n.Male) == 0 || len(n.Family) == 0 {
			bad("names.yaml: %s needs female, male and family names", region)
		}
	}

	// notes.yaml
	for i, n := range d.notes {
		if n.Author != authorOwner && n.Author != authorCompetentBody {
			bad("notes.yaml: entry %d: author must be %s or %s", i+1, authorOwner, authorCompetentBody)
		}
		for _, s := range n.States {
			if !slices.Contains(haven.LifecycleStates, s) {
				bad("notes.yaml: entry %d: unknown state %q", i+1, s)
			}
		}
		for _, o := range n.Owners {
			if j, ok := w.orgByKey[o]; !ok || w.Organisations[j].Cases == nil {
				bad("notes.yaml: entry %d: %q is not an organisation that owns cases", i+1, o)
			}
		}
		for _, cr := range n.Reasons {
			if !slices.Contains(v.ClosureReasons, cr) {
				bad("notes.yaml: entry %d: unknown closure reason %q", i+1, cr)
			}
		}
		for _, e := range n.After {
			if !slices.Contains(lifecycle.Events(), e) {
				bad("notes.yaml: entry %d: after: unknown event %q", i+1, e)
			}
		}
		if len(n.Texts) == 0 || n.Kind == "" || len(n.States) == 0 {
			bad("notes.yaml: entry %d needs a kind, states and texts", i+1)
		}
		for _, t := range n.Texts {
			if err := (&haven.Note{Body: t}).Validate(); err != nil {
				bad("notes.yaml: entry %d: %v", i+1, err)
			}
		}
	}
	d.checkHistory(bad)
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

// checkPattern tells whether a document or phone pattern fills a valid
// single-line person field.
func checkPattern(p string) error {
	return (&haven.Person{DocumentNumber: p}).Validate()
}

func sameSet[T comparable](got, want []T) bool {
	if len(got) != len(want) {
		return false
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			return false
		}
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// span is a closed range [low, high] of whole numbers, written [low, high].
type span []int

func (s span) valid() bool { return len(s) == 2 && 0 <= s[0] && s[0] <= s[1] }
func (s span) lo() int     { return s[0] }
func (s span) hi() int     { return s[1] }

// weights is a YAML mapping of code to weight that keeps the file's order:
// Go maps iterate in random order, and the same seed must draw the same
// codes.
type weights []weighted

type weighted struct {
	code   string
	weight float64
}

func (w *weights) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: want a mapping of code to weight", n.Line)
	}
	*w = nil
	for i := 0; i+1 < len(n.Content); i += 2 {
		var x float64
		if err := n.Content[i+1].Decode(&x); err != nil {
			return err
		}
		*w = append(*w, weighted{code: n.Content[i].Value, weight: x})
	}
	return nil
}

// get returns the weight of code, zero if it is not listed.
func (w weights) get(code string) float64 {
	for _, x := range w {
		if x.code == code {
			return x.weight
		}
	}
	return 0
}

func (w weights) total() float64 {
	var t float64
	for _, x := range w {
		t += x.weight
	}
	return t
}

// checkHistory validates history.yaml against the lifecycle's default
// limits, the accounts of world.yaml and Haven's vocabulary.
func (d *data) checkHistory(bad func(format string, args ...any)) {
	h, cfg := d.history, lifecycle.DefaultConfig()
	for name, x := range map[string]durations{
		"screening_after": h.ScreeningAfter, "referral_after": h.ReferralAfter, "consent_before": h.ConsentBefore,
		"reflection_start_after": h.ReflectionStartAfter, "conclusive_after": h.ConclusiveAfter,
		"assistance_after": h.AssistanceAfter, "reconsideration_after": h.ReconsiderationAfter,
		"best_interests_after": h.BestInterestsAfter, "integrated_after": h.IntegratedAfter,
		"returned_after": h.ReturnedAfter, "stopped_after": h.StoppedAfter, "return_wish_before": h.ReturnWishBefore,
		"risk_assessment_before": h.RiskAssessmentBefore, "reintegration_plan_before": h.ReintegrationPlanBefore,
		"missing_after": h.MissingAfter, "note_after": h.NoteAfter,
		"non_punishment.decided_after": h.NonPunishment.DecidedAfter, "non_punishment.recorded_after": h.NonPunishment.RecordedAfter,
	} {
		if !x.valid() {
			bad("history.yaml: %s must be [low, high] with 0 ≤ low ≤ high and high > 0", name)
		}
	}
	for name, t := range map[string]struct {
		timed
		limit time.Duration
	}{
		"reasonable_grounds": {h.ReasonableGrounds, cfg.ReasonableGroundsWithin},
		"review":             {h.Review, cfg.ReviewWithin},
		"guardian":           {h.Guardian, cfg.GuardianWithin},
	} {
		if !t.fits(t.limit) {
			bad("history.yaml: %s: in_time_after must end before the limit of %s and late_after start at it or later",
				name, lifecycle.FormatDuration(t.limit))
		}
	}
	for _, p := range []float64{h.NegativeAtReasonableGrounds, h.Overturned, h.ReviewStillOpen, h.Reconsideration,
		h.GuardianNotYet, h.Missing} {
		if p < 0 || p > 1 || math.IsNaN(p) {
			bad("history.yaml: shares must be between 0 and 1")
			break
		}
	}
	checkCodes := func(name string, ws weights, allowed []string) {
		if len(ws) == 0 || ws.total() <= 0 {
			bad("history.yaml: %s is empty", name)
		}
		for _, x := range ws {
			if !slices.Contains(allowed, x.code) || x.weight < 0 {
				bad("history.yaml: %s: %q is not one of %v or has a negative weight", name, x.code, allowed)
			}
		}
	}
	checkCodes("consent_methods", h.ConsentMethods, haven.ConsentMethods)
	checkCodes("child_views", h.ChildViews, haven.ChildViews)
	// A case stops before its closure in a state the history can reach
	// and leave: a case under review is transferred only once the panel
	// has decided, which the history then draws.
	var stops []string
	for _, s := range haven.LifecycleStates {
		if s != haven.StateClosed {
			stops = append(stops, string(s))
		}
	}
	checkCodes("transferred_from", h.TransferredFrom, stops)
	checkCodes("withdrawn_from", h.WithdrawnFrom, stops)

	// The teams: accounts of world.yaml, a chair of the competent body, and
	// panels that stay valid without any member of the decision team.
	account := map[string]accountSpec{}
	for _, a := range d.world.Accounts {
		account[a.Username] = a
	}
	sector := func(username string) haven.Sector {
		if j, ok := d.world.orgByKey[account[username].Organisation]; ok {
			return d.world.Organisations[j].Sector
		}
		return ""
	}
	dt, rp := h.DecisionTeam, h.ReviewPanel
	if account[dt.Chair].Role != haven.RoleCompetentBody {
		bad("history.yaml: decision_team.chair %q is not an account of role competent_body", dt.Chair)
	}
	for _, m := range append(slices.Clone(dt.Members), rp.Members...) {
		if _, ok := account[m]; !ok {
			bad("history.yaml: team member %q is not an account of world.yaml", m)
		}
	}
	for _, m := range dt.Members {
		if sector(m) == sector(dt.Chair) || m == roleUsername(haven.RoleGuardian) {
			bad("history.yaml: decision_team member %q is of the chair's sector, or the guardian, who joins for a child", m)
		}
	}
	if !dt.Size.valid() || dt.Size.lo() < 1 || dt.Size.hi() > len(dt.Members) {
		bad("history.yaml: decision_team.size must be [low, high] with 1 ≤ low and high at most the members")
	}
	independent := map[haven.Sector]bool{}
	enforcementOnly := true
	for _, m := range rp.Members {
		if m == dt.Chair || slices.Contains(dt.Members, m) || m == roleUsername(haven.RoleGuardian) {
			continue
		}
		independent[sector(m)] = true
		a := account[m]
		enforcementOnly = enforcementOnly && lifecycle.Member{Role: a.Role, Sector: sector(m)}.Enforcement()
	}
	if len(independent) < 2 || enforcementOnly {
		bad("history.yaml: review_panel needs members of two sectors, not all of law enforcement or immigration, outside decision_team")
	}
	if !rp.Size.valid() || rp.Size.lo() < 2 || rp.Size.hi() > len(rp.Members) {
		bad("history.yaml: review_panel.size must be [low, high] with 2 ≤ low and high at most the members")
	}

	// What decisions and requests record.
	for _, e := range []lifecycle.Event{lifecycle.ReasonableGroundsPositive, lifecycle.ReasonableGroundsNegative,
		lifecycle.ConclusivePositive, lifecycle.ConclusiveNegative, lifecycle.ReviewUpheld,
		lifecycle.ReviewOverturnedReasonableGrounds, lifecycle.ReviewOverturnedConclusive} {
		if len(h.DecisionReasons[e]) == 0 {
			bad("history.yaml: decision_reasons has no reasons for %s", e)
		}
	}
	for _, e := range slices.Sorted(maps.Keys(h.DecisionReasons)) {
		if rowDecision(e) == "" {
			bad("history.yaml: decision_reasons: %s is not an event that takes a decision record", e)
		}
		for _, t := range h.DecisionReasons[e] {
			if err := (&haven.Note{Body: t}).Validate(); err != nil {
				bad("history.yaml: decision_reasons.%s: %v", e, err)
			}
		}
	}
	if len(h.DecisionEvidence) == 0 {
		bad("history.yaml: decision_evidence is empty")
	}
	for _, e := range h.DecisionEvidence {
		if strings.TrimSpace(e) == "" || len(e) > lifecycle.MaxEvidenceLength {
			bad("history.yaml: decision_evidence %q must be 1 to %d characters", e, lifecycle.MaxEvidenceLength)
		}
	}
	if len(h.ReconsiderationReasons) == 0 {
		bad("history.yaml: reconsideration_reasons is empty")
	}
	for _, t := range h.ReconsiderationReasons {
		if err := (&haven.Note{Body: t}).Validate(); err != nil {
			bad("history.yaml: reconsideration_reasons: %v", err)
		}
	}

	// Non-punishment findings: every form with a share has offences, and
	// a finding written with the longest texts is valid.
	np := h.NonPunishment
	for _, x := range np.Shares {
		if !slices.Contains(haven.Vocab.FormCodes(), x.code) || x.weight < 0 || x.weight > 1 {
			bad("history.yaml: non_punishment.shares: %q is not a form of exploitation with a share in [0, 1]", x.code)
		}
		if x.weight > 0 && len(np.Offences[x.code]) == 0 {
			bad("history.yaml: non_punishment.offences has none for %s", x.code)
		}
	}
	for _, form := range sortedKeys(np.Offences) {
		if !slices.Contains(haven.Vocab.FormCodes(), form) {
			bad("history.yaml: non_punishment.offences: %q is not a form of exploitation", form)
		}
	}
	if len(np.DecidedBy) == 0 {
		bad("history.yaml: non_punishment.decided_by is empty")
	}
	today := haven.DateOf(time.Now())
	f := haven.NonPunishmentFinding{DecidedOn: today, NationalProvision: np.NationalProvision}
	longest := func(texts []string) string {
		out := ""
		for _, t := range texts {
			if len(t) > len(out) {
				out = t
			}
		}
		return strings.ReplaceAll(out, "{region}", "R-00")
	}
	f.DecidedBy = longest(np.DecidedBy)
	for _, form := range sortedKeys(np.Offences) {
		f.Offences = append(f.Offences, haven.Offence{Description: longest(np.Offences[form]),
			Jurisdiction: longest([]string{np.Jurisdiction}), Date: today, RecordNumber: np.RecordPattern})
	}
	if err := f.Validate(time.Now()); err != nil || strings.ContainsAny(np.RecordPattern, "\n\r") {
		bad("history.yaml: non_punishment does not make a valid finding: %v", err)
	}

	// The longest history must fit in the demo's years, or some cases
	// would be encountered before them.
	longestPath := h.ScreeningAfter.hi() + h.ReferralAfter.hi() + h.Guardian.LateAfter.hi() +
		h.ReasonableGrounds.LateAfter.hi() + 2*h.Review.LateAfter.hi() + h.ReflectionStartAfter.hi() +
		max(h.ConclusiveAfter.hi(), reflectionPeriod(cfg)) + h.AssistanceAfter.hi() + h.BestInterestsAfter.hi() +
		max(h.IntegratedAfter.lo(), h.ReturnedAfter.lo(), h.StoppedAfter.lo())
	if longestPath >= time.Duration(d.world.HistoryDays)*24*time.Hour {
		bad("history.yaml: the longest history, %s, does not fit in world.yaml's history_days", lifecycle.FormatDuration(longestPath))
	}
}

// reflectionPeriod is the length of the reflection and recovery period a
// reasonable-grounds decision grants under cfg, never below the minimum.
func reflectionPeriod(cfg lifecycle.Config) time.Duration {
	return time.Duration(max(cfg.ReflectionDays, lifecycle.MinReflectionDays)) * 24 * time.Hour
}

// rowDecision is the kind of decision record an event takes, "" if none.
func rowDecision(e lifecycle.Event) lifecycle.DecisionKind {
	for _, t := range lifecycle.Transitions() {
		if t.Event == e {
			return t.Decision
		}
	}
	return ""
}
