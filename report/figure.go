package report

import (
	"math"
	"slices"
	"time"
)

// Percentile returns the nearest-rank p-th percentile (0 < p <= 100) of
// values: the value at rank ceil(p/100 × n) of the sorted values, counting
// from 1. ok is false when there are no values.
func Percentile(values []int, p float64) (v int, ok bool) {
	if len(values) == 0 || p <= 0 || p > 100 {
		return 0, false
	}
	s := slices.Clone(values)
	slices.Sort(s)
	rank := int(math.Ceil(p / 100 * float64(len(s))))
	return s[max(rank, 1)-1], true
}

// count is a number of cases, decisions or findings.
func count(id string, unit Unit, n int) Figure {
	return Figure{ID: id, Kind: KindCount, Unit: unit, Value: float64(n)}
}

// share is part of whole as a percentage, rounded to one decimal.
func share(id string, part, whole int) Figure {
	f := Figure{ID: id, Kind: KindShare, Unit: UnitPercent, Over: whole}
	if whole > 0 {
		f.Value = math.Round(1000*float64(part)/float64(whole)) / 10
	}
	return f
}

// percentile is the nearest-rank p-th percentile of values.
func percentile(id string, unit Unit, values []int, p float64) Figure {
	v, _ := Percentile(values, p)
	return Figure{ID: id, Kind: KindStatistic, Unit: unit, Value: float64(v), Over: len(values)}
}

// extreme is the smallest (or largest) of values.
func extreme(id string, unit Unit, values []int, largest bool) Figure {
	f := Figure{ID: id, Kind: KindStatistic, Unit: unit, Over: len(values)}
	if len(values) > 0 {
		if largest {
			f.Value = float64(slices.Max(values))
		} else {
			f.Value = float64(slices.Min(values))
		}
	}
	return f
}

// shortfall marks f as counting a failure to keep GR 38.
func shortfall(f Figure) Figure {
	f.Shortfall = true
	return f
}

// wholeDays is d in whole days of 24 hours, rounded down.
func wholeDays(d time.Duration) int {
	return int(d / (24 * time.Hour))
}
