package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/haven-nrm/haven"
)

var _ haven.ReleaseLog = (*DB)(nil)

// RecordRelease stores the record of a statistics release, with an entry
// in the access log, in one transaction. It holds the question and its
// protection, never a count.
func (db *DB) RecordRelease(ctx context.Context, r *haven.Release) error {
	var v haven.Validation
	switch r.Channel {
	case haven.ReleaseCLI, haven.ReleaseAPI, haven.ReleasePage:
	default:
		v.Addf("channel", "must be %s, %s or %s", haven.ReleaseCLI, haven.ReleaseAPI, haven.ReleasePage)
	}
	if strings.TrimSpace(r.Query) == "" {
		v.Add("query", "is required")
	} else if len(r.Query) > haven.MaxReleaseQuery {
		v.Addf("query", "must be at most %d characters", haven.MaxReleaseQuery)
	}
	if strings.TrimSpace(r.Protection) == "" {
		v.Add("protection", "is required")
	}
	if r.Tables < 1 {
		v.Add("tables", "must be at least 1")
	}
	if r.Withheld < 0 || r.Withheld > r.Tables {
		v.Add("withheld", "must be between 0 and the number of tables")
	}
	if err := v.Err(); err != nil {
		return err
	}
	if u := haven.UserFromContext(ctx); u != nil {
		r.UserID = u.ID
	}
	r.ID, r.At = newID(), db.Now()
	logEntry, err := db.auditEvent(ctx, "statistics.release", "", "", haven.AuditAllowed)
	if err != nil {
		return fmt.Errorf("record release: %w", err)
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `INSERT INTO statistics_releases (id, at, user_id, channel, query, protection, tables, withheld)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, r.ID, r.At, r.UserID, r.Channel, r.Query, r.Protection, r.Tables, r.Withheld); err != nil {
			return fmt.Errorf("record release: %w", mapError(err))
		}
		return tx.logWrite(ctx, logEntry)
	})
}

// Releases returns the most recent releases first, at most limit (1 to
// 1000).
func (db *DB) Releases(ctx context.Context, limit int) ([]haven.Release, error) {
	if limit < 1 || limit > 1000 {
		return nil, haven.Errorf(haven.EINVALID, "The limit must be between 1 and 1000.")
	}
	rows, err := db.readQuery(ctx, `SELECT id, at, user_id, channel, query, protection, tables, withheld
		FROM statistics_releases ORDER BY at DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("list releases: %w", mapError(err))
	}
	defer rows.Close()
	out := []haven.Release{}
	for rows.Next() {
		var r haven.Release
		if err := rows.Scan(&r.ID, &r.At, &r.UserID, &r.Channel, &r.Query, &r.Protection, &r.Tables, &r.Withheld); err != nil {
			return nil, fmt.Errorf("list releases: %w", mapError(err))
		}
		r.At = r.At.UTC()
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list releases: %w", mapError(err))
	}
	return out, nil
}
