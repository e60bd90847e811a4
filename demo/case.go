package demo

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/lifecycle"
)

// draft is one case as drawn, before it is written: the case as its
// history leaves it, the person's identity (nil for an anonymous case), its
// notes, who owns it, when it was opened and the steps of its history.
type draft struct {
	owner  string // organisation key
	c      haven.Case
	person *haven.Person
	notes  []noteDraft
	opened time.Time
	steps  []step
}

type noteDraft struct {
	after  time.Duration // since the case was opened
	author string        // username
	body   string
}

// requirement forces one value on one case so that every form of
// exploitation, sex and age status appears even in a small demo.
type requirement struct {
	form      string
	sex       string
	ageStatus string
}

// drawer draws cases. All randomness comes from r, in a fixed order, so
// one seed always yields the same drafts.
type drawer struct {
	d   *data
	r   *rand.Rand
	ref time.Time // reference date: no case is encountered after it
	// until is the end of the demo's history: nothing happens to a case at
	// or after it. It is the end of the reference day, or now if that is
	// earlier.
	until time.Time

	combos        []combo // every corridor × form with its weight
	competentBody string  // username of the competent body's account

	transitions []lifecycle.Transition
	creators    map[string]string     // organisation key → the username that records its cases
	roles       map[string]haven.Role // username → role
	reflection  time.Duration         // the reflection period a grant gives
}

// combo is a corridor and a form of exploitation drawn together: the form
// depends on where the person comes from.
type combo struct {
	corridor, form int
	weight         float64
}

func newDrawer(d *data, seed int64, ref, now time.Time) *drawer {
	g := &drawer{d: d, r: newRand(seed, streamCases), ref: ref, until: ref.AddDate(0, 0, 1),
		transitions: lifecycle.Transitions(), creators: map[string]string{}, roles: map[string]haven.Role{},
		reflection: reflectionPeriod(lifecycle.DefaultConfig())}
	if now.Before(g.until) {
		g.until = now
	}
	for ci, c := range d.rules.Corridors {
		total := c.Forms.total()
		for _, f := range c.Forms {
			if f.weight > 0 {
				g.combos = append(g.combos, combo{ci, d.rules.formByCode[f.code], c.Weight * f.weight / total})
			}
		}
	}
	for _, a := range d.world.Accounts {
		if a.Role == haven.RoleCompetentBody && g.competentBody == "" {
			g.competentBody = a.Username
		}
		g.roles[a.Username] = a.Role
	}
	for _, o := range d.world.Organisations {
		if o.Cases != nil {
			g.creators[o.Key] = o.Cases.Creator
		}
	}
	return g
}

// plan draws n cases: states and closure reasons apportioned by weight and
// shuffled, rare values forced onto a few random cases, the rest drawn.
func (g *drawer) plan(n int) []draft {
	rules := g.d.rules
	stateWeights := make([]float64, len(rules.States))
	stateMin := make([]int, len(rules.States))
	for i, s := range rules.States {
		stateWeights[i] = s.Weight
		stateMin[i] = 1
		if s.State == haven.StateClosed {
			stateMin[i] = len(rules.ClosureReasons) // one of each reason
		}
	}
	type slot struct {
		state  int
		reason int // -1 unless closed
	}
	slots := make([]slot, 0, n)
	for si, count := range apportion(n, stateWeights, stateMin) {
		if rules.States[si].State != haven.StateClosed {
			for range count {
				slots = append(slots, slot{si, -1})
			}
			continue
		}
		reasonWeights := make([]float64, len(rules.ClosureReasons))
		reasonMin := make([]int, len(rules.ClosureReasons))
		for i, cr := range rules.ClosureReasons {
			reasonWeights[i], reasonMin[i] = cr.Weight, 1
		}
		for ri, rc := range apportion(count, reasonWeights, reasonMin) {
			for range rc {
				slots = append(slots, slot{si, ri})
			}
		}
	}
	g.r.Shuffle(len(slots), func(i, j int) { slots[i], slots[j] = slots[j], slots[i] })

	var reqs []requirement
	for _, f := range rules.Forms {
		reqs = append(reqs, requirement{form: f.Code})
	}
	for _, s := range haven.Vocab.Sexes {
		reqs = append(reqs, requirement{sex: s})
	}
	for _, a := range haven.Vocab.AgeStatuses {
		reqs = append(reqs, requirement{ageStatus: a})
	}
	forced := make([]requirement, n)
	for i, pos := range g.r.Perm(n) {
		if i >= len(reqs) {
			break
		}
		forced[pos] = reqs[i]
	}

	drafts := make([]draft, n)
	for i, s := range slots {
		drafts[i] = g.draw(s.state, s.reason, forced[i])
	}
	return drafts
}

