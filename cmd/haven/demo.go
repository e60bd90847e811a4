package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/haven-nrm/haven/demo"
	"github.com/haven-nrm/haven/store"
	"github.com/haven-nrm/haven/vault"
)

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("demo", stderr)
	// The demo's own defaults: a fresh database in a temporary folder.
	s, err := newSettings(fs, optAddr, optLogLevel, optLogFormat, optShutdown)
	if err != nil {
		return err
	}
	dbFlag := fs.String("db", "", "database for the demo: a new SQLite file path or an empty postgres:// database (default: a fresh SQLite file in a temporary folder)")
	seed := fs.Int64("seed", 1, "seed of the synthetic data: the same seed gives the same data")
	cases := fs.Int("cases", 2000, "how many synthetic cases to generate")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *cases < 0 || *cases > 1_000_000 {
		return errors.New("--cases: must be between 0 and 1000000")
	}
	cfg, err := s.config()
	if err != nil {
		return err
	}
	if err := requireLoopback(cfg.Addr); err != nil {
		return err
	}
	// The demo's accounts are synthetic and printed, so a second factor
	// would protect nothing: the demo turns it off, and says so.
	cfg.RequireTOTP = false
	dir, err := os.MkdirTemp("", "haven-demo-")
	if err != nil {
		return fmt.Errorf("create demo folder: %w", err)
	}
	defer os.RemoveAll(dir)
	cfg.DatabaseURL = *dbFlag
	if cfg.DatabaseURL == "" {
		cfg.DatabaseURL = filepath.Join(dir, "haven-demo.db")
	} else if !strings.Contains(cfg.DatabaseURL, "://") {
		if _, err := os.Stat(cfg.DatabaseURL); err == nil {
			return fmt.Errorf("--db: %s already exists; the demo needs a fresh database", cfg.DatabaseURL)
		}
	}
	cfg.MasterKeyFile = filepath.Join(dir, "master.key")
	logger := cfg.newLogger()

	start := time.Now()
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	app := &App{Config: cfg, Logger: logger, DB: db}
	defer app.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	if err := requireEmpty(ctx, db); err != nil {
		return err
	}
	if err := vault.CreateMasterKeyFile(cfg.MasterKeyFile); err != nil {
		return err
	}
	if err := attachVault(ctx, db, cfg.MasterKeyFile); err != nil {
		return err
	}
	bar := progressbar.NewOptions(*cases,
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetDescription("Generating synthetic cases"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(stderr) }),
	)
	result, err := demo.Generate(ctx, db, demo.Options{
		Seed:     *seed,
		Cases:    *cases,
		Progress: func(done, total int) { bar.Set(done) },
	})
	if err != nil {
		return err
	}
	bar.Finish()
	if err := app.Open(ctx); err != nil {
		return err
	}
	printDemo(stdout, app.URL(), result, time.Since(start))
	return app.Run(ctx)
}

// requireLoopback refuses a demo address reachable from other machines:
// the demo prints its passwords.
func requireLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr: must be host:port")
	}
	if host == "localhost" {
		return nil
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !ip.IsLoopback() {
		return fmt.Errorf("--addr: the demo prints its passwords, so it listens on loopback only (127.0.0.1 or ::1), not %q", host)
	}
	return nil
}

// requireEmpty refuses to fill a database that already holds cases.
func requireEmpty(ctx context.Context, db *store.DB) error {
	var n int
	if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM cases").Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("--db: the database already holds %d cases; the demo needs a fresh one", n)
	}
	return nil
}

func printDemo(w io.Writer, url string, r *demo.Result, took time.Duration) {
	fmt.Fprintf(w, "\nHaven demo is running at %s/\n", url)
	fmt.Fprintf(w, "%d synthetic cases, %d organisations, ready in %s. Press Ctrl-C to stop; the demo database is deleted on exit.\n\n",
		r.Cases, len(r.Organisations), took.Round(100*time.Millisecond))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ROLE\tUSERNAME\tPASSWORD\tORGANISATION")
	for _, a := range r.Accounts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.Role, a.Username, a.Password, a.Organisation)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nThese accounts and all data are synthetic. Never load real cases into a demo.")
	fmt.Fprintln(w, "The demo does not ask for a second factor; a real deployment does (see --require-totp).")
}
