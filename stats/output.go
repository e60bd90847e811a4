package stats

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Formats a publication can be written in.
const (
	FormatCSV  = "csv"
	FormatJSON = "json"
	FormatSDMX = "sdmx"
	FormatXLSX = "xlsx"
)

// Cell statuses as written in CSV and XLSX.
const (
	StatusPublished  = "published"
	StatusSuppressed = "suppressed"
	// StatusWithheld marks every cell of a table none of whose non-zero
	// cells could be published.
	StatusWithheld = "withheld"
)

// Suppressed is what a suppressed count reads as wherever a value would
// stand (the SDMX confidentiality code): never 0.
const Suppressed = "C"

func (r *Result) status(c Cell) string {
	switch {
	case r.Withheld:
		return StatusWithheld
	case c.Suppressed:
		return StatusSuppressed
	}
	return StatusPublished
}

func (c Cell) countText() string {
	if c.Suppressed {
		return Suppressed
	}
	return strconv.FormatInt(c.Count, 10)
}

func (c Cell) rateText() string {
	if c.Rate == nil {
		return ""
	}
	return strconv.FormatFloat(*c.Rate, 'f', 2, 64)
}

// MarshalJSON writes a suppressed cell's count as null.
func (c Cell) MarshalJSON() ([]byte, error) {
	var count *int64
	if !c.Suppressed {
		count = &c.Count
	}
	return json.Marshal(struct {
		Labels     []string `json:"labels"`
		Count      *int64   `json:"count"`
		Suppressed bool     `json:"suppressed"`
		Rate       *float64 `json:"rate_per_100000,omitempty"`
	}{c.Labels, count, c.Suppressed, c.Rate})
}

// Write writes a publication in format (xlsx: see WriteXLSX).
func Write(w io.Writer, format string, pub *Publication, cfg *Config) error {
	switch format {
	case FormatCSV:
		return WriteCSV(w, pub)
	case FormatJSON:
		return WriteJSON(w, pub)
	case FormatSDMX:
		return WriteSDMX(w, pub, cfg)
	case FormatXLSX:
		return WriteXLSX(w, pub)
	}
	return fmt.Errorf("statistics: unknown format %q", format)
}

// WriteJSON writes a publication as indented JSON.
func WriteJSON(w io.Writer, pub *Publication) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(pub)
}

// WriteCSV writes every table of a publication in one long CSV: a table
// column, one column per dimension any table has (empty where a table does
// not have it; _T is the total), then count, status and rate. A suppressed
// count reads "C" with status suppressed (or withheld), never 0.
func WriteCSV(w io.Writer, pub *Publication) error {
	var dims []string
	for _, t := range pub.Tables {
		for _, d := range t.Dimensions {
			if !slices.Contains(dims, d) {
				dims = append(dims, d)
			}
		}
	}
	cw := csv.NewWriter(w)
	header := append(append([]string{"table"}, dims...), "count", "status", "rate_per_100000")
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, t := range pub.Tables {
		for _, c := range t.Cells {
			row := make([]string, 0, len(header))
			row = append(row, t.Title)
			for _, d := range dims {
				if j := slices.Index(t.Dimensions, d); j >= 0 {
					row = append(row, c.Labels[j])
				} else {
					row = append(row, "")
				}
			}
			row = append(row, c.countText(), t.status(c), c.rateText())
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// SDMXHeader is the header row of the SDMX-CSV file: the dataflow, the
// dimensions of the SDG global database that SDG 16.2.2 uses, the value,
// and the attributes.
var SDMXHeader = []string{"DATAFLOW", "FREQ", "REPORTING_TYPE", "SERIES", "REF_AREA", "SEX", "AGE", "TIME_PERIOD",
	"OBS_VALUE", "UNIT_MEASURE", "OBS_STATUS", "CONF_STATUS"}

// ErrNoRefArea reports an SDMX file asked for without the reporting
// country's M49 code.
var ErrNoRefArea = errors.New("statistics: SDMX-CSV needs the reporting country's M49 code (--ref-area, or sdmx.ref_area in the bands file)")

// WriteSDMX writes the SDG 16.2.2 table of a publication as SDMX-CSV for
// the SDG global database: for every cell of one year, the count series
// of its form group (VC_HTF_DETV for all forms, VC_HTF_DETVSX for sexual
// exploitation, ...) and the rate series where a rate exists or the count
// is suppressed. A form group without a series in the configuration
// (victims whose forms span several groups, or with none recorded) is
// counted in VC_HTF_DETV only. A suppressed observation has an empty
// OBS_VALUE, OBS_STATUS M (missing) and CONF_STATUS C (confidential).
func WriteSDMX(w io.Writer, pub *Publication, cfg *Config) error {
	if cfg == nil {
		cfg = Default
	}
	sx := cfg.SDMX
	if sx.RefArea == "" {
		return ErrNoRefArea
	}
	var core *Result
	for _, t := range pub.Tables {
		if t.Title == SDGCoreTitle {
			core = t
		}
	}
	if core == nil {
		return fmt.Errorf("statistics: SDMX-CSV needs the SDG 16.2.2 table (--sdg)")
	}
	iy, is, ia, ifm := slices.Index(core.Dimensions, DimYear), slices.Index(core.Dimensions, DimSex),
		slices.Index(core.Dimensions, DimAgeGroup), slices.Index(core.Dimensions, DimFormGroup)
	code := func(m map[string]string, v string) string {
		if c, ok := m[v]; ok {
			return c
		}
		return strings.ToUpper(v)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(SDMXHeader); err != nil {
		return err
	}
	for _, c := range core.Cells {
		if c.Labels[iy] == Total {
			continue
		}
		series, ok := sx.Series[c.Labels[ifm]]
		if !ok {
			continue
		}
		key := []string{sx.Dataflow, sx.Freq, sx.ReportingType, "", sx.RefArea, code(sx.Sex, c.Labels[is]), code(sx.Age, c.Labels[ia]), c.Labels[iy]}
		obs := func(series, value, unit string) error {
			row := slices.Clone(key)
			row[3] = series
			if c.Suppressed || core.Withheld {
				row = append(row, "", unit, "M", "C")
			} else {
				row = append(row, value, unit, "A", "F")
			}
			return cw.Write(row)
		}
		if err := obs(series.Count, c.countText(), sx.UnitCount); err != nil {
			return err
		}
		if c.Rate != nil || c.Suppressed {
			if err := obs(series.Rate, c.rateText(), sx.UnitRate); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
