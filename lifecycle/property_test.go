package lifecycle

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/haven-nrm/haven"
)

// The property-based test: random sequences of events by random roles, with
// random (sometimes invalid) decisions and random time advances. Only
// accepted steps are applied; after each, CheckInvariants must hold, and a
// refused step must have changed nothing.

const (
	propertySequences = 100_000
	// maxSequenceAttempts bounds the events fired at a case, accepted or
	// refused; about one in four is accepted.
	maxSequenceAttempts = 24
)

func TestPropertyRandomSequences(t *testing.T) {
	n := propertySequences
	if testing.Short() {
		n /= 10
	}
	// Shards of the same size, each with its own seed, run in parallel.
	const shards = 4
	var mu sync.Mutex
	rowsFired := map[int]int{}
	statesReached := map[haven.LifecycleState]int{}
	fired, refused := 0, 0
	t.Run("shards", func(t *testing.T) {
		for shard := range shards {
			t.Run(fmt.Sprint(shard), func(t *testing.T) {
				t.Parallel()
				s := runSequences(t, uint64(shard), n/shards)
				mu.Lock()
				defer mu.Unlock()
				for k, v := range s.rowsFired {
					rowsFired[k] += v
				}
				for k, v := range s.statesReached {
					statesReached[k] += v
				}
				fired, refused = fired+s.fired, refused+s.refused
			})
		}
	})
	t.Logf("%d sequences: %d steps accepted, %d refused", n, fired, refused)
	for i, r := range table {
		if rowsFired[i] == 0 {
			t.Errorf("row %d (%s from %v) never fired: the generator does not explore the table", i, r.event, r.from)
		}
	}
	for _, s := range haven.LifecycleStates {
		if statesReached[s] == 0 {
			t.Errorf("state %s never reached", s)
		}
	}
}

type sequenceStats struct {
	rowsFired      map[int]int
	statesReached  map[haven.LifecycleState]int
	fired, refused int
}

// runSequences fires n random sequences with the given seed.
func runSequences(t *testing.T, seed uint64, n int) sequenceStats {
	rng := rand.New(rand.NewPCG(2020, 38+seed))
	g := &generator{rng: rng}
	st := sequenceStats{rowsFired: map[int]int{}, statesReached: map[haven.LifecycleState]int{}}
	for seq := range n {
		cs := g.start()
		now := cs.OpenedAt
		var history []Step
		for range 1 + rng.IntN(maxSequenceAttempts) {
			now = now.Add(g.advance())
			g.perturb(&cs)
			q := g.request(cs, now)
			before := cs.Clone()
			o, err := Fire(cfg, FactsOf(cs), q, now)
			// Fire is pure; comparing deeply is slow, so one step in eight.
			if rng.IntN(8) == 0 && !reflect.DeepEqual(cs, before) {
				t.Fatalf("seed %d, sequence %d: Fire changed the case state", seed, seq)
			}
			if err != nil {
				st.refused++
				var r *Refusal
				if code := haven.ErrorCode(err); !asRefusal(err, &r) || r.Rule.Code != code || haven.ErrorMessage(err) == "" ||
					(code != haven.EINVALID && code != haven.EFORBIDDEN && code != haven.ECONFLICT) {
					t.Fatalf("seed %d, sequence %d: %s refused with a bad error %v", seed, seq, q.Event, err)
				}
				continue
			}
			st.fired++
			r, _ := rowFor(o.Event, o.From)
			st.rowsFired[rowIndex(r)]++
			history = append(history, Step{Before: before, Outcome: o})
			cs = Apply(cs, o)
			st.statesReached[cs.State]++
			// Invariants are per step, with the previous one for continuity:
			// checking the last two steps after each is checking them all.
			if err := CheckInvariants(cfg, history[max(0, len(history)-2):]); err != nil {
				t.Fatalf("seed %d, sequence %d: %v\n%s", seed, seq, err, describe(history))
			}
		}
		if err := CheckInvariants(cfg, history); err != nil {
			t.Fatalf("seed %d, sequence %d: %v\n%s", seed, seq, err, describe(history))
		}
	}
	return st
}

