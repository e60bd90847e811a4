package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/haven-nrm/haven"
)

// Overlaps of lists for multiple systems estimation.
//
// Haven keeps one case per person per owner organisation and, on purpose,
// no link between the cases different organisations hold of the same
// person. Multiple systems estimation needs exactly that link: how many
// people each combination of organisations (or sectors) met. ListOverlaps
// makes it for the statistics only, from the blind indexes of the persons'
// identifiers: two cases are the same person when their persons have the
// same document number index, or the same given name, family name and date
// of birth indexes all three, and the relation is closed transitively.
// Indexes are compared as stored: nothing is decrypted, no key is needed,
// and only counts leave the function.

// Kinds of lists an overlap table can have.
const (
	ListsBySector       = "sector"       // one list per sector (haven.Sectors)
	ListsByOrganisation = "organisation" // one list per organisation, named by its name
)

// OverlapQuery asks for the overlap table of the persons identified in
// [From, To] (both inclusive) by Basis, with lists of kind Lists.
type OverlapQuery struct {
	Basis    string // BasisReasonableGrounds (default) or BasisIdentification
	From, To haven.Date
	Lists    string // ListsBySector (default) or ListsByOrganisation
}

// OverlapRow is one combination of lists and the number of persons
// encountered by exactly those lists: every list where On is true, no other.
type OverlapRow struct {
	On    []bool
	Count int
}

// Overlaps is a table of list overlaps and what the linkage behind it
// met. Every field is a count or a list's name; none says anything about
// one person.
type Overlaps struct {
	// Lists names the lists that encountered at least one counted person,
	// in column order: sectors in the order of haven.Sectors,
	// organisations by name.
	Lists []string
	// Rows holds each combination seen, with its count, combinations on
	// the first lists first.
	Rows []OverlapRow

	// CasesInPeriod is how many cases have their basis date in the period.
	CasesInPeriod int
	// CasesOutsidePeriod is how many cases outside the period are linked to
	// a counted person, and so add their lists to hers.
	CasesOutsidePeriod int
	// WithoutIdentifiers is how many cases in the period have neither a
	// document number index nor all three of the name and birth date
	// indexes: each is a person of its own, whoever she is.
	WithoutIdentifiers int
	// Unindexed is how many cases, in the period or not, have a person
	// holding a sealed identifier without its blind index (stored before
	// blind indexes existed, or a value with no letter or digit): they
	// cannot be linked by it. 'haven keys rotate --continue' fills in the
	// missing indexes of the first kind.
	Unindexed int
	// IndexKeys is how many different keys made the blind indexes compared
	// (told apart by the version byte and key id every index starts with).
	// Indexes of the same value made by different keys differ, so more
	// than one means links are missed until a key rotation has finished.
	IndexKeys int
}

// Persons returns the number of persons in the table.
func (o *Overlaps) Persons() int {
	n := 0
	for _, r := range o.Rows {
		n += r.Count
	}
	return n
}

// ListOverlaps builds the table of list overlaps of the persons identified
// in the period, for multiple systems estimation.
//
// A person is counted when at least one of her linked cases has its basis
// date in the period. She is on a list when the list is the sector (or the
// organisation) that owns one of her cases, linked cases outside the period
// included, or of the organisation of a user who recorded a screening on
// one of them. Lists nobody counted is on are left out; fewer than two
// remaining is an EINVALID error, as nothing can be estimated from them.
func (db *DB) ListOverlaps(ctx context.Context, q OverlapQuery) (*Overlaps, error) {
	dateCol, err := overlapDateColumn(q)
	if err != nil {
		return nil, err
	}
	byOrganisation := false
	switch q.Lists {
	case ListsBySector, "":
	case ListsByOrganisation:
		byOrganisation = true
	default:
		return nil, haven.Errorf(haven.EINVALID, "The lists must be %s or %s.", ListsBySector, ListsByOrganisation)
	}

	l := newLinkage()
	if err := db.scanOverlapCases(ctx, dateCol, q, l); err != nil {
		return nil, fmt.Errorf("list overlaps: %w", err)
	}
	// Organisations are read after the cases: none is ever deleted, so
	// every organisation a case names is found.
	labels, err := db.overlapLabels(ctx, l.orgIDs, byOrganisation)
	if err != nil {
		return nil, fmt.Errorf("list overlaps: %w", err)
	}
	out := l.table(labels, byOrganisation)
	switch {
	case len(out.Rows) == 0:
		return nil, haven.Errorf(haven.EINVALID, "Nobody was identified in the period: there is no overlap table to estimate from.")
	case len(out.Lists) < 2:
		return nil, haven.Errorf(haven.EINVALID,
			"Only %d %s encountered the persons identified in the period; multiple systems estimation needs at least 2 lists.",
			len(out.Lists), cmp.Or(q.Lists, ListsBySector))
	}
	// Linking every organisation's cases is an access like no other: the
	// access log says when it happened and who ran it.
	if err := db.AuditAccess(ctx, "statistics.linkage", haven.AuditAllowed); err != nil {
		return nil, fmt.Errorf("list overlaps: %w", err)
	}
	return out, nil
}

