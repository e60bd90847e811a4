package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/haven-nrm/haven"
)

// Columns a victim count can be grouped by. Each is a raw, coded column of
// the cases table (or the UNODC group of the forms); turning raw values
// into published categories (age bands, girls/boys/women/men) is the
// statistics package's work, so the SQL stays the same for every table.
const (
	CountBySex                 = "sex"
	CountByAge                 = "age"              // age at encounter, "" when unknown
	CountByTreatedAsChild      = "treated_as_child" // "1" or "0"
	CountByDisability          = "disability"
	CountByEthnicity           = "ethnicity"
	CountByNationality         = "nationality"
	CountByImmigrationStatus   = "immigration_status"
	CountBySocioeconomicStatus = "socioeconomic_status"
	CountByLocation            = "location_of_identification"
	CountByFormGroup           = "form_group" // UNODC group of the forms of exploitation
	CountByYear                = "year"       // year of the basis date
)

// countColumns maps each column to its SQL expression. Every expression
// yields text, so both databases scan it into a string. Plain columns are
// concatenated with the empty string on purpose: SQLite otherwise groups by walking an
// index on the column (cases_sex, cases_nationality) and fetching a million
// rows one by one, several times slower than a scan and a sort.
var countColumns = map[string]string{
	CountBySex:                 "c.sex || ''",
	CountByAge:                 "COALESCE(CAST(c.age_at_encounter AS TEXT), '')",
	CountByTreatedAsChild:      "CASE WHEN c.treated_as_child THEN '1' ELSE '0' END",
	CountByDisability:          "c.disability || ''",
	CountByEthnicity:           "COALESCE(c.ethnicity, '')",
	CountByNationality:         "c.nationality || ''",
	CountByImmigrationStatus:   "c.immigration_status || ''",
	CountBySocioeconomicStatus: "c.socioeconomic_status || ''",
	CountByLocation:            "COALESCE(c.location_of_identification, '')",
	CountByFormGroup:           "COALESCE(f.form_group, 'none')",
	CountByYear:                "SUBSTR(%s, 1, 4)",
}

// Bases of a victim count: which decision's date places a victim in a period.
const (
	BasisReasonableGrounds = "reasonable_grounds"
	BasisIdentification    = "identification"
)

// Form modes. With FormsEach a victim with forms in several UNODC groups
// counts once in each group's row, so the rows of a table by form group add
// up to more than the victims; with FormsOnce each victim counts once, in
// the group "multiple" when the forms span several groups.
const (
	FormsEach = "each"
	FormsOnce = "once"
)

// VictimCountQuery asks for the number of victims whose basis decision falls
// in [From, To] (both inclusive), grouped by Columns.
type VictimCountQuery struct {
	Basis    string
	From, To haven.Date
	Columns  []string
	Forms    string // FormsEach (default) or FormsOnce
}

// CountVictims runs one GROUP BY over the cases and calls emit once per
// non-empty group with the group's values (in Columns order) and its count.
// Each victim counts once per group: the forms are reduced to distinct
// UNODC groups per case before the join. No sealed column is read.
func (db *DB) CountVictims(ctx context.Context, q VictimCountQuery, emit func(values []string, n int64) error) error {
	query, args, err := victimCountSQL(q)
	if err != nil {
		return err
	}
	rows, err := db.readQuery(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("count victims: %w", mapError(err))
	}
	defer rows.Close()
	values := make([]string, len(q.Columns))
	dest := make([]any, len(q.Columns)+1)
	for i := range values {
		dest[i] = &values[i]
	}
	var n int64
	dest[len(values)] = &n
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("count victims: %w", mapError(err))
		}
		if err := emit(values, n); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("count victims: %w", mapError(err))
	}
	return nil
}

