// Package demo fills a new, empty Haven database with synthetic but
// plausible data for `haven demo`: the agencies of a fictional country, a
// staff account for every role, and cases spread over every lifecycle
// state, sex, age, nationality and form of exploitation, some with an
// identity and notes.
//
// Each case reaches its state through the lifecycle, as real cases do: it
// is opened at its encounter, and its history — screening, the consent and
// the referral, the multidisciplinary decisions and their reviews, a
// child's guardian, assistance, a return after a risk assessment, a
// closure — is fired event by event on the store's clock, moved back to
// the moment each step happened. So the time limits in the inbox, the
// steps on a case's page and the national rapporteur's report all come
// from real steps.
//
// The data is deterministic: one seed always gives the same organisations,
// accounts, passwords and case contents (only the store's random ids and
// references differ), so a presentation can be rehearsed and a bug seen in
// a demo reproduced. Nothing in it describes a real person or agency: names
// are drawn at random from lists of common names, the country and its
// regions are invented.
//
// Everything is written through the store's public methods, as the staff of
// the owning organisation (or, for a step their roles may not take, the
// demo account of a role the lifecycle allows) would, so the demo
// exercises the same validation, guards, encryption and transactions as
// real use. The distributions live in the embedded data/*.yaml files.
//
// Demo passwords derive from the seed: they are not secrets, and a demo
// database must never hold real data or face the internet.
package demo

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/lifecycle"
	"github.com/haven-nrm/haven/store"
)

// DefaultCases is how many cases Generate writes when Options.Cases is 0.
const DefaultCases = 2000

// Options tune Generate.
type Options struct {
	// Seed selects the data: the same seed gives the same organisations,
	// users, cases and names.
	Seed int64
	// Cases is how many cases to write; 0 means DefaultCases.
	Cases int
	// Password returns the password of the accounts of a role. Nil derives
	// a readable one from Seed and the role, at least 12 characters.
	Password func(role haven.Role) string
	// Progress, if set, is called after each case is written, with the
	// number written so far and the total.
	Progress func(done, total int)
}

// Account is a staff account Generate created, with its password in clear
// so that `haven demo` can print it.
type Account struct {
	Username     string
	Password     string
	Role         haven.Role
	Organisation string // name
	Sector       haven.Sector
}

// Result is what Generate created.
type Result struct {
	Organisations []*haven.Organisation
	// Accounts lists one account per role, named after the role with
	// dashes ("first-responder"), then the extra staff who record the cases
	// of the care organisations without a role account of their own.
	Accounts []Account
	Cases    int
}

