package main

import (
	"context"
	"fmt"
	"io"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/store"
)

// runUserResetTOTP is 'haven user reset-totp': it removes a user's
// authenticator app and ends her sessions, so that she sets up a new one
// at her next login (after losing her phone, say). The secret is only
// cleared, never read, so no master key is needed.
func runUserResetTOTP(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("user reset-totp", stderr)
	s, err := newSettings(fs, databaseOption...)
	if err != nil {
		return err
	}
	username := fs.String("username", "", "login name of the user whose authenticator app is reset")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *username == "" {
		fmt.Fprintln(stderr, "Usage: haven user reset-totp --username NAME")
		return errUsage
	}
	return withAdminDB(ctx, s.get(optDB), func(db *store.DB) error {
		err := db.ResetTOTP(ctx, *username)
		if haven.ErrorCode(err) == haven.ENOTFOUND {
			return fmt.Errorf("no user is named %q", *username)
		} else if err != nil {
			return cliError(err)
		}
		fmt.Fprintf(stdout, "second factor of %s reset: their sessions have ended and they set up an authenticator app at their next login\n", *username)
		return nil
	})
}
