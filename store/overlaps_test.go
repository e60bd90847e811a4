package store_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/store"
	"github.com/haven-nrm/haven/store/storetest"
)

// overlapCase is one hand-made case for the overlap tests: who owns it,
// its reasonable-grounds date ("" for none), its identity (nil for none)
// and the role of a user who screened it ("" for nobody).
type overlapCase struct {
	name     string // for the test's messages and for screenedBy
	owner    string // "ngo", "ngo2" (a second NGO), "shelter", "police", "social_services"
	rg       string
	person   *haven.Person
	screener haven.Role
}

// overlapWorld is the small population the tables below are computed
// from by hand. The period is 2025.
//
//	P1 Amina  A1 ngo2 + A2 police, linked by document number (names spelt apart)
//	P2 Bea    B1 ngo + B2 shelter (2024), linked by name and birth date, accents aside
//	P3 Chen   C2 shelter ~name~ C1 police (no decision) ~document~ C3 ngo: linked transitively
//	P4 Dana   D1 ngo, no identity, screened by a police officer
//	P5 Eve    E1 shelter, a given name only: a person of her own
//	P6 Fay    F1 ngo2 + F2 ngo (2026), linked by document number
//	P7 Gul    G1 police
//	   Bea's namesake B3 ngo, other birth date: not Bea, and outside the period
//	   Hana   H1 social_services (2024) + H2 ngo (2026): nobody counted; her sector is no list
//	   I1     social_services (2024), no identity: not counted
var overlapWorld = []overlapCase{
	{"A1", "ngo2", "2025-02-01", &haven.Person{GivenName: "Amina", FamilyName: "Okafor", DateOfBirth: "1990-01-01", DocumentNumber: "A-123 456"}, ""},
	{"A2", "police", "2025-03-01", &haven.Person{GivenName: "Aminah", FamilyName: "Okafor", DocumentNumber: "a123456"}, ""},
	{"B1", "ngo", "2025-04-01", &haven.Person{GivenName: "Béa", FamilyName: "Lindqvist", DateOfBirth: "1995-05-05"}, ""},
	{"B2", "shelter", "2024-11-30", &haven.Person{GivenName: "BEA", FamilyName: "lindqvist", DateOfBirth: "1995-05-05", Contact: "+1 555"}, ""},
	{"B3", "ngo", "2024-01-01", &haven.Person{GivenName: "Bea", FamilyName: "Lindqvist", DateOfBirth: "1996-06-06"}, ""},
	{"C1", "police", "", &haven.Person{GivenName: "Chen", FamilyName: "Wei", DateOfBirth: "2001-02-03", DocumentNumber: "C333"}, ""},
	{"C2", "shelter", "2025-06-01", &haven.Person{GivenName: "Chen", FamilyName: "Wei", DateOfBirth: "2001-02-03"}, ""},
	{"C3", "ngo", "2025-12-31", &haven.Person{GivenName: "C.", DocumentNumber: "C333"}, ""},
	{"D1", "ngo", "2025-01-01", nil, haven.RoleLawEnforcement},
	{"E1", "shelter", "2025-07-07", &haven.Person{GivenName: "Eve"}, ""},
	{"F1", "ngo2", "2025-08-08", &haven.Person{DocumentNumber: "F777"}, ""},
	{"F2", "ngo", "2026-01-01", &haven.Person{GivenName: "Fay", DocumentNumber: "F777"}, ""},
	{"G1", "police", "2025-09-09", &haven.Person{DocumentNumber: "G1"}, ""},
	{"H1", "social_services", "2024-03-03", &haven.Person{DocumentNumber: "H8"}, ""},
	{"H2", "ngo", "2026-03-03", &haven.Person{DocumentNumber: "H8"}, ""},
	{"I1", "social_services", "2024-03-03", nil, ""},
}

