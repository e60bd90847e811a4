package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/store"
	"github.com/haven-nrm/haven/store/storetest"
)

// BenchmarkCreateCaseVsBareInsert measures, in one run, a case created
// through the store (validation, id, transaction) against a bare
// single-row INSERT of the same columns, and reports the ratio.
// Target (issue "Foundation"): ratio ≤ 3.
func BenchmarkCreateCaseVsBareInsert(b *testing.B) {
	for _, d := range []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.OpenSQLite}, {"postgres", storetest.OpenPostgres}} {
		b.Run(d.name, func(b *testing.B) {
			db := d.open(b)
			fx := storetest.Seed(b, db)
			ctx := fx.As(context.Background(), haven.RoleFirstResponder)
			user := fx.Users[haven.RoleFirstResponder]
			coreCase := func() *haven.Case {
				c := sampleCase()
				c.FormsOfExploitation, c.Events = nil, nil
				return c
			}
			var storeTime, bareTime time.Duration
			n := 0
			for b.Loop() {
				t0 := time.Now()
				if err := db.CreateCase(ctx, coreCase(), nil); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				if err := bareInsert(db, user, n); err != nil {
					b.Fatal(err)
				}
				bareTime += time.Since(t1)
				storeTime += t1.Sub(t0)
				n++
			}
			b.ReportMetric(float64(storeTime.Nanoseconds())/float64(n), "store-ns/case")
			b.ReportMetric(float64(bareTime.Nanoseconds())/float64(n), "bare-ns/insert")
			b.ReportMetric(float64(storeTime)/float64(bareTime), "ratio")
		})
	}
}

