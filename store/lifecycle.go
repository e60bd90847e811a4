package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/audit"
	"github.com/haven-nrm/haven/lifecycle"
)

// SetLifecycleConfig sets the time limits a country configured.
func (db *DB) SetLifecycleConfig(cfg lifecycle.Config) { db.lifecycle = &cfg }

func (db *DB) lifecycleConfig() lifecycle.Config {
	if db.lifecycle != nil {
		return *db.lifecycle
	}
	return lifecycle.DefaultConfig()
}

func factsRef(caseID string) haven.FieldRef {
	return haven.FieldRef{Table: "case_lifecycle", RecordID: caseID, Field: "facts"}
}

func stepRef(stepID string) haven.FieldRef {
	return haven.FieldRef{Table: "case_steps", RecordID: stepID, Field: "outcome"}
}

// loadFacts returns a case's lifecycle facts, or the facts of a case that
// has fired no event yet. Cooperation is never read: no guard may see it.
func (db *DB) loadFacts(ctx context.Context, c *haven.Case) (lifecycle.Facts, error) {
	var sealed []byte
	err := db.readRow(ctx, `SELECT facts_enc FROM case_lifecycle WHERE id = ?`, c.ID).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return lifecycle.FactsOf(lifecycle.NewCaseState(c)), nil
	} else if err != nil {
		return lifecycle.Facts{}, mapError(err)
	}
	plain, err := db.vault.Open(ctx, haven.CompartmentCare, factsRef(c.ID), sealed)
	if err != nil {
		return lifecycle.Facts{}, err
	}
	var f lifecycle.Facts
	if err := json.Unmarshal(plain, &f); err != nil {
		return lifecycle.Facts{}, fmt.Errorf("decode lifecycle facts: %w", err)
	}
	return f, nil
}

// refresh brings the facts the caller keeps elsewhere up to date before a
// guard reads them: childhood from the case, the referral consent from the
// consent records.
func (db *DB) refresh(ctx context.Context, c *haven.Case, f *lifecycle.Facts) error {
	f.Child = c.Victim.TreatedAsChild()
	consents, err := db.ListConsents(ctx, c.ID)
	if err != nil {
		return err
	}
	now := db.Now()
	f.ReferralConsent = slices.ContainsFunc(consents, func(k *haven.Consent) bool {
		return k.Purpose == haven.PurposeAssistanceReferral && k.InForce(now)
	})
	// A pending asylum or statelessness procedure bars removal (GR 38 §88).
	procedures, err := db.ListProtection(ctx, c.ID)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(procedures, func(p *haven.ProtectionProcedure) bool { return p.Status == haven.ProtectionPending }) {
		f.AsylumPending = true
	}
	return nil
}

// LifecycleOf returns a case's facts, its running alerts and its steps.
func (db *DB) LifecycleOf(ctx context.Context, caseID string) (*lifecycle.View, error) {
	c, err := db.FindCaseByID(ctx, caseID)
	if err != nil {
		return nil, err
	}
	f, err := db.loadFacts(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("lifecycle: %w", err)
	}
	if err := db.refresh(ctx, c, &f); err != nil {
		return nil, fmt.Errorf("lifecycle: %w", err)
	}
	out := &lifecycle.View{Facts: f, Alerts: lifecycle.Alerts(f, db.lifecycleConfig(), db.Now()), Steps: []lifecycle.StepRecord{}}
	if u := haven.UserFromContext(ctx); u != nil {
		out.Allowed = lifecycle.Allowed(db.lifecycleConfig(), f, lifecycle.ActorOf(u), db.Now())
	}
	rows, err := db.readQuery(ctx, `SELECT id, seq, outcome_enc FROM case_steps WHERE case_id = ? ORDER BY seq`, caseID)
	if err != nil {
		return nil, fmt.Errorf("lifecycle: %w", mapError(err))
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id     string
			seq    int
			sealed []byte
		)
		if err := rows.Scan(&id, &seq, &sealed); err != nil {
			return nil, fmt.Errorf("lifecycle: %w", err)
		}
		plain, err := db.vault.Open(ctx, haven.CompartmentCare, stepRef(id), sealed)
		if err != nil {
			return nil, fmt.Errorf("lifecycle: %w", err)
		}
		var s lifecycle.StepRecord
		s.Seq = seq
		if err := json.Unmarshal(plain, &s.Outcome); err != nil {
			return nil, fmt.Errorf("lifecycle: %w", err)
		}
		out.Steps = append(out.Steps, s)
	}
	return out, mapError(rows.Err())
}

