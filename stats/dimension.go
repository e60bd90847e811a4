package stats

import (
	"slices"
	"strconv"

	"github.com/haven-nrm/haven"
)

// Dimension names a query may group by (GR 38 §110 and the UNODC and SDG
// categories derived from sex and age).
const (
	DimSex                 = "sex"
	DimAgeBand             = "age_band"       // bands.yaml, plus "unknown"
	DimAgeGroup            = "age_group"      // child, adult, unknown (SDG 16.2.2)
	DimUNODC               = "unodc_category" // girls, boys, women, men, other_or_unknown
	DimFormGroup           = "form_group"     // UNODC group of the forms of exploitation
	DimDisability          = "disability"
	DimEthnicity           = "ethnicity"
	DimNationality         = "nationality"
	DimImmigrationStatus   = "immigration_status"
	DimSocioeconomicStatus = "socioeconomic_status"
	DimLocation            = "location"
	DimYear                = "year"
)

// Unknown is the category of a missing value (age not known, no ethnicity
// recorded, no form recorded).
const Unknown = "unknown"

// Other is the category that gathers the codes of an open dimension held
// by fewer than k victims in the period.
const Other = "other"

// Columns the store groups by (store.CountBy*); repeated here so this
// package does not import the store.
const (
	colSex, colAge, colChild                 = "sex", "age", "treated_as_child"
	colDisability, colEthnicity, colNational = "disability", "ethnicity", "nationality"
	colImmigration, colSocio, colLocation    = "immigration_status", "socioeconomic_status", "location_of_identification"
	colFormGroup, colYear                    = "form_group", "year"
)

// dimension maps the raw values of some store columns to one category.
type dimension struct {
	name    string
	columns []string
	// fixed lists the categories in display order; nil for open
	// dimensions (nationality, ethnicity, location, year), whose
	// categories are the values observed, sorted.
	fixed func(cfg *Config, forms string) []string
	cat   func(cfg *Config, raw []string) string
	// rare marks an open dimension whose codes come from the data
	// (nationality, ethnicity, location): a code shown as a row tells that
	// someone with it exists, so codes held by fewer than k victims are
	// counted together under Other.
	rare bool
}

func list(xs ...string) func(*Config, string) []string {
	return func(*Config, string) []string { return xs }
}

func rawOrUnknown(_ *Config, raw []string) string {
	if raw[0] == "" {
		return Unknown
	}
	return raw[0]
}

func age(raw string) (int, bool) {
	n, err := strconv.Atoi(raw)
	return n, err == nil
}

var dimensions = map[string]dimension{
	DimSex: {name: DimSex, columns: []string{colSex},
		fixed: func(*Config, string) []string { return haven.Vocab.Sexes }, cat: rawOrUnknown},
	DimAgeBand: {name: DimAgeBand, columns: []string{colAge},
		fixed: func(c *Config, _ string) []string { return append(c.BandCodes(), Unknown) },
		cat: func(c *Config, raw []string) string {
			if a, ok := age(raw[0]); ok {
				if b, ok := c.Band(a); ok {
					return b.Code
				}
			}
			return Unknown
		}},
	DimAgeGroup: {name: DimAgeGroup, columns: []string{colAge},
		fixed: list("child", "adult", Unknown),
		cat: func(_ *Config, raw []string) string {
			a, ok := age(raw[0])
			return ageGroupOf(ok && a < 18, ok)
		}},
	DimUNODC: {name: DimUNODC, columns: []string{colSex, colAge},
		fixed: list("girls", "boys", "women", "men", "other_or_unknown"),
		cat: func(_ *Config, raw []string) string {
			a, ok := age(raw[1])
			return unodcOf(raw[0], ok && a < 18, ok)
		}},
	DimFormGroup: {name: DimFormGroup, columns: []string{colFormGroup},
		fixed: func(_ *Config, forms string) []string {
			var groups []string
			for _, f := range haven.Vocab.FormsOfExploitation {
				if !slices.Contains(groups, f.UNODCGroup) {
					groups = append(groups, f.UNODCGroup)
				}
			}
			if forms == FormsOnce {
				groups = append(groups, "multiple")
			}
			return append(groups, "none")
		},
		cat: func(_ *Config, raw []string) string { return raw[0] }},
	DimDisability: {name: DimDisability, columns: []string{colDisability},
		fixed: func(*Config, string) []string { return haven.Vocab.Disabilities }, cat: rawOrUnknown},
	DimImmigrationStatus: {name: DimImmigrationStatus, columns: []string{colImmigration},
		fixed: func(*Config, string) []string { return haven.Vocab.ImmigrationStatuses }, cat: rawOrUnknown},
	DimSocioeconomicStatus: {name: DimSocioeconomicStatus, columns: []string{colSocio},
		fixed: func(*Config, string) []string { return haven.Vocab.SocioeconomicStatuses }, cat: rawOrUnknown},
	DimEthnicity:   {name: DimEthnicity, columns: []string{colEthnicity}, cat: rawOrUnknown, rare: true},
	DimNationality: {name: DimNationality, columns: []string{colNational}, cat: rawOrUnknown, rare: true},
	DimLocation:    {name: DimLocation, columns: []string{colLocation}, cat: rawOrUnknown, rare: true},
	// The years are those of the period, whatever the data (see
	// tablePlan.finish).
	DimYear: {name: DimYear, columns: []string{colYear}, cat: rawOrUnknown},
}

// Dimensions lists the names a query may group by.
func Dimensions() []string {
	return []string{DimSex, DimAgeBand, DimAgeGroup, DimUNODC, DimFormGroup, DimDisability, DimEthnicity,
		DimNationality, DimImmigrationStatus, DimSocioeconomicStatus, DimLocation, DimYear}
}

// Section110 lists the GR 38 §110 dimensions other than sex, age and form,
// each published crossed with the UNODC category in the SDG publication.
func Section110() []string {
	return []string{DimDisability, DimEthnicity, DimNationality, DimImmigrationStatus, DimSocioeconomicStatus, DimLocation}
}
