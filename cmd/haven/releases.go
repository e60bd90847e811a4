package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/haven-nrm/haven/store"
)

const releasesUsage = `Usage:
  haven releases [--limit 50] [--format text|json] [--db DB]

Lists the most recent releases of statistics and reports, newest first:
when, who (empty for the command line), the channel, the tables released
and withheld, the protection, and the query (docs/STATISTICS.md).
`

// runReleases is `haven releases`: the record of every release.
func runReleases(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("releases", stderr)
	fs.Usage = func() { fmt.Fprint(stderr, releasesUsage); fs.PrintDefaults() }
	s, err := newSettings(fs, databaseOption...)
	if err != nil {
		return err
	}
	limit := fs.Int("limit", 50, "how many releases, 1 to 1000")
	format := fs.String("format", "text", "text or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	var errs []error
	if *limit < 1 || *limit > 1000 {
		errs = append(errs, errors.New("--limit: must be from 1 to 1000"))
	}
	if *format != "text" && *format != "json" {
		errs = append(errs, errors.New("--format: must be text or json"))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return withAdminDB(ctx, s.get(optDB), func(db *store.DB) error {
		rels, err := db.Releases(ctx, *limit)
		if err != nil {
			return cliError(err)
		}
		if *format == "json" {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(map[string]any{"releases": rels})
		}
		for _, r := range rels {
			who := r.UserID
			if who == "" {
				who = "(command line)"
			}
			fmt.Fprintf(stdout, "%s  %-4s  %s  %d table(s), %d withheld\n    protection: %s\n    query: %s\n",
				r.At.Format("2006-01-02 15:04:05"), r.Channel, who, r.Tables, r.Withheld, r.Protection, r.Query)
		}
		return nil
	})
}
