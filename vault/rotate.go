package vault

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/prf"
	tinkpb "github.com/tink-crypto/tink-go/v2/proto/tink_go_proto"
	"github.com/tink-crypto/tink-go/v2/tink"

	"github.com/haven-nrm/haven"
)

// Key rotation.
//
// A rotation adds a fresh key to a compartment's keyset and makes it the
// primary: new values are sealed with it, and the old keys stay enabled so
// every stored value still opens. The store then seals every value again
// under the new primary, and an old key is retired (disabled, never
// deleted) only once the store counts no value that names it: every Tink
// ciphertext starts with its key's id (KeyID).
//
// Several instances may serve one database, each caching its keysets. An
// instance that meets a ciphertext naming a key it does not know reads its
// keyset again at once: another instance rotated, and the value opens. It
// also reads its keysets again when they are older than
// KeysetRefreshInterval, so within that time it seals with the new primary
// too. A rotation therefore waits longer than that interval before it
// counts, so that no instance can still be sealing with a key being retired.

// KeysetRefreshInterval is how long an instance seals with a cached keyset
// before it reads the keyset again to learn of a rotation elsewhere.
const KeysetRefreshInterval = time.Minute

// clock is the vault's time; tests move it to age caches.
var clock = time.Now

// KeysetReloader is a KeysetStore that can read a keyset without waiting
// for a writer. A vault reads a cached keyset again while its caller may
// hold a write transaction, and on SQLite that transaction holds the only
// writer connection: reading there would wait for ever.
type KeysetReloader interface {
	// ReloadKeyset returns c's wrapped keyset as last committed.
	ReloadKeyset(ctx context.Context, c haven.Compartment) ([]byte, error)
}

// reloadKeyset reads a keyset this vault already holds again, without
// waiting for a writer if the store can.
func (v *Vault) reloadKeyset(ctx context.Context, c haven.Compartment) ([]byte, error) {
	if r, ok := v.store.(KeysetReloader); ok {
		return r.ReloadKeyset(ctx, c)
	}
	return v.store.LoadKeyset(ctx, c)
}

// KeysetUpdater is a KeysetStore that can replace a stored keyset. The
// replacement is a compare-and-swap: two rotations at once must not lose
// each other's new key, or the values sealed with it would never open again.
type KeysetUpdater interface {
	// UpdateKeyset replaces c's wrapped keyset if it is still previous;
	// it is an ECONFLICT error otherwise.
	UpdateKeyset(ctx context.Context, c haven.Compartment, previous, wrapped []byte) error
}

// Key describes one key of a keyset, without its material.
type Key struct {
	ID      uint32
	Primary bool
	Enabled bool // a disabled key is retired: it opens nothing
}

// KeyID returns the id of the key that made a Tink ciphertext or a blind
// index: its first byte is a format version (0 or 1) and the next four are
// the key id, big-endian.
func KeyID(sealed []byte) (uint32, bool) {
	if len(sealed) < 5 || sealed[0] > 1 {
		return 0, false
	}
	return binary.BigEndian.Uint32(sealed[1:5]), true
}

// KeyID returns the id of the key that made sealed (see the function KeyID).
func (v *Vault) KeyID(sealed []byte) (uint32, bool) { return KeyID(sealed) }

// cachedAEAD is a compartment's AEAD as this instance loaded it, with what
// it needs to notice a rotation made elsewhere.
type cachedAEAD struct {
	tink.AEAD
	primary  uint32
	known    map[uint32]bool // every key of the keyset, retired ones included
	loadedAt time.Time
}

func newCachedAEAD(h *keyset.Handle) (tink.AEAD, error) {
	p, err := aead.New(h)
	if err != nil {
		return nil, err
	}
	info := h.KeysetInfo()
	known := make(map[uint32]bool, len(info.GetKeyInfo()))
	for _, k := range info.GetKeyInfo() {
		known[k.GetKeyId()] = true
	}
	return &cachedAEAD{AEAD: p, primary: info.GetPrimaryKeyId(), known: known, loadedAt: clock()}, nil
}

// fresh tells whether a cached primitive may be used without reading its
// keyset again.
func fresh(p tink.AEAD) bool {
	cp, ok := p.(*cachedAEAD)
	return ok && clock().Sub(cp.loadedAt) < KeysetRefreshInterval
}