// draw draws one case in the given state (and closure reason).
func (g *drawer) draw(stateIdx, reasonIdx int, req requirement) draft {
	rules, r := g.d.rules, g.r
	st := rules.States[stateIdx]
	var reason *reasonSpec
	if reasonIdx >= 0 {
		reason = &rules.ClosureReasons[reasonIdx]
	}

	// When: a case waits in an early state for weeks; some stall longer.
	window := st.DaysAgo
	if reason != nil {
		window = reason.DaysAgo
	}
	daysAgo := window.draw(r)
	if chance(r, st.Stalled) && rules.StalledMaxDays > window.hi() {
		daysAgo = between(r, window.hi()+1, rules.StalledMaxDays)
	}

	// Where from and which form: drawn together, within what is forced.
	foreignOnly := reason != nil && reason.ForeignOnly
	ci := pickWeighted(r, len(g.combos), func(i int) float64 {
		cb := g.combos[i]
		c, f := &rules.Corridors[cb.corridor], &rules.Forms[cb.form]
		switch {
		case req.form != "" && f.Code != req.form,
			foreignOnly && c.Nationality == home,
			req.sex != "" && req.sex != "female" && f.onlyFemale():
			return 0
		}
		return cb.weight
	})
	if ci < 0 { // nothing fits what was forced: draw freely
		ci = pickWeighted(r, len(g.combos), func(i int) float64 { return g.combos[i].weight })
	}
	corridor := &rules.Corridors[g.combos[ci].corridor]
	form := &rules.Forms[g.combos[ci].form]

	// Who: sex and age follow the form of exploitation.
	sex := req.sex
	if sex == "" {
		sex = g.drawSex(form)
	}
	child := form.onlyChildren() || (!form.onlyAdults() && chance(r, form.Child))
	var age int
	if child {
		age = form.ChildAges.draw(r)
	} else {
		// Skewed towards the young end: most adults are in their twenties.
		a := form.AdultAges
		age = a.lo() + int(float64(a.hi()-a.lo()+1)*skewYoung(r.Float64()))
	}
	birthday := r.IntN(360) // days from her last birthday to the encounter
	ageStatus := req.ageStatus
	if ageStatus == "" {
		ageStatus = rules.AgeStatuses.pick(r)
	}
	if ageStatus == "declared" && age < 6 {
		ageStatus = "documented" // an infant does not declare an age
	}
	var ageAtEncounter *int
	switch ageStatus {
	case "documented", "declared", "estimated":
		ageAtEncounter = &age
	case "disputed":
		if !chance(r, rules.DisputedWithoutAge) {
			ageAtEncounter = &age
		}
	}

	forms := []string{form.Code}
	if chance(r, rules.Shares.SecondForm) {
		var options []string
		for _, o := range form.OftenWith {
			of := &rules.Forms[rules.formByCode[o]]
			if (of.onlyChildren() && !child) || (of.onlyAdults() && child) || (of.onlyFemale() && sex != "female") {
				continue
			}
			options = append(options, o)
		}
		if len(options) > 0 {
			forms = append(forms, oneOf(r, options))
		}
	}
	slices.Sort(forms)

	nationality := g.country(corridor.Nationality)
	region := g.region()
	victim := haven.VictimContext{
		Sex:                      sex,
		AgeStatus:                ageStatus,
		AgeAtEncounter:           ageAtEncounter,
		Disability:               rules.Disabilities.pick(r),
		Nationality:              nationality,
		ImmigrationStatus:        rules.ImmigrationProfiles[corridor.Immigration].pick(r),
		SocioeconomicStatus:      rules.SocioeconomicStatuses.pick(r),
		LocationOfIdentification: region,
	}
	if chance(r, rules.Shares.RecruitmentMethod) {
		victim.MethodOfRecruitment = form.Recruitment.pick(r)
	}

	// Its history through the lifecycle decides how long ago, at least, it
	// was opened.
	asChild := victim.TreatedAsChild()
	owner := g.owner(form.Code, asChild)
	h := g.newHistory(owner, asChild)
	closure := ""
	if reason != nil {
		closure = reason.Reason
	}
	h.plan(st.State, closure)
	opened := g.openedAt(daysAgo, h.need())
	encountered := haven.DateOf(opened).Time
	birth := birthDate(encountered, age, birthday)

	c := haven.Case{
		Status:              haven.StatusOpen,
		State:               st.State,
		EncounteredOn:       haven.DateOf(encountered),
		Victim:              victim,
		FormsOfExploitation: forms,
		Events:              g.events(corridor, form, encountered, birth, region),
	}
	h.nonPunishment(form.Code, c.Events[len(c.Events)-1], opened)
	h.finish(g.until.Sub(opened))
	if reason != nil {
		c.Status, c.ClosureReason = haven.StatusClosed, reason.Reason
	}
	// The dates the store sets from the events: the first grant of a
	// reflection period and the identification.
	for _, s := range h.steps {
		switch s.event {
		case lifecycle.ReasonableGroundsPositive, lifecycle.ReviewOverturnedReasonableGrounds:
			if c.ReasonableGroundsOn.IsZero() {
				c.ReasonableGroundsOn = haven.DateOf(opened.Add(s.after))
			}
		case lifecycle.ConclusivePositive, lifecycle.ReviewOverturnedConclusive:
			if c.IdentifiedOn.IsZero() {
				c.IdentifiedOn = haven.DateOf(opened.Add(s.after))
			}
		}
	}

	dr := draft{owner: owner, c: c, opened: opened, steps: h.steps}
	if corridor.Names != "" && chance(r, rules.Shares.Identity) {
		dr.person = g.person(corridor, sex, ageAtEncounter != nil, birth)
	}
	if chance(r, rules.Shares.Notes) {
		dr.notes = g.notes(&c, form, owner, asChild, h.steps, g.until.Sub(opened))
	}
	return dr
}

