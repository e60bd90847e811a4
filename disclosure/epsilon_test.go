package disclosure

import (
	"errors"
	"testing"
)

func TestParseEpsilon(t *testing.T) {
	tests := []struct {
		in   string
		want Epsilon
		str  string
	}{
		{"1", 1_000_000, "1"},
		{"0.1", 100_000, "0.1"},
		{".5", 500_000, "0.5"},
		{"2.000001", 2_000_001, "2.000001"},
		{"0.25", 250_000, "0.25"},
		{"0", 0, "0"},
		{"1000", 1_000_000_000, "1000"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseEpsilon(tt.in)
			if err != nil || got != tt.want || got.String() != tt.str {
				t.Fatalf("ParseEpsilon(%q) = %d (%q), %v; want %d (%q)", tt.in, got, got.String(), err, tt.want, tt.str)
			}
		})
	}
	for _, bad := range []string{"", ".", "-1", "+1", "0.0000001", "1e-3", "abc", "1.2.3", "1001", "0.-5"} {
		t.Run("bad "+bad, func(t *testing.T) {
			if _, err := ParseEpsilon(bad); !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseEpsilon(%q) = %v, want ErrInvalid", bad, err)
			}
		})
	}
	var sum Epsilon
	tenth, _ := ParseEpsilon("0.1")
	for range 10 {
		sum += tenth
	}
	if sum != Epsilon(epsilonScale) || sum.Float64() != 1 {
		t.Fatalf("ten times 0.1 = %v", sum)
	}
}
