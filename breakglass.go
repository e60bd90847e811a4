package haven

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// BreakGlassDuration is how long an emergency access lasts.
const BreakGlassDuration = time.Hour

// BreakGlass is an emergency access to a record outside one's rights: it
// needs a reason, lasts a limited time, is logged, and is shown to the
// record's owner organisation.
type BreakGlass struct {
	ID        string    `json:"id"`
	CaseID    string    `json:"case_id"`
	UserID    string    `json:"user_id"`
	Reason    string    `json:"reason"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Validate checks the reason: a real sentence, not a formality.
func (b *BreakGlass) Validate() error {
	var v Validation
	if n := utf8.RuneCountInString(strings.TrimSpace(b.Reason)); n < 20 {
		v.Add("reason", "must explain the emergency in at least 20 characters")
	} else if n > 2000 {
		v.Add("reason", "must be at most 2000 characters")
	}
	return v.Err()
}

// BreakGlassService records emergency accesses.
type BreakGlassService interface {
	BreakGlass(ctx context.Context, b *BreakGlass) error
	// ActiveBreakGlass returns the user's unexpired access to a case, or
	// ENOTFOUND.
	ActiveBreakGlass(ctx context.Context, caseID, userID string) (*BreakGlass, error)
	ListBreakGlass(ctx context.Context, caseID string) ([]*BreakGlass, error)
}