// Generate writes the demo data into db, which must be migrated, have a
// vault, and hold no organisations or users yet. It moves db's clock
// (store.DB.Now) along the cases' histories and gives it back when it
// returns: nothing else may use db meanwhile.
func Generate(ctx context.Context, db *store.DB, opt Options) (*Result, error) {
	if opt.Cases < 0 {
		return nil, fmt.Errorf("demo: %w", haven.Errorf(haven.EINVALID, "The number of cases cannot be negative."))
	}
	if opt.Cases == 0 {
		opt.Cases = DefaultCases
	}
	d, err := loadData()
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	if err := checkEmpty(ctx, db); err != nil {
		return nil, err
	}
	password := opt.Password
	if password == nil {
		password = func(role haven.Role) string { return defaultPassword(opt.Seed, role, d.world.PasswordWords) }
	}

	// Draw everything first: writing must not consume randomness, or a
	// retry or a change in the store could change the data.
	now := time.Now()
	g := newDrawer(d, opt.Seed, referenceDate(d.world, opt.Seed, now), now)
	drafts := g.plan(opt.Cases)

	// The store's clock follows each step, and the world was set up before
	// the first case; the clock is given back however Generate ends.
	realNow := db.Now
	defer func() { db.Now = realNow }()
	clock := g.until.AddDate(0, 0, -d.world.HistoryDays-1)
	db.Now = func() time.Time { return clock }

	res := &Result{}
	orgs := map[string]*haven.Organisation{}
	for _, o := range d.world.Organisations {
		org := &haven.Organisation{Name: o.Name, Sector: o.Sector}
		if err := db.CreateOrganisation(ctx, org); err != nil {
			return nil, fmt.Errorf("demo: organisation %s: %w", o.Key, err)
		}
		orgs[o.Key] = org
		res.Organisations = append(res.Organisations, org)
	}
	users := map[string]*haven.User{}
	for _, a := range d.world.Accounts {
		org := orgs[a.Organisation]
		u := &haven.User{Username: a.Username, DisplayName: a.DisplayName, Role: a.Role, OrganisationID: org.ID}
		pw := password(a.Role)
		if err := db.CreateUser(ctx, u, pw); err != nil {
			return nil, fmt.Errorf("demo: account %s: %w", a.Username, err)
		}
		u.Sector = org.Sector // as the store fills it for a request
		users[a.Username] = u
		res.Accounts = append(res.Accounts, Account{
			Username: u.Username, Password: pw, Role: u.Role, Organisation: org.Name, Sector: org.Sector,
		})
	}
	// Referrals go to the competent body, whose chair's organisation takes
	// the decisions.
	w := &writer{db: db, users: users, clock: &clock, recipient: users[d.history.DecisionTeam.Chair].OrganisationID}

	for i := range drafts {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		dr := &drafts[i]
		if err := w.write(ctx, dr, g.creators[dr.owner]); err != nil {
			return nil, fmt.Errorf("demo: case %d of %d: %w", i+1, len(drafts), err)
		}
		res.Cases++
		if opt.Progress != nil {
			opt.Progress(i+1, len(drafts))
		}
	}
	return res, nil
}

// writer writes drafted cases, moving the store's clock along each one's
// history.
type writer struct {
	db        *store.DB
	users     map[string]*haven.User
	clock     *time.Time
	recipient string // the competent body's organisation, which referrals go to
}