// seedOverlaps stores cases and returns each one's id by name.
func seedOverlaps(t *testing.T, db *store.DB, world []overlapCase) map[string]string {
	t.Helper()
	ctx := context.Background()
	fx := storetest.Seed(t, db)
	ngo2 := &haven.Organisation{Name: "Another NGO", Sector: haven.SectorNGO}
	if err := db.CreateOrganisation(ctx, ngo2); err != nil {
		t.Fatal(err)
	}
	owners := map[string]string{
		"ngo":             fx.Orgs[haven.SectorNGO].ID,
		"ngo2":            ngo2.ID,
		"shelter":         fx.Orgs[haven.SectorShelter].ID,
		"police":          fx.Orgs[haven.SectorPolice].ID,
		"social_services": fx.Orgs[haven.SectorSocialServices].ID,
	}
	ids := map[string]string{}
	for _, oc := range world {
		c := &haven.Case{
			EncounteredOn:       mustDate(t, "2024-01-01"),
			OwnerOrganisationID: owners[oc.owner],
			Victim: haven.VictimContext{Sex: "female", AgeStatus: "declared", AgeAtEncounter: intp(30), Disability: "none",
				Nationality: "NG", ImmigrationStatus: "irregular", SocioeconomicStatus: "unknown"},
		}
		if oc.owner == "" || c.OwnerOrganisationID == "" {
			t.Fatalf("%s: unknown owner %q", oc.name, oc.owner)
		}
		if oc.rg != "" {
			c.ReasonableGroundsOn = mustDate(t, oc.rg)
		}
		var p *haven.Person
		if oc.person != nil {
			cp := *oc.person
			p = &cp
		}
		if err := db.CreateCase(fx.As(ctx, haven.RoleFirstResponder), c, p); err != nil {
			t.Fatalf("%s: %v", oc.name, err)
		}
		ids[oc.name] = c.ID
		if oc.screener != "" {
			s := &haven.Screening{CatalogueVersion: "test", CatalogueDigest: "test", List: "adult_labour", Age: "adult",
				Outcome: "indicators_present", Answers: []byte(`{}`), Result: []byte(`{}`)}
			consent := &haven.Consent{CaseID: c.ID, Purpose: haven.PurposeScreening, Scope: []haven.ConsentScope{haven.ScopeCase},
				GivenBy: haven.GivenBySurvivor, Method: "oral"}
			if err := db.RecordScreening(fx.As(ctx, oc.screener), s, consent); err != nil {
				t.Fatalf("%s: screening: %v", oc.name, err)
			}
		}
	}
	return ids
}

// row is a compact way to write an expected combination.
func row(count int, on ...int) store.OverlapRow {
	r := store.OverlapRow{Count: count}
	for _, v := range on {
		r.On = append(r.On, v == 1)
	}
	return r
}

func year2025(lists string) store.OverlapQuery {
	d := func(s string) haven.Date { d, _ := haven.ParseDate(s); return d }
	return store.OverlapQuery{Basis: store.BasisReasonableGrounds, From: d("2025-01-01"), To: d("2025-12-31"), Lists: lists}
}

func TestListOverlaps(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		db := open(t)
		ids := seedOverlaps(t, db, overlapWorld)
		ctx := context.Background()

		t.Run("by sector", func(t *testing.T) {
			before := len(allAuditEntries(t, db))
			got, err := db.ListOverlaps(ctx, year2025(store.ListsBySector))
			if err != nil {
				t.Fatal(err)
			}
			entries := allAuditEntries(t, db)
			if len(entries) != before+1 || entries[len(entries)-1].Event.Action != "statistics.linkage" {
				t.Errorf("the linkage left %d new access-log entries, want one statistics.linkage", len(entries)-before)
			}
			want := &store.Overlaps{
				Lists: []string{"ngo", "shelter", "police"},
				Rows: []store.OverlapRow{
					row(1, 1, 1, 1), // Chen
					row(1, 1, 1, 0), // Bea, her shelter case from 2024
					row(2, 1, 0, 1), // Amina; Dana, through the screening
					row(1, 1, 0, 0), // Fay: two NGOs are one sector
					row(1, 0, 1, 0), // Eve
					row(1, 0, 0, 1), // Gul
				},
				CasesInPeriod:      9, // A1 A2 B1 C2 C3 D1 E1 F1 G1
				CasesOutsidePeriod: 3, // B2 C1 F2
				WithoutIdentifiers: 2, // D1 E1
				IndexKeys:          1,
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("overlaps (-want +got):\n%s", diff)
			}
			if got.Persons() != 7 {
				t.Errorf("persons = %d, want 7", got.Persons())
			}
		})

		t.Run("by organisation", func(t *testing.T) {
			got, err := db.ListOverlaps(ctx, year2025(store.ListsByOrganisation))
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"Another NGO", "Test ngo", "Test police", "Test shelter"}
			if diff := cmp.Diff(want, got.Lists); diff != "" {
				t.Errorf("lists (-want +got):\n%s", diff)
			}
			wantRows := []store.OverlapRow{
				row(1, 1, 1, 0, 0), // Fay
				row(1, 1, 0, 1, 0), // Amina
				row(1, 0, 1, 1, 1), // Chen
				row(1, 0, 1, 1, 0), // Dana
				row(1, 0, 1, 0, 1), // Bea
				row(1, 0, 0, 1, 0), // Gul
				row(1, 0, 0, 0, 1), // Eve
			}
			if diff := cmp.Diff(wantRows, got.Rows); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})

		t.Run("by identification date", func(t *testing.T) {
			// Nobody has an identification decision.
			q := year2025(store.ListsBySector)
			q.Basis = store.BasisIdentification
			_, err := db.ListOverlaps(ctx, q)
			if haven.ErrorCode(err) != haven.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
		})

		t.Run("an unfinished key rotation misses links", func(t *testing.T) {
			// Amina's police case gets a document index made by another
			// key, as while a rotation re-indexes: she becomes two persons.
			var personID string
			var idx []byte
			if err := db.QueryRow(ctx, `SELECT p.id, p.document_number_bidx FROM cases c JOIN persons p ON p.id = c.person_id WHERE c.id = ?`,
				ids["A2"]).Scan(&personID, &idx); err != nil {
				t.Fatal(err)
			}
			other := append([]byte(nil), idx...)
			other[1] ^= 0xff
			if _, err := db.Exec(ctx, `UPDATE persons SET document_number_bidx = ? WHERE id = ?`, other, personID); err != nil {
				t.Fatal(err)
			}
			// Eve's given name loses its index, as a row stored before
			// blind indexes existed.
			if _, err := db.Exec(ctx, `UPDATE persons SET given_name_bidx = NULL WHERE id = (SELECT person_id FROM cases WHERE id = ?)`,
				ids["E1"]); err != nil {
				t.Fatal(err)
			}
			got, err := db.ListOverlaps(ctx, year2025(store.ListsBySector))
			if err != nil {
				t.Fatal(err)
			}
			want := &store.Overlaps{
				Lists: []string{"ngo", "shelter", "police"},
				Rows: []store.OverlapRow{
					row(1, 1, 1, 1), // Chen
					row(1, 1, 1, 0), // Bea
					row(1, 1, 0, 1), // Dana
					row(2, 1, 0, 0), // Fay; Amina at the NGO
					row(1, 0, 1, 0), // Eve
					row(2, 0, 0, 1), // Gul; Amina at the police
				},
				CasesInPeriod:      9,
				CasesOutsidePeriod: 3,
				WithoutIdentifiers: 2,
				Unindexed:          1,
				IndexKeys:          2,
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("overlaps (-want +got):\n%s", diff)
			}
		})
	})
}

