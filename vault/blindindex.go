package vault

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/prf"

	"github.com/haven-nrm/haven"
)

// Blind indexes.
//
// A blind index lets the database find equal values it cannot read: it is a
// keyed hash (HMAC-SHA256, through a Tink PRF keyset) of the value's
// normalised form (haven.NormalizeIdentity), stored next to the ciphertext.
// Without the key nobody can compute the index of a guess, so even a field
// with few possible values, such as a date of birth, cannot be looked up in
// a table of precomputed hashes.
//
// What an index reveals, to someone who reads the database: which rows of
// the same field hold the same value, and so how often each value occurs.
// The field's name is hashed in, so equal values in different fields
// (a given name that is also a family name) give unrelated indexes.
//
// The PRF output is cut to BlindIndexSize bytes. Shorter indexes would
// collide more often, which hides equality (a 2-byte index puts many
// different values in each bucket) at the cost of more candidates to
// decrypt per search; at anything above about 4 bytes an index reveals
// equality as exactly as a full hash. Haven keeps 16 bytes: accidental
// collisions are negligible, and the search decrypts and compares every
// candidate anyway, so a collision could never return the wrong person.
//
// Each index starts, like a Tink ciphertext, with a version byte and the
// 4-byte id of the key that made it (KeyID), so a rotation can recompute
// the indexes made by an old key and then retire it.

// BlindIndexSize is how many bytes of the PRF output a blind index keeps.
const BlindIndexSize = 16

// blindIndexVersion is the index format: 1 is the version byte, key id,
// truncated HMAC-SHA256 of "haven/bidx/v1|field|normalised value".
const blindIndexVersion = 1

// indexCache is a compartment's blind-index keyset as this instance loaded
// it.
type indexCache struct {
	set      *prf.Set
	wrapped  []byte // as stored, to notice cheaply that it changed
	loadedAt time.Time
}

