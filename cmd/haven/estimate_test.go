package main_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/haven-nrm/haven"
	main "github.com/haven-nrm/haven/cmd/haven"
)

// TestEstimateCommand runs `haven estimate` on the reference data and
// checks the README's SparseMSE results within 0.5%.
func TestEstimateCommand(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "data", "mse")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("reference data not found beside the repository: " + dir)
	}
	tests := []struct {
		file, method           string
		lower, estimate, upper float64
	}{
		{"Ned.csv", "main", 48523.9, 52823.5, 57581.9},
		{"Ned.csv", "stepwise", 92439.9, 111139.4, 133991.5},
		{"NewOrl.csv", "main", 644.9, 996.7, 1617.5},
		{"NewOrl.csv", "stepwise", 720.9, 1183.7, 2046.1},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.method, func(t *testing.T) {
			out, errOut, code := runHaven(t, nil, "estimate", "--file", filepath.Join(dir, tt.file), "--method", tt.method, "--format", "json")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var r struct {
				Observed               int
				Estimate, Lower, Upper float64
				Model                  string
			}
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatal(err)
			}
			for name, pair := range map[string][2]float64{"estimate": {r.Estimate, tt.estimate}, "lower": {r.Lower, tt.lower}, "upper": {r.Upper, tt.upper}} {
				if math.Abs(pair[0]-pair[1])/pair[1] > 0.005 {
					t.Errorf("%s = %.1f, want %.1f within 0.5%%", name, pair[0], pair[1])
				}
			}
			if r.Observed == 0 || r.Model == "" {
				t.Errorf("observed %d, model %q", r.Observed, r.Model)
			}
		})
	}
	out, _, code := runHaven(t, nil, "estimate", "--file", filepath.Join(dir, "NewOrl.csv"))
	if code != 0 || !strings.Contains(out, "estimate:") || !strings.Contains(out, "D:E") {
		t.Fatalf("text output: %q", out)
	}
}

func TestEstimateBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o600)
		return p
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no file", []string{"estimate"}, "--file"},
		{"missing file", []string{"estimate", "--file", filepath.Join(dir, "none.csv")}, "--file"},
		{"bad method", []string{"estimate", "--file", write("a.csv", "A,B,n\n1,0,3\n"), "--method", "magic"}, "--method"},
		{"single list", []string{"estimate", "--file", write("one.csv", "A,n\n1,5\n")}, "list"},
		{"negative count", []string{"estimate", "--file", write("neg.csv", "A,B,n\n1,0,-3\n0,1,4\n1,1,2\n")}, "count"},
		{"non-integer count", []string{"estimate", "--file", write("frac.csv", "A,B,n\n1,0,2.5\n0,1,4\n1,1,2\n")}, "count"},
		{"duplicate combination", []string{"estimate", "--file", write("dup.csv", "A,B,n\n1,0,3\n1,0,4\n0,1,4\n1,1,2\n")}, "repeats"},
		{"list nobody is on", []string{"estimate", "--file", write("empty.csv", "A,B,C,n\n1,0,0,3\n0,1,0,4\n1,1,0,2\n")}, "C"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := runHaven(t, nil, tt.args...)
			if code == 0 || !strings.Contains(strings.ToLower(stderr), strings.ToLower(tt.want)) || strings.Contains(stderr, "goroutine") {
				t.Fatalf("exit %d, stderr %q, want a clear error mentioning %q", code, stderr, tt.want)
			}
		})
	}
}

