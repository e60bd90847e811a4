package lifecycle

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/haven-nrm/haven"
)

// Non-conditionality (GR 38 §92, §98(b), DESIGN.md rule 2): no rule on
// assistance, the reflection period or residence may read whether she
// cooperates with criminal proceedings. These tests change the cooperation
// data in every way and show that no answer of the lifecycle changes: not a
// guard's, not Fire's, not Allowed's, not an alert's.

// cooperationVariants returns every combination of the cooperation data:
// each status (and none), each date set or not, each flag true or false.
func cooperationVariants() []Cooperation {
	var out []Cooperation
	when := t0.Add(3 * day)
	for _, s := range append([]CooperationStatus{""}, CooperationStatuses...) {
		for mask := range 1 << 6 {
			c := Cooperation{Status: s}
			if mask&1 != 0 {
				c.AskedAt = when
			}
			if mask&2 != 0 {
				c.AnsweredAt = when
			}
			if mask&4 != 0 {
				c.ProceedingsOpened = true
			}
			if mask&8 != 0 {
				c.StatementGivenAt = when
			}
			if mask&16 != 0 {
				c.TestifiedAt = when
			}
			if mask&32 != 0 {
				c.ConvictionObtained = true
			}
			out = append(out, c)
		}
	}
	return out
}

// baseStates returns case states in every lifecycle state, child or adult,
// with facts drawn at random (reachable or not: a guard must not read
// cooperation in any situation).
func baseStates(perState int) []CaseState {
	rng := rand.New(rand.NewPCG(38, 92))
	var out []CaseState
	for _, s := range haven.LifecycleStates {
		for _, child := range []bool{false, true} {
			for range perState {
				out = append(out, randomFacts(rng, s, child))
			}
		}
	}
	return out
}

func randomFacts(rng *rand.Rand, s haven.LifecycleState, child bool) CaseState {
	at := func() time.Time {
		if rng.IntN(2) == 0 {
			return time.Time{}
		}
		return t0.Add(time.Duration(rng.IntN(60*24)) * time.Hour)
	}
	f := Facts{
		State: s, StateSince: t0.Add(time.Duration(rng.IntN(20*24)) * time.Hour), OpenedAt: t0,
		Child: child, ReferralConsent: rng.IntN(2) == 0,
		GuardianAt: at(), BestInterestsAt: at(), AgeAssessedAt: at(), RiskAssessmentAt: at(), ReintegrationPlanAt: at(),
		IdentifiedAt: at(), WishesToReturn: rng.IntN(2) == 0, AsylumPending: rng.IntN(2) == 0,
		MissingSince: at(), DetainedSince: at(), RemovedAt: at(),
	}
	if from := at(); !from.IsZero() {
		f.Reflection = Period{From: from, Until: from.Add(30 * day)}
	}
	if rng.IntN(2) == 0 {
		f.Review = Review{Of: []DecisionKind{KindReasonableGrounds, KindConclusive}[rng.IntN(2)], Open: rng.IntN(2) == 0,
			OpenedAt: at(), Against: []string{"mdt-ngo", "mdt-health"}}
	}
	return CaseState{Facts: f, Cooperation: Cooperation{Status: CooperationNotAsked}}
}

// requestsFor returns, for an event and a role, requests with every kind of
// input the event reads.
func requestsFor(e Event, r haven.Role) []Request {
	base := Request{Event: e, Actor: actor(r)}
	rows := rowsOf(e)
	switch {
	case len(rows) == 0:
		return []Request{base}
	case rows[0].decision == KindAgeAssessment:
		base.Decision = ageAssessment(Adult)
	case rows[0].decision == KindReview:
		base.Decision = decision(panel())
	case rows[0].decision != "":
		base.Decision = decision(team())
	case e == RequestReconsideration:
		base.Reasons = "a new statement"
	case e == RequestResidencePermit:
		var out []Request
		for _, k := range haven.PermitKinds {
			q := base
			q.Permit = k
			out = append(out, q)
		}
		return out
	}
	return []Request{base}
}

var instants = []time.Time{t0.Add(2 * day), t0.Add(20 * day), t0.Add(45 * day), t0.Add(100 * day)}

func TestFactsHaveNoCooperationField(t *testing.T) {
	var walkType func(path string, ty reflect.Type)
	walkType = func(path string, ty reflect.Type) {
		for ty.Kind() == reflect.Slice || ty.Kind() == reflect.Pointer {
			ty = ty.Elem()
		}
		if ty.Kind() != reflect.Struct || ty.PkgPath() == "time" {
			return
		}
		for i := range ty.NumField() {
			fl := ty.Field(i)
			name := strings.ToLower(fl.Name + " " + fl.Type.Name() + " " + string(fl.Tag))
			for _, word := range []string{"cooperat", "proceeding", "testi", "convict", "prosecut", "witness", "statement"} {
				if strings.Contains(name, word) {
					t.Errorf("%s.%s: guards must not read cooperation with criminal proceedings (GR 38 §92, §98(b))", path, fl.Name)
				}
			}
			walkType(path+"."+fl.Name, fl.Type)
		}
	}
	walkType("Facts", reflect.TypeFor[Facts]())
	walkType("Request", reflect.TypeFor[Request]())
	walkType("Config", reflect.TypeFor[Config]())
}

