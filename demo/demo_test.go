package demo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/lifecycle"
	"github.com/haven-nrm/haven/report"
	"github.com/haven-nrm/haven/store"
	"github.com/haven-nrm/haven/store/storetest"
)

func mustData(t testing.TB) *data {
	t.Helper()
	d, err := loadData()
	if err != nil {
		t.Fatalf("embedded demo data: %v", err)
	}
	return d
}

// drawPlan draws n drafts for seed against a fixed clock.
func drawPlan(t testing.TB, seed int64, n int) ([]draft, time.Time) {
	d := mustData(t)
	now := time.Now()
	ref := referenceDate(d.world, seed, now)
	return newDrawer(d, seed, ref, now).plan(n), ref
}

// coverage lists what a demo of n cases must show; it is checked on the
// drafts and again on what the store holds.
type coverage struct {
	states, reasons, sexes, forms, ageStatuses map[string]int
	children, adults, girls, persons, notes    int
	nationalities                              map[string]int
}

func newCoverage() *coverage {
	return &coverage{
		states: map[string]int{}, reasons: map[string]int{}, sexes: map[string]int{}, forms: map[string]int{},
		ageStatuses: map[string]int{}, nationalities: map[string]int{},
	}
}

func (cv *coverage) add(c *haven.Case, hasPerson bool, notes int) {
	cv.states[string(c.State)]++
	if c.ClosureReason != "" {
		cv.reasons[c.ClosureReason]++
	}
	cv.sexes[c.Victim.Sex]++
	cv.ageStatuses[c.Victim.AgeStatus]++
	cv.nationalities[c.Victim.Nationality]++
	for _, f := range c.FormsOfExploitation {
		cv.forms[f]++
	}
	if c.Victim.TreatedAsChild() {
		cv.children++
		if c.Victim.Sex == "female" {
			cv.girls++
		}
	} else {
		cv.adults++
	}
	if hasPerson {
		cv.persons++
	}
	cv.notes += notes
}

// check reports every lifecycle state, closure reason, sex, form of
// exploitation and age status that never appears.
func (cv *coverage) check(t *testing.T) {
	t.Helper()
	missing := func(what string, seen map[string]int, want []string) {
		for _, w := range want {
			if seen[w] == 0 {
				t.Errorf("no case with %s %s", what, w)
			}
		}
	}
	var states []string
	for _, s := range haven.LifecycleStates {
		states = append(states, string(s))
	}
	missing("lifecycle state", cv.states, states)
	missing("closure reason", cv.reasons, haven.Vocab.ClosureReasons)
	missing("sex", cv.sexes, haven.Vocab.Sexes)
	missing("form of exploitation", cv.forms, haven.Vocab.FormCodes())
	missing("age status", cv.ageStatuses, haven.Vocab.AgeStatuses)
	if cv.children == 0 || cv.adults == 0 || cv.girls == 0 {
		t.Errorf("children %d, girls %d, adults %d: want some of each", cv.children, cv.girls, cv.adults)
	}
}

func TestDataLoads(t *testing.T) {
	d := mustData(t)
	if len(d.world.Organisations) < 12 {
		t.Errorf("%d organisations, want about a dozen", len(d.world.Organisations))
	}
	sectors := map[haven.Sector]bool{}
	for _, o := range d.world.Organisations {
		sectors[o.Sector] = true
	}
	for _, s := range haven.Sectors {
		if !sectors[s] {
			t.Errorf("no organisation of sector %s", s)
		}
	}
}

