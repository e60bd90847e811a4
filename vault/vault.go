// Package vault encrypts survivors' identifying fields with Google Tink.
//
// Each compartment has its own Tink AEAD keyset. Keysets are stored in the
// database wrapped by a master key that never touches the database: a key
// file today, a KMS behind the same tink.AEAD interface tomorrow. Every value
// is sealed with associated data naming its table, record and field, so a
// ciphertext moved to another row or column fails to open.
package vault

import (
	"bytes"
	"context"
	"fmt"
	"sync"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/tink"

	"github.com/haven-nrm/haven"
)

// KeysetStore keeps wrapped keysets, one per compartment.
type KeysetStore interface {
	// LoadKeyset returns the wrapped keyset, or an ENOTFOUND error.
	LoadKeyset(ctx context.Context, c haven.Compartment) ([]byte, error)
	// CreateKeyset stores a new wrapped keyset; it is an ECONFLICT error if
	// one already exists (another instance created it first).
	CreateKeyset(ctx context.Context, c haven.Compartment, wrapped []byte) error
}

// Vault implements haven.Vault.
type Vault struct {
	store  KeysetStore
	master tink.AEAD

	mu         sync.Mutex
	primitives map[haven.Compartment]tink.AEAD
	indexes    map[haven.Compartment]*indexCache // blind-index keysets (blindindex.go)
}

var _ haven.Vault = (*Vault)(nil)

// New returns a vault whose keysets are wrapped by master.
func New(store KeysetStore, master tink.AEAD) *Vault {
	return &Vault{store: store, master: master, primitives: map[haven.Compartment]tink.AEAD{}}
}

// keysetAD binds a wrapped keyset to its compartment, so the immigration
// keyset row cannot be swapped for the care one.
func keysetAD(c haven.Compartment) []byte { return []byte("haven/keyset|" + string(c)) }

// Check opens the keysets of the given compartments, creating missing ones.
// Called at start so a wrong master key stops the server before it serves.
func (v *Vault) Check(ctx context.Context, compartments ...haven.Compartment) error {
	for _, c := range compartments {
		if _, err := v.primitive(ctx, c); err != nil {
			return err
		}
	}
	return nil
}

func (v *Vault) primitive(ctx context.Context, c haven.Compartment) (tink.AEAD, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	// A cache older than KeysetRefreshInterval is read again, so a key
	// rotated by another instance reaches this one (rotate.go).
	p, cached := v.primitives[c]
	if cached && fresh(p) {
		return p, nil
	}
	load := v.store.LoadKeyset
	if cached {
		load = v.reloadKeyset // never waits for the writer: the caller may hold it
	}
	wrapped, err := load(ctx, c)
	if haven.ErrorCode(err) == haven.ENOTFOUND {
		if err := v.create(ctx, c); err != nil {
			return nil, err
		}
		wrapped, err = v.store.LoadKeyset(ctx, c)
	}
	if err != nil {
		return nil, fmt.Errorf("vault: load keyset %s: %w", c, err)
	}
	h, err := keyset.ReadWithAssociatedData(keyset.NewBinaryReader(bytes.NewReader(wrapped)), v.master, keysetAD(c))
	if err != nil {
		return nil, fmt.Errorf("vault: the master key does not open the %s keyset (wrong key file?)", c)
	}
	p, err = newCachedAEAD(h)
	if err != nil {
		return nil, fmt.Errorf("vault: keyset %s: %w", c, err)
	}
	v.primitives[c] = p
	return p, nil
}

func (v *Vault) create(ctx context.Context, c haven.Compartment) error {
	h, err := keyset.NewHandle(aead.AES256GCMKeyTemplate())
	if err != nil {
		return fmt.Errorf("vault: new keyset: %w", err)
	}
	var buf bytes.Buffer
	if err := h.WriteWithAssociatedData(keyset.NewBinaryWriter(&buf), v.master, keysetAD(c)); err != nil {
		return fmt.Errorf("vault: wrap keyset: %w", err)
	}
	err = v.store.CreateKeyset(ctx, c, buf.Bytes())
	if haven.ErrorCode(err) == haven.ECONFLICT {
		return nil // another instance won the race; use its keyset
	}
	return err
}

// ErrDecrypt is returned, wrapped, when a value does not open: it was
// changed, moved to another record or field, or sealed under another key.
var ErrDecrypt = haven.ErrDecrypt

// errCompartment refuses a compartment the request may not use: the
// cryptographic half of the firewall (GR 38 §54c, §83).
func errCompartment(c haven.Compartment) error {
	return haven.Errorf(haven.EFORBIDDEN, "The %s compartment is closed to this request.", c)
}

// Seal encrypts plaintext for the given compartment and place.
func (v *Vault) Seal(ctx context.Context, c haven.Compartment, ref haven.FieldRef, plaintext []byte) ([]byte, error) {
	if !haven.CompartmentAllowed(ctx, c) {
		return nil, errCompartment(c)
	}
	p, err := v.primitive(ctx, c)
	if err != nil {
		return nil, err
	}
	ct, err := p.Encrypt(plaintext, ref.AssociatedData())
	if err != nil {
		return nil, fmt.Errorf("vault: seal %s.%s: %w", ref.Table, ref.Field, err)
	}
	return ct, nil
}

// Open decrypts a value sealed for the same compartment and place.
func (v *Vault) Open(ctx context.Context, c haven.Compartment, ref haven.FieldRef, ciphertext []byte) ([]byte, error) {
	if !haven.CompartmentAllowed(ctx, c) {
		return nil, errCompartment(c)
	}
	p, err := v.primitive(ctx, c)
	if err != nil {
		return nil, err
	}
	pt, err := p.Decrypt(ciphertext, ref.AssociatedData())
	if err != nil {
		// The value may name a key another instance added since this one
		// loaded the keyset (rotate.go).
		if np, ok := v.reloadForUnknownKey(ctx, c, p, ciphertext); ok {
			pt, err = np.Decrypt(ciphertext, ref.AssociatedData())
		}
	}
	if err != nil {
		return nil, fmt.Errorf("open %s.%s: %w", ref.Table, ref.Field, ErrDecrypt)
	}
	return pt, nil
}
