package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/audit"
	"github.com/haven-nrm/haven/lifecycle"
)

var _ haven.CaseService = (*DB)(nil)

// CreateCase stores a new case with its forms of exploitation, its events
// and, if given, the person's encrypted identity, in one transaction.
func (db *DB) CreateCase(ctx context.Context, c *haven.Case, p *haven.Person) error {
	c.Normalize()
	if err := c.Validate(); err != nil {
		return err
	}
	if p != nil {
		if err := p.Validate(); err != nil {
			return err
		}
	}
	creator := haven.UserFromContext(ctx)
	if creator == nil {
		return haven.Errorf(haven.EUNAUTHORIZED, "Please log in.")
	}
	c.ID = newID()
	c.Reference = newReference()
	c.Version = 1
	c.CreatedBy = creator.ID
	if c.OwnerOrganisationID == "" {
		c.OwnerOrganisationID = creator.OrganisationID
	}
	c.CreatedAt = db.Now()
	c.UpdatedAt = c.CreatedAt

	var personID any
	var sealed [][]byte
	if p != nil && !p.IsEmpty() {
		p.ID = newID()
		personID = p.ID
		var err error
		if sealed, err = db.sealPerson(ctx, p); err != nil {
			return fmt.Errorf("create case: %w", err)
		}
	}
	logEntry, err := db.auditEvent(ctx, "case.create", audit.KindCase, c.ID, haven.AuditAllowed)
	if err != nil {
		return fmt.Errorf("create case: %w", err)
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		if personID != nil {
			if _, err := tx.exec(ctx, `INSERT INTO persons (id, given_name_enc, family_name_enc, date_of_birth_enc, document_number_enc, contact_enc,
				given_name_bidx, family_name_bidx, date_of_birth_bidx, document_number_bidx)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, personID, sealed[0], sealed[1], sealed[2], sealed[3], sealed[4],
				sealed[5], sealed[6], sealed[7], sealed[8]); err != nil {
				return mapError(err)
			}
		}
		v := c.Victim
		if _, err := tx.exec(ctx, `INSERT INTO cases (id, reference, version, owner_organisation_id, person_id, status, state,
			closure_reason, encountered_on, identified_on, reasonable_grounds_on, sex, age_status, age_at_encounter, treated_as_child, disability,
			ethnicity, nationality, immigration_status, socioeconomic_status, location_of_identification,
			method_of_recruitment, forms, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.Reference, c.Version, c.OwnerOrganisationID, personID, c.Status, string(c.State),
			c.ClosureReason, c.EncounteredOn, c.IdentifiedOn, c.ReasonableGroundsOn, v.Sex, v.AgeStatus, v.AgeAtEncounter, v.TreatedAsChild(), v.Disability,
			v.Ethnicity, v.Nationality, v.ImmigrationStatus, v.SocioeconomicStatus, v.LocationOfIdentification,
			v.MethodOfRecruitment, formsList(c.FormsOfExploitation), c.CreatedBy, c.CreatedAt, c.UpdatedAt); err != nil {
			return mapError(err)
		}
		if err := writeCaseChildren(ctx, tx, c); err != nil {
			return err
		}
		// A child's case starts its time limits at once (a guardian
		// within 24 hours by default, GR 38 §96).
		facts := lifecycle.FactsOf(lifecycle.NewCaseState(c))
		if err := writeAlerts(ctx, tx, c, deadlines(facts, db.lifecycleConfig(), c.CreatedAt), true); err != nil {
			return err
		}
		return tx.logWrite(ctx, logEntry)
	})
	if err != nil {
		return fmt.Errorf("create case: %w", err)
	}
	return nil
}

// writeCaseChildren writes a case's forms and events; callers delete the
// old ones first when they replace them, and write cases.forms (formsList)
// in the case's own row.
func writeCaseChildren(ctx context.Context, tx *Tx, c *haven.Case) error {
	for _, f := range c.FormsOfExploitation {
		if _, err := tx.exec(ctx, `INSERT INTO case_forms (case_id, form) VALUES (?, ?)`, c.ID, f); err != nil {
			return mapError(err)
		}
	}
	for i, e := range c.Events {
		if _, err := tx.exec(ctx, `INSERT INTO case_events (case_id, seq, type, country, region, started_on, ended_on, form_of_exploitation)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, i, e.Type, e.Country, e.Region, e.StartedOn, e.EndedOn, e.FormOfExploitation); err != nil {
			return mapError(err)
		}
	}
	return nil
}

const caseColumns = `c.id, c.reference, c.version, c.owner_organisation_id, c.status, c.state, c.closure_reason,
	c.encountered_on, c.identified_on, c.reasonable_grounds_on, c.sex, c.age_status, c.age_at_encounter, c.disability, c.ethnicity,
	c.nationality, c.immigration_status, c.socioeconomic_status, c.location_of_identification,
	c.method_of_recruitment, c.forms, c.created_by, c.created_at, c.updated_at`

func scanCase(s interface{ Scan(...any) error }) (*haven.Case, error) {
	var (
		c     haven.Case
		age   sql.NullInt64
		forms string
	)
	v := &c.Victim
	err := s.Scan(&c.ID, &c.Reference, &c.Version, &c.OwnerOrganisationID, &c.Status, &c.State, &c.ClosureReason,
		&c.EncounteredOn, &c.IdentifiedOn, &c.ReasonableGroundsOn, &v.Sex, &v.AgeStatus, &age, &v.Disability, &v.Ethnicity,
		&v.Nationality, &v.ImmigrationStatus, &v.SocioeconomicStatus, &v.LocationOfIdentification,
		&v.MethodOfRecruitment, &forms, &c.CreatedBy, &c.CreatedAt, &c.UpdatedAt)
	if err != nil {
		return nil, err
	}
	if age.Valid {
		a := int(age.Int64)
		v.AgeAtEncounter = &a
	}
	// cases.forms is kept with case_forms in every write (writeCaseChildren),
	// sorted: reading it saves a query per case.
	c.FormsOfExploitation = []string{}
	if forms != "" {
		c.FormsOfExploitation = strings.Split(forms, ",")
	}
	c.Events = []haven.Event{}
	return &c, nil
}

// FindCaseByID returns a case with its forms and events.
func (db *DB) FindCaseByID(ctx context.Context, id string) (*haven.Case, error) {
	c, err := scanCase(db.readRow(ctx, `SELECT `+caseColumns+` FROM cases c WHERE c.id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("find case: %w", mapError(err))
	}
	if err := db.loadChildren(ctx, db.readQuery, []*haven.Case{c}); err != nil {
		return nil, fmt.Errorf("find case: %w", err)
	}
	return c, nil
}

// FindCases returns one page of cases matching f, ordered by id, and the
// cursor of the next page ("" on the last page).
func (db *DB) FindCases(ctx context.Context, f haven.CaseFilter) ([]*haven.Case, string, error) {
	if f.Limit == 0 {
		f.Limit = 50
	}
	if err := f.Validate(); err != nil {
		return nil, "", err
	}
	where, args := []string{"1 = 1"}, []any{}
	add := func(cond string, arg any) {
		where = append(where, cond)
		args = append(args, arg)
	}
	if f.OwnerOrganisationID != "" {
		add("c.owner_organisation_id = ?", f.OwnerOrganisationID)
	}
	if f.Status != "" {
		add("c.status = ?", f.Status)
	}
	if f.State != "" {
		add("c.state = ?", string(f.State))
	}
	if f.Sex != "" {
		add("c.sex = ?", f.Sex)
	}
	if f.Nationality != "" {
		add("c.nationality = ?", f.Nationality)
	}
	if f.ChildOnly {
		add("c.treated_as_child = ?", true)
	}
	if !f.EncounteredFrom.IsZero() {
		add("c.encountered_on >= ?", f.EncounteredFrom)
	}
	if !f.EncounteredTo.IsZero() {
		add("c.encountered_on <= ?", f.EncounteredTo)
	}
	if f.FormOfExploitation != "" {
		add("EXISTS (SELECT 1 FROM case_forms cf WHERE cf.case_id = c.id AND cf.form = ?)", f.FormOfExploitation)
	}
	if f.After != "" {
		add("c.id > ?", f.After)
	}
	args = append(args, f.Limit+1)
	rows, err := db.readQuery(ctx, `SELECT `+caseColumns+` FROM cases c WHERE `+strings.Join(where, " AND ")+
		` ORDER BY c.id LIMIT ?`, args...)
	if err != nil {
		return nil, "", fmt.Errorf("find cases: %w", mapError(err))
	}
	defer rows.Close()
	cases := make([]*haven.Case, 0, f.Limit+1)
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, "", fmt.Errorf("find cases: %w", err)
		}
		cases = append(cases, c)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("find cases: %w", mapError(err))
	}
	next := ""
	if len(cases) > f.Limit {
		cases = cases[:f.Limit]
		next = cases[len(cases)-1].ID
	}
	if err := db.loadChildren(ctx, db.readQuery, cases); err != nil {
		return nil, "", fmt.Errorf("find cases: %w", err)
	}
	return cases, next, nil
}

