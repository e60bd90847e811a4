package stats

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Population is the resident population by year, sex (female, male) and
// age band, loaded from the deployment's CSV file:
//
//	year,sex,age_band,population
//	2025,female,0-11,412000
//
// Band codes are those of bands.yaml. Every year must list every sex and
// band exactly once.
type Population struct {
	cfg *Config
	n   map[popKey]int64
}

type popKey struct {
	year      int
	sex, band string
}

// PopulationSexes are the sexes a population file lists.
var PopulationSexes = []string{"female", "male"}

// ReadPopulation parses and checks a population file against cfg's bands
// (nil means Default). Every error names the line at fault.
func ReadPopulation(r io.Reader, cfg *Config) (*Population, error) {
	if cfg == nil {
		cfg = Default
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 4
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("population file line 1: %w", csvErr(err))
	}
	if strings.Join(header, ",") != "year,sex,age_band,population" {
		return nil, errors.New("population file line 1: the header must be year,sex,age_band,population")
	}
	p := &Population{cfg: cfg, n: map[popKey]int64{}}
	first := map[popKey]int{}
	bands := cfg.BandCodes()
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, fmt.Errorf("population file: %w", csvErr(err))
		}
		year, err := strconv.Atoi(rec[0])
		if err != nil || year < 1900 || year > 2200 {
			return nil, fmt.Errorf("population file line %d: the year must be a four-digit year", line)
		}
		if !slices.Contains(PopulationSexes, rec[1]) {
			return nil, fmt.Errorf("population file line %d: the sex must be female or male", line)
		}
		if !slices.Contains(bands, rec[2]) {
			return nil, fmt.Errorf("population file line %d: the age band must be one of %s", line, strings.Join(bands, ", "))
		}
		n, err := strconv.ParseInt(rec[3], 10, 64)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("population file line %d: the population must be a whole number, zero or more", line)
		}
		k := popKey{year, rec[1], rec[2]}
		if l, dup := first[k]; dup {
			return nil, fmt.Errorf("population file line %d: %d %s %s is already given on line %d", line, year, rec[1], rec[2], l)
		}
		first[k] = line
		p.n[k] = n
	}
	if len(p.n) == 0 {
		return nil, errors.New("population file: no rows")
	}
	// Every year given must be complete.
	for _, y := range p.Years() {
		if err := p.checkYear(y); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func csvErr(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			return fmt.Errorf("line %d: a row needs 4 fields: year,sex,age_band,population", pe.Line)
		}
		return fmt.Errorf("line %d: %v", pe.Line, pe.Err)
	}
	return err
}

// Years returns the years the file covers, in order.
func (p *Population) Years() []int {
	var ys []int
	for k := range p.n {
		if !slices.Contains(ys, k.year) {
			ys = append(ys, k.year)
		}
	}
	slices.Sort(ys)
	return ys
}

func (p *Population) checkYear(y int) error {
	has := false
	for k := range p.n {
		if k.year == y {
			has = true
			break
		}
	}
	if !has {
		return fmt.Errorf("population file: no rows for year %d", y)
	}
	for _, s := range PopulationSexes {
		for _, b := range p.cfg.BandCodes() {
			if _, ok := p.n[popKey{y, s, b}]; !ok {
				return fmt.Errorf("population file: year %d has no row for sex %s, age band %s", y, s, b)
			}
		}
	}
	return nil
}

// CheckYears reports the first year of from..to the file does not cover.
func (p *Population) CheckYears(from, to int) error {
	for y := from; y <= to; y++ {
		if err := p.checkYear(y); err != nil {
			return err
		}
	}
	return nil
}

// Of returns the population of a year for a sex (female, male or Total)
// and an age group (child, adult or Total), and false when the population
// has no such group (sex other or unknown, age unknown).
func (p *Population) Of(year int, sex, ageGroup string) (int64, bool) {
	sexes := []string{sex}
	if sex == Total {
		sexes = PopulationSexes
	} else if !slices.Contains(PopulationSexes, sex) {
		return 0, false
	}
	if ageGroup != Total && ageGroup != "child" && ageGroup != "adult" {
		return 0, false
	}
	var sum int64
	for _, s := range sexes {
		for _, b := range p.cfg.AgeBands {
			if ageGroup == Total || (ageGroup == "child") == b.Child() {
				n, ok := p.n[popKey{year, s, b.Code}]
				if !ok {
					return 0, false
				}
				sum += n
			}
		}
	}
	return sum, true
}
