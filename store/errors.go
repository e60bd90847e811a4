package store

import (
	"database/sql"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/haven-nrm/haven"
)

// mapError turns driver errors into Haven's error codes, the one place that
// knows both drivers' vocabularies. Unrecognised errors pass through and are
// reported as internal.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return haven.Errorf(haven.ENOTFOUND, "Not found.")
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505": // unique_violation
			return &wrapped{haven.Errorf(haven.ECONFLICT, "It already exists."), err}
		case "23503": // foreign_key_violation
			return &wrapped{haven.Errorf(haven.EINVALID, "It refers to something that does not exist."), err}
		case "40001", "40P01": // serialization failure, deadlock
			return &wrapped{haven.Errorf(haven.ECONFLICT, "A concurrent change conflicted; try again."), err}
		}
		return err
	}
	// modernc.org/sqlite reports constraint failures in its message.
	msg := err.Error()
	switch {
	case strings.Contains(msg, "UNIQUE constraint failed"), strings.Contains(msg, "PRIMARY KEY constraint failed"):
		return &wrapped{haven.Errorf(haven.ECONFLICT, "It already exists."), err}
	case strings.Contains(msg, "FOREIGN KEY constraint failed"):
		return &wrapped{haven.Errorf(haven.EINVALID, "It refers to something that does not exist."), err}
	}
	return err
}

// wrapped carries a Haven error for the caller and the driver's error for
// the logs.
type wrapped struct {
	app   *haven.Error
	cause error
}

func (w *wrapped) Error() string { return w.app.Error() + ": " + w.cause.Error() }

func (w *wrapped) Unwrap() []error { return []error{w.app, w.cause} }
