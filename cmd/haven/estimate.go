package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/haven-nrm/haven/estimate"
)

// runEstimate is `haven estimate`: multiple systems estimation of the
// victims no agency detected, from a table of list overlaps.
func runEstimate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("estimate", stderr)
	file := fs.String("file", "", "CSV of list overlaps: one 0/1 column per list, then the count (required)")
	method := fs.String("method", "stepwise", "stepwise or main")
	pthresh := fs.Float64("p-threshold", estimate.DefaultPThreshold, "p-value below which the stepwise search adds an interaction")
	format := fs.String("format", "text", "text or json")
	bootstrap := fs.Int("bootstrap", 0, "also compute a bootstrap interval with this many replicates (e.g. 1000)")
	seed := fs.Uint64("seed", 1, "seed of the bootstrap")
	if err := parse(fs, args); err != nil {
		return err
	}
	var errs []error
	if *file == "" {
		errs = append(errs, errors.New("--file: the overlap table is required"))
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
	f, err := os.Open(*file)
	if err != nil {
		return fmt.Errorf("--file: %w", err)
	}
	defer f.Close()
	table, err := estimate.ReadCSV(f)
	if err != nil {
		return err
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
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			estimate.Result
			Bootstrap *estimate.Interval `json:"bootstrap,omitempty"`
		}{res, boot})
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