// TestListOverlapsOutsidePeriod checks that a case outside the period adds
// its lists to a person only through a link to a case inside it.
func TestListOverlapsOutsidePeriod(t *testing.T) {
	world := []overlapCase{
		{"X1", "ngo", "2025-05-05", &haven.Person{DocumentNumber: "X"}, ""},
		{"X2", "police", "2024-05-05", &haven.Person{DocumentNumber: "X"}, ""},
		{"Y1", "police", "2024-06-06", &haven.Person{DocumentNumber: "Y"}, ""},
		{"Y2", "shelter", "2025-06-06", nil, ""}, // perhaps Y, but nothing says so
		{"Z1", "ngo", "2025-07-07", &haven.Person{DocumentNumber: "Z"}, ""},
		{"W1", "shelter", "2023-01-01", &haven.Person{DocumentNumber: "W"}, ""},
	}
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		db := open(t)
		seedOverlaps(t, db, world)
		ctx := context.Background()
		tests := []struct {
			from, to string
			want     *store.Overlaps
		}{
			{"2025-01-01", "2025-12-31", &store.Overlaps{
				Lists: []string{"ngo", "shelter", "police"},
				// The police list is there only through X's case of 2024.
				Rows:               []store.OverlapRow{row(1, 1, 0, 1), row(1, 1, 0, 0), row(1, 0, 1, 0)},
				CasesInPeriod:      3,
				CasesOutsidePeriod: 1,
				WithoutIdentifiers: 1,
				IndexKeys:          1,
			}},
			{"2024-01-01", "2024-12-31", &store.Overlaps{
				Lists:              []string{"ngo", "police"},
				Rows:               []store.OverlapRow{row(1, 1, 1), row(1, 0, 1)},
				CasesInPeriod:      2,
				CasesOutsidePeriod: 1,
				IndexKeys:          1,
			}},
		}
		for _, tt := range tests {
			t.Run(tt.from, func(t *testing.T) {
				q := store.OverlapQuery{From: mustDate(t, tt.from), To: mustDate(t, tt.to)}
				got, err := db.ListOverlaps(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("overlaps (-want +got):\n%s", diff)
				}
			})
		}
	})
}

func TestListOverlapsRefuses(t *testing.T) {
	world := []overlapCase{
		{"A", "ngo", "2025-05-05", &haven.Person{DocumentNumber: "A"}, ""},
		{"B", "ngo", "2025-06-06", nil, ""},
		{"C", "police", "2023-06-06", nil, ""},
	}
	storetest.EachDialect(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		db := open(t)
		seedOverlaps(t, db, world)
		ctx := context.Background()
		year := year2025(store.ListsBySector)
		tests := []struct {
			name string
			edit func(q *store.OverlapQuery)
		}{
			{"one list", func(q *store.OverlapQuery) {}},
			{"nobody in the period", func(q *store.OverlapQuery) { q.From, q.To = mustDate(t, "2020-01-01"), mustDate(t, "2020-12-31") }},
			{"bad basis", func(q *store.OverlapQuery) { q.Basis = "encounter" }},
			{"bad lists", func(q *store.OverlapQuery) { q.Lists = "region" }},
			{"no period", func(q *store.OverlapQuery) { q.From = haven.Date{} }},
			{"end before start", func(q *store.OverlapQuery) { q.From, q.To = q.To, q.From }},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				q := year
				tt.edit(&q)
				got, err := db.ListOverlaps(ctx, q)
				if haven.ErrorCode(err) != haven.EINVALID {
					t.Fatalf("got %+v, %v; want an EINVALID error", got, err)
				}
			})
		}
	})
}
