package disclosure

import (
	"fmt"
	"strconv"
	"strings"
)

// Epsilon is a differential-privacy loss ε counted in millionths, so that
// charges add up exactly: ten releases of 0.1 spend a budget of 1 to the
// last digit, which float64 sums do not.
type Epsilon int64

// epsilonScale is the number of units in ε = 1.
const epsilonScale = 1_000_000

// maxEpsilon bounds a parsed ε far from overflow; ε above a few units
// protects nobody anyway.
const maxEpsilon = MaxEpsilon

// MaxEpsilon is the largest ε a budget, a charge or a release may carry.
const MaxEpsilon Epsilon = 1_000 * epsilonScale

// ParseEpsilon parses a decimal ε such as "0.5" or "1", with at most six
// decimals.
func ParseEpsilon(s string) (Epsilon, error) {
	e, err := parseEpsilon(s)
	if err != nil {
		return 0, fmt.Errorf("disclosure: parse epsilon %q: %w", s, err)
	}
	return e, nil
}

func parseEpsilon(s string) (Epsilon, error) {
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" || len(frac) > 6 || strings.HasPrefix(whole, "+") || strings.HasPrefix(whole, "-") {
		return 0, fmt.Errorf("want a non-negative decimal with at most 6 decimals: %w", ErrInvalid)
	}
	var w, f int64
	var err error
	if whole != "" {
		if w, err = strconv.ParseInt(whole, 10, 64); err != nil || w > int64(maxEpsilon/epsilonScale) {
			return 0, fmt.Errorf("integer part out of range: %w", ErrInvalid)
		}
	}
	if frac != "" {
		if f, err = strconv.ParseInt(frac+strings.Repeat("0", 6-len(frac)), 10, 64); err != nil || f < 0 {
			return 0, fmt.Errorf("bad decimals: %w", ErrInvalid)
		}
	}
	e := Epsilon(w*epsilonScale + f)
	if e > maxEpsilon {
		return 0, fmt.Errorf("out of range: %w", ErrInvalid)
	}
	return e, nil
}

// String formats ε as a decimal without trailing zeros.
func (e Epsilon) String() string {
	sign := ""
	if e < 0 {
		sign, e = "-", -e
	}
	s := sign + strconv.FormatInt(int64(e/epsilonScale), 10)
	if frac := int64(e % epsilonScale); frac != 0 {
		s += "." + strings.TrimRight(fmt.Sprintf("%06d", frac), "0")
	}
	return s
}

// Float64 returns ε as a float, for display and for formulas that need it.
func (e Epsilon) Float64() float64 { return float64(e) / epsilonScale }

// MarshalText writes ε as a decimal, so JSON and release records read
// "0.5", not millionths.
func (e Epsilon) MarshalText() ([]byte, error) { return []byte(e.String()), nil }

// UnmarshalText parses a decimal ε.
func (e *Epsilon) UnmarshalText(b []byte) error {
	v, err := ParseEpsilon(string(b))
	if err != nil {
		return err
	}
	*e = v
	return nil
}
