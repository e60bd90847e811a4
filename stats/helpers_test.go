package stats_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/stats"
)

// victim is one raw record of the fake source: what the store would group.
type victim struct {
	sex   string
	age   int // -1 unknown
	group string
	rg    string // reasonable-grounds date
	n     int    // copies
}

// fakeSource groups victims the way store.CountVictims does (FormsOnce: a
// victim has one group here), so the engine's mapping and protection can
// be checked against hand-computed numbers without a database.
func fakeSource(vs []victim) stats.Source {
	return stats.SourceFunc(func(_ context.Context, r stats.CountRequest, emit func([]string, int64) error) error {
		counts := map[string]int64{}
		for _, v := range vs {
			if v.rg < r.From.String() || v.rg > r.To.String() {
				continue
			}
			vals := make([]string, len(r.Columns))
			for i, c := range r.Columns {
				switch c {
				case "sex":
					vals[i] = v.sex
				case "age":
					if v.age >= 0 {
						vals[i] = strconv.Itoa(v.age)
					}
				case "form_group":
					vals[i] = v.group
				case "year":
					vals[i] = v.rg[:4]
				case "disability":
					vals[i] = "none"
				case "immigration_status":
					vals[i] = "irregular"
				case "socioeconomic_status":
					vals[i] = "unknown"
				case "nationality":
					vals[i] = "NG"
				default:
					vals[i] = ""
				}
			}
			counts[strings.Join(vals, "\x00")] += int64(v.n)
		}
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range counts {
				if !yield(k) {
					return
				}
			}
		})
		for _, k := range keys {
			vals := strings.Split(k, "\x00")
			if len(r.Columns) == 0 {
				vals = nil
			}
			if err := emit(vals, counts[k]); err != nil {
				return err
			}
		}
		return nil
	})
}

func date(t *testing.T, s string) haven.Date {
	t.Helper()
	d, err := haven.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// cellMap maps "label|label|..." to the cell's count text ("C" if suppressed).
func cellMap(r *stats.Result) map[string]string {
	out := map[string]string{}
	for _, c := range r.Cells {
		v := strconv.FormatInt(c.Count, 10)
		if c.Suppressed {
			v = "C"
		}
		out[strings.Join(c.Labels, "|")] = v
	}
	return out
}
