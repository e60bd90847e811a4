package vault

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"runtime"
	"sync"
	"weak"

	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/prf"
	tinkpb "github.com/tink-crypto/tink-go/v2/proto/tink_go_proto"
	"github.com/tink-crypto/tink-go/v2/signature"
	tinked25519 "github.com/tink-crypto/tink-go/v2/signature/ed25519"
	"github.com/tink-crypto/tink-go/v2/tink"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/audit"
)

// The audit keys live in the keysets table like the compartments' keys,
// wrapped by the master key with their name as associated data. They are
// not compartments of case data: no record is sealed with them.
const (
	// AuditSigningKeyset signs the audit log's checkpoints (ed25519).
	AuditSigningKeyset haven.Compartment = "audit-signing"
	// AuditPseudonymKeyset computes pseudonymous record references
	// (HMAC-SHA256 PRF), so the log names records without naming them.
	AuditPseudonymKeyset haven.Compartment = "audit-pseudonym"
)

// auditKeys holds a vault's audit primitives once they are unwrapped.
type auditKeys struct {
	mu     sync.Mutex
	signer tink.Signer
	pub    audit.PublicKey
	prf    *prf.Set
}

// auditKeyCache gives each Vault its audit primitives without a field in
// Vault (vault.go belongs to the compartments' keys). It is keyed by a weak
// pointer and emptied by a cleanup, so a vault that is dropped, as tests
// drop many, takes its keys with it.
var auditKeyCache sync.Map // weak.Pointer[Vault] → *auditKeys

func (v *Vault) auditKeys() *auditKeys {
	k := weak.Make(v)
	if ak, ok := auditKeyCache.Load(k); ok {
		return ak.(*auditKeys)
	}
	ak, loaded := auditKeyCache.LoadOrStore(k, &auditKeys{})
	if !loaded {
		runtime.AddCleanup(v, func(k weak.Pointer[Vault]) { auditKeyCache.Delete(k) }, k)
	}
	return ak.(*auditKeys)
}

// CheckAudit opens the audit keysets, creating missing ones, so a wrong
// master key stops Haven before it appends or signs anything.
func (v *Vault) CheckAudit(ctx context.Context) error {
	if _, err := v.auditSigner(ctx); err != nil {
		return err
	}
	_, err := v.auditPRF(ctx)
	return err
}

// SignCheckpoint signs msg, a checkpoint's body, with the audit signing
// key and returns a plain 64-byte ed25519 signature (RFC 8032) and the
// key's id (audit.PublicKey.ID). It implements audit.Signer.
//
// The keyset is made from Tink's ED25519 template without output prefix:
// with the default template Tink would put its own five-byte key prefix in
// front of every signature, and a checkpoint kept elsewhere must verify
// with nothing but the public key and crypto/ed25519. The checkpoint names
// its key itself, in the signed-note way.
func (v *Vault) SignCheckpoint(ctx context.Context, msg []byte) ([]byte, string, error) {
	ak, err := v.auditSigner(ctx)
	if err != nil {
		return nil, "", err
	}
	sig, err := ak.signer.Sign(msg)
	if err != nil {
		return nil, "", fmt.Errorf("vault: sign checkpoint: %w", err)
	}
	if len(sig) != ed25519.SignatureSize {
		return nil, "", fmt.Errorf("vault: sign checkpoint: Tink made a %d-byte signature; the audit keyset must have no output prefix", len(sig))
	}
	return sig, ak.pub.ID(), nil
}

// AuditPublicKey returns the key that verifies checkpoints. It implements
// audit.Signer.
func (v *Vault) AuditPublicKey(ctx context.Context) (audit.PublicKey, error) {
	ak, err := v.auditSigner(ctx)
	if err != nil {
		return audit.PublicKey{}, err
	}
	return ak.pub, nil
}