func describe(history []Step) string {
	var b strings.Builder
	for _, step := range history {
		o := step.Outcome
		fmt.Fprintf(&b, "  %s by %s at %v: %s → %s\n", o.Event, o.Actor.Role, o.At.Format(time.DateTime), o.From, o.To)
	}
	return b.String()
}

func asRefusal(err error, r **Refusal) bool {
	x, ok := err.(*Refusal)
	*r = x
	return ok
}

func rowIndex(r *row) int {
	for i := range table {
		if &table[i] == r {
			return i
		}
	}
	return -1
}

// generator draws random cases, requests and time advances.
type generator struct {
	rng *rand.Rand
	ids int
}

func (g *generator) start() CaseState {
	opened := t0.Add(time.Duration(g.rng.IntN(1000)) * time.Hour)
	return CaseState{
		Facts: Facts{
			State: haven.StateEncountered, StateSince: opened, OpenedAt: opened,
			Child: g.rng.IntN(3) == 0, ReferralConsent: g.rng.IntN(4) != 0,
		},
		Cooperation: g.cooperation(),
	}
}

var advances = []time.Duration{0, time.Minute, time.Hour, 12 * time.Hour, 25 * time.Hour, 3 * day, 6 * day, 20 * day, 31 * day, 45 * day}

func (g *generator) advance() time.Duration { return advances[g.rng.IntN(len(advances))] }

// perturb changes what the caller derives from other records between
// steps: consent given or withdrawn, cooperation in any state, and rarely
// a correction of her age.
func (g *generator) perturb(cs *CaseState) {
	if g.rng.IntN(10) == 0 {
		cs.ReferralConsent = !cs.ReferralConsent
	}
	if g.rng.IntN(4) == 0 {
		cs.Cooperation = g.cooperation()
	}
	if g.rng.IntN(100) == 0 {
		cs.Child = !cs.Child
	}
}

func (g *generator) cooperation() Cooperation {
	v := cooperationVariantsCache
	return v[g.rng.IntN(len(v))]
}

var cooperationVariantsCache = cooperationVariants()

// request draws a request: often one that Allowed offers a random role (so
// that sequences go deep), otherwise any event by any role; inputs are
// mostly valid and sometimes not.
func (g *generator) request(cs CaseState, now time.Time) Request {
	role := haven.Roles[g.rng.IntN(len(haven.Roles))]
	var e Event
	// Half the time a transition the table offers, a fifth of the time a
	// fact it offers, otherwise anything.
	pick := g.rng.IntN(10)
	if allowed := allowedPairs(cs.Facts, now, pick < 5); len(allowed) > 0 && pick < 7 {
		p := allowed[g.rng.IntN(len(allowed))]
		e, role = p.event, p.role
	} else if g.rng.IntN(50) == 0 {
		e = "unknown_event"
	} else {
		e = events[g.rng.IntN(len(events))]
	}
	q := Request{Event: e, Actor: actors[role]}
	kind := DecisionKind("")
	if r, _ := rowFor(e, cs.State); r != nil {
		kind = r.decision
	} else if rows := rowsOf(e); len(rows) > 0 {
		kind = rows[0].decision
	}
	switch {
	case kind != "":
		q.Decision = g.decision(kind, cs.Review.Against)
	case g.rng.IntN(40) == 0:
		q.Decision = g.decision(KindReasonableGrounds, nil) // a record where none is taken
	}
	if g.rng.IntN(5) != 0 {
		q.Reasons = "new information"
	}
	if g.rng.IntN(10) == 0 {
		q.Permit = "visa"
	} else {
		q.Permit = haven.PermitKinds[g.rng.IntN(len(haven.PermitKinds))]
	}
	return q
}

