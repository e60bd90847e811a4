package document

import (
	"strconv"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/i18n"
)

// FormatDate writes a day as the localizer's language writes it in a
// document: "26 November 2026" in English. The catalogue holds the order
// ("document.date") and the month names ("document.month.1" to ".12"), so a
// language sets both without code; the year and day are written in Western
// digits. A zero date is empty.
func FormatDate(l *i18n.Localizer, d haven.Date) string {
	if d.IsZero() {
		return ""
	}
	return l.T("document.date",
		"Day", strconv.Itoa(d.Day()),
		"Month", l.T("document.month."+strconv.Itoa(int(d.Month()))),
		"Year", strconv.Itoa(d.Year()))
}