// A broken edit of the data must fail loading with the entry at fault.
func TestDataCheckRefusesBadData(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spoil func(d *data)
		want  string
	}{
		{"unknown form", func(d *data) { d.rules.Corridors[0].Forms[0].code = "pickpocketing" }, "corridors.domestic.forms"},
		{"missing state", func(d *data) { d.rules.States = d.rules.States[1:] }, "states must list each lifecycle state"},
		{"role without account", func(d *data) { d.world.Accounts = d.world.Accounts[1:] }, "no account first-responder"},
		{"creator elsewhere", func(d *data) { d.world.Organisations[0].Cases.Creator = "guardian" }, "creator \"guardian\""},
		{"bad state in note", func(d *data) { d.notes[0].States = []haven.LifecycleState{"limbo"} }, "unknown state"},
		{"note for the police", func(d *data) { d.notes[0].Owners = []string{"police"} }, "not an organisation that owns cases"},
		{"note after no event", func(d *data) { d.notes[0].After = []lifecycle.Event{"tea_break"} }, "unknown event"},
		{"late review in time", func(d *data) { d.history.Review.LateAfter[0] = 24 * time.Hour }, "review: in_time_after"},
		{"guardian in time too late", func(d *data) { d.history.Guardian.InTimeAfter[1] = 30 * time.Hour }, "guardian: in_time_after"},
		{"panel of the team", func(d *data) { d.history.ReviewPanel.Members = d.history.DecisionTeam.Members }, "review_panel needs members"},
		{"chair of the police", func(d *data) { d.history.DecisionTeam.Chair = "law-enforcement" }, "not an account of role competent_body"},
		{"reasons for a referral", func(d *data) { d.history.DecisionReasons[lifecycle.Refer] = []string{"x"} }, "refer is not an event that takes"},
		{"stopped at the end", func(d *data) { d.history.WithdrawnFrom[0].code = "closed" }, "withdrawn_from"},
		{"history too long", func(d *data) { d.history.IntegratedAfter[0] = 3 * 365 * 24 * time.Hour }, "longest history"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := cloneData(t)
			tc.spoil(d)
			err := d.check()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("check = %v, want an error naming %q", err, tc.want)
			}
		})
	}
}

// cloneData reloads the embedded data so a test can break its copy.
func cloneData(t *testing.T) *data {
	t.Helper()
	fresh, err := loadDataUncached()
	if err != nil {
		t.Fatal(err)
	}
	return fresh
}

func TestPlanCoversEverything(t *testing.T) {
	for _, n := range []int{30, 300, 2000} {
		for _, seed := range []int64{0, 1, 42, -7} {
			t.Run(fmt.Sprintf("n=%d/seed=%d", n, seed), func(t *testing.T) {
				drafts, _ := drawPlan(t, seed, n)
				if len(drafts) != n {
					t.Fatalf("%d drafts, want %d", len(drafts), n)
				}
				cv := newCoverage()
				for i := range drafts {
					cv.add(&drafts[i].c, drafts[i].person != nil, len(drafts[i].notes))
				}
				cv.check(t)
			})
		}
	}
}

// The shape of a large demo: mostly women and girls, about a quarter to a
// third children, many nationalities, more than half with an identity.
func TestPlanDistribution(t *testing.T) {
	const n = 2000
	drafts, _ := drawPlan(t, 3, n)
	cv := newCoverage()
	for i := range drafts {
		cv.add(&drafts[i].c, drafts[i].person != nil, len(drafts[i].notes))
	}
	share := func(k int) float64 { return float64(k) / n }
	checks := []struct {
		what   string
		got    float64
		lo, hi float64
	}{
		{"female", share(cv.sexes["female"]), 0.55, 0.8},
		{"treated as child", share(cv.children), 0.22, 0.35},
		{"with identity", share(cv.persons), 0.5, 0.7},
		{"in assistance", share(cv.states["assistance"]), 0.15, 0.35},
		{"encountered", share(cv.states["encountered"]), 0.04, 0.15},
		{"closed", share(cv.states["closed"]), 0.15, 0.3},
		{"sexual exploitation", share(cv.forms["sexual_exploitation"]), 0.25, 0.5},
		{"forced labour", share(cv.forms["forced_labour"]), 0.15, 0.35},
	}
	for _, c := range checks {
		if c.got < c.lo || c.got > c.hi {
			t.Errorf("share %s = %.3f, want in [%.2f, %.2f]", c.what, c.got, c.lo, c.hi)
		}
	}
	if len(cv.nationalities) < 20 {
		t.Errorf("%d nationalities, want at least 20", len(cv.nationalities))
	}
	if cv.notes == 0 {
		t.Error("no notes")
	}
	if cv.reasons["integrated"] <= cv.reasons["returned"] {
		t.Errorf("closure reasons %v: want more integrated than returned", cv.reasons)
	}
}

