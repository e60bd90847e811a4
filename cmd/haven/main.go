// Command haven runs Haven, the information system of a National Referral
// Mechanism against trafficking in persons: the server, a demo with
// synthetic data, migrations, staff accounts, API tokens and keys.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Version is set at build time with -ldflags "-X main.Version=...".
var Version = "dev"

const usage = `Usage: haven <command> [flags]

Commands:
  serve     run the server
  demo      run the server on a fresh database filled with synthetic data
  migrate   bring the database schema up to date
  user      manage staff accounts (add, list, disable, enable, reset-totp)
  token     create an API token (token create --user NAME)
  keys      manage encryption keys (keys init, keys rotate)
  audit     the tamper-evident access log (audit verify|checkpoint|export-checkpoint|show)
  estimate  estimate undetected victims from list overlaps (--file overlaps.csv or --from-cases)
  stats     privacy-protected statistics and SDG 16.2.2 (csv, json, sdmx, xlsx)
  budget    differential-privacy budgets of datasets (budget open|show)
  releases  the record of every release of statistics and reports
  version   print the version

Run 'haven <command> -h' for a command's flags.
`

// errUsage marks a command line that could not be understood; main exits 2.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case err == nil:
	case errors.Is(err, errUsage), errors.Is(err, flag.ErrHelp):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "haven:", err)
		os.Exit(1)
	}
}

// run executes one command. It is main without the process, so tests can
// call it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, stdout, stderr)
	case "demo":
		return runDemo(ctx, rest, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, rest, stdout, stderr)
	case "user":
		return runUser(ctx, rest, stdout, stderr)
	case "token":
		return runToken(ctx, rest, stdout, stderr)
	case "keys":
		return runKeys(ctx, rest, stdout, stderr)
	case "audit":
		return runAudit(ctx, rest, stdout, stderr)
	case "estimate":
		return runEstimate(ctx, rest, stdout, stderr)
	case "stats":
		return runStats(ctx, rest, stdout, stderr)
	case "budget":
		return runBudget(ctx, rest, stdout, stderr)
	case "releases":
		return runReleases(ctx, rest, stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "haven", Version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "haven: unknown command %q\n\n%s", cmd, usage)
	return errUsage
}

// newFlagSet returns a flag set that reports errors on stderr and returns
// them instead of exiting.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("haven "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parse parses args, turning flag errors into errUsage (flag has already
// printed them).
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	return nil
}