// reloadForUnknownKey is called when p failed to open ciphertext. If the
// ciphertext names a key p does not know, another instance has rotated the
// keyset since p was loaded: it marks the cache stale and returns the
// keyset as stored now. A ciphertext under a key p knows failed for a real
// reason (tampered, moved, retired key), and nothing is read.
func (v *Vault) reloadForUnknownKey(ctx context.Context, c haven.Compartment, p tink.AEAD, ciphertext []byte) (tink.AEAD, bool) {
	cp, ok := p.(*cachedAEAD)
	id, hasID := KeyID(ciphertext)
	if !ok || !hasID || cp.known[id] {
		return nil, false
	}
	v.mu.Lock()
	if v.primitives[c] == p {
		stale := *cp
		stale.loadedAt = time.Time{}
		v.primitives[c] = &stale
	}
	v.mu.Unlock()
	np, err := v.primitive(ctx, c)
	if err != nil {
		return nil, false
	}
	return np, true
}

// Reload drops c's cached keyset, so the next use reads it again.
func (v *Vault) Reload(c haven.Compartment) {
	v.mu.Lock()
	defer v.mu.Unlock()
	delete(v.primitives, c)
	delete(v.indexes, c)
}

// PrimaryKeyID returns the id of the key this vault seals c's values with.
func (v *Vault) PrimaryKeyID(ctx context.Context, c haven.Compartment) (uint32, error) {
	p, err := v.primitive(ctx, c)
	if err != nil {
		return 0, err
	}
	cp, ok := p.(*cachedAEAD)
	if !ok {
		return 0, fmt.Errorf("vault: keyset %s: primary key unknown", c)
	}
	return cp.primary, nil
}

// readKeyset returns c's wrapped keyset as stored and the handle it opens
// to. A keyset the master key does not open is an error that says so.
func (v *Vault) readKeyset(ctx context.Context, c haven.Compartment) ([]byte, *keyset.Handle, error) {
	wrapped, err := v.store.LoadKeyset(ctx, c)
	if err != nil {
		return nil, nil, fmt.Errorf("vault: load keyset %s: %w", c, err)
	}
	h, err := keyset.ReadWithAssociatedData(keyset.NewBinaryReader(bytes.NewReader(wrapped)), v.master, keysetAD(c))
	if err != nil {
		return nil, nil, fmt.Errorf("vault: the master key does not open the %s keyset (wrong key file?)", c)
	}
	return wrapped, h, nil
}

// wrap seals a keyset handle with the master key, bound to compartment c.
func (v *Vault) wrap(c haven.Compartment, h *keyset.Handle) ([]byte, error) {
	var buf bytes.Buffer
	if err := h.WriteWithAssociatedData(keyset.NewBinaryWriter(&buf), v.master, keysetAD(c)); err != nil {
		return nil, fmt.Errorf("vault: wrap keyset %s: %w", c, err)
	}
	return buf.Bytes(), nil
}

// Keys lists the keys of c's keyset. A compartment without a keyset is an
// ENOTFOUND error.
func (v *Vault) Keys(ctx context.Context, c haven.Compartment) ([]Key, error) {
	_, h, err := v.readKeyset(ctx, c)
	if err != nil {
		return nil, err
	}
	return keysOf(h), nil
}

func keysOf(h *keyset.Handle) []Key {
	info := h.KeysetInfo()
	keys := make([]Key, 0, len(info.GetKeyInfo()))
	for _, k := range info.GetKeyInfo() {
		keys = append(keys, Key{
			ID:      k.GetKeyId(),
			Primary: k.GetKeyId() == info.GetPrimaryKeyId(),
			Enabled: k.GetStatus() == tinkpb.KeyStatusType_ENABLED,
		})
	}
	return keys
}

// templateFor returns the template of a new key of the same kind as h's
// primary: an AEAD keyset gets an AES-256-GCM key, a blind-index keyset an
// HMAC-SHA256 PRF key.
func templateFor(h *keyset.Handle) (*tinkpb.KeyTemplate, error) {
	info := h.KeysetInfo()
	for _, k := range info.GetKeyInfo() {
		if k.GetKeyId() != info.GetPrimaryKeyId() {
			continue
		}
		switch k.GetTypeUrl() {
		case aead.AES256GCMKeyTemplate().GetTypeUrl():
			return aead.AES256GCMKeyTemplate(), nil
		case prf.HMACSHA256PRFKeyTemplate().GetTypeUrl():
			return prf.HMACSHA256PRFKeyTemplate(), nil
		}
		return nil, fmt.Errorf("vault: cannot rotate keys of type %s", k.GetTypeUrl())
	}
	return nil, errors.New("vault: the keyset has no primary key")
}

