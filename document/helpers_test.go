package document_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/document"
	"github.com/haven-nrm/haven/i18n"
)

// -samples DIR writes the documents the tests render into DIR, to look at:
//
//	go test ./document/ -run TestSamples -samples /tmp/docs
var samplesDir = flag.String("samples", "", "write sample documents into this folder")

func day(s string) haven.Date {
	d, err := haven.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func localizer(t testing.TB, prefs ...string) *i18n.Localizer {
	t.Helper()
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	return c.Localizer(prefs...)
}

// statement is a complete non-punishment statement with fixed dates.
func statement() document.NonPunishment {
	return document.NonPunishment{
		Reference:     document.NonPunishmentReference("HV-7K3M-9QXD", 1),
		IssuedOn:      day("2026-11-26"),
		Authority:     "National Referral Mechanism Secretariat",
		CaseReference: "HV-7K3M-9QXD",
		PersonName:    "Ana-María Núñez",
		DateOfBirth:   day("1998-03-04"),
		Finding: document.Finding{
			DecidedOn:         day("2026-09-15"),
			DecidedBy:         "Multidisciplinary Identification Panel, Central Region",
			DecisionReference: "MIP/2026/117",
		},
		Offences: []document.Offence{
			{Description: "Use of a forged travel document", Jurisdiction: "Central District Court", Date: day("2025-06-02"), RecordNumber: "CR-2025-4481"},
			{Description: "Irregular stay", Jurisdiction: "Immigration Office, Northern Border", Date: day("2025-07-19"), RecordNumber: "IMM/25/99812"},
			{Description: "Petty theft (shoplifting) under the control of the exploiter", Jurisdiction: "Municipal Court of Eastport", Date: day("2026-01-08"), RecordNumber: "MC-26-0031"},
		},
		NationalProvision:   "Article 26 of the Law on Combating Trafficking in Human Beings (Official Gazette 12/2019)",
		Signatory:           document.Signatory{Name: "Dr. Elena Petrović", Role: "Head of the NRM Secretariat"},
		VerificationContact: "+00 1 234 5678, nrm@example.org",
	}
}

// writeSample keeps a rendered document when -samples is set.
func writeSample(t *testing.T, name string, b []byte) {
	t.Helper()
	if *samplesDir == "" {
		return
	}
	if err := os.MkdirAll(*samplesDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(*samplesDir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}