// indexSet returns the PRF set that computes c's blind indexes, creating
// the keyset on first use. With recheck, the stored keyset is read and
// compared even if the cache is fresh: a search must use every key another
// instance may have indexed with.
func (v *Vault) indexSet(ctx context.Context, c haven.Compartment, recheck bool) (*indexCache, error) {
	ic := haven.IndexCompartment(c)
	v.mu.Lock()
	cached := v.indexes[ic]
	v.mu.Unlock()
	if cached != nil && !recheck && clock().Sub(cached.loadedAt) < KeysetRefreshInterval {
		return cached, nil
	}
	load := v.store.LoadKeyset
	if cached != nil {
		load = v.reloadKeyset // never waits for the writer (rotate.go)
	}
	wrapped, err := load(ctx, ic)
	if haven.ErrorCode(err) == haven.ENOTFOUND {
		if err := v.createIndexKeyset(ctx, c); err != nil {
			return nil, err
		}
		wrapped, err = v.store.LoadKeyset(ctx, ic)
	}
	if err != nil {
		return nil, fmt.Errorf("vault: load keyset %s: %w", ic, err)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.indexes == nil {
		v.indexes = map[haven.Compartment]*indexCache{}
	}
	if cur := v.indexes[ic]; cur != nil && bytes.Equal(cur.wrapped, wrapped) {
		renewed := *cur
		renewed.loadedAt = clock()
		v.indexes[ic] = &renewed
		return &renewed, nil
	}
	h, err := keyset.ReadWithAssociatedData(keyset.NewBinaryReader(bytes.NewReader(wrapped)), v.master, keysetAD(ic))
	if err != nil {
		return nil, fmt.Errorf("vault: the master key does not open the %s keyset (wrong key file?)", ic)
	}
	set, err := prf.NewPRFSet(h)
	if err != nil {
		return nil, fmt.Errorf("vault: keyset %s: %w", ic, err)
	}
	ce := &indexCache{set: set, wrapped: wrapped, loadedAt: clock()}
	v.indexes[ic] = ce
	return ce, nil
}

// createIndexKeyset creates c's blind-index keyset. Only a vault whose
// master key opens c's own keyset may: a wrong key file must not leave
// behind an index keyset that the right one cannot open.
func (v *Vault) createIndexKeyset(ctx context.Context, c haven.Compartment) error {
	if _, err := v.primitive(ctx, c); err != nil {
		return err
	}
	ic := haven.IndexCompartment(c)
	h, err := keyset.NewHandle(prf.HMACSHA256PRFKeyTemplate())
	if err != nil {
		return fmt.Errorf("vault: new keyset %s: %w", ic, err)
	}
	wrapped, err := v.wrap(ic, h)
	if err != nil {
		return err
	}
	err = v.store.CreateKeyset(ctx, ic, wrapped)
	if haven.ErrorCode(err) == haven.ECONFLICT {
		return nil // another instance won the race; use its keyset
	}
	return err
}

// BlindIndex returns the blind index of a value of field in compartment c,
// made with the primary index key, or nil if the value is empty once
// normalised (nothing to find).
func (v *Vault) BlindIndex(ctx context.Context, c haven.Compartment, field, value string) ([]byte, error) {
	if !haven.CompartmentAllowed(ctx, c) {
		return nil, haven.Errorf(haven.EFORBIDDEN, "This data is not available to your role.")
	}
	normalised := haven.NormalizeIdentity(field, value)
	if normalised == "" {
		return nil, nil
	}
	ce, err := v.indexSet(ctx, c, false)
	if err != nil {
		return nil, err
	}
	return blindIndex(ce.set, ce.set.PrimaryID, field, normalised)
}

// BlindIndexCandidates returns the blind indexes a search for value in
// field must look for: one per enabled index key, the primary first. There
// are several only while a rotation is re-indexing.
func (v *Vault) BlindIndexCandidates(ctx context.Context, c haven.Compartment, field, value string) ([][]byte, error) {
	if !haven.CompartmentAllowed(ctx, c) {
		return nil, haven.Errorf(haven.EFORBIDDEN, "This data is not available to your role.")
	}
	normalised := haven.NormalizeIdentity(field, value)
	if normalised == "" {
		return nil, nil
	}
	ce, err := v.indexSet(ctx, c, true)
	if err != nil {
		return nil, err
	}
	ids := make([]uint32, 0, len(ce.set.PRFs))
	for id := range ce.set.PRFs {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b uint32) int {
		switch {
		case a == ce.set.PrimaryID:
			return -1
		case b == ce.set.PrimaryID:
			return 1
		}
		return cmp.Compare(a, b)
	})
	out := make([][]byte, 0, len(ids))
	for _, id := range ids {
		idx, err := blindIndex(ce.set, id, field, normalised)
		if err != nil {
			return nil, err
		}
		out = append(out, idx)
	}
	return out, nil
}

// IndexPrimaryKeyID returns the id of the key that makes c's blind indexes.
func (v *Vault) IndexPrimaryKeyID(ctx context.Context, c haven.Compartment) (uint32, error) {
	ce, err := v.indexSet(ctx, c, false)
	if err != nil {
		return 0, err
	}
	return ce.set.PrimaryID, nil
}

func blindIndex(set *prf.Set, keyID uint32, field, normalised string) ([]byte, error) {
	p, ok := set.PRFs[keyID]
	if !ok {
		return nil, fmt.Errorf("vault: blind index: no enabled key %d", keyID)
	}
	if field == "" || strings.Contains(field, "|") {
		return nil, fmt.Errorf("vault: blind index: bad field name %q", field)
	}
	mac, err := p.ComputePRF([]byte("haven/bidx/v1|"+field+"|"+normalised), BlindIndexSize)
	if err != nil {
		return nil, fmt.Errorf("vault: blind index: %w", err)
	}
	out := make([]byte, 5, 5+BlindIndexSize)
	out[0] = blindIndexVersion
	binary.BigEndian.PutUint32(out[1:5], keyID)
	return append(out, mac...), nil
}
