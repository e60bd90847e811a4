package main

import (
	"context"
	"fmt"
	"io"

	"github.com/haven-nrm/haven/vault"
)

func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "rotate" {
		return runKeysRotate(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "init" {
		fmt.Fprintln(stderr, "Usage: haven keys init [--master-key-file PATH]\n       haven keys rotate [--compartment care] [--batch 500] [--grace 2m] [--continue]")
		return errUsage
	}
	fs := newFlagSet("keys init", stderr)
	s, err := newSettings(fs, optMasterKey)
	if err != nil {
		return err
	}
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	path := s.get(optMasterKey)
	if err := vault.CreateMasterKeyFile(path); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created master key %s (mode 0600). Back it up apart from the database: without it, encrypted fields cannot be read.\n", path)
	return nil
}
