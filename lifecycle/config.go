package lifecycle

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/haven-nrm/haven"
)

// MinReflectionDays is the shortest reflection and recovery period Haven
// grants, whatever the configuration says (DESIGN.md rule 6, GR 38 §92).
const MinReflectionDays = 30

// maxReflectionDays bounds the reflection period, ten years.
const maxReflectionDays = 3660

// maxLimit bounds every time limit, so a typo cannot switch an alert off.
const maxLimit = 366 * 24 * time.Hour

// Config holds a country's time limits. Build it with DefaultConfig or
// LoadConfig; a Config built by hand must pass Validate.
type Config struct {
	// ReflectionDays is the length of the reflection and recovery period
	// granted at reasonable grounds; at least MinReflectionDays.
	ReflectionDays int
	// GuardianWithin runs from the opening of a child's case.
	GuardianWithin time.Duration
	// BestInterestsWithin runs from the guardian's appointment.
	BestInterestsWithin time.Duration
	// ReasonableGroundsWithin runs from the referral.
	ReasonableGroundsWithin time.Duration
	// ReflectionStartWithin runs from the reasonable-grounds decision.
	ReflectionStartWithin time.Duration
	// ConclusiveWithin runs from the end of the reflection period.
	ConclusiveWithin time.Duration
	// ReviewWithin runs from the opening of a review.
	ReviewWithin time.Duration
	// ReflectionEndingNotice is how long before the reflection period ends
	// the caseworker is reminded.
	ReflectionEndingNotice time.Duration
}

//go:embed limits.yaml
var limitsYAML []byte

// LimitsFile returns the embedded default limits file, for a country to
// start its own from.
func LimitsFile() []byte { return bytes.Clone(limitsYAML) }

var defaultConfig = func() Config {
	c, err := loadConfig(Config{}, limitsYAML)
	if err != nil {
		panic(err) // the embedded file is checked by tests; a broken build must not start
	}
	return c
}()

// DefaultConfig returns the limits of the embedded limits.yaml.
func DefaultConfig() Config { return defaultConfig }

// LoadConfig reads a country's limits file over the defaults: a key left
// out keeps its default, an unknown key is an error, and the result must
// pass Validate.
func LoadConfig(data []byte) (Config, error) {
	return loadConfig(defaultConfig, data)
}

// limitsFile is the YAML form of Config.
type limitsFile struct {
	ReflectionDays          *int    `yaml:"reflection_days"`
	GuardianWithin          *string `yaml:"guardian_within"`
	BestInterestsWithin     *string `yaml:"best_interests_within"`
	ReasonableGroundsWithin *string `yaml:"reasonable_grounds_within"`
	ReflectionStartWithin   *string `yaml:"reflection_start_within"`
	ConclusiveWithin        *string `yaml:"conclusive_within"`
	ReviewWithin            *string `yaml:"review_within"`
	ReflectionEndingNotice  *string `yaml:"reflection_ending_notice"`
}

func loadConfig(base Config, data []byte) (Config, error) {
	var f limitsFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, fmt.Errorf("load lifecycle limits: %w", err)
	}
	c := base
	if f.ReflectionDays != nil {
		c.ReflectionDays = *f.ReflectionDays
	}
	var v haven.Validation
	for _, d := range []struct {
		key string
		in  *string
		out *time.Duration
	}{
		{"guardian_within", f.GuardianWithin, &c.GuardianWithin},
		{"best_interests_within", f.BestInterestsWithin, &c.BestInterestsWithin},
		{"reasonable_grounds_within", f.ReasonableGroundsWithin, &c.ReasonableGroundsWithin},
		{"reflection_start_within", f.ReflectionStartWithin, &c.ReflectionStartWithin},
		{"conclusive_within", f.ConclusiveWithin, &c.ConclusiveWithin},
		{"review_within", f.ReviewWithin, &c.ReviewWithin},
		{"reflection_ending_notice", f.ReflectionEndingNotice, &c.ReflectionEndingNotice},
	} {
		if d.in == nil {
			continue
		}
		dur, err := ParseDuration(*d.in)
		if err != nil {
			v.Add(d.key, err.Error())
			continue
		}
		*d.out = dur
	}
	if err := v.Err(); err != nil {
		return Config{}, fmt.Errorf("load lifecycle limits: %w", err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, fmt.Errorf("load lifecycle limits: %w", err)
	}
	return c, nil
}

// Validate checks the limits: a reflection period of at least
// MinReflectionDays, every other limit positive and at most a year, and the
// reminder shorter than the period.
func (c Config) Validate() error {
	var v haven.Validation
	if c.ReflectionDays < MinReflectionDays {
		v.Addf("reflection_days", "must be at least %d: a reflection and recovery period is never shorter (GR 38 §92)", MinReflectionDays)
	} else if c.ReflectionDays > maxReflectionDays {
		v.Addf("reflection_days", "must be at most %d", maxReflectionDays)
	}
	for _, d := range []struct {
		key string
		val time.Duration
	}{
		{"guardian_within", c.GuardianWithin},
		{"best_interests_within", c.BestInterestsWithin},
		{"reasonable_grounds_within", c.ReasonableGroundsWithin},
		{"reflection_start_within", c.ReflectionStartWithin},
		{"conclusive_within", c.ConclusiveWithin},
		{"review_within", c.ReviewWithin},
		{"reflection_ending_notice", c.ReflectionEndingNotice},
	} {
		if d.val <= 0 || d.val > maxLimit {
			v.Add(d.key, "must be more than zero and at most 366d")
		}
	}
	if c.ReflectionDays >= MinReflectionDays && c.ReflectionEndingNotice >= c.reflection() {
		v.Add("reflection_ending_notice", "must be shorter than the reflection period")
	}
	return v.Err()
}

// reflection returns the length of the reflection period, never below the
// minimum even if the configuration was not validated.
func (c Config) reflection() time.Duration {
	return time.Duration(min(max(c.ReflectionDays, MinReflectionDays), maxReflectionDays)) * 24 * time.Hour
}

// ParseDuration reads a limit written as whole days ("30d") or as a Go
// duration ("24h", "90m").
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return 0, errors.New("must be whole days like 30d, or hours like 24h")
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, errors.New("must be whole days like 30d, or hours like 24h")
	}
	return d, nil
}

// FormatDuration writes a limit as ParseDuration reads it: two or more
// whole days as "30d", anything else as hours and minutes ("24h", "1h30m").
func FormatDuration(d time.Duration) string {
	const day = 24 * time.Hour
	if d >= 2*day && d%day == 0 {
		return strconv.FormatInt(int64(d/day), 10) + "d"
	}
	s := d.String() // like 36h0m0s, 1h30m0s, 45m0s, 1m30s
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
