package disclosure

import (
	"context"
	"fmt"
)

// Protect returns the release of t: every cell holding 1..k-1 persons
// suppressed (primary), together with enough other cells (secondary) that
// none of them can be worked out from what is published. See DISCLOSURE.md
// for the exact guarantee. It returns an error wrapping ErrAllSuppressed
// when no non-zero cell could be published.
func Protect(ctx context.Context, t *Table, opts Options) (*Release, error) {
	r, err := protect(ctx, t, opts)
	if err != nil {
		return nil, fmt.Errorf("disclosure: protect: %w", err)
	}
	return r, nil
}

func protect(ctx context.Context, t *Table, opts Options) (*Release, error) {
	if t == nil || t.lat == nil {
		return nil, fmt.Errorf("no table; use NewTable: %w", ErrInvalid)
	}
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	p, err := plan(ctx, t, o)
	if err != nil {
		return nil, err
	}
	if !p.publishesSomething() {
		return nil, ErrAllSuppressed
	}
	r := newRelease(t.dims, t.lat, p.val, p.reason, o.K, o.MinWidth)
	if o.LPAuditLimit >= 0 && r.Summary().SuppressedInner <= o.LPAuditLimit {
		rep, err := audit(ctx, r)
		if err != nil {
			return nil, err
		}
		if len(rep.Unprotected()) > 0 {
			return nil, fmt.Errorf("the linear-programming audit finds under-protected cells: %w", ErrInternal)
		}
	}
	return r, nil
}

// plan chooses the suppression pattern and verifies its certificates.
func plan(ctx context.Context, t *Table, o Options) (*planner, error) {
	vals, err := t.values()
	if err != nil {
		return nil, err
	}
	p := newPlanner(t.lat, vals, o)
	for _, at := range o.Linked {
		idx, err := t.lat.fromPublic(at)
		if err != nil {
			return nil, fmt.Errorf("linked cell: %w", err)
		}
		p.linked = append(p.linked, idx)
	}
	primaries := p.markPrimary()
	if err := p.secondary(ctx, primaries); err != nil {
		return nil, err
	}
	if err := p.prune(ctx); err != nil {
		return nil, err
	}
	if err := p.verify(primaries); err != nil {
		return nil, err
	}
	return p, nil
}

// publishesSomething reports whether some non-zero cell stays published,
// or the table is empty: zeros alone expose nobody.
func (p *planner) publishesSomething() bool {
	empty := true
	for c, v := range p.val {
		if v > 0 {
			if !p.supp[c] {
				return true
			}
			empty = false
		}
	}
	return empty
}