// openedAt returns when a case encountered daysAgo days before the
// reference date was opened: at a time of day, and earlier if its history,
// need long after the opening, would not have happened by the end of the
// demo's history.
func (g *drawer) openedAt(daysAgo int, need time.Duration) time.Time {
	hour := 7*time.Hour + time.Duration(g.r.IntN(14*60))*time.Minute
	for {
		opened := g.ref.AddDate(0, 0, -daysAgo).Add(hour)
		if g.until.Sub(opened) >= need+time.Hour {
			return opened
		}
		daysAgo++
	}
}

// birthDate returns a date of birth that makes the person age years old
// on day, daysBefore days before that birthday. Going back whole years from
// 29 February lands on 1 March, a day too late: step back until the age is
// right.
func birthDate(day time.Time, age, daysBefore int) time.Time {
	birth := day.AddDate(-age, 0, -daysBefore)
	for yearsBetween(birth, day) < age {
		birth = birth.AddDate(0, 0, -1)
	}
	return birth
}

// yearsBetween is the age on day of someone born on birth.
func yearsBetween(birth, day time.Time) int {
	years := day.Year() - birth.Year()
	if day.Month() < birth.Month() || (day.Month() == birth.Month() && day.Day() < birth.Day()) {
		years--
	}
	return years
}

// skewYoung bends a uniform draw in [0, 1) towards 0, so that most adults
// drawn are young, as most adults identified are.
func skewYoung(x float64) float64 { return x * x / (0.4 + 0.6*x) }

func (g *drawer) drawSex(form *formSpec) string {
	r, other := g.r, g.d.rules.OtherSexes
	if !form.onlyFemale() {
		x := r.Float64()
		for _, o := range other {
			if x < o.weight {
				return o.code
			}
			x -= o.weight
		}
	}
	if chance(r, form.Female) {
		return "female"
	}
	return "male"
}

// country resolves a corridor's country, "home" being the demo's own.
func (g *drawer) country(code string) string {
	if code == home {
		return g.d.world.Country.Code
	}
	return code
}

func (g *drawer) region() string {
	regions := g.d.world.Regions
	return regions[pickWeighted(g.r, len(regions), func(i int) float64 { return regions[i].Weight })].Code
}

// events draws the recruitment, transit and exploitation events, each
// ending before the next starts and the exploitation ending at (or, for a
// citizen exploited abroad, before) the encounter. Nobody is recruited
// before being born.
func (g *drawer) events(c *corridorSpec, form *formSpec, encountered, birth time.Time, identifiedIn string) []haven.Event {
	rules, r := g.d.rules, g.r
	notBefore := func(t time.Time) time.Time {
		if t.Before(birth) {
			return birth
		}
		return t
	}

	exploitation := haven.Event{Type: "exploitation", FormOfExploitation: form.Code}
	end := encountered
	if len(c.ExploitedIn) > 0 {
		exploitation.Country = c.ExploitedIn.pick(r)
		end = notBefore(encountered.AddDate(0, 0, -rules.ReturnDays.draw(r)))
	} else {
		exploitation.Country = g.d.world.Country.Code
		exploitation.Region = identifiedIn
		if !chance(r, rules.Shares.IdentifiedWhereExploited) {
			exploitation.Region = g.region()
		}
	}
	months := rules.ExploitationMonths.draw(r)
	start := notBefore(end.AddDate(0, 0, -int(months*30.44)))
	exploitation.StartedOn, exploitation.EndedOn = haven.DateOf(start), haven.DateOf(end)

	var events []haven.Event
	arrived := start
	if len(c.Transit) > 0 && chance(r, rules.Shares.TransitEvent) {
		left := notBefore(start.AddDate(0, 0, -rules.TransitDays.draw(r)))
		events = append(events, haven.Event{
			Type: "transit", Country: oneOf(r, c.Transit),
			StartedOn: haven.DateOf(left), EndedOn: haven.DateOf(start),
		})
		arrived = left
	}
	origin := c.Origin
	if origin == "" {
		origin = c.Nationality
	}
	if origin != noOrigin && chance(r, rules.Shares.RecruitmentEvent) {
		recruited := notBefore(arrived.AddDate(0, 0, -rules.RecruitmentLeadDays.draw(r)))
		e := haven.Event{Type: "recruitment", Country: g.country(origin), StartedOn: haven.DateOf(recruited)}
		if origin == home {
			e.Region = g.region()
		}
		events = append([]haven.Event{e}, events...)
	}
	return append(events, exploitation)
}