func victimCountSQL(q VictimCountQuery) (string, []any, error) {
	dateCol, err := basisColumn(q.Basis)
	if err != nil {
		return "", nil, err
	}
	dateCol = "c." + dateCol
	if q.From.IsZero() || q.To.IsZero() || q.To.Before(q.From.Time) {
		return "", nil, haven.Errorf(haven.EINVALID, "The period needs a start and an end, the end not before the start.")
	}
	exprs := make([]string, len(q.Columns))
	needForms := false
	for i, col := range q.Columns {
		e, ok := countColumns[col]
		if !ok {
			return "", nil, haven.Errorf(haven.EINVALID, "Victims cannot be counted by %q.", col)
		}
		if col == CountByYear {
			e = fmt.Sprintf(e, dateCol)
		}
		if col == CountByFormGroup && q.Forms == FormsOnce {
			// One group per case, looked up by the case_forms primary
			// key: faster on SQLite than joining a grouped subquery.
			g := formGroupCase()
			e = "COALESCE((SELECT CASE WHEN COUNT(DISTINCT " + g + ") > 1 THEN 'multiple' ELSE MIN(" + g +
				") END FROM case_forms cf WHERE cf.case_id = c.id), 'none')"
		}
		needForms = needForms || col == CountByFormGroup
		exprs[i] = e
	}
	var b strings.Builder
	b.WriteString("SELECT ")
	for _, e := range exprs {
		b.WriteString(e)
		b.WriteString(", ")
	}
	b.WriteString("COUNT(*) FROM cases c")
	if needForms && q.Forms != FormsOnce {
		b.WriteString(" LEFT JOIN (SELECT DISTINCT cf.case_id, " + formGroupCase() + " AS form_group FROM case_forms cf) f ON f.case_id = c.id")
	}
	// A statistics period covers most cases: a full scan beats the date
	// index, whose row-by-row lookups made SQLite 3-4 times slower on a
	// million cases. Concatenating '' keeps both planners off the index.
	b.WriteString(" WHERE " + dateCol + " || '' >= ? AND " + dateCol + " || '' <= ?")
	if len(exprs) > 0 {
		b.WriteString(" GROUP BY ")
		for i := range exprs {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%d", i+1)
		}
	}
	return b.String(), []any{q.From.String(), q.To.String()}, nil
}

// formGroupCase maps cf.form to its UNODC group. The map comes from the
// vocabulary file, whose codes are checked there, so they are safe to inline.
func formGroupCase() string {
	var g strings.Builder
	g.WriteString("CASE cf.form")
	for _, f := range haven.Vocab.FormsOfExploitation {
		fmt.Fprintf(&g, " WHEN '%s' THEN '%s'", sqlQuote(f.Code), sqlQuote(f.UNODCGroup))
	}
	g.WriteString(" ELSE 'other' END")
	return g.String()
}

func sqlQuote(s string) string { return strings.ReplaceAll(s, "'", "''") }

// VictimRow is one victim's raw coded columns as ScanVictims reads them.
// The byte slices are valid only during the call that receives the row.
// Its fields match stats.Row, so that one converts to the other.
type VictimRow struct {
	Date, Sex, Age, TreatedAsChild, Disability, Ethnicity, Nationality []byte
	ImmigrationStatus, SocioeconomicStatus, Location                   []byte
	Forms                                                              []byte
}

// VictimScanQuery asks for the victims whose basis decision falls in
// [From, To] (both inclusive).
type VictimScanQuery struct {
	Basis    string
	From, To haven.Date
	// Columns names the CountBy* columns to read (CountByYear and
	// CountByFormGroup read the date and the forms); nil reads them all.
	// The other fields of each row are left empty.
	Columns []string
}

