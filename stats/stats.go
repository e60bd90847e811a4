// Package stats is Haven's statistics engine: counts of detected victims in
// a period, disaggregated by the dimensions of CEDAW GR 38 §110, in UNODC's
// categories (girls, boys, women, men; forms of exploitation by UNODC
// group), SDG 16.2.2 rates per 100,000 population, and writers for CSV,
// JSON, SDMX-CSV and XLSX.
//
// The store reads the victims of a period in one scan of its covering
// indexes (store.ScanVictims) and this package tallies every table from
// those rows; a Source without rows counts one GROUP BY per table
// (store.CountVictims, kept as the reference the scan is tested against).
// This package maps raw codes to published categories
// and protects every table with the disclosure package before any number
// leaves it (GR 38 §111): cells under k are suppressed with their
// complements, and a suppressed cell is marked, never written as zero.
// docs/STATISTICS.md describes what is counted and how.
package stats

import (
	_ "embed"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/haven-nrm/haven"
)

//go:embed bands.yaml
var bandsYAML []byte

// AgeBand is a band of ages at encounter, both ends inclusive.
type AgeBand struct {
	Code string `yaml:"code"`
	Min  int    `yaml:"min"`
	Max  int    `yaml:"max"`
}

// Child tells whether the band is under 18.
func (b AgeBand) Child() bool { return b.Max < 18 }

// Config is the data the statistics office maintains: age bands and the
// SDMX codes of SDG 16.2.2.
type Config struct {
	Version  string    `yaml:"version"`
	AgeBands []AgeBand `yaml:"age_bands"`
	SDMX     SDMXCodes `yaml:"sdmx"`
}

// SDMXCodes are the codes of the SDG global database for SDG 16.2.2.
type SDMXCodes struct {
	Dataflow      string `yaml:"dataflow"`
	Freq          string `yaml:"freq"`
	ReportingType string `yaml:"reporting_type"`
	// RefArea is the reporting country's M49 code; the command's
	// --ref-area sets it when the file leaves it empty.
	RefArea string `yaml:"ref_area"`
	// Series gives, per form group (or _T for every victim), the series
	// of the count and of the rate. A group not listed has no series.
	Series map[string]struct {
		Count string `yaml:"count"`
		Rate  string `yaml:"rate"`
	} `yaml:"series"`
	UnitCount string            `yaml:"unit_count"`
	UnitRate  string            `yaml:"unit_rate"`
	Sex       map[string]string `yaml:"sex"`
	Age       map[string]string `yaml:"age"`
}

// Default is the configuration embedded from bands.yaml.
var Default = mustLoadConfig(bandsYAML)

func mustLoadConfig(data []byte) *Config {
	c, err := LoadConfig(data)
	if err != nil {
		panic(err) // the embedded file is checked by tests
	}
	return c
}

// LoadConfig parses and checks a bands file: bands contiguous from 0 to
// 120, none straddling 18.
func LoadConfig(data []byte) (*Config, error) {
	var c Config
	if err := yaml.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("load age bands: %w", err)
	}
	next := 0
	seen := map[string]bool{}
	for i, b := range c.AgeBands {
		switch {
		case b.Code == "" || seen[b.Code]:
			return nil, fmt.Errorf("load age bands: band %d has an empty or repeated code", i+1)
		case b.Min != next || b.Max < b.Min:
			return nil, fmt.Errorf("load age bands: band %q must start at %d and not end before it starts", b.Code, next)
		case b.Min < 18 && b.Max >= 18:
			return nil, fmt.Errorf("load age bands: band %q straddles 18", b.Code)
		}
		seen[b.Code] = true
		next = b.Max + 1
	}
	if next != 121 {
		return nil, fmt.Errorf("load age bands: the bands must cover ages 0 to 120")
	}
	if t, ok := c.SDMX.Series[Total]; !ok || t.Count == "" || t.Rate == "" {
		return nil, fmt.Errorf("load age bands: sdmx.series must give the count and rate series of _T, every victim")
	}
	return &c, nil
}

// Band returns the band of an age, or false when no band holds it.
func (c *Config) Band(age int) (AgeBand, bool) {
	for _, b := range c.AgeBands {
		if age >= b.Min && age <= b.Max {
			return b, true
		}
	}
	return AgeBand{}, false
}

// BandCodes returns the band codes in order.
func (c *Config) BandCodes() []string {
	out := make([]string, len(c.AgeBands))
	for i, b := range c.AgeBands {
		out[i] = b.Code
	}
	return out
}

// WithRefArea returns a copy of c that reports for the country whose M49
// code is area (three digits, such as "826").
func (c *Config) WithRefArea(area string) (*Config, error) {
	if len(area) != 3 || strings.Trim(area, "0123456789") != "" {
		return nil, haven.Errorf(haven.EINVALID, "The reporting area must be a three-digit M49 code, such as 826.")
	}
	out := *c
	out.SDMX.RefArea = area
	return &out, nil
}
