package stats

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// WriteXLSX writes a publication as a workbook, one sheet per table: a
// header row (dimensions, count, status, rate), then one row per cell. A
// suppressed count is the text "C", never a number.
func WriteXLSX(w io.Writer, pub *Publication) error {
	f := excelize.NewFile()
	defer f.Close()
	for i, t := range pub.Tables {
		sheet := fmt.Sprintf("Table %d", i+1)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sheet); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(sheet); err != nil {
			return err
		}
		row := 1
		put := func(values ...any) error {
			cell, err := excelize.CoordinatesToCellName(1, row)
			if err != nil {
				return err
			}
			row++
			return f.SetSheetRow(sheet, cell, &values)
		}
		if err := put(t.Title); err != nil {
			return err
		}
		if err := put(fmt.Sprintf("basis %s, %s to %s, k = %d", t.Basis, t.From, t.To, t.K)); err != nil {
			return err
		}
		if t.Note != "" {
			if err := put(t.Note); err != nil {
				return err
			}
		}
		header := []any{}
		for _, d := range t.Dimensions {
			header = append(header, d)
		}
		if err := put(append(header, "count", "status", "rate_per_100000")...); err != nil {
			return err
		}
		for _, c := range t.Cells {
			vals := []any{}
			for _, l := range c.Labels {
				vals = append(vals, l)
			}
			var count any = c.Count
			if c.Suppressed {
				count = Suppressed
			}
			var rate any = ""
			if c.Rate != nil {
				rate = *c.Rate
			}
			if err := put(append(vals, count, t.status(c), rate)...); err != nil {
				return err
			}
		}
	}
	return f.Write(w)
}
