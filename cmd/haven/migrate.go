package main

import (
	"context"
	"fmt"
	"io"

	"github.com/haven-nrm/haven/store"
)

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate", stderr)
	s, err := newSettings(fs, databaseOption...)
	if err != nil {
		return err
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := store.Open(ctx, s.get(optDB))
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	current, _, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "applied %d migrations; schema is at version %d\n", n, current)
	return nil
}