// errUnchanged tells update that the change left the keyset as it was, so
// there is nothing to store.
var errUnchanged = errors.New("keyset unchanged")

// update applies change to c's keyset and stores the result if nobody
// changed the keyset meanwhile. This vault's cache of c is dropped, so it
// uses the new keyset at once.
func (v *Vault) update(ctx context.Context, c haven.Compartment, change func(m *keyset.Manager, h *keyset.Handle) error) (*keyset.Handle, error) {
	updater, ok := v.store.(KeysetUpdater)
	if !ok {
		return nil, errors.New("vault: this keyset store cannot replace keysets")
	}
	previous, h, err := v.readKeyset(ctx, c)
	if err != nil {
		return nil, err
	}
	m := keyset.NewManagerFromHandle(h)
	if err := change(m, h); errors.Is(err, errUnchanged) {
		return h, nil
	} else if err != nil {
		return nil, err
	}
	nh, err := m.Handle()
	if err != nil {
		return nil, fmt.Errorf("vault: keyset %s: %w", c, err)
	}
	wrapped, err := v.wrap(c, nh)
	if err != nil {
		return nil, err
	}
	if err := updater.UpdateKeyset(ctx, c, previous, wrapped); err != nil {
		return nil, fmt.Errorf("vault: store keyset %s: %w", c, err)
	}
	v.Reload(c)
	return nh, nil
}

// AddPrimaryKey adds a fresh key to c's keyset and makes it the primary.
// The old keys stay enabled, so every stored value still opens; instances
// that cached the keyset learn of the new key as described above. It
// returns the new key's id.
func (v *Vault) AddPrimaryKey(ctx context.Context, c haven.Compartment) (uint32, error) {
	var id uint32
	_, err := v.update(ctx, c, func(m *keyset.Manager, h *keyset.Handle) error {
		t, err := templateFor(h)
		if err != nil {
			return err
		}
		if id, err = m.Add(t); err != nil {
			return fmt.Errorf("vault: add key to %s: %w", c, err)
		}
		return m.SetPrimary(id)
	})
	if err != nil {
		return 0, fmt.Errorf("add primary key: %w", err)
	}
	return id, nil
}

// Retirement is what RetireUnusedKeys did.
type Retirement struct {
	// Retired lists the keys disabled now.
	Retired []uint32
	// InUse counts, per old key kept enabled, the values that still
	// name it.
	InUse map[uint32]int
	// Unreadable counts, per disabled key, values that still name it.
	// They cannot be opened until the key is enabled again.
	Unreadable map[uint32]int
}

// RetireUnusedKeys disables every enabled key of c that is not the primary
// and that no stored value uses, according to usage (values per key id, as
// counted by the store). A key in use is kept: retiring it would leave the
// values it sealed unreadable. A retired key stays in the keyset, disabled,
// so that a database restored from an older backup can be opened by
// enabling it again.
func (v *Vault) RetireUnusedKeys(ctx context.Context, c haven.Compartment, usage map[uint32]int) (Retirement, error) {
	r := Retirement{InUse: map[uint32]int{}, Unreadable: map[uint32]int{}}
	_, err := v.update(ctx, c, func(m *keyset.Manager, h *keyset.Handle) error {
		for _, k := range keysOf(h) {
			switch {
			case k.Primary:
			case !k.Enabled:
				if usage[k.ID] > 0 {
					r.Unreadable[k.ID] = usage[k.ID]
				}
			case usage[k.ID] > 0:
				r.InUse[k.ID] = usage[k.ID]
			default:
				if err := m.Disable(k.ID); err != nil {
					return fmt.Errorf("vault: disable key %d of %s: %w", k.ID, c, err)
				}
				r.Retired = append(r.Retired, k.ID)
			}
		}
		if len(r.Retired) == 0 {
			return errUnchanged
		}
		return nil
	})
	if err != nil {
		return Retirement{}, fmt.Errorf("retire keys: %w", err)
	}
	return r, nil
}