// Every drawn case is valid and tells a consistent story in time.
func TestPlanConsistency(t *testing.T) {
	for _, seed := range []int64{1, 99} {
		drafts, ref := drawPlan(t, seed, 2000)
		d := mustData(t)
		earliest := ref.AddDate(0, 0, -d.world.HistoryDays)
		for i := range drafts {
			dr := &drafts[i]
			c := dr.c
			fail := func(format string, args ...any) {
				t.Helper()
				t.Errorf("seed %d case %d (%s, encountered %s): %s", seed, i, c.State, c.EncounteredOn, fmt.Sprintf(format, args...))
			}
			c.Normalize()
			if err := c.Validate(); err != nil {
				fail("invalid: %v", err)
			}
			if dr.person != nil {
				if err := dr.person.Validate(); err != nil {
					fail("invalid person: %v", err)
				}
			}
			enc := c.EncounteredOn.Time
			if enc.After(ref) || enc.Before(earliest) {
				fail("encountered outside [%s, %s]", earliest.Format(time.DateOnly), ref.Format(time.DateOnly))
			}
			// Integrated and returned cases went through identification; a
			// transferred or withdrawn one may have, before it stopped.
			wantIdentified := c.State == haven.StateIdentified || c.State == haven.StateAssistance ||
				(c.State == haven.StateClosed && (c.ClosureReason == "integrated" || c.ClosureReason == "returned"))
			mayBeIdentified := c.ClosureReason == "transferred" || c.ClosureReason == "withdrawn"
			if got := !c.IdentifiedOn.IsZero(); got != wantIdentified && !mayBeIdentified {
				fail("identified_on %q, want set %v", c.IdentifiedOn, wantIdentified)
			}
			if !c.IdentifiedOn.IsZero() && (!c.IdentifiedOn.After(enc) || c.IdentifiedOn.After(ref)) {
				fail("identified_on %s not after the encounter and by the reference date", c.IdentifiedOn)
			}
			if (c.State == haven.StateClosed) != (c.Status == haven.StatusClosed) {
				fail("status %s in state %s", c.Status, c.State)
			}
			if c.ClosureReason == "returned" && c.Victim.Nationality == d.world.Country.Code {
				fail("a citizen returned")
			}
			if n := len(c.Events); n < 1 || n > 3 {
				fail("%d events, want 1 to 3", n)
			}
			last := c.Events[len(c.Events)-1]
			if last.Type != "exploitation" || !slices.Contains(c.FormsOfExploitation, last.FormOfExploitation) {
				fail("last event %+v is not the exploitation of one of the case's forms", last)
			}
			if last.EndedOn.After(enc) {
				fail("exploitation ends %s, after the encounter", last.EndedOn)
			}
			var prev time.Time
			for _, e := range c.Events {
				if e.StartedOn.Before(prev) || (!e.EndedOn.IsZero() && e.EndedOn.Before(e.StartedOn.Time)) {
					fail("events out of order: %+v", c.Events)
				}
				prev = e.StartedOn.Time
				if !e.EndedOn.IsZero() {
					prev = e.EndedOn.Time
				}
			}
			if dr.person != nil && dr.person.DateOfBirth != "" {
				dob, err := haven.ParseDate(dr.person.DateOfBirth)
				if err != nil {
					fail("date of birth: %v", err)
					continue
				}
				if c.Victim.AgeAtEncounter == nil {
					fail("a date of birth without a known age")
				} else if age := yearsBetween(dob.Time, enc); age != *c.Victim.AgeAtEncounter {
					fail("date of birth %s gives age %d, case says %d", dob, age, *c.Victim.AgeAtEncounter)
				}
				if c.Events[0].StartedOn.Before(dob.Time) {
					fail("first event %s before birth %s", c.Events[0].StartedOn, dob)
				}
			}
			if !slices.ContainsFunc(d.world.Organisations, func(o orgSpec) bool { return o.Key == dr.owner && o.Cases != nil }) {
				fail("owner %q is not a care organisation that owns cases", dr.owner)
			}
			checkHistory(t, d, dr, ref.AddDate(0, 0, 1), fail)
		}
	}
}