// loadChildren fills the events of cases with one query (their forms come
// with the case's row).
func (db *DB) loadChildren(ctx context.Context, query func(context.Context, string, ...any) (*sql.Rows, error), cases []*haven.Case) error {
	if len(cases) == 0 {
		return nil
	}
	byID := make(map[string]*haven.Case, len(cases))
	ids := make([]any, len(cases))
	for i, c := range cases {
		byID[c.ID] = c
		ids[i] = c.ID
	}
	in := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + ")"
	rows, err := query(ctx, `SELECT case_id, type, country, region, started_on, ended_on, form_of_exploitation
		FROM case_events WHERE case_id IN `+in+` ORDER BY case_id, seq`, ids...)
	if err != nil {
		return mapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id string
			e  haven.Event
		)
		if err := rows.Scan(&id, &e.Type, &e.Country, &e.Region, &e.StartedOn, &e.EndedOn, &e.FormOfExploitation); err != nil {
			return err
		}
		byID[id].Events = append(byID[id].Events, e)
	}
	return mapError(rows.Err())
}

// errStale is the answer to an update that did not carry the current version.
func errStale(current int) error {
	return haven.Errorf(haven.ECONFLICT, "The case was changed by someone else (it is now at version %d). Reload it and apply your change again.", current)
}

