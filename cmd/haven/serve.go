package main

import (
	"context"
	"io"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", stderr)
	s, err := newSettings(fs, allOptions...)
	if err != nil {
		return err
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := s.config()
	if err != nil {
		return err
	}
	app := &App{Config: cfg, Logger: cfg.newLogger()}
	if err := app.Open(ctx); err != nil {
		app.Close()
		return err
	}
	defer app.Close()
	return app.Run(ctx)
}