// checkHistory checks a draft's history on its own: opened on the day of
// its encounter, its steps and notes in order between the opening and the
// end of the demo's history, each event fired by an account whose role the
// lifecycle table allows for it, consents and findings recorded by the
// owner's staff.
func checkHistory(t *testing.T, d *data, dr *draft, until time.Time, fail func(string, ...any)) {
	t.Helper()
	if !haven.DateOf(dr.opened).Equal(dr.c.EncounteredOn.Time) {
		fail("opened %s, not on the day of the encounter", dr.opened)
	}
	role := map[string]haven.Role{}
	for _, a := range d.world.Accounts {
		role[a.Username] = a.Role
	}
	creator := d.world.Organisations[d.world.orgByKey[dr.owner]].Cases.Creator
	var prev time.Duration
	for _, s := range dr.steps {
		at := dr.opened.Add(s.after)
		if s.after < prev || !at.Before(until) {
			fail("step %s at %s out of order or after the end of the history %s", s.event, at, until)
		}
		prev = s.after
		switch {
		case s.consent != nil, s.finding != nil:
			if s.actor != creator {
				fail("a consent or finding recorded by %s, not by the owner's %s", s.actor, creator)
			}
		case !slices.ContainsFunc(lifecycle.Transitions(), func(tr lifecycle.Transition) bool {
			return tr.Event == s.event && slices.Contains(tr.Roles, role[s.actor])
		}):
			fail("%s fired by %q, whose role %q the lifecycle does not allow", s.event, s.actor, role[s.actor])
		}
	}
	for _, n := range dr.notes {
		if at := dr.opened.Add(n.after); n.after < 0 || !at.Before(until) {
			fail("note at %s, outside the case's history", at)
		}
	}
}

func TestPlanIsDeterministic(t *testing.T) {
	a, refA := drawPlan(t, 2026, 500)
	b, refB := drawPlan(t, 2026, 500)
	opts := cmp.AllowUnexported(draft{}, noteDraft{}, step{}, consentDraft{}, findingDraft{})
	if !refA.Equal(refB) {
		t.Fatalf("reference dates %s and %s differ", refA, refB)
	}
	if diff := cmp.Diff(a, b, opts); diff != "" {
		t.Fatalf("same seed, different drafts (-first +second):\n%s", diff)
	}
	c, _ := drawPlan(t, 2027, 500)
	if cmp.Equal(a, c, opts) {
		t.Fatal("seeds 2026 and 2027 drew the same drafts")
	}
}

func TestReferenceDate(t *testing.T) {
	w := mustData(t).world
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	earliest := w.referenceDate.AddDate(0, 0, -w.ReferenceJitterDays)
	seen := map[time.Time]bool{}
	for seed := range int64(50) {
		ref := referenceDate(w, seed, now)
		if ref.After(w.referenceDate) || ref.Before(earliest) {
			t.Errorf("seed %d: reference %s outside [%s, %s]", seed, ref, earliest, w.referenceDate)
		}
		if again := referenceDate(w, seed, now.AddDate(1, 0, 0)); !again.Equal(ref) {
			t.Errorf("seed %d: reference moved with the clock: %s then %s", seed, ref, again)
		}
		seen[ref] = true
	}
	if len(seen) < 10 {
		t.Errorf("50 seeds gave only %d reference dates", len(seen))
	}
	// A clock before the reference date pulls it back to today.
	early := w.referenceDate.AddDate(0, 0, -w.ReferenceJitterDays-10)
	if got := referenceDate(w, 1, early.Add(15*time.Hour)); !got.Equal(early) {
		t.Errorf("clock at %s: reference %s, want that day", early, got)
	}
}

func TestDefaultPassword(t *testing.T) {
	words := mustData(t).world.PasswordWords
	seen := map[string]haven.Role{}
	for _, role := range haven.Roles {
		pw := defaultPassword(7, role, words)
		if err := haven.ValidatePassword(pw); err != nil {
			t.Errorf("%s: %q: %v", role, pw, err)
		}
		if pw != defaultPassword(7, role, words) {
			t.Errorf("%s: password changes between calls", role)
		}
		if pw == defaultPassword(8, role, words) {
			t.Errorf("%s: seeds 7 and 8 give the same password", role)
		}
		if other, dup := seen[pw]; dup {
			t.Errorf("%s and %s share the password %q", role, other, pw)
		}
		seen[pw] = role
	}
}