// Every guard of every row gives the same answer, for every base state,
// instant and request, whatever the cooperation data: all 448 variants.
func TestGuardsIgnoreCooperation(t *testing.T) {
	bases := baseStates(12)
	if testing.Short() {
		bases = baseStates(3)
	}
	variants := cooperationVariants()
	type probe struct {
		row *row
		g   guard
		req Request
	}
	var probes []probe
	for ri := range table {
		r := &table[ri]
		for _, q := range requestsFor(r.event, r.roles[0]) {
			for _, g := range r.guards {
				probes = append(probes, probe{r, g, q})
			}
		}
	}
	want := make([]bool, len(probes))
	checked := 0
	for _, base := range bases {
		for _, now := range instants {
			c := &check{f: FactsOf(base), cfg: cfg, now: now}
			for i, p := range probes {
				c.req = p.req
				want[i] = p.g.ok(c)
			}
			for _, coop := range variants {
				cs := base.Clone()
				cs.Cooperation = coop
				c.f = FactsOf(cs)
				for i, p := range probes {
					c.req = p.req
					if p.g.ok(c) != want[i] {
						t.Fatalf("guard %s of %s from %s changes its answer when cooperation becomes %+v (GR 38 §92, §98(b))",
							p.g.rule.ID, p.row.event, cs.State, coop)
					}
				}
				checked += len(probes)
			}
		}
	}
	t.Logf("%d guard answers compared over %d cooperation variants", checked, len(variants))
}

// someVariants returns, for each status, the cooperation data with none,
// some and all of the dates and flags set.
func someVariants() []Cooperation {
	var out []Cooperation
	for i, c := range cooperationVariants() {
		if mask := i % 64; mask == 0 || mask == 63 || mask == (i/64*9)%64 {
			out = append(out, c)
		}
	}
	return out
}

// Fire, Allowed and Alerts answer the same whatever the cooperation data,
// for every event by every role.
func TestAnswersIgnoreCooperation(t *testing.T) {
	bases, variants, at := baseStates(1), someVariants(), instants
	if testing.Short() {
		at = instants[1:2]
	}
	type answer struct {
		o   Outcome
		err string
	}
	fire := func(cs CaseState, q Request, now time.Time) answer {
		o, err := Fire(cfg, FactsOf(cs), q, now)
		if err != nil {
			return answer{err: err.Error()}
		}
		return answer{o: o}
	}
	for _, base := range bases {
		for _, now := range at {
			f := FactsOf(base)
			wantAlerts := Alerts(f, cfg, now)
			wantAllowed := map[haven.Role][]Event{}
			for _, r := range haven.Roles {
				wantAllowed[r] = Allowed(cfg, f, actor(r), now)
			}
			for _, c := range variants {
				cs := base.Clone()
				cs.Cooperation = c
				if !reflect.DeepEqual(FactsOf(cs), f) {
					t.Fatalf("FactsOf reads cooperation %+v", c)
				}
				if got := Alerts(FactsOf(cs), cfg, now); !reflect.DeepEqual(got, wantAlerts) {
					t.Fatalf("alerts change with cooperation %+v: %v, want %v", c, got, wantAlerts)
				}
				for _, r := range haven.Roles {
					if got := Allowed(cfg, FactsOf(cs), actor(r), now); !reflect.DeepEqual(got, wantAllowed[r]) {
						t.Fatalf("Allowed for %s changes with cooperation %+v: %v, want %v", r, c, got, wantAllowed[r])
					}
				}
			}
			for _, e := range append(Events(), "unknown") {
				for _, r := range haven.Roles {
					for _, q := range requestsFor(e, r) {
						want := fire(base, q, now)
						for _, c := range variants {
							cs := base.Clone()
							cs.Cooperation = c
							if got := fire(cs, q, now); !reflect.DeepEqual(got, want) {
								t.Fatalf("%s by %s in %s changes with cooperation %+v:\n got %+v\nwant %+v", e, r, base.State, c, got, want)
							}
						}
					}
				}
			}
		}
	}
}

// Assistance, the reflection period and residence are reachable by a
// survivor who declined to cooperate, exactly as by one who cooperates.
func TestDeclinedCooperationChangesNothingOnThePath(t *testing.T) {
	for _, status := range CooperationStatuses {
		cs := newCase(false)
		cs.Cooperation = Cooperation{Status: status, AskedAt: t0, AnsweredAt: t0}
		w := walk(t, cs).inReflection().
			do(RequestResidencePermit, haven.RoleCaseworker, permit(haven.PermitReflection)).
			do(ConclusivePositive, haven.RoleCompetentBody, with(decision(team()))).
			do(StartAssistance, haven.RoleCaseworker).
			do(RequestResidencePermit, haven.RoleCaseworker, permit(haven.PermitTemporary))
		if w.cs.State != haven.StateAssistance || w.cs.Cooperation.Status != status {
			t.Errorf("%s: state %s, cooperation %s", status, w.cs.State, w.cs.Cooperation.Status)
		}
	}
}
