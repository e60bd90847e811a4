package disclosure

import (
	"context"
	"fmt"
)

// AuditedCell is a suppressed cell with the interval an attacker can
// compute for it and whether that interval meets the protection rule. Lo
// is the attacker's minimum. For a protected cell, Hi is the value of a
// table the audit found that proves the rule met, so the attacker's
// maximum is at least Hi; for an unprotected cell it is the maximum
// itself. FeasibleIntervals gives every maximum exactly, at a higher cost.
type AuditedCell struct {
	Interval
	Reason    Reason
	Protected bool
}

// AuditReport is the result of Audit.
type AuditReport struct {
	Cells []AuditedCell
}

// Unprotected returns the cells whose interval breaks the protection rule.
func (rep *AuditReport) Unprotected() []AuditedCell {
	var bad []AuditedCell
	for _, c := range rep.Cells {
		if !c.Protected {
			bad = append(bad, c)
		}
	}
	return bad
}

// Audit computes by linear programming, as FeasibleIntervals does, what an
// attacker can learn about each suppressed cell of a release, and checks
// the protection rule: every suppressed cell's interval is at least the
// release's protection width wide, and every primary cell's interval
// reaches k, so that it is never pinned and never known to be small. It
// uses only what the release publishes, plus the reasons to know which
// cells are primary. Each maximisation stops as soon as it has a witness
// for the rule.
func Audit(ctx context.Context, r *Release) (*AuditReport, error) {
	rep, err := audit(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("disclosure: audit: %w", err)
	}
	return rep, nil
}

func audit(ctx context.Context, r *Release) (*AuditReport, error) {
	if r == nil || r.lat == nil {
		return nil, fmt.Errorf("no release; use Protect: %w", ErrInvalid)
	}
	rule := &auditRule{k: int64(r.k), width: int64(r.width), reason: r.reason}
	ivs, err := feasibleIntervals(ctx, r, rule)
	if err != nil {
		return nil, err
	}
	rep := &AuditReport{Cells: make([]AuditedCell, len(ivs))}
	k, w := int64(r.k), int64(r.width)
	for i, iv := range ivs {
		idx, _ := r.lat.fromPublic(iv.At)
		why := r.reason[idx]
		rep.Cells[i] = AuditedCell{Interval: iv, Reason: why, Protected: protected(why, iv.Lo, iv.Hi, k, w)}
	}
	return rep, nil
}
