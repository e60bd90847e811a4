package document_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/document"
)

// TestSamples renders a short and a long statement in both formats; with
// -samples they are kept for a person to look at.
func TestSamples(t *testing.T) {
	long := statement()
	long.PersonName = "Олена Коваль"
	for i := range 30 {
		long.Offences = append(long.Offences, document.Offence{
			Description:  fmt.Sprintf("Offence %d under article %d of the Criminal Code, committed while under the exploiter's control", i+4, 100+i),
			Jurisdiction: "Regional Court of Ελευθερούπολη",
			Date:         haven.DateOf(day("2025-02-01").AddDate(0, 0, i)),
			RecordNumber: fmt.Sprintf("CR-2025-%05d", 1000+i),
		})
	}
	long.Offences[0].Date = day("2025-06-02")
	for name, np := range map[string]document.NonPunishment{"short": statement(), "long": long} {
		d, err := document.NonPunishmentDoc(localizer(t, "en"), np)
		if err != nil {
			t.Fatal(err)
		}
		var h, p bytes.Buffer
		if err := document.RenderHTML(&h, d); err != nil {
			t.Fatal(err)
		}
		if err := document.RenderPDF(&p, d); err != nil {
			t.Fatal(err)
		}
		writeSample(t, name+".html", h.Bytes())
		writeSample(t, name+".pdf", p.Bytes())
	}
}
