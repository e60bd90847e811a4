package main_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