// UpdateCase applies u to the case if u.Version is the case's current
// version, and bumps the version. A stale version changes nothing.
func (db *DB) UpdateCase(ctx context.Context, id string, u haven.CaseUpdate) (*haven.Case, error) {
	if u.Version < 1 {
		return nil, &haven.Error{Code: haven.EINVALID, Message: "The input is not valid.",
			Fields: []haven.FieldError{{Field: "version", Reason: "is required: the version of the case you read"}}}
	}
	logEntry, err := db.auditEvent(ctx, "case.update", audit.KindCase, id, haven.AuditAllowed)
	if err != nil {
		return nil, fmt.Errorf("update case: %w", err)
	}
	// The lifecycle facts are read (and opened) before the transaction,
	// for the alerts an age change moves.
	current, err := db.FindCaseByID(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("update case: %w", err)
	}
	before := current.Victim
	facts, err := db.loadFacts(ctx, current)
	if err != nil {
		return nil, fmt.Errorf("update case: %w", err)
	}
	var out *haven.Case
	err = db.inTx(ctx, func(tx *Tx) error {
		c, err := scanCase(tx.queryRow(ctx, `SELECT `+caseColumns+` FROM cases c WHERE c.id = ?`, id))
		if err != nil {
			return mapError(err)
		}
		if err := db.loadChildren(ctx, tx.query, []*haven.Case{c}); err != nil {
			return err
		}
		if c.Version != u.Version {
			return errStale(c.Version)
		}
		u.Apply(c)
		c.Normalize()
		if err := c.Validate(); err != nil {
			return err
		}
		c.Version++
		c.UpdatedAt = db.Now()
		v := c.Victim
		res, err := tx.exec(ctx, `UPDATE cases SET version = ?, status = ?, state = ?, closure_reason = ?, encountered_on = ?,
			identified_on = ?, sex = ?, age_status = ?, age_at_encounter = ?, treated_as_child = ?, disability = ?, ethnicity = ?,
			nationality = ?, immigration_status = ?, socioeconomic_status = ?, location_of_identification = ?,
			method_of_recruitment = ?, forms = ?, updated_at = ? WHERE id = ? AND version = ?`,
			c.Version, c.Status, string(c.State), c.ClosureReason, c.EncounteredOn, c.IdentifiedOn, v.Sex, v.AgeStatus,
			v.AgeAtEncounter, v.TreatedAsChild(), v.Disability, v.Ethnicity, v.Nationality, v.ImmigrationStatus,
			v.SocioeconomicStatus, v.LocationOfIdentification, v.MethodOfRecruitment, formsList(c.FormsOfExploitation),
			c.UpdatedAt, id, u.Version)
		if err != nil {
			return mapError(err)
		}
		// A concurrent writer on PostgreSQL may have bumped the version
		// between our read and this write: then nothing matched.
		if n, err := res.RowsAffected(); err != nil {
			return mapError(err)
		} else if n != 1 {
			return errStale(u.Version + 1)
		}
		if u.FormsOfExploitation != nil || u.Events != nil {
			if _, err := tx.exec(ctx, `DELETE FROM case_forms WHERE case_id = ?`, id); err != nil {
				return mapError(err)
			}
			if _, err := tx.exec(ctx, `DELETE FROM case_events WHERE case_id = ?`, id); err != nil {
				return mapError(err)
			}
			if err := writeCaseChildren(ctx, tx, c); err != nil {
				return err
			}
		}
		out = c
		// The age may have changed, and with it the child safeguards.
		if c.Victim.TreatedAsChild() != before.TreatedAsChild() {
			facts.Child = c.Victim.TreatedAsChild()
			if err := writeAlerts(ctx, tx, c, deadlines(facts, db.lifecycleConfig(), db.Now()), false); err != nil {
				return err
			}
		}
		return tx.logWrite(ctx, logEntry)
	})
	if err != nil {
		return nil, fmt.Errorf("update case: %w", err)
	}
	return out, nil
}

// formsList is the cases.forms column: the forms' codes sorted, each once,
// joined by commas, so that statistics read a case's forms from its row.
func formsList(forms []string) string {
	sorted := slices.Clone(forms)
	slices.Sort(sorted)
	return strings.Join(slices.Compact(sorted), ",")
}
