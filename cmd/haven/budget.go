package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/haven-nrm/haven/disclosure"
	"github.com/haven-nrm/haven/store"
)

const budgetUsage = `Usage:
  haven budget open --dataset NAME --epsilon TOTAL [--db DB]
  haven budget show --dataset NAME [--db DB]

A dataset's privacy budget bounds the differential-privacy loss of every
noisy release made from it ('haven stats --epsilon E --dataset NAME'): each
release spends its ε, and a release the rest of the budget cannot pay for
is refused. A budget is opened once and never raised (docs/DISCLOSURE.md).
`

// runBudget is `haven budget`: open and show privacy budgets.
func runBudget(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "open" && args[0] != "show") {
		fmt.Fprint(stderr, budgetUsage)
		return errUsage
	}
	verb := args[0]
	fs := newFlagSet("budget "+verb, stderr)
	fs.Usage = func() { fmt.Fprint(stderr, budgetUsage); fs.PrintDefaults() }
	s, err := newSettings(fs, databaseOption...)
	if err != nil {
		return err
	}
	dataset := fs.String("dataset", "", "name of the dataset, for example victims-2025")
	total := fs.String("epsilon", "", "total ε of the budget (open only), for example 2")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	var errs []error
	if *dataset == "" {
		errs = append(errs, errors.New("--dataset: required"))
	}
	var e disclosure.Epsilon
	if verb == "open" {
		if e, err = disclosure.ParseEpsilon(*total); err != nil || e <= 0 {
			errs = append(errs, errors.New("--epsilon: must be a positive decimal such as 2"))
		}
	} else if *total != "" {
		errs = append(errs, errors.New("--epsilon: only with open"))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return withAdminDB(ctx, s.get(optDB), func(db *store.DB) error {
		l := db.PrivacyLedger()
		if verb == "open" {
			if err := l.Open(ctx, *dataset, e); err != nil {
				if errors.Is(err, disclosure.ErrBudgetExists) {
					return fmt.Errorf("--dataset: %q already has a budget; a budget is never raised", *dataset)
				}
				return err
			}
			fmt.Fprintf(stdout, "opened the budget of %q: ε = %s\n", *dataset, e)
			return nil
		}
		b, err := l.Balance(ctx, *dataset)
		if errors.Is(err, disclosure.ErrUnknownDataset) {
			return fmt.Errorf("--dataset: %q has no budget", *dataset)
		} else if err != nil {
			return err
		}
		charges, err := l.Charges(ctx, *dataset)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "dataset %s: total ε %s, spent %s, left %s\n", b.Dataset, b.Total, b.Spent, b.Remaining())
		for _, c := range charges {
			fmt.Fprintf(stdout, "%s  ε %-8s %s (%s)\n", c.Time.Format("2006-01-02 15:04"), c.Epsilon, c.Release, c.Mechanism)
		}
		return nil
	})
}
