package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/disclosure"
	"github.com/haven-nrm/haven/stats"
	"github.com/haven-nrm/haven/store"
	"github.com/haven-nrm/haven/store/statsource"
)

const statsUsage = `Usage:
  haven stats [--db DB] [--from 2025-01-01 --to 2025-12-31] [--basis reasonable_grounds|identification]
              [--by sex,age_band,form_group,...] [--forms each|once] [--k 11]
              [--format csv|json|xlsx] [--out FILE] [--epsilon 0.5 --dataset NAME]
  haven stats --sdg --population pop.csv [--from ... --to ...] [--format csv|json|sdmx|xlsx] [--ref-area 826] [--out FILE]

Counts detected victims whose decision (reasonable grounds by default) falls
in the period, both days included; the period defaults to last calendar year.
Every table is protected before it is written: cells under --k persons are
suppressed with enough complementary cells, and are marked "C", never 0.
With --epsilon the counts also carry differential-privacy noise, charged to
the budget opened with 'haven budget open'. Every release is recorded.
Dimensions: ` + "%s" + `
The population file is CSV: year,sex,age_band,population (docs/STATISTICS.md).
`

// runStats is `haven stats`: published statistics tables. It reads only
// coded, unsealed columns, so it needs no master key.
func runStats(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("stats", stderr)
	fs.Usage = func() { fmt.Fprintf(stderr, statsUsage, strings.Join(stats.Dimensions(), ", ")); fs.PrintDefaults() }
	s, err := newSettings(fs, databaseOption...)
	if err != nil {
		return err
	}
	lastYear := time.Now().UTC().Year() - 1
	from := fs.String("from", fmt.Sprintf("%d-01-01", lastYear), "first day of the period (YYYY-MM-DD)")
	to := fs.String("to", fmt.Sprintf("%d-12-31", lastYear), "last day of the period (YYYY-MM-DD), included")
	basis := fs.String("basis", stats.BasisReasonableGrounds, "date that places a victim in the period: reasonable_grounds or identification")
	by := fs.String("by", "", "comma-separated dimensions of one table")
	forms := fs.String("forms", stats.FormsEach, "each: a victim counts in every form group she was exploited in; once: once, under \"multiple\" if several")
	sdg := fs.Bool("sdg", false, "the SDG 16.2.2 publication: rates per 100,000 and every §110 dimension")
	popFile := fs.String("population", "", "population CSV (year,sex,age_band,population), required with --sdg")
	k := fs.Int("k", disclosure.DefaultK, "suppression threshold: cells of 1 to k-1 persons are suppressed")
	format := fs.String("format", stats.FormatCSV, "csv, json, sdmx (with --sdg) or xlsx (with --out)")
	out := fs.String("out", "", "write to this file instead of standard output")
	epsilon := fs.String("epsilon", "", "add differential-privacy noise for this ε per table, charged to --dataset's budget (see haven budget)")
	dataset := fs.String("dataset", "", "the privacy budget a noisy release is charged to")
	refArea := fs.String("ref-area", "", "the reporting country's M49 code for SDMX-CSV (e.g. 826), unless the bands file sets it")
	if err := parse(fs, args); err != nil {
		return err
	}

	var errs []error
	fromDate, err := haven.ParseDate(*from)
	if err != nil {
		errs = append(errs, errors.New("--from: must be a date YYYY-MM-DD"))
	}
	toDate, err := haven.ParseDate(*to)
	if err != nil {
		errs = append(errs, errors.New("--to: must be a date YYYY-MM-DD"))
	}
	switch {
	case *sdg && *by != "":
		errs = append(errs, errors.New("--by: not with --sdg, whose tables are fixed"))
	case !*sdg && *by == "":
		errs = append(errs, errors.New("--by: give the dimensions of the table, or --sdg"))
	case *sdg && *popFile == "":
		errs = append(errs, errors.New("--population: required with --sdg"))
	}
	if !slices.Contains([]string{stats.FormatCSV, stats.FormatJSON, stats.FormatSDMX, stats.FormatXLSX}, *format) {
		errs = append(errs, errors.New("--format: must be csv, json, sdmx or xlsx"))
	} else if *format == stats.FormatSDMX && !*sdg {
		errs = append(errs, errors.New("--format sdmx: SDMX-CSV is for the SDG 16.2.2 table; add --sdg"))
	} else if *format == stats.FormatXLSX && *out == "" {
		errs = append(errs, errors.New("--format xlsx: give a file with --out"))
	}
	if *k < 2 {
		errs = append(errs, errors.New("--k: must be at least 2"))
	}
	cfg := stats.Default
	if *refArea != "" {
		c, err := stats.Default.WithRefArea(*refArea)
		if err != nil {
			errs = append(errs, errors.New("--ref-area: must be a three-digit M49 code, such as 826"))
		} else {
			cfg = c
		}
	} else if *format == stats.FormatSDMX && cfg.SDMX.RefArea == "" {
		errs = append(errs, errors.New("--ref-area: required with --format sdmx: the reporting country's M49 code"))
	}
	var noise *stats.Noise
	if *epsilon != "" || *dataset != "" {
		e, err := disclosure.ParseEpsilon(*epsilon)
		switch {
		case err != nil || e <= 0:
			errs = append(errs, errors.New("--epsilon: must be a positive decimal such as 0.5, with --dataset"))
		case *dataset == "":
			errs = append(errs, errors.New("--dataset: required with --epsilon"))
		}
		noise = &stats.Noise{Dataset: *dataset, Epsilon: e}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	var pop *stats.Population
	if *sdg {
		f, err := os.Open(*popFile)
		if err != nil {
			return fmt.Errorf("--population: %w", err)
		}
		pop, err = stats.ReadPopulation(f, nil)
		f.Close()
		if err != nil {
			return err
		}
	}

	var pub *stats.Publication
	err = withAdminDB(ctx, s.get(optDB), func(db *store.DB) error {
		engine := &stats.Engine{Source: statsource.New(db), Ledger: db.PrivacyLedger()}
		rq := stats.ReleaseQuery{SDG: *sdg, Basis: *basis, From: fromDate.String(), To: toDate.String(), K: *k, Format: *format, Noise: noise}
		if *sdg {
			pub, err = engine.SDG(ctx, stats.SDGQuery{Basis: *basis, From: fromDate, To: toDate, K: *k, Population: pop, Noise: noise})
		} else {
			for _, d := range strings.Split(*by, ",") {
				rq.By = append(rq.By, strings.TrimSpace(d))
			}
			rq.Forms = *forms
			var r *stats.Result
			r, err = engine.Table(ctx, stats.Query{Basis: *basis, From: fromDate, To: toDate, By: rq.By, Forms: *forms, K: *k,
				Title: "Detected victims by " + strings.Join(rq.By, ", "), Noise: noise})
			pub = &stats.Publication{Tables: []*stats.Result{r}}
		}
		if err != nil {
			return err
		}
		// Every release is recorded before a number leaves Haven.
		rel, err := stats.NewRelease(haven.ReleaseCLI, rq, pub)
		if err != nil {
			return err
		}
		return db.RecordRelease(ctx, rel)
	})
	if err != nil {
		return cliError(err)
	}
	for _, t := range pub.Tables {
		if t.Withheld {
			fmt.Fprintf(stderr, "haven stats: %q is withheld: every cell is suppressed to protect the persons in it\n", t.Title)
		}
	}
	if *out == "" {
		return stats.Write(stdout, *format, pub, cfg)
	}
	f, err := os.OpenFile(*out, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	if err := stats.Write(f, *format, pub, cfg); err != nil {
		f.Close()
		return fmt.Errorf("--out: %w", err)
	}
	return f.Close()
}