func bareInsert(db *store.DB, u *haven.User, n int) error {
	now := time.Now().UTC()
	_, err := db.Exec(context.Background(), `INSERT INTO cases (id, reference, version, owner_organisation_id, person_id, status, state,
		closure_reason, encountered_on, identified_on, sex, age_status, age_at_encounter, treated_as_child, disability,
		ethnicity, nationality, immigration_status, socioeconomic_status, location_of_identification,
		method_of_recruitment, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		fmt.Sprintf("bare-%09d", n), fmt.Sprintf("BARE-%09d", n), 1, u.OrganisationID, nil, "open", "encountered",
		"", "2026-03-14", nil, "female", "declared", 24, false, "none", "", "NG", "irregular", "low_income", "R-03",
		"job_offer", u.ID, now, now)
	return err
}

// BenchmarkCreateCaseWithChildren is a typical create: two forms of
// exploitation and two events in the same transaction.
func BenchmarkCreateCaseWithChildren(b *testing.B) {
	db := storetest.OpenSQLite(b)
	fx := storetest.Seed(b, db)
	ctx := fx.As(context.Background(), haven.RoleFirstResponder)
	for b.Loop() {
		if err := db.CreateCase(ctx, sampleCase(), nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListCases100k lists one page of 50 cases out of 100,000 by
// filter on SQLite. Target: under 20 ms per page.
func BenchmarkListCases100k(b *testing.B) {
	db := storetest.OpenSQLite(b)
	fx := storetest.Seed(b, db)
	ctx := fx.As(context.Background(), haven.RoleFirstResponder)
	if err := bulkCases(db, fx, 100_000); err != nil {
		b.Fatal(err)
	}
	org := fx.Users[haven.RoleFirstResponder].OrganisationID
	filters := map[string]haven.CaseFilter{
		"nationality":      {Nationality: "TH", Limit: 50},
		"form":             {FormOfExploitation: "organ_removal", Limit: 50},
		"children_state":   {ChildOnly: true, State: haven.StateReflectionPeriod, Limit: 50},
		"owner_open":       {OwnerOrganisationID: org, Status: haven.StatusOpen, Limit: 50},
		"sex_encountered":  {Sex: "female", EncounteredFrom: haven.DateOf(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)), Limit: 50},
		"rare_combination": {Nationality: "MM", FormOfExploitation: "abusive_surrogacy", ChildOnly: true, Limit: 50},
	}
	for name, f := range filters {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, _, err := db.FindCases(ctx, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// bulkCases writes n varied cases straight into the tables, in one
// transaction, to set up listing benchmarks quickly.
func bulkCases(db *store.DB, fx *storetest.Fixture, n int) error {
	ctx := context.Background()
	nats := []string{"NG", "TH", "VN", "RO", "MM", "ER", "UA", "PH", "BR", "CN", "IN", "ZZ"}
	forms := haven.Vocab.FormCodes()
	states := haven.LifecycleStates
	sexes := []string{"female", "female", "female", "male", "other", "unknown"}
	user := fx.Users[haven.RoleFirstResponder]
	if _, err := db.Exec(ctx, "BEGIN"); err != nil {
		return err
	}
	for i := range n {
		id := fmt.Sprintf("00000000-0000-7000-8000-%012d", i)
		age := 8 + i%40
		state := states[i%len(states)]
		status, closure := "open", ""
		if state == haven.StateClosed {
			status, closure = "closed", "integrated"
		}
		enc := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%1000).Format("2006-01-02")
		if _, err := db.Exec(ctx, `INSERT INTO cases (id, reference, version, owner_organisation_id, status, state, closure_reason,
			encountered_on, sex, age_status, age_at_encounter, treated_as_child, disability, nationality, immigration_status,
			socioeconomic_status, forms, created_by, created_at, updated_at)
			VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, 'declared', ?, ?, 'none', ?, 'irregular', 'unknown', ?, ?, ?, ?)`,
			id, fmt.Sprintf("B-%08d", i), user.OrganisationID, status, string(state), closure, enc, sexes[i%len(sexes)],
			age, age < 18, nats[(i/7)%len(nats)], forms[(i/3)%len(forms)], user.ID, time.Now().UTC(), time.Now().UTC()); err != nil {
			return err
		}
		if _, err := db.Exec(ctx, `INSERT INTO case_forms (case_id, form) VALUES (?, ?)`, id, forms[(i/3)%len(forms)]); err != nil {
			return err
		}
	}
	_, err := db.Exec(ctx, "COMMIT")
	return err
}

// plainVault stores values as they are: the baseline of a write with
// encryption turned off. Its "blind index" is the value itself.
type plainVault struct{}

func (plainVault) Seal(_ context.Context, _ haven.Compartment, _ haven.FieldRef, p []byte) ([]byte, error) {
	return append([]byte(nil), p...), nil
}
func (plainVault) Open(_ context.Context, _ haven.Compartment, _ haven.FieldRef, c []byte) ([]byte, error) {
	return c, nil
}
func (plainVault) RecordRef(context.Context, string, string) (string, error) { return "", nil }
func (plainVault) BlindIndex(_ context.Context, _ haven.Compartment, _, v string) ([]byte, error) {
	return []byte(v), nil
}
func (plainVault) BlindIndexCandidates(_ context.Context, _ haven.Compartment, _, v string) ([][]byte, error) {
	return [][]byte{[]byte(v)}, nil
}

// BenchmarkProtectedWriteVsPlain measures, in one run, creating a case with
// the person's identity encrypted (AEAD per field, blind indexes) and its
// access-log entry appended, against the same write with encryption and
// the access log turned off, and reports the ratio. Target: ratio ≤ 2.
func BenchmarkProtectedWriteVsPlain(b *testing.B) {
	for _, d := range []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.OpenSQLite}, {"postgres", storetest.OpenPostgres}} {
		b.Run(d.name, func(b *testing.B) {
			protected := d.open(b)
			fx := storetest.Seed(b, protected)
			plain := d.open(b)
			fxPlain := storetest.Seed(b, plain)
			plain.SetVault(plainVault{})
			plain.SetAuditing(false)
			ctxP := fx.As(context.Background(), haven.RoleFirstResponder)
			ctxN := fxPlain.As(context.Background(), haven.RoleFirstResponder)
			person := func() *haven.Person {
				return &haven.Person{GivenName: "Amina", FamilyName: "Okafor", DateOfBirth: "2002-01-31", DocumentNumber: "A1234567", Contact: "+234 800 000 0000"}
			}
			// Warm both: the first protected write loads keysets.
			protected.CreateCase(ctxP, sampleCase(), person())
			plain.CreateCase(ctxN, sampleCase(), person())
			var tp, tn time.Duration
			n := 0
			for b.Loop() {
				t0 := time.Now()
				if err := protected.CreateCase(ctxP, sampleCase(), person()); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				if err := plain.CreateCase(ctxN, sampleCase(), person()); err != nil {
					b.Fatal(err)
				}
				tn += time.Since(t1)
				tp += t1.Sub(t0)
				n++
			}
			b.ReportMetric(float64(tp.Nanoseconds())/float64(n), "protected-ns/case")
			b.ReportMetric(float64(tn.Nanoseconds())/float64(n), "plain-ns/case")
			b.ReportMetric(float64(tp)/float64(tn), "ratio")
		})
	}
}

// BenchmarkInbox100k computes a user's inbox over 100,000 open cases on
// SQLite, each with running time limits. Target: under 100 ms.
func BenchmarkInbox100k(b *testing.B) {
	db := storetest.OpenSQLite(b)
	fx := storetest.Seed(b, db)
	if err := bulkCases(db, fx, 100_000); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	org := fx.Users[haven.RoleFirstResponder].OrganisationID
	rules := []struct{ rule, roles string }{
		{"guardian_due", ",caseworker,first_responder,"}, {"reasonable_grounds_due", ",competent_body,"},
		{"reflection_ending", ",caseworker,"}, {"review_due", ",competent_body,"},
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := db.Exec(ctx, "BEGIN"); err != nil {
		b.Fatal(err)
	}
	for i := range 100_000 {
		r := rules[i%len(rules)]
		due := start.Add(time.Duration(i%5000) * time.Hour)
		if _, err := db.Exec(ctx, `INSERT INTO case_alerts (case_id, rule, owner_organisation_id, roles, visible_from, due_at)
			VALUES (?, ?, ?, ?, ?, ?)`, fmt.Sprintf("00000000-0000-7000-8000-%012d", i), r.rule, org, r.roles, start, due); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.Exec(ctx, "COMMIT"); err != nil {
		b.Fatal(err)
	}
	for _, role := range []haven.Role{haven.RoleCaseworker, haven.RoleCompetentBody} {
		b.Run(string(role), func(b *testing.B) {
			uctx := fx.As(ctx, role)
			if role == haven.RoleCaseworker {
				u := *fx.Users[role]
				u.OrganisationID = org
				uctx = haven.NewContextWithUser(ctx, &u)
			}
			for b.Loop() {
				items, err := db.Inbox(uctx, 200)
				if err != nil || len(items) == 0 {
					b.Fatalf("inbox: %d items, %v", len(items), err)
				}
			}
		})
	}
}
