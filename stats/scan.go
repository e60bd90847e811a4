package stats

import (
	"context"
	"encoding/binary"
	"runtime"
	"slices"
	"strings"

	"github.com/haven-nrm/haven"
)

// Row is one victim as a RowSource reads her: the raw coded columns of
// her case. The byte slices are valid only during the call that receives
// the row.
type Row struct {
	Date, Sex, Age, TreatedAsChild, Disability, Ethnicity, Nationality []byte
	ImmigrationStatus, SocioeconomicStatus, Location                   []byte
	// Forms lists the codes of her forms of exploitation, sorted,
	// separated by commas; empty when none is recorded.
	Forms []byte
}

// ScanRequest asks a RowSource for the victims whose basis decision falls
// in [From, To] (inclusive).
type ScanRequest struct {
	Basis    string
	From, To haven.Date
	// Columns names the store columns the rows must carry (as in
	// CountRequest); nil asks for all.
	Columns []string
}

// RowSource reads victims row by row. A Source that is also a RowSource
// lets the engine count many tables in one pass over the cases instead of
// one GROUP BY each (store.DB.ScanVictims behind a RowSourceFunc).
type RowSource interface {
	// ScanVictims splits the victims into at most parts disjoint parts and
	// calls fn for each victim. Calls for different parts may run
	// concurrently; calls for one part never do.
	ScanVictims(ctx context.Context, r ScanRequest, parts int, fn func(part int, row *Row) error) error
}

// tally counts, in one pass over the rows, the raw groups several count
// requests ask for: the same (values, n) pairs each request's GROUP BY
// would give. Each part interns the raw values of every column it needs
// and keys each request's counts by the interned ids, so a row costs a few
// map lookups and no allocation.
type tally struct {
	columns []string // every column any request needs, once
	kinds   []columnKind
	reqCols [][]int // per request, positions in columns
	parts   []*tallyPart
}

type tallyPart struct {
	dicts  []map[string]uint32 // per column: raw value → id
	values [][]string          // per column: id → raw value
	counts []map[string]*int64 // per request: key of ids → victims
	key    []byte
	ids    []uint32 // per column, the current row's id (forms: unused)
	groups [][]uint32
	// formGroups caches, per raw forms list, the ids of its groups in
	// each mode.
	formsEach map[string][]uint32
	formsOnce map[string][]uint32
}

func newTally(requests []CountRequest, parts int) (*tally, error) {
	t := &tally{reqCols: make([][]int, len(requests))}
	for i, r := range requests {
		for _, c := range r.Columns {
			if _, ok := rowColumns[c]; !ok {
				return nil, haven.Errorf(haven.EINVALID, "Victims cannot be counted by %q.", c)
			}
			name := c
			if c == colFormGroup {
				name = c + ":" + r.Forms // each and once are different columns
			}
			j := slices.Index(t.columns, name)
			if j < 0 {
				j = len(t.columns)
				t.columns = append(t.columns, name)
			}
			t.reqCols[i] = append(t.reqCols[i], j)
		}
	}
	for _, name := range t.columns {
		col, mode, _ := strings.Cut(name, ":")
		t.kinds = append(t.kinds, columnKind{get: rowColumns[col], formMode: mode, boolean: col == colChild})
	}
	for range parts {
		p := &tallyPart{
			dicts: make([]map[string]uint32, len(t.columns)), values: make([][]string, len(t.columns)),
			counts: make([]map[string]*int64, len(requests)), ids: make([]uint32, len(t.columns)),
			groups: make([][]uint32, len(t.columns)), formsEach: map[string][]uint32{}, formsOnce: map[string][]uint32{},
		}
		for j := range t.columns {
			p.dicts[j] = map[string]uint32{}
		}
		for i := range requests {
			p.counts[i] = map[string]*int64{}
		}
		t.parts = append(t.parts, p)
	}
	return t, nil
}

// rowColumns reads a store column from a row; the form group and the year
// are derived (see tallyPart.add).
var rowColumns = map[string]func(*Row) []byte{
	colSex:         func(r *Row) []byte { return r.Sex },
	colAge:         func(r *Row) []byte { return r.Age },
	colChild:       func(r *Row) []byte { return r.TreatedAsChild },
	colDisability:  func(r *Row) []byte { return r.Disability },
	colEthnicity:   func(r *Row) []byte { return r.Ethnicity },
	colNational:    func(r *Row) []byte { return r.Nationality },
	colImmigration: func(r *Row) []byte { return r.ImmigrationStatus },
	colSocio:       func(r *Row) []byte { return r.SocioeconomicStatus },
	colLocation:    func(r *Row) []byte { return r.Location },
	colYear:        func(r *Row) []byte { return r.Date[:min(4, len(r.Date))] },
	colFormGroup:   func(r *Row) []byte { return r.Forms },
}

func (p *tallyPart) intern(j int, raw []byte) uint32 {
	if id, ok := p.dicts[j][string(raw)]; ok { // no allocation on a hit
		return id
	}
	s := string(raw)
	id := uint32(len(p.values[j]))
	p.dicts[j][s] = id
	p.values[j] = append(p.values[j], s)
	return id
}

