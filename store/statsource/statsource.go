// Package statsource connects the statistics engine to the store: the
// engine counts every table, or every table of a publication at once,
// through one scan of the store's covering indexes; the store's GROUP BY
// stays available to a caller that wants it.
// It is wiring only, so that neither package imports the other.
package statsource

import (
	"context"

	"github.com/haven-nrm/haven/stats"
	"github.com/haven-nrm/haven/store"
)

// New returns the store as a source of victim counts and rows.
func New(db *store.DB) stats.Source {
	return stats.NewSource(
		func(ctx context.Context, r stats.CountRequest, emit func([]string, int64) error) error {
			return db.CountVictims(ctx, store.VictimCountQuery(r), emit)
		},
		func(ctx context.Context, r stats.ScanRequest, parts int, fn func(int, *stats.Row) error) error {
			return db.ScanVictims(ctx, store.VictimScanQuery(r), parts, func(part int, row *store.VictimRow) error {
				return fn(part, (*stats.Row)(row))
			})
		},
	)
}
