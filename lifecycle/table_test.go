package lifecycle

import (
	"slices"
	"testing"
	"time"

	"github.com/haven-nrm/haven"
)

func TestTableIsWellFormed(t *testing.T) {
	seen := map[Event]map[haven.LifecycleState]bool{}
	for _, r := range table {
		if seen[r.event] == nil {
			seen[r.event] = map[haven.LifecycleState]bool{}
		}
		for _, s := range r.from {
			if !slices.Contains(haven.LifecycleStates, s) {
				t.Errorf("%s: unknown state %s", r.event, s)
			}
			if seen[r.event][s] {
				t.Errorf("%s from %s is in two rows", r.event, s)
			}
			seen[r.event][s] = true
		}
		if r.to != "" && !slices.Contains(haven.LifecycleStates, r.to) {
			t.Errorf("%s: unknown state %s", r.event, r.to)
		}
		if len(r.roles) == 0 || r.basis == "" || r.summary == "" {
			t.Errorf("%s: roles, basis and summary are required", r.event)
		}
		for _, role := range r.roles {
			if !slices.Contains(haven.Roles, role) {
				t.Errorf("%s: unknown role %s", r.event, role)
			}
		}
		if (r.decision == "") != (r.finding == "") && r.decision != KindAgeAssessment {
			t.Errorf("%s: a decision event says its finding", r.event)
		}
	}
}

// GR 38 §78: law enforcement and immigration never take a decision, and
// only the competent body does.
func TestOnlyTheCompetentBodyDecides(t *testing.T) {
	for _, r := range table {
		if r.decision == "" {
			continue
		}
		if !slices.Equal(r.roles, []haven.Role{haven.RoleCompetentBody}) {
			t.Errorf("%s is fired by %v, want the competent body only", r.event, r.roles)
		}
	}
	for _, r := range table {
		for _, role := range r.roles {
			if (role == haven.RoleLawEnforcement || role == haven.RoleImmigration || role == haven.RoleProsecutor) && r.to != "" {
				t.Errorf("%s, which changes the state, is open to %s", r.event, role)
			}
		}
	}
}

// Every state but closed has a way out, and closed has none.
func TestEveryStateHasAWayOut(t *testing.T) {
	for _, s := range haven.LifecycleStates {
		out := false
		for _, r := range table {
			out = out || (slices.Contains(r.from, s) && r.to != "" && r.to != s)
		}
		if out == (s == haven.StateClosed) {
			t.Errorf("state %s: a way out %v", s, out)
		}
	}
}

// node is a case state and a time in the exploration of the table.
type node struct {
	cs  CaseState
	now time.Time
}

// key abstracts a node to what guards can tell apart.
func (n node) key() [23]bool {
	f := n.cs.Facts
	st := slices.Index(haven.LifecycleStates, f.State)
	var k [23]bool
	k[st] = true
	for i, b := range []bool{f.Child, !f.GuardianAt.IsZero(), !f.BestInterestsAt.IsZero(), !f.RiskAssessmentAt.IsZero(),
		!f.ReintegrationPlanAt.IsZero(), f.Reflection.Runs(n.now), f.Identified(), f.Review.Open,
		f.Review.Of == KindConclusive, f.WishesToReturn, f.AsylumPending, f.Missing(), f.Detained(), !f.RemovedAt.IsZero()} {
		k[9+i] = b
	}
	return k
}

// explore fires every row with good inputs from every situation reachable
// from a new case, child or adult, and returns the rows fired and whether
// every situation can still reach closure.
func explore(t *testing.T) (fired map[int]bool, deadEnds int, nodes int) {
	fired = map[int]bool{}
	index := map[[23]bool]int{}
	var all []node
	var edges [][]int
	add := func(n node) int {
		k := n.key()
		if i, ok := index[k]; ok {
			return i
		}
		index[k] = len(all)
		all = append(all, n)
		edges = append(edges, nil)
		return len(all) - 1
	}
	add(node{newCase(false), t0})
	add(node{newCase(true), t0})
	for i := 0; i < len(all); i++ {
		n := all[i]
		for ri := range table {
			r := &table[ri]
			if !slices.Contains(r.from, n.cs.State) {
				continue
			}
			requests := requestsFor(r.event, r.roles[0])
			if r.event == RecordAgeAssessment {
				requests = append(requests, Request{Event: r.event, Actor: actor(r.roles[0]), Decision: ageAssessment(Child)})
			}
			for _, q := range requests {
				for _, step := range []time.Duration{time.Hour, 31 * day} {
					now := n.now.Add(step)
					o, err := Fire(cfg, FactsOf(n.cs), q, now)
					if err != nil {
						continue
					}
					fired[ri] = true
					j := add(node{Apply(n.cs, o), now})
					edges[i] = append(edges[i], j)
				}
			}
		}
	}
	// Which situations reach closure: walk the edges backwards from closed.
	reaches := make([]bool, len(all))
	for changed := true; changed; {
		changed = false
		for i, n := range all {
			if reaches[i] {
				continue
			}
			if n.cs.State == haven.StateClosed || slices.ContainsFunc(edges[i], func(j int) bool { return reaches[j] }) {
				reaches[i], changed = true, true
			}
		}
	}
	for i := range all {
		if !reaches[i] {
			deadEnds++
			t.Logf("dead end: %+v", all[i].cs.Facts)
		}
	}
	return fired, deadEnds, len(all)
}

// Every row of the table can fire on some case reached from a new one, and
// from every situation reached the case can still be closed.
func TestEveryRowIsReachableAndNoDeadEnd(t *testing.T) {
	fired, deadEnds, nodes := explore(t)
	for i, r := range table {
		if !fired[i] {
			t.Errorf("row %d (%s from %v) is never reached", i, r.event, r.from)
		}
	}
	if deadEnds > 0 {
		t.Errorf("%d of %d situations can never be closed", deadEnds, nodes)
	}
	t.Logf("%d situations explored", nodes)
}