// formGroupIDs returns the ids of the groups a forms list counts in: every
// distinct UNODC group ("none" if no form) with FormsEach, one group or
// "multiple" with FormsOnce.
func (p *tallyPart) formGroupIDs(j int, forms []byte, mode string) []uint32 {
	if mode == FormsOnce {
		if ids, ok := p.formsOnce[string(forms)]; ok {
			return ids
		}
	} else if ids, ok := p.formsEach[string(forms)]; ok {
		return ids
	}
	groups := FormGroups(string(forms))
	var ids []uint32
	if mode == FormsOnce {
		g := "none"
		switch len(groups) {
		case 0:
		case 1:
			g = groups[0]
		default:
			g = "multiple"
		}
		ids := []uint32{p.intern(j, []byte(g))}
		p.formsOnce[string(forms)] = ids
		return ids
	}
	if len(groups) == 0 {
		groups = []string{"none"}
	}
	for _, g := range groups {
		ids = append(ids, p.intern(j, []byte(g)))
	}
	p.formsEach[string(forms)] = ids
	return ids
}

// formGroupOf maps each form code of the vocabulary to its UNODC group.
var formGroupOf = func() map[string]string {
	m := map[string]string{}
	for _, f := range haven.Vocab.FormsOfExploitation {
		m[f.Code] = f.UNODCGroup
	}
	return m
}()

// FormGroups returns the distinct UNODC groups of a comma-separated list
// of form codes, sorted; a code the vocabulary does not know is "other",
// as in the store's SQL.
func FormGroups(forms string) []string {
	var groups []string
	for f := range strings.SplitSeq(forms, ",") {
		if f == "" {
			continue
		}
		g, ok := formGroupOf[f]
		if !ok {
			g = "other"
		}
		if !slices.Contains(groups, g) {
			groups = append(groups, g)
		}
	}
	slices.Sort(groups)
	return groups
}

// columnKind says how a tally reads one of its columns from a row.
type columnKind struct {
	get      func(*Row) []byte
	formMode string // FormsEach or FormsOnce for a form group column
	boolean  bool
}

func (t *tally) add(part int, r *Row) {
	p := t.parts[part]
	for j, k := range t.kinds {
		switch {
		case k.formMode != "":
			p.groups[j] = p.formGroupIDs(j, r.Forms, k.formMode)
		case k.boolean:
			p.ids[j] = p.intern(j, normalizeBool(k.get(r)))
		default:
			p.ids[j] = p.intern(j, k.get(r))
		}
	}
	for i, cols := range t.reqCols {
		p.addKeys(i, cols, 0, p.key[:0])
	}
}

// addKeys counts the row under every key its groups make: one key, or one
// per form group with FormsEach.
func (p *tallyPart) addKeys(req int, cols []int, k int, key []byte) {
	if k == len(cols) {
		// Look up before inserting: m[string(key)] on a lookup does not
		// allocate, an assignment would on every row.
		if n := p.counts[req][string(key)]; n != nil {
			*n++
		} else {
			one := int64(1)
			p.counts[req][string(key)] = &one
		}
		p.key = key
		return
	}
	j := cols[k]
	if p.groups[j] != nil {
		for _, id := range p.groups[j] {
			p.addKeys(req, cols, k+1, binary.LittleEndian.AppendUint32(key, id))
		}
		return
	}
	p.addKeys(req, cols, k+1, binary.LittleEndian.AppendUint32(key, p.ids[j]))
}

// normalizeBool spells a boolean column as the store's GROUP BY does: "1"
// or "0", whatever the driver returned (1, true, t).
func normalizeBool(raw []byte) []byte {
	switch string(raw) {
	case "1", "t", "true", "TRUE":
		return []byte("1")
	}
	return []byte("0")
}

// emit hands request i's groups to fn, raw values in its column order.
func (t *tally) emit(i int, fn func(values []string, n int64) error) error {
	cols := t.reqCols[i]
	merged := map[string]int64{}
	values := make([]string, len(cols))
	for _, p := range t.parts {
		for key, n := range p.counts[i] {
			for k, j := range cols {
				values[k] = p.values[j][binary.LittleEndian.Uint32([]byte(key[4*k:]))]
			}
			merged[strings.Join(values, "\x00")] += *n
		}
	}
	for key, n := range merged {
		if err := fn(strings.Split(key, "\x00"), n); err != nil {
			return err
		}
	}
	return nil
}

// scanParts is how many parts a scan is split into: one per processor,
// at most four.
func scanParts() int { return max(1, min(4, runtime.GOMAXPROCS(0))) }

// countAll counts every request in one scan of src.
func countAll(ctx context.Context, src RowSource, requests []CountRequest, emit []func([]string, int64) error) error {
	r := requests[0] // Tables checked that all share its basis and period
	parts := scanParts()
	t, err := newTally(requests, parts)
	if err != nil {
		return err
	}
	var columns []string
	for _, c := range t.columns {
		c, _, _ = strings.Cut(c, ":")
		if !slices.Contains(columns, c) {
			columns = append(columns, c)
		}
	}
	err = src.ScanVictims(ctx, ScanRequest{Basis: r.Basis, From: r.From, To: r.To, Columns: columns}, parts, func(part int, row *Row) error {
		t.add(part, row)
		return nil
	})
	if err != nil {
		return err
	}
	for i := range requests {
		if err := t.emit(i, emit[i]); err != nil {
			return err
		}
	}
	return nil
}

// RowSourceFunc adapts a function to RowSource.
type RowSourceFunc func(ctx context.Context, r ScanRequest, parts int, fn func(part int, row *Row) error) error

// ScanVictims calls f.
func (f RowSourceFunc) ScanVictims(ctx context.Context, r ScanRequest, parts int, fn func(int, *Row) error) error {
	return f(ctx, r, parts, fn)
}

// NewSource joins a count function and a scan function into a Source that
// is also a RowSource, so that publications of several tables are counted
// in one pass.
func NewSource(count SourceFunc, scan RowSourceFunc) Source {
	return struct {
		SourceFunc
		RowSourceFunc
	}{count, scan}
}
