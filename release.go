package haven

import (
	"context"
	"time"
)

// Release is the record of one publication of statistics (GR 38 §111):
// who released what, when, through which channel and under which
// protection. It holds no count and no personal data, only the question
// asked and how the answer was protected, so that every published number
// can be traced back to a query and re-derived.
type Release struct {
	ID     string    `json:"id"`
	At     time.Time `json:"at"`
	UserID string    `json:"user_id"` // the staff member, or "" for the command line
	// Channel is where the release left Haven: ReleaseCLI, ReleaseAPI or
	// ReleasePage.
	Channel string `json:"channel"`
	// Query is the canonical description of what was asked (dimensions,
	// period, basis, forms, format), as JSON.
	Query string `json:"query"`
	// Protection says how the cells were protected, for example
	// "suppression k=11" or "suppression k=11; discrete laplace ε=0.5".
	Protection string `json:"protection"`
	// Tables is the number of tables released together.
	Tables int `json:"tables"`
	// Withheld is the number of those tables withheld because no cell
	// could be published.
	Withheld int `json:"withheld"`
}

// Release channels.
const (
	ReleaseCLI  = "cli"
	ReleaseAPI  = "api"
	ReleasePage = "page"
)

// MaxReleaseQuery bounds a release's query text.
const MaxReleaseQuery = 4000

// ReleaseLog records releases of statistics.
type ReleaseLog interface {
	// RecordRelease stores r, setting its ID and At.
	RecordRelease(ctx context.Context, r *Release) error
	// Releases returns the most recent releases first, at most limit.
	Releases(ctx context.Context, limit int) ([]Release, error)
}
