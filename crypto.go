package haven

import (
	"context"
	"errors"
)

// ErrDecrypt is wrapped by every error of a value that does not open: it
// was changed, moved to another record or field, or sealed under another
// key. Haven fails closed on it, and logs it.
var ErrDecrypt = errors.New("value does not decrypt")

// Compartment is a separately keyed part of Haven's data. Case content lives
// in the care compartment; the immigration compartment holds residence-permit
// requests only and is never handed the care keys (GR 38 §54c, §83).
type Compartment string

const (
	CompartmentCare        Compartment = "care"
	CompartmentJustice     Compartment = "justice"
	CompartmentImmigration Compartment = "immigration"
	// CompartmentStaff keys staff credentials (second-factor secrets).
	CompartmentStaff Compartment = "staff"
)

// FieldRef names where an encrypted value lives. It is bound into the
// ciphertext as associated data, so a value copied to another record or
// field no longer decrypts.
type FieldRef struct {
	Table    string
	RecordID string
	Field    string
}

// AssociatedData is the byte string a FieldRef binds.
func (r FieldRef) AssociatedData() []byte {
	return []byte("haven/v1|" + r.Table + "|" + r.RecordID + "|" + r.Field)
}

// Vault encrypts and decrypts identifying fields. Open fails, and callers
// fail closed, when a ciphertext was changed or moved.
type Vault interface {
	Seal(ctx context.Context, c Compartment, ref FieldRef, plaintext []byte) ([]byte, error)
	Open(ctx context.Context, c Compartment, ref FieldRef, ciphertext []byte) ([]byte, error)
	// RecordRef returns the pseudonymous reference under which the access
	// log names a record: a keyed hash, so the log alone names no one.
	RecordRef(ctx context.Context, kind, id string) (string, error)
}

type compartmentsKey struct{}

// WithCompartments returns ctx limited to the given compartments: a vault
// refuses to seal or open any other while serving it. The server sets it
// from the acting user's role; system work (migrations, key rotation, the
// demo) runs without a limit.
func WithCompartments(ctx context.Context, cs ...Compartment) context.Context {
	if cs == nil {
		cs = []Compartment{}
	}
	return context.WithValue(ctx, compartmentsKey{}, cs)
}

// CompartmentAllowed tells whether ctx may use compartment c. The limit
// covers the data compartments; the keys of staff secrets and of the
// access log serve everyone.
func CompartmentAllowed(ctx context.Context, c Compartment) bool {
	cs, limited := ctx.Value(compartmentsKey{}).([]Compartment)
	if !limited || (c != CompartmentCare && c != CompartmentJustice && c != CompartmentImmigration) {
		return true
	}
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}