type pair struct {
	event Event
	role  haven.Role
}

// allowedPairs lists every event and role that Allowed would offer: guards
// do not depend on the role, so each row is checked once.
func allowedPairs(f Facts, now time.Time, transitions bool) []pair {
	var out []pair
	c := &check{f: f, cfg: cfg, now: now}
	for i := range table {
		r := &table[i]
		if (r.to != "") != transitions || !slicesContains(r.from, f.State) {
			continue
		}
		ok := false
		for _, q := range probeRequests[i] {
			c.req = q
			ok = ok || guardsHold(r, c)
		}
		if ok {
			for _, role := range r.roles {
				out = append(out, pair{r.event, role})
			}
		}
	}
	return out
}

// probeRequests holds requestsFor each row, computed once.
var probeRequests = func() [][]Request {
	out := make([][]Request, len(table))
	for i, r := range table {
		out[i] = requestsFor(r.event, r.roles[0])
	}
	return out
}()

var actors = func() map[haven.Role]Actor {
	m := map[haven.Role]Actor{}
	for _, r := range haven.Roles {
		m[r] = actor(r)
	}
	return m
}()

var memberPool = []Member{
	{Role: haven.RoleCaseworker, Sector: haven.SectorNGO},
	{Role: haven.RoleCompetentBody, Sector: haven.SectorHealth},
	{Role: haven.RoleCompetentBody, Sector: haven.SectorSocialServices},
	{Role: haven.RoleGuardian, Sector: haven.SectorChildProtection},
	{Role: haven.RoleCaseworker, Sector: haven.SectorLegalAid},
	{Role: haven.RoleCompetentBody, Sector: haven.SectorLabourInspection},
	{Role: haven.RoleLawEnforcement, Sector: haven.SectorPolice},
	{Role: haven.RoleProsecutor, Sector: haven.SectorProsecution},
	{Role: haven.RoleImmigration, Sector: haven.SectorImmigration},
	{Role: haven.RoleCompetentBody, Sector: haven.SectorPolice},
	{Role: haven.RoleCaseworker, Sector: haven.SectorImmigration},
}

// decision draws a decision record: three times in four a good one by
// fresh members, otherwise anything — one sector, enforcement alone, no
// reasons or evidence, a member of the decision under review, a wrong
// kind or finding.
func (g *generator) decision(kind DecisionKind, against []string) *Decision {
	d := &Decision{Reasons: "reasons", Evidence: []string{"screening:1"}}
	if kind == KindAgeAssessment {
		d.Outcome = []Finding{Adult, Child}[g.rng.IntN(2)]
		d.LastResort = "no document and her age is disputed"
	}
	if g.rng.IntN(4) != 0 {
		for _, i := range []int{0, 1 + g.rng.IntN(5), 6} {
			g.ids++
			m := memberPool[i]
			m.UserID = fmt.Sprintf("m%d", g.ids)
			d.Members = append(d.Members, m)
		}
		return d
	}
	for range 1 + g.rng.IntN(3) {
		g.ids++
		m := memberPool[g.rng.IntN(len(memberPool))]
		m.UserID = fmt.Sprintf("m%d", g.ids)
		if len(against) > 0 && g.rng.IntN(3) == 0 {
			m.UserID = against[g.rng.IntN(len(against))]
		}
		d.Members = append(d.Members, m)
	}
	switch g.rng.IntN(8) {
	case 0:
		d.Reasons = ""
	case 1:
		d.Evidence = nil
	case 2:
		d.LastResort = ""
	case 3:
		d.Kind = []DecisionKind{KindReasonableGrounds, KindConclusive, KindReview, KindAgeAssessment}[g.rng.IntN(4)]
	case 4:
		d.Outcome = []Finding{Positive, Negative, Adult, Child}[g.rng.IntN(4)]
	}
	return d
}
