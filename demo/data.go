package demo

import (
	"embed"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/haven-nrm/haven"
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
	IdentificationDelay   span               `yaml:"identification_delay_days"`
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
	State      haven.LifecycleState `yaml:"state"`
	Weight     float64              `yaml:"weight"`
	DaysAgo    span                 `yaml:"days_ago"`
	Stalled    float64              `yaml:"stalled"`
	Identified bool                 `yaml:"identified"`
}

type reasonSpec struct {
	Reason      string  `yaml:"reason"`
	Weight      float64 `yaml:"weight"`
	DaysAgo     span    `yaml:"days_ago"`
	Identified  bool    `yaml:"identified"`
	ForeignOnly bool    `yaml:"foreign_only"`
}

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
	Kind    string                 `yaml:"kind"`
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
	world *world
	rules *caseRules
	names map[string]nameList
	notes []noteSpec
}

// loadData loads the embedded data once; it does not change while Haven runs.
var loadData = sync.OnceValues(loadDataUncached)

func loadDataUncached() (*data, error) {
	var d data
	d.world = new(world)
	d.rules = new(caseRules)
	for _, f := range []struct {
		name string
		into any
	}{
		{"data/world.yaml", d.world},
		{"data/cases.yaml", d.rules},
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
		if s.Identified && s.DaysAgo.lo() < r.IdentificationDelay.lo() {
			bad("cases.yaml: state %s: identified cases must be encountered at least identification_delay_days ago", s.State)
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
		if cr.Identified && cr.DaysAgo.lo() < r.IdentificationDelay.lo() {
			bad("cases.yaml: closure reason %s: identified cases must be encountered at least identification_delay_days ago", cr.Reason)
		}
	}
	if !sameSet(reasons, v.ClosureReasons) {
		bad("cases.yaml: closure_reasons must list each closure reason once: %v", v.ClosureReasons)
	}
	if r.StalledMaxDays > w.HistoryDays {
		bad("cases.yaml: stalled_max_days is beyond history_days")
	}
	for name, s := range map[string]span{
		"identification_delay_days": r.IdentificationDelay, "transit_days": r.TransitDays,
		"recruitment_lead_days": r.RecruitmentLeadDays, "return_days": r.ReturnDays,
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
		if len(n.Texts) == 0 || n.Kind == "" || len(n.States) == 0 {
			bad("notes.yaml: entry %d needs a kind, states and texts", i+1)
		}
		for _, t := range n.Texts {
			if err := (&haven.Note{Body: t}).Validate(); err != nil {
				bad("notes.yaml: entry %d: %v", i+1, err)
			}
		}
	}
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