// generate runs Generate on a fresh database and fails the test on error.
func generate(t testing.TB, db *store.DB, opt Options) *Result {
	t.Helper()
	res, err := Generate(context.Background(), db, opt)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return res
}

func TestGenerate(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(t testing.TB) *store.DB) {
		ctx := context.Background()
		db := open(t)
		const n = 120
		var calls, last int
		res := generate(t, db, Options{Seed: 5, Cases: n, Progress: func(done, total int) {
			calls++
			if total != n || done != last+1 {
				t.Errorf("Progress(%d, %d) after %d, want (%d, %d)", done, total, last, last+1, n)
			}
			last = done
		}})
		if res.Cases != n || calls != n || last != n {
			t.Errorf("Result.Cases %d, %d Progress calls reaching %d; want %d", res.Cases, calls, last, n)
		}

		orgs, err := db.ListOrganisations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(orgs) != len(res.Organisations) {
			t.Errorf("%d organisations stored, Result lists %d", len(orgs), len(res.Organisations))
		}
		orgByID := map[string]*haven.Organisation{}
		for _, o := range orgs {
			orgByID[o.ID] = o
		}

		// Every role has its account, and every account logs in with the
		// password Result prints.
		byUsername := map[string]Account{}
		for _, a := range res.Accounts {
			byUsername[a.Username] = a
			if _, err := db.Login(ctx, a.Username, a.Password); err != nil {
				t.Errorf("login %s with its printed password: %v", a.Username, err)
			}
			u, err := db.FindUserByUsername(ctx, a.Username)
			if err != nil {
				t.Fatal(err)
			}
			if u.Role != a.Role || u.Sector != a.Sector || orgByID[u.OrganisationID].Name != a.Organisation {
				t.Errorf("account %+v stored as %+v", a, u)
			}
		}
		for _, role := range haven.Roles {
			a, ok := byUsername[roleUsername(role)]
			if !ok || a.Role != role {
				t.Errorf("no account %s of role %s", roleUsername(role), role)
			}
		}

		cases := allCases(t, db)
		if len(cases) != n {
			t.Fatalf("%d cases stored, want %d", len(cases), n)
		}
		users, err := db.ListUsers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		userByID := map[string]*haven.User{}
		for _, u := range users {
			userByID[u.ID] = u
		}
		cv := newCoverage()
		care := []haven.Sector{haven.SectorNGO, haven.SectorShelter, haven.SectorHealth,
			haven.SectorLabourInspection, haven.SectorChildProtection}
		for _, c := range cases {
			p, err := db.FindPersonByCaseID(ctx, c.ID)
			if err != nil && haven.ErrorCode(err) != haven.ENOTFOUND {
				t.Fatalf("person of case: %v", err)
			}
			notes, err := db.ListNotes(ctx, c.ID)
			if err != nil {
				t.Fatalf("notes of case: %v", err)
			}
			cv.add(c, p != nil, len(notes))
			owner := orgByID[c.OwnerOrganisationID]
			if owner == nil || !slices.Contains(care, owner.Sector) {
				t.Errorf("case %s owned by %v, want a care organisation", c.Reference, owner)
			}
			if creator := userByID[c.CreatedBy]; creator == nil || creator.OrganisationID != c.OwnerOrganisationID {
				t.Errorf("case %s created by %v, not by staff of its owner", c.Reference, creator)
			}
			// The case got to its state through its steps.
			view, err := db.LifecycleOf(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if n := len(view.Steps); n == 0 && c.State != haven.StateEncountered {
				t.Errorf("case %s is %s without a lifecycle step", c.Reference, c.State)
			} else if n > 0 && view.Steps[n-1].Outcome.To != c.State {
				t.Errorf("case %s is %s, its last step left it %s", c.Reference, c.State, view.Steps[n-1].Outcome.To)
			}
		}
		cv.check(t)
		if cv.persons == 0 || cv.persons == n || cv.notes == 0 {
			t.Errorf("%d of %d cases with an identity, %d notes: want some identities, some anonymous, some notes", cv.persons, n, cv.notes)
		}
	})
}