func overlapDateColumn(q OverlapQuery) (string, error) {
	dateCol, err := basisColumn(q.Basis)
	if err != nil {
		return "", err
	}
	dateCol = "c." + dateCol
	if q.From.IsZero() || q.To.IsZero() || q.To.Before(q.From.Time) {
		return "", haven.Errorf(haven.EINVALID, "The period needs a start and an end, the end not before the start.")
	}
	return dateCol, nil
}

// scanOverlapCases reads, in one statement and so one snapshot, every case
// that is in the period or has a person (and so may link to one that is):
// its owner, whether it is in the period, its person's blind indexes, and
// the organisations whose users screened it, comma-joined (organisation
// ids are UUIDs). string_agg is in PostgreSQL and in SQLite since 3.44.
func (db *DB) scanOverlapCases(ctx context.Context, dateCol string, q OverlapQuery, l *linkage) error {
	inPeriod := dateCol + " >= ? AND " + dateCol + " <= ?"
	var unindexed []string
	for _, f := range haven.IndexedPersonFields {
		unindexed = append(unindexed, "(p."+f+"_enc IS NOT NULL AND p."+f+"_bidx IS NULL)")
	}
	query := `SELECT c.owner_organisation_id,
			CASE WHEN ` + inPeriod + ` THEN 1 ELSE 0 END,
			p.document_number_bidx, p.given_name_bidx, p.family_name_bidx, p.date_of_birth_bidx,
			CASE WHEN ` + strings.Join(unindexed, " OR ") + ` THEN 1 ELSE 0 END,
			COALESCE(s.organisations, '')
		FROM cases c
		LEFT JOIN persons p ON p.id = c.person_id
		LEFT JOIN (SELECT d.case_id, string_agg(d.organisation_id, ',') AS organisations
			FROM (SELECT DISTINCT s.case_id, u.organisation_id FROM screenings s JOIN users u ON u.id = s.created_by
				WHERE s.case_id IS NOT NULL) d
			GROUP BY d.case_id) s ON s.case_id = c.id
		WHERE (` + inPeriod + `) OR c.person_id IS NOT NULL`
	from, to := q.From.String(), q.To.String()
	rows, err := db.readQuery(ctx, query, from, to, from, to)
	if err != nil {
		return mapError(err)
	}
	defer rows.Close()
	var (
		owner, screeners        string
		in, unidx               int64
		doc, given, family, dob []byte
	)
	for rows.Next() {
		if err := rows.Scan(&owner, &in, &doc, &given, &family, &dob, &unidx, &screeners); err != nil {
			return mapError(err)
		}
		l.add(owner, in == 1, unidx == 1, screeners, doc, given, family, dob)
	}
	return mapError(rows.Err())
}

// overlapLabels names each organisation's list: its sector or its name.
func (db *DB) overlapLabels(ctx context.Context, orgIDs []string, byOrganisation bool) ([]string, error) {
	rows, err := db.readQuery(ctx, `SELECT id, name, sector FROM organisations`)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	label := map[string]string{}
	for rows.Next() {
		var id, name, sector string
		if err := rows.Scan(&id, &name, &sector); err != nil {
			return nil, mapError(err)
		}
		label[id] = sector
		if byOrganisation {
			label[id] = name
		}
	}
	if err := rows.Err(); err != nil {
		return nil, mapError(err)
	}
	out := make([]string, len(orgIDs))
	for i, id := range orgIDs {
		l, ok := label[id]
		if !ok {
			return nil, fmt.Errorf("a case names an organisation that does not exist")
		}
		out[i] = l
	}
	return out, nil
}

// linkage gathers the cases as nodes of a union-find forest. Each case is
// a node; cases that share a document number index, or all three name and
// birth date indexes, are joined. The indexes themselves are kept only as
// map keys, and only until the table is made.
type linkage struct {
	parent    []int32
	inPeriod  []bool
	linkable  []bool
	owner     []int32           // organisation, as an index into orgIDs
	screeners map[int32][]int32 // node → organisations that screened it

	orgIDs []string
	orgIdx map[string]int32

	byDocument map[string]int32 // document index → first node with it
	byName     map[string]int32 // name and birth date indexes → first node
	keys       map[string]bool  // 5-byte prefixes of the indexes compared

	unindexed int
}

func newLinkage() *linkage {
	return &linkage{
		screeners:  map[int32][]int32{},
		orgIdx:     map[string]int32{},
		byDocument: map[string]int32{},
		byName:     map[string]int32{},
		keys:       map[string]bool{},
	}
}

func (l *linkage) org(id string) int32 {
	i, ok := l.orgIdx[id]
	if !ok {
		i = int32(len(l.orgIDs))
		l.orgIDs = append(l.orgIDs, id)
		l.orgIdx[id] = i
	}
	return i
}

