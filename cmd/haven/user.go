package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/store"
)

// withAdminDB runs fn on the migrated database of an administrative
// command. Account commands read no sealed field (resetting a second
// factor only clears its sealed secret), so no master key is needed.
func withAdminDB(ctx context.Context, dsn string, fn func(db *store.DB) error) error {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CheckSchema(ctx); err != nil {
		return err
	}
	return fn(db)
}

const userUsage = `Usage:
  haven user add --username NAME --role ROLE --organisation ORG [--sector SECTOR] [--name "Display Name"]
                 (the password is read from HAVEN_PASSWORD or the first line of standard input)
  haven user list
  haven user disable --username NAME
  haven user enable --username NAME
  haven user reset-totp --username NAME   (the user enrols a new authenticator at the next login)
`

func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, userUsage)
		return errUsage
	}
	sub, args := args[0], args[1:]
	fs := newFlagSet("user "+sub, stderr)
	s, err := newSettings(fs, databaseOption...)
	if err != nil {
		return err
	}
	switch sub {
	case "add":
		username := fs.String("username", "", "login name")
		role := fs.String("role", "", "role: one of "+strings.Join(roleList(), ", "))
		orgName := fs.String("organisation", "", "organisation name (created if it does not exist, with --sector)")
		sector := fs.String("sector", "", "sector of a new organisation")
		display := fs.String("name", "", "display name")
		if err := parse(fs, args); err != nil {
			return err
		}
		return withAdminDB(ctx, s.get(optDB), func(db *store.DB) error {
			return addUser(ctx, db, *username, *role, *orgName, *sector, *display, stdout)
		})
	case "list":
		if err := parse(fs, args); err != nil {
			return err
		}
		return withAdminDB(ctx, s.get(optDB), func(db *store.DB) error { return listUsers(ctx, db, stdout) })
	case "reset-totp":
		return runUserResetTOTP(ctx, args, stdout, stderr)
	case "disable", "enable":
		username := fs.String("username", "", "login name")
		if err := parse(fs, args); err != nil {
			return err
		}
		return withAdminDB(ctx, s.get(optDB), func(db *store.DB) error {
			if err := db.SetUserDisabled(ctx, *username, sub == "disable"); err != nil {
				return cliError(err)
			}
			fmt.Fprintf(stdout, "user %s %sd\n", *username, sub)
			return nil
		})
	}
	fmt.Fprint(stderr, userUsage)
	return errUsage
}

func roleList() []string {
	out := make([]string, len(haven.Roles))
	for i, r := range haven.Roles {
		out[i] = string(r)
	}
	return out
}

func addUser(ctx context.Context, db *store.DB, username, roleName, orgName, sector, display string, stdout io.Writer) error {
	role, err := haven.ParseRole(roleName)
	if err != nil {
		return cliError(err)
	}
	if orgName == "" {
		return cliError(&haven.Error{Code: haven.EINVALID, Message: "The input is not valid.", Fields: []haven.FieldError{{Field: "organisation", Reason: "is required"}}})
	}
	org, err := db.FindOrganisationByName(ctx, orgName)
	if haven.ErrorCode(err) == haven.ENOTFOUND {
		org = &haven.Organisation{Name: orgName, Sector: haven.Sector(sector)}
		if err := db.CreateOrganisation(ctx, org); err != nil {
			return cliError(err)
		}
	} else if err != nil {
		return err
	}
	password := os.Getenv("HAVEN_PASSWORD")
	if password == "" {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("no password: set HAVEN_PASSWORD or pipe it on standard input")
		}
		password = strings.TrimRight(line, "\r\n")
	}
	if display == "" {
		display = username
	}
	u := &haven.User{Username: username, DisplayName: display, Role: role, OrganisationID: org.ID}
	if err := db.CreateUser(ctx, u, password); err != nil {
		return cliError(err)
	}
	fmt.Fprintf(stdout, "created user %s (%s, %s)\n", u.Username, u.Role, org.Name)
	return nil
}

// cliError turns an application error into one readable line naming the
// bad fields.
func cliError(err error) error {
	if err == nil {
		return nil
	}
	fields := haven.ErrorFields(err)
	if len(fields) == 0 {
		if haven.ErrorCode(err) == haven.EINTERNAL {
			return err
		}
		return fmt.Errorf("%s", haven.ErrorMessage(err))
	}
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = "--" + strings.ReplaceAll(f.Field, "_", "-") + " " + f.Reason
	}
	return fmt.Errorf("%s", strings.Join(parts, "; "))
}

func listUsers(ctx context.Context, db *store.DB, stdout io.Writer) error {
	users, err := db.ListUsers(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "USERNAME\tROLE\tSECTOR\tSTATUS\tCREATED")
	for _, u := range users {
		status := "active"
		if u.Disabled {
			status = "disabled"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Username, u.Role, u.Sector, status, u.CreatedAt.Format(time.DateOnly))
	}
	return tw.Flush()
}
