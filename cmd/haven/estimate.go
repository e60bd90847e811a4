package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/estimate"
	"github.com/haven-nrm/haven/store"
)

const estimateUsage = `Usage:
  haven estimate --file overlaps.csv [--method stepwise|main] [--format text|json] [--bootstrap 1000]
  haven estimate --from-cases [--db DB] [--lists sector|organisation] [--from 2025-01-01 --to 2025-12-31]
                 [--basis reasonable_grounds|identification] [--overlaps-out FILE]
                 [--method stepwise|main] [--format text|json] [--bootstrap 1000]

Multiple systems estimation of the victims no list detected, from a table of
list overlaps: read from a CSV file (one 0/1 column per list, then the
count), or built from the cases. With --from-cases, the persons whose
decision (reasonable grounds by default) falls in the period, both days
included, are linked across organisations by the blind indexes of their
identifiers, and each is put on the lists (sectors or organisations) that
owned or screened one of her cases; the period defaults to last calendar
year. --overlaps-out writes that table as CSV, to inspect or run again with
--file. docs/ESTIMATION.md says how the table is built and how to read the
estimate.
`

// caseFlags are the flags that only --from-cases reads.
var caseFlags = []string{"db", "lists", "from", "to", "basis", "overlaps-out"}

// runEstimate is `haven estimate`: multiple systems estimation of the
// victims no agency detected, from a table of list overlaps.
func runEstimate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("estimate", stderr)
	fs.Usage = func() { fmt.Fprint(stderr, estimateUsage); fs.PrintDefaults() }
	s, err := newSettings(fs, databaseOption...)
	if err != nil {
		return err
	}
	file := fs.String("file", "", "CSV of list overlaps: one 0/1 column per list, then the count")
	fromCases := fs.Bool("from-cases", false, "build the overlap table from the cases in the database instead of --file")
	lists := fs.String("lists", store.ListsBySector, "with --from-cases, one list per sector or per organisation")
	lastYear := time.Now().UTC().Year() - 1
	from := fs.String("from", fmt.Sprintf("%d-01-01", lastYear), "with --from-cases, first day of the period (YYYY-MM-DD)")
	to := fs.String("to", fmt.Sprintf("%d-12-31", lastYear), "with --from-cases, last day of the period (YYYY-MM-DD), included")
	basis := fs.String("basis", store.BasisReasonableGrounds, "with --from-cases, date that places a person in the period: reasonable_grounds or identification")
	overlapsOut := fs.String("overlaps-out", "", "with --from-cases, also write the overlap table to this CSV file")
	method := fs.String("method", "stepwise", "stepwise or main")
	pthresh := fs.Float64("p-threshold", estimate.DefaultPThreshold, "p-value below which the stepwise search adds an interaction")
	format := fs.String("format", "text", "text or json")
	bootstrap := fs.Int("bootstrap", 0, "also compute a bootstrap interval with this many replicates (e.g. 1000)")
	seed := fs.Uint64("seed", 1, "seed of the bootstrap")
	if err := parse(fs, args); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	var errs []error
	switch {
	case *file != "" && *fromCases:
		errs = append(errs, errors.New("--file and --from-cases: give one source of the overlap table, not both"))
	case *file == "" && !*fromCases:
		errs = append(errs, errors.New("--file or --from-cases: the overlap table is required, from a CSV file or built from the cases"))
	case *fromCases:
		if *lists != store.ListsBySector && *lists != store.ListsByOrganisation {
			errs = append(errs, errors.New("--lists: must be sector or organisation"))
		}
		if *basis != store.BasisReasonableGrounds && *basis != store.BasisIdentification {
			errs = append(errs, errors.New("--basis: must be reasonable_grounds or identification"))
		}
	default:
		for _, name := range caseFlags {
			if set[name] {
				errs = append(errs, fmt.Errorf("--%s: only with --from-cases", name))
			}
		}
	}
	fromDate, err := haven.ParseDate(*from)
	if *fromCases && err != nil {
		errs = append(errs, errors.New("--from: must be a date YYYY-MM-DD"))
	}
	toDate, err := haven.ParseDate(*to)
	if *fromCases && err != nil {
		errs = append(errs, errors.New("--to: must be a date YYYY-MM-DD"))
	}
	if *method != string(estimate.Main) && *method != string(estimate.Stepwise) {
		errs = append(errs, errors.New("--method: must be stepwise or main"))
	}
	if *format != "text" && *format != "json" {
		errs = append(errs, errors.New("--format: must be text or json"))
	}
	if *bootstrap < 0 || *bootstrap > 100_000 {
		errs = append(errs, errors.New("--bootstrap: must be between 0 and 100000"))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}

	var (
		table   *estimate.Table
		linkage *linkageSummary
	)
	if *fromCases {
		q := store.OverlapQuery{Basis: *basis, From: fromDate, To: toDate, Lists: *lists}
		table, linkage, err = overlapsFromCases(ctx, s.get(optDB), q, stderr)
		if err != nil {
			return err
		}
		if *overlapsOut != "" {
			if err := writeOverlaps(*overlapsOut, table); err != nil {
				return err
			}
		}
	} else {
		f, err := os.Open(*file)
		if err != nil {
			return fmt.Errorf("--file: %w", err)
		}
		defer f.Close()
		if table, err = estimate.ReadCSV(f); err != nil {
			return err
		}
	}

	opt := estimate.Options{Method: estimate.Method(*method), PThreshold: *pthresh}
	res, err := estimate.Estimate(table, opt)
	if err != nil {
		return err
	}
	var boot *estimate.Interval
	if *bootstrap > 0 {
		iv, err := estimate.Bootstrap(ctx, table, opt, *bootstrap, *seed)
		if err != nil {
			return err
		}
		boot = &iv
	}
	if linkage != nil {
		// An estimate from the cases is a release like any statistic:
		// recorded before it is written.
		rq, err := json.Marshal(struct {
			Estimate   string  `json:"estimate"`
			From       string  `json:"from"`
			To         string  `json:"to"`
			Basis      string  `json:"basis"`
			Lists      string  `json:"lists"`
			Method     string  `json:"method"`
			PThreshold float64 `json:"p_threshold"`
			Bootstrap  int     `json:"bootstrap,omitempty"`
			Format     string  `json:"format"`
		}{"multiple_systems", linkage.From, linkage.To, linkage.Basis, linkage.Lists, *method, *pthresh, *bootstrap, *format})
		if err != nil {
			return err
		}
		rel := &haven.Release{Channel: haven.ReleaseCLI, Query: string(rq), Tables: 1,
			Protection: "a model estimate with its interval and the observed total; the overlap table itself is not published"}
		if err := withAdminDB(ctx, s.get(optDB), func(db *store.DB) error { return db.RecordRelease(ctx, rel) }); err != nil {
			return err
		}
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			estimate.Result
			Bootstrap *estimate.Interval `json:"bootstrap,omitempty"`
			Linkage   *linkageSummary    `json:"linkage,omitempty"`
		}{res, boot, linkage})
	}
	if linkage != nil {
		fmt.Fprintf(stdout, "period:     %s to %s (%s)\n", linkage.From, linkage.To, linkage.Basis)
		fmt.Fprintf(stdout, "linkage:    %d persons from %d cases in the period and %d linked cases outside it; %d cases without identifiers\n",
			linkage.Persons, linkage.CasesInPeriod, linkage.CasesOutsidePeriod, linkage.WithoutIdentifiers)
	}
	fmt.Fprintf(stdout, "lists:      %s\n", strings.Join(res.Lists, ", "))
	fmt.Fprintf(stdout, "model:      %s (%s)\n", res.Model, res.Method)
	fmt.Fprintf(stdout, "observed:   %d\n", res.Observed)
	fmt.Fprintf(stdout, "estimate:   %.1f (%.0f%% interval %.1f to %.1f)\n", res.Estimate, res.Level*100, res.Lower, res.Upper)
	fmt.Fprintf(stdout, "undetected: %.1f\n", res.DarkFigure)
	if boot != nil {
		fmt.Fprintf(stdout, "bootstrap:  %.1f to %.1f (%s, %d replicates, %d failed, seed %d)\n",
			boot.Lower, boot.Upper, boot.Method, boot.Replicates, boot.Failed, boot.Seed)
	}
	return nil
}