// write opens a drafted case at its encounter, as its owner's staff member
// would, and fires its history step by step at the time of each; its notes
// come last, each at its own time.
func (w *writer) write(ctx context.Context, dr *draft, creator string) error {
	as := func(username string) (context.Context, error) {
		u := w.users[username]
		if u == nil {
			return nil, fmt.Errorf("no demo account %q", username)
		}
		return haven.NewContextWithUser(ctx, u), nil
	}
	// A case starts at the encounter; its history moves it on.
	c := dr.c
	c.State, c.Status, c.ClosureReason = haven.StateEncountered, haven.StatusOpen, ""
	c.IdentifiedOn, c.ReasonableGroundsOn = haven.Date{}, haven.Date{}
	*w.clock = dr.opened
	byCreator, err := as(creator)
	if err != nil {
		return err
	}
	// The store makes the creator's organisation the owner.
	if err := w.db.CreateCase(byCreator, &c, dr.person); err != nil {
		return err
	}
	got := &c
	for _, s := range dr.steps {
		*w.clock = dr.opened.Add(s.after)
		by, err := as(s.actor)
		if err != nil {
			return fmt.Errorf("%s: %w", s.event, err)
		}
		switch {
		case s.consent != nil:
			k := &haven.Consent{CaseID: c.ID, Purpose: haven.PurposeAssistanceReferral, RecipientOrganisationID: w.recipient,
				Scope: []haven.ConsentScope{haven.ScopeCase, haven.ScopeNotes}, GivenBy: s.consent.givenBy,
				ChildView: s.consent.childView, Method: s.consent.method}
			if err := w.db.RecordConsent(by, k); err != nil {
				return fmt.Errorf("referral consent: %w", err)
			}
		case s.finding != nil:
			f := &haven.NonPunishmentFinding{CaseID: c.ID, DecidedOn: s.finding.decidedOn, DecidedBy: s.finding.decidedBy,
				Offences: s.finding.offences, NationalProvision: s.finding.provision}
			if err := w.db.RecordNonPunishment(by, f); err != nil {
				return fmt.Errorf("non-punishment finding: %w", err)
			}
		default:
			req := lifecycle.Request{Event: s.event, Reasons: s.reasons}
			if s.team != nil {
				req.Reasons = ""
				req.Decision = &lifecycle.Decision{Reasons: s.reasons, Evidence: s.evidence}
				for _, m := range s.team {
					u := w.users[m]
					if u == nil {
						return fmt.Errorf("%s: no demo account %q", s.event, m)
					}
					req.Decision.Members = append(req.Decision.Members, lifecycle.Member{UserID: u.ID, Role: u.Role, Sector: u.Sector})
				}
			}
			if got, _, err = w.db.FireEvent(by, c.ID, got.Version, req); err != nil {
				return fmt.Errorf("%s at %s: %w", s.event, w.clock.Format(time.RFC3339), err)
			}
		}
	}
	// The history must leave the case as drawn.
	if got.State != dr.c.State || got.Status != dr.c.Status || got.ClosureReason != dr.c.ClosureReason ||
		!got.IdentifiedOn.Equal(dr.c.IdentifiedOn.Time) || !got.ReasonableGroundsOn.Equal(dr.c.ReasonableGroundsOn.Time) {
		return fmt.Errorf("its history left it %s %s (identified %s, reasonable grounds %s), drawn %s %s (%s, %s)",
			got.State, got.ClosureReason, got.IdentifiedOn, got.ReasonableGroundsOn,
			dr.c.State, dr.c.ClosureReason, dr.c.IdentifiedOn, dr.c.ReasonableGroundsOn)
	}
	for _, n := range dr.notes {
		*w.clock = dr.opened.Add(n.after)
		by, err := as(n.author)
		if err != nil {
			return err
		}
		if err := w.db.AddNote(by, &haven.Note{CaseID: c.ID, Body: n.body}); err != nil {
			return fmt.Errorf("note: %w", err)
		}
	}
	return nil
}

// checkEmpty refuses a database that already has organisations or users:
// demo names would clash with them half-way, and demo cases must never mix
// with real ones.
func checkEmpty(ctx context.Context, db *store.DB) error {
	orgs, err := db.ListOrganisations(ctx)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	users, err := db.ListUsers(ctx)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if len(orgs) > 0 || len(users) > 0 {
		return fmt.Errorf("demo: %w", haven.Errorf(haven.ECONFLICT,
			"The database already holds organisations or users: demo data goes only into a new, empty database."))
	}
	return nil
}

// referenceDate is the last day a demo case can be encountered on: the
// data's fixed date moved back by a seed-chosen number of days, and never
// after today, which Haven would refuse as a date in the future.
func referenceDate(w *world, seed int64, now time.Time) time.Time {
	ref := w.referenceDate.AddDate(0, 0, -newRand(seed, streamReference).IntN(w.ReferenceJitterDays+1))
	if today := haven.DateOf(now).Time; ref.After(today) {
		return today
	}
	return ref
}

// defaultPassword derives a role's demo password from the seed: three
// words and two digits, such as "heron-quartz-meadow-42", easy to read out
// in a training room. Each role draws from its own stream, so adding a role
// changes no other role's password.
func defaultPassword(seed int64, role haven.Role, words []string) string {
	h := fnv.New64a()
	h.Write([]byte(role))
	r := newRand(seed, streamPasswords^h.Sum64())
	return fmt.Sprintf("%s-%s-%s-%02d", oneOf(r, words), oneOf(r, words), oneOf(r, words), r.IntN(100))
}

// roleUsername is the username of a role's demo account: the role with
// dashes, as people type it.
func roleUsername(r haven.Role) string { return strings.ReplaceAll(string(r), "_", "-") }
