package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/haven-nrm/haven/store"
)

func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(stderr, "Usage: haven token create --user NAME [--name LABEL] [--ttl 720h]")
		return errUsage
	}
	fs := newFlagSet("token create", stderr)
	s, err := newSettings(fs, databaseOption...)
	if err != nil {
		return err
	}
	user := fs.String("user", "", "username the token acts as")
	name := fs.String("name", "api", "a label to recognise the token by")
	ttl := fs.Duration("ttl", 0, "lifetime, e.g. 720h (0: no expiry)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	var token string
	err = withAdminDB(ctx, s.get(optDB), func(db *store.DB) error {
		var err error
		token, err = db.CreateToken(ctx, *user, *name, *ttl)
		return cliError(err)
	})
	if err != nil {
		return err
	}
	// The token alone on stdout, so scripts can capture it; it is not stored
	// and cannot be shown again.
	fmt.Fprintln(stdout, token)
	if *ttl > 0 {
		fmt.Fprintf(stderr, "token for %s expires %s; it is shown only once\n", *user, time.Now().Add(*ttl).Format(time.RFC3339))
	} else {
		fmt.Fprintf(stderr, "token for %s created; it is shown only once\n", *user)
	}
	return nil
}
