package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/haven-nrm/haven"
)

// Re-encryption after a key rotation.
//
// When a compartment's keyset gets a new primary key (vault.AddPrimaryKey),
// Reencrypt opens every value sealed under an older key and seals it again
// under the primary, with the same associated data, and recomputes the
// blind indexes made by an older index key. It works while the server keeps
// serving: rows are read in pages by id outside any transaction, the
// cryptography runs outside any transaction too, and each page is written
// in one short transaction whose every UPDATE applies only if the row still
// holds the ciphertexts that were read. A row another writer changed in
// between is read again and redone, so a concurrent write is never lost.
// KeyUsage then counts, from the key id every ciphertext and index starts
// with, which keys stored values still use, so an old key is retired only
// when none does.

// sealedTable lists one table's encrypted columns. Each field is stored in
// the column field+"_enc", sealed in compartment with the associated data
// (table, row id, field). Indexed fields also have a blind index in the
// column field+"_bidx", made with the keyset haven.IndexCompartment(compartment).
type sealedTable struct {
	table       string
	compartment haven.Compartment
	fields      []string
	indexed     []string
}

// sealedTables is every encrypted column of the schema. A new encrypted
// column must be added here: rotation would otherwise leave it under the
// old key, so Reencrypt and KeyUsage refuse to run while the schema has an
// _enc column this list does not name (CheckSealedColumns).
var sealedTables = []sealedTable{
	{table: "persons", compartment: haven.CompartmentCare, fields: haven.PersonFields, indexed: haven.IndexedPersonFields},
	{table: "case_notes", compartment: haven.CompartmentCare, fields: []string{"body"}},
	{table: "break_glass", compartment: haven.CompartmentCare, fields: []string{"reason"}},
	{table: "screenings", compartment: haven.CompartmentCare, fields: []string{"answers", "result"}},
	{table: "case_lifecycle", compartment: haven.CompartmentCare, fields: []string{"facts"}},
	{table: "case_steps", compartment: haven.CompartmentCare, fields: []string{"outcome"}},
	{table: "non_punishment", compartment: haven.CompartmentCare, fields: []string{"finding"}},
	{table: "permit_requests", compartment: haven.CompartmentImmigration, fields: permitFields},
	{table: "users", compartment: compartmentStaff, fields: []string{"totp_secret", "totp_pending"}},
}

// blindIndexer is the part of the vault that computes blind indexes
// (vault.Vault implements it).
type blindIndexer interface {
	BlindIndex(ctx context.Context, c haven.Compartment, field, value string) ([]byte, error)
	BlindIndexCandidates(ctx context.Context, c haven.Compartment, field, value string) ([][]byte, error)
}

// rotatingVault is what re-encryption needs from the vault (vault.Vault
// implements it): which key made a value, and which key is primary now.
type rotatingVault interface {
	haven.Vault
	blindIndexer
	KeyID(sealed []byte) (uint32, bool)
	PrimaryKeyID(ctx context.Context, c haven.Compartment) (uint32, error)
	IndexPrimaryKeyID(ctx context.Context, c haven.Compartment) (uint32, error)
}

var errNoRotatingVault = errors.New("the vault cannot tell which key sealed a value")