// allCases reads every case, page by page.
func allCases(t testing.TB, db *store.DB) []*haven.Case {
	t.Helper()
	var out []*haven.Case
	f := haven.CaseFilter{Limit: haven.MaxCasePageLimit}
	for {
		page, next, err := db.FindCases(context.Background(), f)
		if err != nil {
			t.Fatalf("find cases: %v", err)
		}
		out = append(out, page...)
		if next == "" {
			return out
		}
		f.After = next
	}
}

// snapshot is what a demo database holds, without what the store draws at
// random (ids, references) or stamps with the clock.
type snapshot struct {
	Organisations []string
	Accounts      []Account
	Cases         []caseSnapshot
}

type caseSnapshot struct {
	Case   haven.Case
	Owner  string
	Author string
	Person *haven.Person
	Notes  []string // author: body
	Steps  []string // time event by username [decision members]
}

func takeSnapshot(t testing.TB, db *store.DB, res *Result) snapshot {
	t.Helper()
	ctx := context.Background()
	s := snapshot{Accounts: res.Accounts}
	orgName := map[string]string{}
	for _, o := range res.Organisations {
		orgName[o.ID] = o.Name
		s.Organisations = append(s.Organisations, o.Name+" ("+string(o.Sector)+")")
	}
	users, err := db.ListUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	username := map[string]string{}
	for _, u := range users {
		username[u.ID] = u.Username
	}
	// Ids are time-ordered, so reading by id reads in creation order.
	for _, c := range allCases(t, db) {
		cs := caseSnapshot{Owner: orgName[c.OwnerOrganisationID], Author: username[c.CreatedBy]}
		p, err := db.FindPersonByCaseID(ctx, c.ID)
		if err == nil {
			p.ID = ""
			cs.Person = p
		} else if haven.ErrorCode(err) != haven.ENOTFOUND {
			t.Fatal(err)
		}
		notes, err := db.ListNotes(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range notes {
			cs.Notes = append(cs.Notes, username[n.AuthorID]+": "+n.Body)
		}
		view, err := db.LifecycleOf(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range view.Steps {
			o := st.Outcome
			line := o.At.UTC().Format(time.RFC3339) + " " + string(o.Event) + " by " + username[o.Actor.UserID]
			if o.Decision != nil {
				for _, m := range o.Decision.Members {
					line += " " + username[m.UserID]
				}
			}
			cs.Steps = append(cs.Steps, line)
		}
		// The store's clock follows each case's history, so its times are
		// the seed's too.
		c.ID, c.Reference, c.OwnerOrganisationID, c.CreatedBy = "", "", "", ""
		cs.Case = *c
		s.Cases = append(s.Cases, cs)
	}
	return s
}

func TestGenerateIsDeterministic(t *testing.T) {
	// Each case fires its whole history: the race detector's -short run
	// compares fewer of them.
	n := 150
	if testing.Short() {
		n = 50
	}
	run := func(seed int64) snapshot {
		db := storetest.OpenSQLite(t)
		return takeSnapshot(t, db, generate(t, db, Options{Seed: seed, Cases: n}))
	}
	first, second := run(11), run(11)
	if len(first.Cases) != n {
		t.Fatalf("%d cases, want %d", len(first.Cases), n)
	}
	steps := 0
	for _, c := range first.Cases {
		steps += len(c.Steps)
	}
	if steps < n {
		t.Fatalf("%d lifecycle steps for %d cases, want their histories", steps, n)
	}
	if diff := cmp.Diff(first, second); diff != "" {
		t.Fatalf("same seed, different data (-first +second):\n%s", diff)
	}
	other := run(12)
	if cmp.Equal(first.Cases, other.Cases) {
		t.Error("seeds 11 and 12 wrote the same cases")
	}
	if cmp.Equal(first.Accounts, other.Accounts) {
		t.Error("seeds 11 and 12 gave the same passwords")
	}
}

// TestGenerateDefaults writes the default demo once and checks its size,
// and that the national rapporteur's report computed from its lifecycle
// steps publishes for the demo's year, as a presenter would open it.
func TestGenerateDefaults(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 2000 cases and their histories")
	}
	ctx := context.Background()
	db := storetest.OpenSQLite(t)
	const seed = 1
	res := generate(t, db, Options{Seed: seed})
	if res.Cases != DefaultCases {
		t.Errorf("Cases = %d, want the default %d", res.Cases, DefaultCases)
	}
	var count int
	if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM cases").Scan(&count); err != nil {
		t.Fatal(err)
	}
	if count != DefaultCases {
		t.Errorf("%d cases stored, want %d", count, DefaultCases)
	}

	// The report's page opens on the last calendar year; the demo's cases
	// run up to its reference date, so that year is the one before it.
	d := mustData(t)
	ref := referenceDate(d.world, seed, time.Now())
	year := ref.Year() - 1
	period := report.Period{From: haven.DateOf(time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)),
		To: haven.DateOf(time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC))}
	rep := computeReport(t, db, period)

	t.Run("report publishes", func(t *testing.T) {
		published := 0
		for _, r := range rep.Results {
			if !r.Suppressed {
				published++
			}
		}
		if published < 5 {
			t.Errorf("%d of %d indicators published for %d, want at least 5:\n%s", published, len(rep.Results), year, reportText(rep))
		}
	})
	t.Run("reasonable grounds in time and late", func(t *testing.T) {
		if in, late := figure(t, rep, "reasonable_grounds_days", "within_limit"), figure(t, rep, "reasonable_grounds_days", "after_limit"); in == 0 || late == 0 || late >= in {
			t.Errorf("%v decisions within the limit and %v after it: want most in time and some late", in, late)
		}
	})
	t.Run("negative decisions reviewed", func(t *testing.T) {
		upheld, overturned := figure(t, rep, "negative_decisions_reviewed", "upheld"), figure(t, rep, "negative_decisions_reviewed", "overturned")
		if upheld == 0 || overturned == 0 {
			t.Errorf("%v negative decisions upheld and %v overturned on review: want some of each", upheld, overturned)
		}
	})
	t.Run("guardians", func(t *testing.T) {
		in, late := figure(t, rep, "child_guardians", "in_time"), figure(t, rep, "child_guardians", "late")
		if in == 0 || late == 0 || late >= in {
			t.Errorf("%v guardians in time and %v late: want most in time and some late", in, late)
		}
	})
	t.Run("every return assessed", func(t *testing.T) {
		// Over the whole history, not only the year.
		all := computeReport(t, db, report.Period{From: haven.DateOf(ref.AddDate(-5, 0, 0)), To: haven.DateOf(ref)})
		for _, r := range []report.Report{rep, all} {
			returns, assessed := figure(t, r, "returns_risk_assessment", "returns"), figure(t, r, "returns_risk_assessment", "assessed")
			if returns == 0 || assessed != returns {
				t.Errorf("%s to %s: %v returns, %v after a risk assessment: want some, all assessed", r.Period.From, r.Period.To, returns, assessed)
			}
		}
	})
	t.Run("inbox", func(t *testing.T) {
		// The competent body's inbox holds real time limits: some still
		// running at the end of the demo's history, some overdue.
		u, err := db.FindUserByUsername(ctx, roleUsername(haven.RoleCompetentBody))
		if err != nil {
			t.Fatal(err)
		}
		end := ref.AddDate(0, 0, 1)
		db.Now = func() time.Time { return end }
		items, err := db.Inbox(haven.NewContextWithUser(ctx, u), 500)
		if err != nil {
			t.Fatal(err)
		}
		rules, overdue := map[string]bool{}, 0
		for _, it := range items {
			rules[it.Rule] = true
			if it.Overdue {
				overdue++
			}
		}
		for _, rule := range []string{"reasonable_grounds_due", "conclusive_due", "review_due"} {
			if !rules[rule] {
				t.Errorf("no %s in the competent body's inbox (%d items)", rule, len(items))
			}
		}
		if overdue == 0 || overdue == len(items) {
			t.Errorf("%d of %d items overdue at the end of the demo's history: want some", overdue, len(items))
		}
	})
	if t.Failed() {
		t.Logf("report for %d:\n%s", year, reportText(rep))
	}
}

