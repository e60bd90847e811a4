package lifecycle

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/haven-nrm/haven"
)

func TestDefaultConfig(t *testing.T) {
	want := Config{
		ReflectionDays:          30,
		GuardianWithin:          24 * time.Hour,
		BestInterestsWithin:     30 * day,
		ReasonableGroundsWithin: 5 * day,
		ReflectionStartWithin:   3 * day,
		ConclusiveWithin:        30 * day,
		ReviewWithin:            30 * day,
		ReflectionEndingNotice:  7 * day,
	}
	if diff := cmp.Diff(want, DefaultConfig()); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Error(err)
	}
}

func TestLoadConfig(t *testing.T) {
	c, err := LoadConfig([]byte("reflection_days: 90\nguardian_within: 12h\nreview_within: 14d\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultConfig()
	want.ReflectionDays, want.GuardianWithin, want.ReviewWithin = 90, 12*time.Hour, 14*day
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if c, err := LoadConfig(nil); err != nil || c != DefaultConfig() {
		t.Errorf("an empty file: %v, %+v", err, c)
	}
	if c, err := LoadConfig(LimitsFile()); err != nil || c != DefaultConfig() {
		t.Errorf("the shipped file: %v, %+v", err, c)
	}
}

func TestLoadConfigRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"reflection below 30 days", "reflection_days: 29", "reflection_days: must be at least 30"},
		{"no reflection", "reflection_days: 0", "reflection_days: must be at least 30"},
		{"negative guardian limit", "guardian_within: -1h", "guardian_within: must be more than zero"},
		{"zero review limit", "review_within: 0d", "review_within: must be more than zero"},
		{"limit over a year", "conclusive_within: 400d", "conclusive_within: must be more than zero and at most 366d"},
		{"not a duration", "reasonable_grounds_within: five days", "reasonable_grounds_within: must be whole days"},
		{"fractional days", "review_within: 1.5d", "review_within: must be whole days"},
		{"unknown key", "reflection_weeks: 5", "field reflection_weeks not found"},
		{"notice as long as the period", "reflection_ending_notice: 30d", "reflection_ending_notice: must be shorter"},
		{"not yaml", "reflection_days: [", "load lifecycle limits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadConfig([]byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// A Config built by hand and never validated still grants at least 30 days.
func TestReflectionNeverBelowMinimum(t *testing.T) {
	bad := DefaultConfig()
	bad.ReflectionDays = 3
	if bad.Validate() == nil {
		t.Fatal("a 3-day period validated")
	}
	w := adultCase(t).referred()
	o, err := Fire(bad, FactsOf(w.cs), req(ReasonableGroundsPositive, haven.RoleCompetentBody, with(decision(team()))), w.now)
	if err != nil {
		t.Fatal(err)
	}
	if got := o.Reflection.Until.Sub(o.Reflection.From); got != MinReflectionDays*day {
		t.Errorf("granted %v with a 3-day configuration, want 30 days", got)
	}
	long := DefaultConfig()
	long.ReflectionDays = 90
	o, _ = Fire(long, FactsOf(w.cs), req(ReasonableGroundsPositive, haven.RoleCompetentBody, with(decision(team()))), w.now)
	if got := o.Reflection.Until.Sub(o.Reflection.From); got != 90*day {
		t.Errorf("granted %v with a 90-day configuration", got)
	}
}

func TestDurations(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{{"30d", 30 * day}, {"24h", 24 * time.Hour}, {"90m", 90 * time.Minute}, {" 5d ", 5 * day}} {
		got, err := ParseDuration(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseDuration(%q) = %v, %v", tc.in, got, err)
		}
		if back, _ := ParseDuration(FormatDuration(got)); back != got {
			t.Errorf("FormatDuration(%v) = %q does not read back", got, FormatDuration(got))
		}
	}
	for d, want := range map[time.Duration]string{30 * day: "30d", 2 * day: "2d", day: "24h", 36 * time.Hour: "36h",
		90 * time.Minute: "1h30m", 45 * time.Minute: "45m", 90 * time.Second: "1m30s", 0: "0s"} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