// linkageSummary is what building the table from the cases met: counts
// only, as store.Overlaps gives them.
type linkageSummary struct {
	Lists              string `json:"lists"` // sector or organisation
	Basis              string `json:"basis"`
	From               string `json:"from"`
	To                 string `json:"to"`
	Persons            int    `json:"persons"`
	CasesInPeriod      int    `json:"cases_in_period"`
	CasesOutsidePeriod int    `json:"cases_outside_period"`
	WithoutIdentifiers int    `json:"cases_without_identifiers"`
	Unindexed          int    `json:"cases_unindexed"`
	IndexKeys          int    `json:"index_keys"`
}

// overlapsFromCases builds the overlap table from the cases. It reads blind
// indexes and coded columns only, so it needs no master key. What weakens
// the linkage is said on stderr.
func overlapsFromCases(ctx context.Context, dsn string, q store.OverlapQuery, stderr io.Writer) (*estimate.Table, *linkageSummary, error) {
	var ov *store.Overlaps
	err := withAdminDB(ctx, dsn, func(db *store.DB) error {
		var err error
		ov, err = db.ListOverlaps(ctx, q)
		return cliError(err)
	})
	if err != nil {
		return nil, nil, err
	}
	rows := make([]estimate.Row, len(ov.Rows))
	for i, r := range ov.Rows {
		rows[i] = estimate.Row{On: r.On, Count: r.Count}
	}
	table, err := estimate.NewTable(ov.Lists, rows)
	if err != nil {
		if len(ov.Lists) > estimate.MaxLists && q.Lists == store.ListsByOrganisation {
			return nil, nil, fmt.Errorf("%w (try --lists sector)", err)
		}
		return nil, nil, err
	}
	if ov.IndexKeys > 1 {
		fmt.Fprintf(stderr, "haven estimate: warning: the blind indexes were made by %d different keys, so a key rotation has not finished; "+
			"cases indexed under different keys are not linked, which inflates the estimate. Run 'haven keys rotate --continue' first.\n", ov.IndexKeys)
	}
	if ov.Unindexed > 0 {
		fmt.Fprintf(stderr, "haven estimate: warning: %d cases hold an identifier without its blind index and cannot be linked by it; "+
			"'haven keys rotate --continue' fills in the indexes of rows stored before blind indexes existed.\n", ov.Unindexed)
	}
	return table, &linkageSummary{
		Lists: q.Lists, Basis: q.Basis, From: q.From.String(), To: q.To.String(),
		Persons: ov.Persons(), CasesInPeriod: ov.CasesInPeriod, CasesOutsidePeriod: ov.CasesOutsidePeriod,
		WithoutIdentifiers: ov.WithoutIdentifiers, Unindexed: ov.Unindexed, IndexKeys: ov.IndexKeys,
	}, nil
}

// writeOverlaps writes the table as CSV. The file is readable by its owner
// only: its cells are exact, unprotected counts, small ones included.
func writeOverlaps(path string, t *estimate.Table) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("--overlaps-out: %w", err)
	}
	if err := t.WriteCSV(f); err != nil {
		f.Close()
		return fmt.Errorf("--overlaps-out: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--overlaps-out: %w", err)
	}
	return nil
}