func (l *linkage) add(owner string, inPeriod, unindexed bool, screeners string, doc, given, family, dob []byte) {
	n := int32(len(l.parent))
	l.parent = append(l.parent, n)
	l.inPeriod = append(l.inPeriod, inPeriod)
	l.owner = append(l.owner, l.org(owner))
	if screeners != "" {
		for id := range strings.SplitSeq(screeners, ",") {
			l.screeners[n] = append(l.screeners[n], l.org(id))
		}
	}
	if unindexed {
		l.unindexed++
	}
	linkable := false
	if doc != nil {
		l.join(l.byDocument, string(doc), n)
		l.keys[keyPrefix(doc)] = true
		linkable = true
	}
	if given != nil && family != nil && dob != nil {
		l.join(l.byName, joinIndexes(given, family, dob), n)
		for _, b := range [][]byte{given, family, dob} {
			l.keys[keyPrefix(b)] = true
		}
		linkable = true
	}
	l.linkable = append(l.linkable, linkable)
}

// join links node n to the first node seen with the same key.
func (l *linkage) join(first map[string]int32, key string, n int32) {
	if m, ok := first[key]; ok {
		l.union(m, n)
		return
	}
	first[key] = n
}

func (l *linkage) find(n int32) int32 {
	for l.parent[n] != n {
		l.parent[n] = l.parent[l.parent[n]] // path halving
		n = l.parent[n]
	}
	return n
}

func (l *linkage) union(a, b int32) {
	ra, rb := l.find(a), l.find(b)
	if ra != rb {
		l.parent[max(ra, rb)] = min(ra, rb)
	}
}

// table counts the persons by the combination of lists they are on.
// labels names each organisation's list.
func (l *linkage) table(labels []string, byOrganisation bool) *Overlaps {
	out := &Overlaps{Unindexed: l.unindexed, IndexKeys: len(l.keys)}

	// The lists, each once, in their column order.
	var names []string
	for _, s := range labels {
		if !slices.Contains(names, s) {
			names = append(names, s)
		}
	}
	slices.SortFunc(names, func(a, b string) int {
		if !byOrganisation {
			ia, ib := sectorRank(a), sectorRank(b)
			if c := cmp.Compare(ia, ib); c != 0 {
				return c
			}
		}
		return strings.Compare(a, b)
	})
	list := make([]int, len(labels)) // organisation → its list's column
	for i, s := range labels {
		list[i] = slices.Index(names, s)
	}

	counted := map[int32]bool{}
	for n := range l.parent {
		if l.inPeriod[n] {
			counted[l.find(int32(n))] = true
			out.CasesInPeriod++
			if !l.linkable[n] {
				out.WithoutIdentifiers++
			}
		}
	}
	on := map[int32][]bool{} // person → the lists she is on
	for n := range l.parent {
		root := l.find(int32(n))
		if !counted[root] {
			continue
		}
		if !l.inPeriod[n] {
			out.CasesOutsidePeriod++
		}
		lists := on[root]
		if lists == nil {
			lists = make([]bool, len(names))
			on[root] = lists
		}
		lists[list[l.owner[n]]] = true
		for _, o := range l.screeners[int32(n)] {
			lists[list[o]] = true
		}
	}

	used := make([]bool, len(names))
	count := map[string]int{}
	for _, lists := range on {
		for i, v := range lists {
			used[i] = used[i] || v
		}
		count[string(packBools(lists))]++
	}
	for i, name := range names {
		if used[i] {
			out.Lists = append(out.Lists, name)
		}
	}
	for key, c := range count {
		lists := unpackBools(key, len(names))
		row := OverlapRow{Count: c}
		for i, v := range lists {
			if used[i] {
				row.On = append(row.On, v)
			}
		}
		out.Rows = append(out.Rows, row)
	}
	slices.SortFunc(out.Rows, func(a, b OverlapRow) int {
		for i := range a.On {
			if a.On[i] != b.On[i] {
				if a.On[i] {
					return -1
				}
				return 1
			}
		}
		return 0
	})
	return out
}

// sectorRank orders sectors as haven.Sectors does, unknown codes last.
func sectorRank(s string) int {
	if i := slices.Index(haven.Sectors, haven.Sector(s)); i >= 0 {
		return i
	}
	return len(haven.Sectors)
}

// joinIndexes makes one map key of several indexes, each prefixed by its
// length so that no two different triples give the same key.
func joinIndexes(parts ...[]byte) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteByte(byte(len(p) >> 8))
		b.WriteByte(byte(len(p)))
		b.Write(p)
	}
	return b.String()
}

// keyPrefix is the version byte and key id a blind index starts with.
func keyPrefix(b []byte) string { return string(b[:min(len(b), 5)]) }

func packBools(v []bool) []byte {
	out := make([]byte, (len(v)+7)/8)
	for i, on := range v {
		if on {
			out[i/8] |= 1 << (i % 8)
		}
	}
	return out
}

func unpackBools(packed string, n int) []bool {
	out := make([]bool, n)
	for i := range out {
		out[i] = packed[i/8]&(1<<(i%8)) != 0
	}
	return out
}