// computeReport computes the national rapporteur's report over period
// from what db holds, as the report's page does.
func computeReport(t *testing.T, db *store.DB, period report.Period) report.Report {
	t.Helper()
	in, err := db.ReportInput(context.Background(), period)
	if err != nil {
		t.Fatalf("report input: %v", err)
	}
	return report.Compute(in)
}

// figure returns a figure of a published indicator; it fails the test if
// the indicator is suppressed or has no such figure.
func figure(t *testing.T, rep report.Report, indicator, id string) float64 {
	t.Helper()
	for _, r := range rep.Results {
		if r.ID != indicator {
			continue
		}
		if r.Suppressed {
			t.Errorf("%s is suppressed (fewer than %d cases)", indicator, report.K)
			return 0
		}
		for _, f := range r.Figures {
			if f.ID == id {
				return f.Value
			}
		}
	}
	t.Errorf("no figure %s.%s", indicator, id)
	return 0
}

func reportText(rep report.Report) string {
	var b strings.Builder
	for _, r := range rep.Results {
		fmt.Fprintf(&b, "%s:", r.ID)
		if r.Suppressed {
			b.WriteString(" suppressed")
		}
		for _, f := range r.Figures {
			fmt.Fprintf(&b, " %s=%s", f.ID, f.Text())
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestGeneratePasswordOption(t *testing.T) {
	db := storetest.OpenSQLite(t)
	res := generate(t, db, Options{Cases: 1, Password: func(role haven.Role) string { return "pw-for-" + string(role) + "-demo" }})
	for _, a := range res.Accounts {
		if want := "pw-for-" + string(a.Role) + "-demo"; a.Password != want {
			t.Errorf("%s: password %q, want %q", a.Username, a.Password, want)
		}
		if _, err := db.Login(context.Background(), a.Username, a.Password); err != nil {
			t.Errorf("login %s: %v", a.Username, err)
		}
	}

	_, err := Generate(context.Background(), storetest.OpenSQLite(t), Options{Cases: 1, Password: func(haven.Role) string { return "short" }})
	if haven.ErrorCode(err) != haven.EINVALID {
		t.Errorf("a too short password: error %v, want %s", err, haven.EINVALID)
	}
}

func TestGenerateRefusesUsedDatabase(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenSQLite(t)
	generate(t, db, Options{Cases: 3})
	_, err := Generate(ctx, db, Options{Cases: 3})
	if haven.ErrorCode(err) != haven.ECONFLICT {
		t.Fatalf("second Generate: error %v, want %s", err, haven.ECONFLICT)
	}
	if cases := allCases(t, db); len(cases) != 3 {
		t.Errorf("%d cases after the refused run, want the first run's 3", len(cases))
	}
}

func TestGenerateRefusesBadOptions(t *testing.T) {
	_, err := Generate(context.Background(), storetest.OpenSQLite(t), Options{Cases: -1})
	if haven.ErrorCode(err) != haven.EINVALID {
		t.Errorf("Cases -1: error %v, want %s", err, haven.EINVALID)
	}
}

func TestGenerateStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	db := storetest.OpenSQLite(t)
	_, err := Generate(ctx, db, Options{Cases: 500, Progress: func(done, _ int) {
		if done == 10 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if cases := allCases(t, db); len(cases) != 10 {
		t.Errorf("%d cases written, want the 10 written before the cancel", len(cases))
	}
}

// BenchmarkGenerate2000 measures a default demo on SQLite, password hashing
// made cheap as in every test (see BenchmarkGenerate2000DefaultHashing).
func BenchmarkGenerate2000(b *testing.B) {
	benchmarkGenerate(b, nil)
}

// BenchmarkGenerate2000DefaultHashing is what `haven demo` costs: argon2id
// at production settings for each account.
func BenchmarkGenerate2000DefaultHashing(b *testing.B) {
	settings := store.DefaultAuthSettings
	benchmarkGenerate(b, &settings)
}

func benchmarkGenerate(b *testing.B, auth *store.AuthSettings) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := storetest.OpenSQLite(b)
		if auth != nil {
			db.SetAuthSettings(*auth)
		}
		b.StartTimer()
		if _, err := Generate(context.Background(), db, Options{Seed: int64(i), Cases: 2000}); err != nil {
			b.Fatal(err)
		}
	}
}