// owner draws the care organisation that owns the case: an inspectorate
// sees more forced labour, child protection more children.
func (g *drawer) owner(form string, child bool) string {
	orgs := g.d.world.Organisations
	i := pickWeighted(g.r, len(orgs), func(i int) float64 {
		cs := orgs[i].Cases
		if cs == nil {
			return 0
		}
		x := cs.Share
		if slices.Contains(cs.Forms, form) {
			x *= 3
		}
		if child {
			x *= cs.ChildWeight
		}
		return x
	})
	return orgs[i].Key
}

// person draws a synthetic identity: a given name fitting the sex, a
// family name, and sometimes a date of birth, a document and a phone.
func (g *drawer) person(c *corridorSpec, sex string, ageKnown bool, birth time.Time) *haven.Person {
	rules, r := g.d.rules, g.r
	names := g.d.names[c.Names]
	given := names.Female
	if sex == "male" || (sex != "female" && chance(r, 0.5)) {
		given = names.Male
	}
	p := &haven.Person{GivenName: oneOf(r, given), FamilyName: oneOf(r, names.Family)}
	if ageKnown && chance(r, rules.Shares.DateOfBirth) {
		p.DateOfBirth = haven.DateOf(birth).String()
	}
	if c.Document != "" && chance(r, rules.Shares.Document) {
		p.DocumentNumber = fillPattern(r, c.Document)
	}
	if chance(r, rules.Shares.Contact) {
		p.Contact = fillPattern(r, rules.PhonePattern)
	}
	return p
}

// notes draws one or two notes that fit the case's state, kept in the
// order of notes.yaml, which is the order of the lifecycle.
//
// A note that follows events fits only a case whose history took one of
// them, and is written a little after the first; any other, a little after
// the opening. Nothing is written at or after avail.
func (g *drawer) notes(c *haven.Case, form *formSpec, owner string, child bool, steps []step, avail time.Duration) []noteDraft {
	r := g.r
	var kinds []string
	fits := map[string][]int{}
	follows := func(n *noteSpec) (time.Duration, bool) {
		if len(n.After) == 0 {
			return 0, true
		}
		i := slices.IndexFunc(steps, func(s step) bool { return slices.Contains(n.After, s.event) })
		if i < 0 {
			return 0, false
		}
		return steps[i].after, true
	}
	for i, n := range g.d.notes {
		if !slices.Contains(n.States, c.State) || (n.Child && !child) ||
			(len(n.Owners) > 0 && !slices.Contains(n.Owners, owner)) {
			continue
		}
		if _, ok := follows(&n); !ok {
			continue
		}
		if c.State == haven.StateClosed && len(n.Reasons) > 0 && !slices.Contains(n.Reasons, c.ClosureReason) {
			continue
		}
		if _, seen := fits[n.Kind]; !seen {
			kinds = append(kinds, n.Kind)
		}
		fits[n.Kind] = append(fits[n.Kind], i)
	}
	if len(kinds) == 0 {
		return nil
	}
	count := 1
	if len(kinds) > 1 && chance(r, g.d.rules.Shares.SecondNote) {
		count = 2
	}
	chosen := r.Perm(len(kinds))[:count]
	slices.Sort(chosen)

	creator := ""
	for _, o := range g.d.world.Organisations {
		if o.Key == owner {
			creator = o.Cases.Creator
		}
	}
	out := make([]noteDraft, 0, count)
	for _, k := range chosen {
		n := g.d.notes[oneOf(r, fits[kinds[k]])]
		at, _ := follows(&n)
		at = min(at+g.d.history.NoteAfter.draw(r), avail-time.Minute)
		author := creator
		if n.Author == authorCompetentBody {
			author = g.competentBody
		}
		body := strings.NewReplacer(
			"{region}", c.Victim.LocationOfIdentification,
			"{form}", form.Words,
			"{days}", strconv.Itoa(between(r, 30, 90)),
		).Replace(oneOf(r, n.Texts))
		out = append(out, noteDraft{after: at, author: author, body: body})
	}
	return out
}