// UpdateKeyset replaces a compartment's wrapped keyset if it is still
// previous (vault.KeysetUpdater). A keyset changed meanwhile, by another
// rotation, is an ECONFLICT error and nothing is written: storing ours over
// it would drop its new key and every value sealed with it.
func (db *DB) UpdateKeyset(ctx context.Context, c haven.Compartment, previous, wrapped []byte) error {
	res, err := db.exec(ctx, `UPDATE keysets SET wrapped = ? WHERE compartment = ? AND wrapped = ?`, wrapped, string(c), previous)
	if err != nil {
		return fmt.Errorf("update keyset: %w", mapError(err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("update keyset: %w", mapError(err))
	} else if n != 1 {
		return haven.Errorf(haven.ECONFLICT, "The %s keyset was changed meanwhile (another rotation?); run the rotation again.", c)
	}
	return nil
}

// ReloadKeyset returns a compartment's wrapped keyset as last committed
// (vault.KeysetReloader). Unlike LoadKeyset it reads on the reader pool:
// a vault refreshing its cache may be called by code that holds a write
// transaction, which on SQLite holds the only writer connection. A keyset
// is never deleted, so the reader cannot miss one the vault already holds.
func (db *DB) ReloadKeyset(ctx context.Context, c haven.Compartment) ([]byte, error) {
	var wrapped []byte
	if err := db.readRow(ctx, `SELECT wrapped FROM keysets WHERE compartment = ?`, string(c)).Scan(&wrapped); err != nil {
		return nil, fmt.Errorf("reload keyset: %w", mapError(err))
	}
	return wrapped, nil
}

// CheckSealedColumns returns an error naming every column of the schema
// that ends in _enc but that sealedTables does not list, and every listed
// column the schema lacks.
func (db *DB) CheckSealedColumns(ctx context.Context) error {
	q := `SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'`
	if db.dialect == Postgres {
		q = `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()`
	}
	rows, err := db.readQuery(ctx, q)
	if err != nil {
		return fmt.Errorf("check sealed columns: %w", mapError(err))
	}
	defer rows.Close()
	inSchema := map[string]bool{}
	for rows.Next() {
		var table, column string
		if err := rows.Scan(&table, &column); err != nil {
			return fmt.Errorf("check sealed columns: %w", err)
		}
		if strings.HasSuffix(column, "_enc") {
			inSchema[table+"."+column] = true
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("check sealed columns: %w", mapError(err))
	}
	var problems []string
	for _, t := range sealedTables {
		for _, f := range t.fields {
			col := t.table + "." + f + "_enc"
			if !inSchema[col] {
				problems = append(problems, col+" is listed but not in the schema")
			}
			delete(inSchema, col)
		}
	}
	for col := range inSchema {
		problems = append(problems, col+" is encrypted but has no compartment in store/rotate.go")
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return fmt.Errorf("check sealed columns: %s", strings.Join(problems, "; "))
	}
	return nil
}

// ReencryptOptions tune a re-encryption pass.
type ReencryptOptions struct {
	// BatchSize is how many rows one transaction writes (default 500):
	// small enough that the server's writers wait milliseconds, not
	// seconds.
	BatchSize int
	// Progress, if set, is called after each batch with the rows done so
	// far and the rows counted at the start (more if rows were added).
	Progress func(done, total int)

	// beforeWrite, if set, runs between reading a batch and writing it:
	// tests use it to race the pass deterministically.
	beforeWrite func(table string)
}

// ReencryptResult is what a pass did.
type ReencryptResult struct {
	Rows      int // rows read
	Resealed  int // values sealed again under the primary key
	Reindexed int // rows whose blind indexes were made again
	Retried   int // rows changed by another writer during the pass and redone
	// Unreadable names, as table/row id/field, values that did not open:
	// tampered with, or moved from another row or field. They are left as
	// they are, under their old key, which therefore stays in use.
	Unreadable []string
}

// Reencrypt seals every value of compartment c that is not under c's
// primary key again under it, and remakes every blind index that is not
// made by the primary index key. Values already under the primary are not
// touched, so a pass that was interrupted, or that runs again to catch
// values another instance sealed with a stale key, only does what is left.
func (db *DB) Reencrypt(ctx context.Context, c haven.Compartment, opts ReencryptOptions) (ReencryptResult, error) {
	var res ReencryptResult
	rv, ok := db.vault.(rotatingVault)
	if !ok {
		return res, fmt.Errorf("re-encrypt: %w", errNoRotatingVault)
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 500
	}
	if err := db.CheckSealedColumns(ctx); err != nil {
		return res, fmt.Errorf("re-encrypt: %w", err)
	}
	var tables []sealedTable
	total := 0
	for _, t := range sealedTables {
		if t.compartment != c {
			continue
		}
		tables = append(tables, t)
		var n int
		if err := db.readRow(ctx, `SELECT COUNT(*) FROM `+t.table).Scan(&n); err != nil {
			return res, fmt.Errorf("re-encrypt: count %s: %w", t.table, mapError(err))
		}
		total += n
	}
	p := pass{db: db, v: rv, c: c, opts: opts, total: total, res: &res}
	var err error
	if p.primary, err = rv.PrimaryKeyID(ctx, c); err != nil {
		return res, fmt.Errorf("re-encrypt: %w", err)
	}
	for _, t := range tables {
		if len(t.indexed) > 0 {
			if p.indexPrimary, err = rv.IndexPrimaryKeyID(ctx, c); err != nil {
				return res, fmt.Errorf("re-encrypt: %w", err)
			}
		}
		if err := p.table(ctx, t); err != nil {
			return res, fmt.Errorf("re-encrypt %s: %w", t.table, err)
		}
	}
	return res, nil
}

// pass is one Reencrypt run.
type pass struct {
	db           *DB
	v            rotatingVault
	c            haven.Compartment
	opts         ReencryptOptions
	primary      uint32
	indexPrimary uint32
	total, done  int
	res          *ReencryptResult
}

// sealedRow is a row's encrypted columns as read.
type sealedRow struct {
	id  string
	enc [][]byte // per field of the table
	idx [][]byte // per indexed field
}

// rowUpdate is what a row's re-encryption writes: new ciphertexts (nil
// where a field is left as it is) and, if reindex, all its blind indexes.
type rowUpdate struct {
	read    sealedRow
	enc     [][]byte
	idx     [][]byte
	reindex bool
}

func (t sealedTable) selectSQL() string {
	cols := []string{"id"}
	for _, f := range t.fields {
		cols = append(cols, f+"_enc")
	}
	for _, f := range t.indexed {
		cols = append(cols, f+"_bidx")
	}
	return `SELECT ` + strings.Join(cols, ", ") + ` FROM ` + t.table
}

func scanSealed(rows *sql.Rows, t sealedTable) (sealedRow, error) {
	r := sealedRow{enc: make([][]byte, len(t.fields)), idx: make([][]byte, len(t.indexed))}
	dest := []any{&r.id}
	for i := range r.enc {
		dest = append(dest, &r.enc[i])
	}
	for i := range r.idx {
		dest = append(dest, &r.idx[i])
	}
	return r, rows.Scan(dest...)
}

func (p *pass) table(ctx context.Context, t sealedTable) error {
	after := ""
	for {
		rows, err := p.db.readQuery(ctx, t.selectSQL()+` WHERE id > ? ORDER BY id LIMIT ?`, after, p.opts.BatchSize)
		if err != nil {
			return mapError(err)
		}
		var batch []sealedRow
		for rows.Next() {
			r, err := scanSealed(rows, t)
			if err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return mapError(err)
		}
		if len(batch) == 0 {
			return nil
		}
		after = batch[len(batch)-1].id

		var updates []rowUpdate
		for _, r := range batch {
			u, err := p.plan(ctx, t, r)
			if err != nil {
				return err
			}
			if u != nil {
				updates = append(updates, *u)
			}
		}
		if p.opts.beforeWrite != nil {
			p.opts.beforeWrite(t.table)
		}
		conflicts, err := p.write(ctx, t, updates)
		if err != nil {
			return err
		}
		for _, id := range conflicts {
			if err := p.redo(ctx, t, id); err != nil {
				return err
			}
		}
		p.res.Rows += len(batch)
		p.done += len(batch)
		if p.opts.Progress != nil {
			p.opts.Progress(p.done, max(p.total, p.done))
		}
	}
}

// plan works out, outside any transaction, what a row's re-encryption
// writes; nil if the row is already under the primary keys.
func (p *pass) plan(ctx context.Context, t sealedTable, r sealedRow) (*rowUpdate, error) {
	u := rowUpdate{read: r, enc: make([][]byte, len(t.fields))}
	changed := false
	plain := make([][]byte, len(t.fields))
	opened, failed := make([]bool, len(t.fields)), make([]bool, len(t.fields))
	open := func(i int) bool {
		if opened[i] || failed[i] {
			return opened[i]
		}
		ref := haven.FieldRef{Table: t.table, RecordID: r.id, Field: t.fields[i]}
		pt, err := p.v.Open(ctx, p.c, ref, r.enc[i])
		if err != nil {
			failed[i] = true
			if name := t.table + "/" + r.id + "/" + t.fields[i]; !slices.Contains(p.res.Unreadable, name) {
				p.res.Unreadable = append(p.res.Unreadable, name)
			}
			return false
		}
		plain[i], opened[i] = pt, true
		return true
	}
	for i, f := range t.fields {
		if r.enc[i] == nil {
			continue
		}
		if id, ok := p.v.KeyID(r.enc[i]); ok && id == p.primary {
			continue
		}
		if !open(i) {
			continue
		}
		ct, err := p.v.Seal(ctx, p.c, haven.FieldRef{Table: t.table, RecordID: r.id, Field: f}, plain[i])
		if err != nil {
			return nil, err
		}
		u.enc[i] = ct
		changed = true
	}
	if p.needsReindex(t, r) {
		u.idx = make([][]byte, len(t.indexed))
		u.reindex = true
		for j, f := range t.indexed {
			i := slices.Index(t.fields, f)
			if r.enc[i] == nil {
				continue
			}
			if !open(i) {
				u.reindex = false // keep the old indexes of a row that cannot be read
				break
			}
			idx, err := p.v.BlindIndex(ctx, p.c, f, string(plain[i]))
			if err != nil {
				return nil, err
			}
			u.idx[j] = idx
		}
		changed = changed || u.reindex
	}
	if !changed {
		return nil, nil
	}
	return &u, nil
}

// needsReindex tells whether a row has an index made by an old key, a
// value without an index (stored before indexes existed), or an index
// without a value.
func (p *pass) needsReindex(t sealedTable, r sealedRow) bool {
	for j, f := range t.indexed {
		hasValue := r.enc[slices.Index(t.fields, f)] != nil
		if !hasValue {
			if r.idx[j] != nil {
				return true
			}
			continue
		}
		if id, ok := p.v.KeyID(r.idx[j]); !ok || id != p.indexPrimary {
			return true
		}
	}
	return false
}

// write applies a batch's updates in one transaction and returns the ids
// of the rows that another writer changed since they were read.
func (p *pass) write(ctx context.Context, t sealedTable, updates []rowUpdate) ([]string, error) {
	if len(updates) == 0 {
		return nil, nil
	}
	var conflicts []string
	err := p.db.inTx(ctx, func(tx *Tx) error {
		conflicts = conflicts[:0]
		for _, u := range updates {
			q, args := updateSQL(t, u)
			res, err := tx.exec(ctx, q, args...)
			if err != nil {
				return mapError(err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return mapError(err)
			}
			if n == 0 {
				conflicts = append(conflicts, u.read.id)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Counted once committed, so a row redone after a conflict counts once.
	for _, u := range updates {
		if slices.Contains(conflicts, u.read.id) {
			continue
		}
		for _, ct := range u.enc {
			if ct != nil {
				p.res.Resealed++
			}
		}
		if u.reindex {
			p.res.Reindexed++
		}
	}
	return conflicts, nil
}

// updateSQL writes a row's new values only if every encrypted column
// still holds what was read: the compare-and-set that keeps a concurrent
// write.
func updateSQL(t sealedTable, u rowUpdate) (string, []any) {
	var set, where []string
	var args []any
	for i, f := range t.fields {
		if u.enc[i] != nil {
			set = append(set, f+"_enc = ?")
			args = append(args, u.enc[i])
		}
	}
	if u.reindex {
		for j, f := range t.indexed {
			set = append(set, f+"_bidx = ?")
			args = append(args, u.idx[j])
		}
	}
	where = append(where, "id = ?")
	args = append(args, u.read.id)
	for i, f := range t.fields {
		if u.read.enc[i] == nil {
			where = append(where, f+"_enc IS NULL")
		} else {
			where = append(where, f+"_enc = ?")
			args = append(args, u.read.enc[i])
		}
	}
	return `UPDATE ` + t.table + ` SET ` + strings.Join(set, ", ") + ` WHERE ` + strings.Join(where, " AND "), args
}

// maxRedo bounds how often a row that keeps changing under the pass is
// read again before the pass gives up on it.
const maxRedo = 10

// redo reads a row changed by another writer again and re-encrypts it as
// it is now. A row deleted meanwhile is done.
func (p *pass) redo(ctx context.Context, t sealedTable, id string) error {
	for range maxRedo {
		p.res.Retried++
		rows, err := p.db.readQuery(ctx, t.selectSQL()+` WHERE id = ?`, id)
		if err != nil {
			return mapError(err)
		}
		var r sealedRow
		found := rows.Next()
		if found {
			r, err = scanSealed(rows, t)
		}
		rows.Close()
		if err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return mapError(err)
		}
		if !found {
			return nil
		}
		u, err := p.plan(ctx, t, r)
		if err != nil || u == nil {
			return err
		}
		conflicts, err := p.write(ctx, t, []rowUpdate{*u})
		if err != nil || len(conflicts) == 0 {
			return err
		}
	}
	return fmt.Errorf("row %s kept changing during re-encryption; run the rotation again", id)
}

// KeyUsage counts the stored values and blind indexes made by each key of
// keyset c: c is a data compartment (its encrypted columns) or an index
// compartment (the blind indexes of its data compartment). Values whose
// key id cannot be read are counted under key 0.
func (db *DB) KeyUsage(ctx context.Context, c haven.Compartment) (map[uint32]int, error) {
	rv, ok := db.vault.(rotatingVault)
	if !ok {
		return nil, fmt.Errorf("key usage: %w", errNoRotatingVault)
	}
	if err := db.CheckSealedColumns(ctx); err != nil {
		return nil, fmt.Errorf("key usage: %w", err)
	}
	usage := map[uint32]int{}
	count := func(table, column string) error {
		// The first five bytes are the format version and the key id.
		rows, err := db.readQuery(ctx, `SELECT substr(`+column+`, 1, 5), COUNT(*) FROM `+table+
			` WHERE `+column+` IS NOT NULL GROUP BY substr(`+column+`, 1, 5)`)
		if err != nil {
			return mapError(err)
		}
		defer rows.Close()
		for rows.Next() {
			var (
				prefix []byte
				n      int
			)
			if err := rows.Scan(&prefix, &n); err != nil {
				return err
			}
			id, _ := rv.KeyID(prefix)
			usage[id] += n
		}
		return mapError(rows.Err())
	}
	for _, t := range sealedTables {
		var cols []string
		switch c {
		case t.compartment:
			for _, f := range t.fields {
				cols = append(cols, f+"_enc")
			}
		case haven.IndexCompartment(t.compartment):
			for _, f := range t.indexed {
				cols = append(cols, f+"_bidx")
			}
		}
		for _, col := range cols {
			if err := count(t.table, col); err != nil {
				return nil, fmt.Errorf("key usage %s.%s: %w", t.table, col, err)
			}
		}
	}
	return usage, nil
}