// ScanVictims reads the statistics columns of every victim decided in the
// period, split by date into at most parts ranges read concurrently on the
// reader pool; fn is called for each victim, never concurrently for one
// part. The columns and the date lead the covering indexes
// cases_statistics_rg and cases_statistics_identified, so each part is one
// range scan of an index and touches no table row. No sealed column is
// read.
func (db *DB) ScanVictims(ctx context.Context, q VictimScanQuery, parts int, fn func(part int, row *VictimRow) error) error {
	dateCol, err := basisColumn(q.Basis)
	if err != nil {
		return err
	}
	if q.From.IsZero() || q.To.IsZero() || q.To.Before(q.From.Time) {
		return haven.Errorf(haven.EINVALID, "The period needs a start and an end, the end not before the start.")
	}
	var cols []scanColumn
	for _, c := range scanColumns {
		if q.Columns == nil || slices.Contains(q.Columns, c.name) {
			cols = append(cols, c)
		}
	}
	var sel []string
	for _, c := range cols {
		if c.name == CountByYear {
			sel = append(sel, dateCol)
		} else {
			sel = append(sel, c.sql)
		}
	}
	if len(sel) == 0 {
		sel = []string{"1"} // a count alone
	}
	query := `SELECT ` + strings.Join(sel, ", ") + ` FROM cases WHERE ` + dateCol + ` >= ? AND ` + dateCol + ` <= ?`
	days := int(q.To.Sub(q.From.Time).Hours()/24) + 1
	parts = max(1, min(parts, days))
	errs := make([]error, parts)
	var wg sync.WaitGroup
	for p := range parts {
		from := q.From.AddDate(0, 0, p*days/parts)
		to := q.From.AddDate(0, 0, (p+1)*days/parts-1)
		wg.Go(func() {
			errs[p] = db.scanVictimRange(ctx, query, cols, from.Format(time.DateOnly), to.Format(time.DateOnly), func(row *VictimRow) error {
				return fn(p, row)
			})
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (db *DB) scanVictimRange(ctx context.Context, query string, cols []scanColumn, from, to string, fn func(row *VictimRow) error) error {
	rows, err := db.readQuery(ctx, query, from, to)
	if err != nil {
		return fmt.Errorf("scan victims: %w", mapError(err))
	}
	defer rows.Close()
	var r VictimRow
	var ignored sql.RawBytes
	dest := []any{&ignored}
	if len(cols) > 0 {
		dest = dest[:0]
	}
	for _, c := range cols {
		dest = append(dest, (*sql.RawBytes)(c.field(&r)))
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("scan victims: %w", mapError(err))
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("scan victims: %w", mapError(err))
	}
	return nil
}

// scanColumn is a column ScanVictims can read, in the order of the
// covering indexes.
type scanColumn struct {
	name  string // CountBy*
	sql   string
	field func(*VictimRow) *[]byte
}

var scanColumns = []scanColumn{
	{CountByYear, "", func(r *VictimRow) *[]byte { return &r.Date }},
	{CountBySex, "sex", func(r *VictimRow) *[]byte { return &r.Sex }},
	{CountByAge, "age_at_encounter", func(r *VictimRow) *[]byte { return &r.Age }},
	{CountByTreatedAsChild, "treated_as_child", func(r *VictimRow) *[]byte { return &r.TreatedAsChild }},
	{CountByDisability, "disability", func(r *VictimRow) *[]byte { return &r.Disability }},
	{CountByEthnicity, "ethnicity", func(r *VictimRow) *[]byte { return &r.Ethnicity }},
	{CountByNationality, "nationality", func(r *VictimRow) *[]byte { return &r.Nationality }},
	{CountByImmigrationStatus, "immigration_status", func(r *VictimRow) *[]byte { return &r.ImmigrationStatus }},
	{CountBySocioeconomicStatus, "socioeconomic_status", func(r *VictimRow) *[]byte { return &r.SocioeconomicStatus }},
	{CountByLocation, "location_of_identification", func(r *VictimRow) *[]byte { return &r.Location }},
	{CountByFormGroup, "forms", func(r *VictimRow) *[]byte { return &r.Forms }},
}

func basisColumn(basis string) (string, error) {
	switch basis {
	case BasisReasonableGrounds, "":
		return "reasonable_grounds_on", nil
	case BasisIdentification:
		return "identified_on", nil
	}
	return "", haven.Errorf(haven.EINVALID, "The basis must be %s or %s.", BasisReasonableGrounds, BasisIdentification)
}