// RecordRef returns the pseudonymous reference of a record for the audit
// log: the hex HMAC-SHA256, under the pseudonym key, of
// audit.RecordRefInput(kind, id). It equals audit.RecordRef with the same
// key; the key itself never leaves Tink.
func (v *Vault) RecordRef(ctx context.Context, kind, id string) (string, error) {
	p, err := v.auditPRF(ctx)
	if err != nil {
		return "", err
	}
	out, err := p.ComputePrimaryPRF(audit.RecordRefInput(kind, id), 32)
	if err != nil {
		return "", fmt.Errorf("vault: record reference: %w", err)
	}
	return hex.EncodeToString(out), nil
}

func (v *Vault) auditSigner(ctx context.Context) (*auditKeys, error) {
	ak := v.auditKeys()
	ak.mu.Lock()
	defer ak.mu.Unlock()
	if ak.signer != nil {
		return ak, nil
	}
	h, err := v.auditHandle(ctx, AuditSigningKeyset, signature.ED25519KeyWithoutPrefixTemplate())
	if err != nil {
		return nil, err
	}
	signer, err := signature.NewSigner(h)
	if err != nil {
		return nil, fmt.Errorf("vault: keyset %s: %w", AuditSigningKeyset, err)
	}
	pubHandle, err := h.Public()
	if err != nil {
		return nil, fmt.Errorf("vault: keyset %s: %w", AuditSigningKeyset, err)
	}
	primary, err := pubHandle.Primary()
	if err != nil {
		return nil, fmt.Errorf("vault: keyset %s: %w", AuditSigningKeyset, err)
	}
	edKey, ok := primary.Key().(*tinked25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("vault: keyset %s does not hold an ed25519 key", AuditSigningKeyset)
	}
	if len(edKey.OutputPrefix()) != 0 {
		return nil, fmt.Errorf("vault: keyset %s: its key adds a Tink prefix to signatures", AuditSigningKeyset)
	}
	pub, err := audit.NewPublicKey(edKey.KeyBytes())
	if err != nil {
		return nil, fmt.Errorf("vault: keyset %s: %w", AuditSigningKeyset, err)
	}
	ak.signer, ak.pub = signer, pub
	return ak, nil
}

func (v *Vault) auditPRF(ctx context.Context) (*prf.Set, error) {
	ak := v.auditKeys()
	ak.mu.Lock()
	defer ak.mu.Unlock()
	if ak.prf != nil {
		return ak.prf, nil
	}
	h, err := v.auditHandle(ctx, AuditPseudonymKeyset, prf.HMACSHA256PRFKeyTemplate())
	if err != nil {
		return nil, err
	}
	set, err := prf.NewPRFSet(h)
	if err != nil {
		return nil, fmt.Errorf("vault: keyset %s: %w", AuditPseudonymKeyset, err)
	}
	ak.prf = set
	return set, nil
}

// auditHandle loads a keyset, creating it from tmpl on first use. As with
// the compartments' keys, two instances starting at once may both create
// one: the first stored wins and both use it.
func (v *Vault) auditHandle(ctx context.Context, c haven.Compartment, tmpl *tinkpb.KeyTemplate) (*keyset.Handle, error) {
	wrapped, err := v.store.LoadKeyset(ctx, c)
	if haven.ErrorCode(err) == haven.ENOTFOUND {
		if err := v.createAuditKeyset(ctx, c, tmpl); err != nil {
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
	return h, nil
}

func (v *Vault) createAuditKeyset(ctx context.Context, c haven.Compartment, tmpl *tinkpb.KeyTemplate) error {
	h, err := keyset.NewHandle(tmpl)
	if err != nil {
		return fmt.Errorf("vault: new keyset %s: %w", c, err)
	}
	var buf bytes.Buffer
	if err := h.WriteWithAssociatedData(keyset.NewBinaryWriter(&buf), v.master, keysetAD(c)); err != nil {
		return fmt.Errorf("vault: wrap keyset %s: %w", c, err)
	}
	err = v.store.CreateKeyset(ctx, c, buf.Bytes())
	if haven.ErrorCode(err) == haven.ECONFLICT {
		return nil
	}
	if err != nil {
		return fmt.Errorf("vault: store keyset %s: %w", c, err)
	}
	return nil
}

var _ audit.Signer = (*Vault)(nil)