// estimateCasesDB creates a migrated SQLite file holding, with reasonable
// grounds in 2025, 2 persons each known to an NGO and to the police (their
// two cases share a document number), 4 known to the NGO only and 6 to the
// police only, and one more NGO case from 2024 linked to nobody.
func estimateCasesDB(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	db, fx, path := main.VaultDB(t)
	uctx := fx.As(ctx, haven.RoleFirstResponder)
	add := func(owner haven.Sector, rg, document string) {
		t.Helper()
		d, _ := haven.ParseDate(rg)
		enc, _ := haven.ParseDate("2024-01-15")
		age := 30
		c := &haven.Case{EncounteredOn: enc, ReasonableGroundsOn: d, OwnerOrganisationID: fx.Orgs[owner].ID,
			Victim: haven.VictimContext{Sex: "female", AgeStatus: "declared", AgeAtEncounter: &age, Nationality: "NG"}}
		var p *haven.Person
		if document != "" {
			p = &haven.Person{DocumentNumber: document}
		}
		if err := db.CreateCase(uctx, c, p); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 2 {
		doc := fmt.Sprintf("BOTH-%d", i)
		add(haven.SectorNGO, "2025-03-01", doc)
		add(haven.SectorPolice, "2025-04-01", doc)
	}
	for i := range 4 {
		add(haven.SectorNGO, "2025-05-01", fmt.Sprintf("NGO-%d", i))
	}
	for range 6 {
		add(haven.SectorPolice, "2025-06-01", "")
	}
	add(haven.SectorShelter, "2024-06-01", "NGO-0-OTHER")
	return path
}

// TestEstimateFromCases builds the table from the cases and checks it and
// the main-effects estimate, which for two lists is Lincoln-Petersen:
// 6 + 4 + 2 observed, and 4·6/2 = 12 on neither list.
func TestEstimateFromCases(t *testing.T) {
	db := estimateCasesDB(t)
	dir := t.TempDir()
	period := []string{"--db", db, "--from", "2025-01-01", "--to", "2025-12-31"}

	t.Run("text, with the table written out", func(t *testing.T) {
		table := filepath.Join(dir, "overlaps.csv")
		out, e, code := runHaven(t, nil, append([]string{"estimate", "--from-cases", "--method", "main", "--overlaps-out", table}, period...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, e)
		}
		for _, want := range []string{
			"period:     2025-01-01 to 2025-12-31 (reasonable_grounds)\n",
			"linkage:    12 persons from 14 cases in the period and 0 linked cases outside it; 6 cases without identifiers\n",
			"lists:      ngo, police\n",
			"observed:   12\n",
			"estimate:   24.0 (",
			"undetected: 12.0\n",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("missing %q in\n%s", want, out)
			}
		}
		if e != "" {
			t.Errorf("stderr %q, want nothing", e)
		}
		b, err := os.ReadFile(table)
		if err != nil {
			t.Fatal(err)
		}
		if want := "ngo,police,count\n1,1,2\n1,0,4\n0,1,6\n"; string(b) != want {
			t.Errorf("overlap table:\n%s\nwant:\n%s", b, want)
		}
		// The written table gives the same estimate when read back.
		again, e, code := runHaven(t, nil, "estimate", "--file", table, "--method", "main")
		if code != 0 || !strings.Contains(again, "estimate:   24.0 (") {
			t.Fatalf("exit %d: %s%s", code, again, e)
		}
	})

	t.Run("json, by organisation", func(t *testing.T) {
		out, e, code := runHaven(t, nil, append([]string{"estimate", "--from-cases", "--lists", "organisation", "--method", "main", "--format", "json"}, period...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, e)
		}
		var r struct {
			Lists    []string
			Observed int
			Estimate float64
			Linkage  map[string]any
		}
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		if strings.Join(r.Lists, "|") != "Test ngo|Test police" || r.Observed != 12 || math.Abs(r.Estimate-24) > 1e-6 {
			t.Errorf("lists %q, observed %d, estimate %v", r.Lists, r.Observed, r.Estimate)
		}
		want := map[string]any{"lists": "organisation", "basis": "reasonable_grounds", "from": "2025-01-01", "to": "2025-12-31",
			"persons": 12.0, "cases_in_period": 14.0, "cases_outside_period": 0.0, "cases_without_identifiers": 6.0,
			"cases_unindexed": 0.0, "index_keys": 1.0}
		if diff := cmp.Diff(want, r.Linkage); diff != "" {
			t.Errorf("linkage (-want +got):\n%s", diff)
		}
		// Both estimates from the cases were recorded as releases.
		rels, e, code := runHaven(t, nil, "releases", "--db", db, "--format", "json")
		if code != 0 || strings.Count(rels, `\"estimate\":\"multiple_systems\"`) != 2 || !strings.Contains(rels, `\"lists\":\"organisation\"`) {
			t.Errorf("releases: exit %d: %s%s", code, rels, e)
		}
	})

	t.Run("refused", func(t *testing.T) {
		csvFile := filepath.Join(dir, "a.csv")
		os.WriteFile(csvFile, []byte("A,B,n\n1,0,3\n0,1,4\n1,1,2\n"), 0o600)
		tests := []struct {
			name string
			args []string
			want string
		}{
			{"both sources", []string{"--file", csvFile, "--from-cases", "--db", db}, "not both"},
			{"a case flag with --file", []string{"--file", csvFile, "--lists", "sector"}, "--lists: only with --from-cases"},
			{"table out with --file", []string{"--file", csvFile, "--overlaps-out", filepath.Join(dir, "x.csv")}, "--overlaps-out: only with --from-cases"},
			{"bad lists", append([]string{"--from-cases", "--lists", "region"}, period...), "--lists"},
			{"bad basis", append([]string{"--from-cases", "--basis", "encounter"}, period...), "--basis"},
			{"bad date", []string{"--from-cases", "--db", db, "--from", "2025-13-01"}, "--from"},
			{"one list", []string{"--from-cases", "--db", db, "--from", "2024-01-01", "--to", "2024-12-31"}, "at least 2 lists"},
			{"nobody", []string{"--from-cases", "--db", db, "--from", "2020-01-01", "--to", "2020-12-31"}, "nobody was identified"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, stderr, code := runHaven(t, nil, append([]string{"estimate"}, tt.args...)...)
				if code == 0 || !strings.Contains(strings.ToLower(stderr), strings.ToLower(tt.want)) || strings.Contains(stderr, "goroutine") {
					t.Fatalf("exit %d, stderr %q, want a clear error mentioning %q", code, stderr, tt.want)
				}
			})
		}
		if _, err := os.Stat(filepath.Join(dir, "x.csv")); !os.IsNotExist(err) {
			t.Errorf("--overlaps-out with --file wrote a file: %v", err)
		}
	})
}
