package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/lifecycle"
	"github.com/haven-nrm/haven/report"
)

// reportCases selects the cases a report period concerns: opened in it,
// with a lifecycle step in it, or with a non-punishment finding decided in
// it. Its six parameters are the period's start and end instants (twice)
// and its first and last days.
const reportCases = `WITH chosen AS (
	SELECT id AS case_id FROM cases WHERE created_at >= ? AND created_at < ?
	UNION SELECT case_id FROM case_steps WHERE at >= ? AND at < ?
	UNION SELECT case_id FROM non_punishment WHERE decided_on >= ? AND decided_on <= ?)`

// ReportInput reads what the national rapporteur's report is computed from
// (package report): for every case the period concerns, its opening time,
// whether she is treated as a child, all its lifecycle steps up to now and
// the days of its non-punishment findings. Only plain columns are read, so
// the report needs no key; no case id leaves the store.
func (db *DB) ReportInput(ctx context.Context, p report.Period) (*report.Input, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	in := &report.Input{Period: p, AsOf: db.Now(), Limits: db.lifecycleConfig()}
	args := []any{p.Start(), p.End(), p.Start(), p.End(), p.From.String(), p.To.String()}

	// Cases first: a case created while the steps are read is then simply
	// left out, its steps with it.
	index := map[string]int{}
	rows, err := db.readQuery(ctx, reportCases+`
		SELECT c.id, c.treated_as_child, c.created_at FROM cases c JOIN chosen ON chosen.case_id = c.id ORDER BY c.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("report input: %w", mapError(err))
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id string
			c  report.Case
		)
		if err := rows.Scan(&id, &c.Child, &c.OpenedAt); err != nil {
			return nil, fmt.Errorf("report input: %w", mapError(err))
		}
		c.OpenedAt = c.OpenedAt.UTC()
		index[id] = len(in.Cases)
		in.Cases = append(in.Cases, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report input: %w", mapError(err))
	}
	rows.Close()

	rows, err = db.readQuery(ctx, reportCases+`
		SELECT s.case_id, s.event, s.at, s.decision_sectors, s.decision_multidisciplinary, s.reflection_days
		FROM case_steps s JOIN chosen ON chosen.case_id = s.case_id ORDER BY s.case_id, s.seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("report input: %w", mapError(err))
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id, event       string
			at              time.Time
			sectors, length sql.NullInt64
			multi           sql.NullBool
		)
		if err := rows.Scan(&id, &event, &at, &sectors, &multi, &length); err != nil {
			return nil, fmt.Errorf("report input: %w", mapError(err))
		}
		i, ok := index[id]
		if !ok {
			continue
		}
		s := report.Step{Event: lifecycle.Event(event), At: at.UTC(), Sectors: int(sectors.Int64), ReflectionDays: int(length.Int64)}
		if multi.Valid {
			s.Multidisciplinary = &multi.Bool
		}
		in.Cases[i].Steps = append(in.Cases[i].Steps, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report input: %w", mapError(err))
	}
	rows.Close()

	rows, err = db.readQuery(ctx, `SELECT case_id, decided_on FROM non_punishment WHERE decided_on >= ? AND decided_on <= ?`,
		p.From.String(), p.To.String())
	if err != nil {
		return nil, fmt.Errorf("report input: %w", mapError(err))
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id      string
			decided haven.Date
		)
		if err := rows.Scan(&id, &decided); err != nil {
			return nil, fmt.Errorf("report input: %w", mapError(err))
		}
		if i, ok := index[id]; ok {
			in.Cases[i].NonPunishment = append(in.Cases[i].NonPunishment, decided)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report input: %w", mapError(err))
	}
	return in, nil
}

// stepFacts returns the plain facts stored beside a step for the report:
// for an event with a decision, the number of distinct sectors of its
// members and whether they make a multidisciplinary team (two sectors or
// more, not all law enforcement or immigration: GR 38 §78); for an event
// that grants a reflection period, the length in days of the period the
// case has after it (next). Each is nil when it does not apply.
func stepFacts(o lifecycle.Outcome, next lifecycle.Facts) (sectors, multidisciplinary, reflectionDays any) {
	if d := o.Decision; d != nil {
		seen := map[haven.Sector]bool{}
		enforcementOnly := true
		for _, m := range d.Members {
			seen[m.Sector] = true
			enforcementOnly = enforcementOnly && m.Enforcement()
		}
		sectors = len(seen)
		multidisciplinary = len(seen) >= 2 && !enforcementOnly
	}
	if o.Has(lifecycle.EffectReflectionGranted) && !next.Reflection.From.IsZero() {
		reflectionDays = int(next.Reflection.Until.Sub(next.Reflection.From) / (24 * time.Hour))
	}
	return sectors, multidisciplinary, reflectionDays
}
