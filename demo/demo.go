// Package demo fills a new, empty Haven database with synthetic but
// plausible data for `haven demo`: the agencies of a fictional country, a
// staff account for every role, and cases spread over every lifecycle
// state, sex, age, nationality and form of exploitation, some with an
// identity and notes.
//
// The data is deterministic: one seed always gives the same organisations,
// accounts, passwords and case contents (only the store's random ids and
// references differ), so a presentation can be rehearsed and a bug seen in
// a demo reproduced. Nothing in it describes a real person or agency: names
// are drawn at random from lists of common names, the country and its
// regions are invented.
//
// Everything is written through the store's public methods, as the staff of
// the owning organisation would, so the demo exercises the same validation,
// encryption and transactions as real use. The distributions live in the
// embedded data/*.yaml files.
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
// vault, and hold no organisations or users yet.
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
	drafts := newDrawer(d, opt.Seed, referenceDate(d.world, opt.Seed, time.Now())).plan(opt.Cases)

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
	creators := map[string]*haven.User{}
	for _, o := range d.world.Organisations {
		if o.Cases != nil {
			creators[o.Key] = users[o.Cases.Creator]
		}
	}

	for i := range drafts {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		dr := &drafts[i]
		// The store makes the creator's organisation the owner.
		as := haven.NewContextWithUser(ctx, creators[dr.owner])
		if err := db.CreateCase(as, &dr.c, dr.person); err != nil {
			return nil, fmt.Errorf("demo: case %d of %d: %w", i+1, len(drafts), err)
		}
		for _, n := range dr.notes {
			note := &haven.Note{CaseID: dr.c.ID, Body: n.body}
			if err := db.AddNote(haven.NewContextWithUser(ctx, users[n.author]), note); err != nil {
				return nil, fmt.Errorf("demo: note of case %d: %w", i+1, err)
			}
		}
		res.Cases++
		if opt.Progress != nil {
			opt.Progress(i+1, len(drafts))
		}
	}
	return res, nil
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