// FireEvent fires a lifecycle event on a case by the acting user. version
// must be the case version the user read: of two users firing at once,
// exactly one wins and the other gets a conflict. A refused event names
// the rule that refused it and changes nothing. The new facts, the step,
// the case's state, its alerts and the access-log entry are written in one
// transaction.
func (db *DB) FireEvent(ctx context.Context, caseID string, version int, req lifecycle.Request) (*haven.Case, lifecycle.Outcome, error) {
	u := haven.UserFromContext(ctx)
	if u == nil {
		return nil, lifecycle.Outcome{}, haven.Errorf(haven.EUNAUTHORIZED, "Please log in.")
	}
	if version < 1 {
		return nil, lifecycle.Outcome{}, &haven.Error{Code: haven.EINVALID, Message: "The input is not valid.",
			Fields: []haven.FieldError{{Field: "version", Reason: "is required: the version of the case you read"}}}
	}
	c, err := db.FindCaseByID(ctx, caseID)
	if err != nil {
		return nil, lifecycle.Outcome{}, err
	}
	if c.Version != version {
		return nil, lifecycle.Outcome{}, errStale(c.Version)
	}
	f, err := db.loadFacts(ctx, c)
	if err != nil {
		return nil, lifecycle.Outcome{}, fmt.Errorf("fire event: %w", err)
	}
	if err := db.refresh(ctx, c, &f); err != nil {
		return nil, lifecycle.Outcome{}, fmt.Errorf("fire event: %w", err)
	}
	cfg, now := db.lifecycleConfig(), db.Now()
	req.Actor = lifecycle.ActorOf(u)
	o, err := lifecycle.Fire(cfg, f, req, now)
	if err != nil {
		return nil, lifecycle.Outcome{}, err
	}
	next := lifecycle.Apply(lifecycle.CaseState{Facts: f}, o).Facts
	// The UPDATE below names only the columns this event changes, so that
	// the indexes on the others (state, status, the decision dates that
	// lead the statistics indexes) are not rewritten at every event.
	var setChanged string
	var changedArgs []any
	set := func(column string, value any) {
		setChanged += ", " + column + " = ?"
		changedArgs = append(changedArgs, value)
	}
	if o.To != c.State {
		c.State = o.To
		set("state", string(c.State))
	}
	if o.Has(lifecycle.EffectIdentified) && c.IdentifiedOn.IsZero() {
		c.IdentifiedOn = haven.DateOf(now)
		set("identified_on", c.IdentifiedOn)
	}
	if o.Has(lifecycle.EffectReflectionGranted) && c.ReasonableGroundsOn.IsZero() {
		c.ReasonableGroundsOn = haven.DateOf(now)
		set("reasonable_grounds_on", c.ReasonableGroundsOn)
	}
	if o.Has(lifecycle.EffectCaseClosed) {
		c.Status, c.ClosureReason = haven.StatusClosed, o.ClosureReason
		set("status", c.Status)
		set("closure_reason", c.ClosureReason)
	}
	// Seal before the transaction: a first keyset load needs the SQLite
	// writer a transaction would hold.
	factsJSON, err := json.Marshal(next)
	if err != nil {
		return nil, lifecycle.Outcome{}, err
	}
	sealedFacts, err := db.vault.Seal(ctx, haven.CompartmentCare, factsRef(c.ID), factsJSON)
	if err != nil {
		return nil, lifecycle.Outcome{}, fmt.Errorf("fire event: %w", err)
	}
	var seq int
	if err := db.readRow(ctx, `SELECT COUNT(*) FROM case_steps WHERE case_id = ?`, c.ID).Scan(&seq); err != nil {
		return nil, lifecycle.Outcome{}, fmt.Errorf("fire event: %w", mapError(err))
	}
	seq++
	outcomeJSON, err := json.Marshal(o)
	if err != nil {
		return nil, lifecycle.Outcome{}, err
	}
	stepID := newID()
	sealedStep, err := db.vault.Seal(ctx, haven.CompartmentCare, stepRef(stepID), outcomeJSON)
	if err != nil {
		return nil, lifecycle.Outcome{}, fmt.Errorf("fire event: %w", err)
	}
	logEntry, err := db.auditEvent(ctx, "lifecycle."+string(o.Event), audit.KindCase, c.ID, haven.AuditAllowed)
	if err != nil {
		return nil, lifecycle.Outcome{}, fmt.Errorf("fire event: %w", err)
	}
	alerts := deadlines(next, cfg, now)
	// Plain facts beside the sealed outcome, for the rapporteur's report.
	sectors, multidisciplinary, reflectionDays := stepFacts(o, next)
	err = db.inTx(ctx, func(tx *Tx) error {
		c.Version++
		c.UpdatedAt = now
		args := append([]any{c.Version, c.UpdatedAt}, changedArgs...)
		res, err := tx.exec(ctx, `UPDATE cases SET version = ?, updated_at = ?`+setChanged+` WHERE id = ? AND version = ?`,
			append(args, c.ID, version)...)
		if err != nil {
			return mapError(err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return mapError(err)
		} else if n != 1 {
			return errStale(version + 1)
		}
		if _, err := tx.exec(ctx, `DELETE FROM case_lifecycle WHERE id = ?`, c.ID); err != nil {
			return mapError(err)
		}
		if _, err := tx.exec(ctx, `INSERT INTO case_lifecycle (id, facts_enc, updated_at) VALUES (?, ?, ?)`, c.ID, sealedFacts, now); err != nil {
			return mapError(err)
		}
		if _, err := tx.exec(ctx, `INSERT INTO case_steps (id, case_id, seq, event, from_state, to_state, at, user_id, outcome_enc,
			decision_sectors, decision_multidisciplinary, reflection_days) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			stepID, c.ID, seq, string(o.Event), string(o.From), string(o.To), now, u.ID, sealedStep,
			sectors, multidisciplinary, reflectionDays); err != nil {
			return mapError(err)
		}
		if err := writeAlerts(ctx, tx, c, alerts, false); err != nil {
			return err
		}
		return tx.logWrite(ctx, logEntry)
	})
	if err != nil {
		return nil, lifecycle.Outcome{}, fmt.Errorf("fire event: %w", err)
	}
	return c, o, nil
}

// deadline is a stored alert: visible from a time, due at another.
type deadline struct {
	lifecycle.Alert
	visibleFrom time.Time
}

// deadlines lists the alerts a case's facts raise, now or later: an alert
// that only shows near its due time (the reflection period ending) is
// stored with the time it starts to show.
func deadlines(f lifecycle.Facts, cfg lifecycle.Config, now time.Time) []deadline {
	var out []deadline
	seen := map[string]bool{}
	for _, a := range lifecycle.Alerts(f, cfg, now) {
		out = append(out, deadline{a, now})
		seen[a.Rule] = true
	}
	if f.Reflection.Runs(now) {
		from := f.Reflection.Until.Add(-cfg.ReflectionEndingNotice)
		for _, a := range lifecycle.Alerts(f, cfg, from) {
			if !seen[a.Rule] {
				out = append(out, deadline{a, from})
			}
		}
	}
	return out
}

// writeAlerts replaces a case's stored alerts; fresh skips the delete for
// a case just created, which has none.
func writeAlerts(ctx context.Context, tx *Tx, c *haven.Case, alerts []deadline, fresh bool) error {
	if !fresh {
		if _, err := tx.exec(ctx, `DELETE FROM case_alerts WHERE case_id = ?`, c.ID); err != nil {
			return mapError(err)
		}
	}
	for _, a := range alerts {
		roles := make([]string, len(a.Roles))
		for i, r := range a.Roles {
			roles[i] = string(r)
		}
		if _, err := tx.exec(ctx, `INSERT INTO case_alerts (case_id, rule, owner_organisation_id, roles, visible_from, due_at)
			VALUES (?, ?, ?, ?, ?, ?)`, c.ID, a.Rule, c.OwnerOrganisationID, ","+strings.Join(roles, ",")+",", a.visibleFrom, a.Due); err != nil {
			return mapError(err)
		}
	}
	return nil
}

// Inbox returns the time limits and overdue steps the acting user is
// responsible for: alerts for her role on her organisation's cases (on
// every case for the competent body, which decides nationally), earliest
// due first, at most limit.
func (db *DB) Inbox(ctx context.Context, limit int) ([]lifecycle.InboxItem, error) {
	u := haven.UserFromContext(ctx)
	if u == nil {
		return nil, haven.Errorf(haven.EUNAUTHORIZED, "Please log in.")
	}
	if limit <= 0 || limit > 500 {
		limit = 200
	}
	now := db.Now()
	q := `SELECT a.case_id, c.reference, a.rule, a.due_at FROM case_alerts a JOIN cases c ON c.id = a.case_id
		WHERE a.visible_from <= ? AND a.roles LIKE ?`
	args := []any{now, "%," + string(u.Role) + ",%"}
	if u.Role != haven.RoleCompetentBody {
		q += ` AND a.owner_organisation_id = ?`
		args = append(args, u.OrganisationID)
	}
	q += ` ORDER BY a.due_at LIMIT ?`
	args = append(args, limit)
	rows, err := db.readQuery(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("inbox: %w", mapError(err))
	}
	defer rows.Close()
	out := []lifecycle.InboxItem{}
	messages := map[string]string{}
	for _, r := range lifecycle.AlertRules() {
		messages[r.Rule] = r.Message
	}
	for rows.Next() {
		var it lifecycle.InboxItem
		if err := rows.Scan(&it.CaseID, &it.Reference, &it.Rule, &it.Due); err != nil {
			return nil, fmt.Errorf("inbox: %w", err)
		}
		it.Overdue = !now.Before(it.Due)
		it.Message = messages[it.Rule]
		out = append(out, it)
	}
	return out, mapError(rows.Err())
}
