package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Origin is the first line of every checkpoint: it names the log, so a
// signature made for another log, or for another purpose, never verifies
// as one of Haven's checkpoints.
const Origin = "haven-audit-log/v1"

// KeyName is the name of the checkpoint key in signed notes and verifier
// keys.
const KeyName = "haven-audit"

// algEd25519 is the signed-note algorithm byte for ed25519.
const algEd25519 = 1

// PublicKey is the key that verifies checkpoints. Its text form is a
// signed-note verifier key (golang.org/x/mod/sumdb/note):
// "haven-audit+<key hash>+<base64 of 0x01 || key>", one line that can be
// printed, kept on paper or in another system, and given back to verify.
type PublicKey struct {
	key ed25519.PublicKey
}

// NewPublicKey wraps a raw ed25519 public key.
func NewPublicKey(k ed25519.PublicKey) (PublicKey, error) {
	if len(k) != ed25519.PublicKeySize {
		return PublicKey{}, fmt.Errorf("audit public key: %d bytes, want %d", len(k), ed25519.PublicKeySize)
	}
	return PublicKey{key: bytes.Clone(k)}, nil
}

// Bytes returns the raw ed25519 key.
func (p PublicKey) Bytes() ed25519.PublicKey { return bytes.Clone(p.key) }

// IsZero reports whether p holds no key.
func (p PublicKey) IsZero() bool { return len(p.key) == 0 }

// hash is the signed-note key hash: the first four bytes of
// SHA-256(name || "\n" || 0x01 || key).
func (p PublicKey) hash() uint32 {
	h := sha256.New()
	h.Write([]byte(KeyName + "\n"))
	h.Write([]byte{algEd25519})
	h.Write(p.key)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

// ID returns the key's id, eight hex digits, as a checkpoint names it. It
// tells keys apart; it proves nothing (the signature does).
func (p PublicKey) ID() string { return fmt.Sprintf("%08x", p.hash()) }

// String returns the verifier key.
func (p PublicKey) String() string {
	return fmt.Sprintf("%s+%s+%s", KeyName, p.ID(), base64.StdEncoding.EncodeToString(append([]byte{algEd25519}, p.key...)))
}

// ParsePublicKey reads a verifier key written by PublicKey.String.
func ParsePublicKey(s string) (PublicKey, error) {
	// The base64 key may itself hold "+": only the first two separate.
	parts := strings.SplitN(strings.TrimSpace(s), "+", 3)
	if len(parts) != 3 || parts[0] != KeyName {
		return PublicKey{}, fmt.Errorf("parse audit public key: not a %s verifier key", KeyName)
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != 1+ed25519.PublicKeySize || raw[0] != algEd25519 {
		return PublicKey{}, errors.New("parse audit public key: the key is not a base64 ed25519 key")
	}
	p := PublicKey{key: raw[1:]}
	if p.ID() != parts[1] {
		return PublicKey{}, errors.New("parse audit public key: the key hash does not match the key")
	}
	return p, nil
}

// Checkpoint is a signed statement that the log had Size entries and that
// its head, h_Size, was Head. It is a signed note: the body below, a blank
// line, and a signature line. Anyone with the public key can check it,
// without Haven's database or master key.
//
//	haven-audit-log/v1
//	<size, decimal>
//	<head, base64>
//	<time, RFC 3339, UTC, seconds>
//
//	— haven-audit <base64 of key hash (4 bytes) || ed25519 signature (64 bytes)>
type Checkpoint struct {
	Size      int64
	Head      Hash
	Time      time.Time
	KeyID     string
	Signature []byte
}

// Body returns the signed text: the note's body, which the signature covers.
func (c Checkpoint) Body() []byte {
	return fmt.Appendf(nil, "%s\n%d\n%s\n%s\n", Origin, c.Size,
		base64.StdEncoding.EncodeToString(c.Head[:]), c.Time.UTC().Format(time.RFC3339))
}

// MarshalText returns the signed note.
func (c Checkpoint) MarshalText() ([]byte, error) {
	if len(c.Signature) != ed25519.SignatureSize {
		return nil, errors.New("marshal checkpoint: not signed")
	}
	id, err := strconv.ParseUint(c.KeyID, 16, 32)
	if err != nil || len(c.KeyID) != 8 {
		return nil, fmt.Errorf("marshal checkpoint: key id %q is not eight hex digits", c.KeyID)
	}
	sig := binary.BigEndian.AppendUint32(nil, uint32(id))
	sig = append(sig, c.Signature...)
	b := c.Body()
	b = fmt.Appendf(b, "\n— %s %s\n", KeyName, base64.StdEncoding.EncodeToString(sig))
	return b, nil
}

// String returns the signed note, or a short description if unsigned.
func (c Checkpoint) String() string {
	b, err := c.MarshalText()
	if err != nil {
		return fmt.Sprintf("unsigned checkpoint of size %d", c.Size)
	}
	return string(b)
}

// ParseCheckpoint reads a signed note written by MarshalText. It checks the
// form only; Verify checks the signature.
func ParseCheckpoint(text []byte) (Checkpoint, error) {
	var c Checkpoint
	text = bytes.ReplaceAll(text, []byte("\r\n"), []byte("\n"))
	i := bytes.LastIndex(text, []byte("\n\n"))
	if i < 0 {
		return c, errors.New("parse checkpoint: no signature (a checkpoint is a body, a blank line, a signature line)")
	}
	body, sigs := text[:i+1], strings.TrimRight(string(text[i+2:]), "\n")
	lines := strings.Split(strings.TrimSuffix(string(body), "\n"), "\n")
	if len(lines) != 4 || lines[0] != Origin {
		return c, fmt.Errorf("parse checkpoint: the body is not four lines starting with %q", Origin)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 {
		return c, fmt.Errorf("parse checkpoint: size %q is not a count", lines[1])
	}
	head, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(head) != HashSize {
		return c, errors.New("parse checkpoint: the head is not a base64 SHA-256 hash")
	}
	t, err := time.Parse(time.RFC3339, lines[3])
	if err != nil {
		return c, fmt.Errorf("parse checkpoint: time %q is not RFC 3339", lines[3])
	}
	c.Size, c.Time = size, t.UTC()
	copy(c.Head[:], head)
	// Only the canonical form is accepted: "007" or "+7" for 7 would give
	// two texts for one checkpoint.
	if !bytes.Equal(c.Body(), body) {
		return c, errors.New("parse checkpoint: the body is not in canonical form")
	}
	name, b64, ok := strings.Cut(strings.TrimPrefix(sigs, "— "), " ")
	if !strings.HasPrefix(sigs, "— ") || !ok || name != KeyName || strings.Contains(b64, "\n") {
		return c, fmt.Errorf("parse checkpoint: want one signature line by %s", KeyName)
	}
	sig, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(sig) != 4+ed25519.SignatureSize {
		return c, errors.New("parse checkpoint: the signature is not a base64 key hash and ed25519 signature")
	}
	c.KeyID = fmt.Sprintf("%08x", binary.BigEndian.Uint32(sig))
	c.Signature = sig[4:]
	return c, nil
}

// ErrBadSignature is returned, wrapped, when a checkpoint's signature does
// not verify under the key given.
var ErrBadSignature = errors.New("the checkpoint's signature does not verify")

// Verify checks the checkpoint's signature.
func (c Checkpoint) Verify(pub PublicKey) error {
	if pub.IsZero() {
		return errors.New("verify checkpoint: no public key")
	}
	if c.KeyID != pub.ID() {
		return fmt.Errorf("verify checkpoint of size %d: signed by key %s, not by %s: %w", c.Size, c.KeyID, pub.ID(), ErrBadSignature)
	}
	if !ed25519.Verify(pub.key, c.Body(), c.Signature) {
		return fmt.Errorf("verify checkpoint of size %d: %w", c.Size, ErrBadSignature)
	}
	return nil
}

// Signer signs checkpoints; the vault is one. SignCheckpoint returns a
// plain 64-byte ed25519 signature of msg and the id of the key
// (PublicKey.ID) that made it.
type Signer interface {
	SignCheckpoint(ctx context.Context, msg []byte) (sig []byte, keyID string, err error)
	AuditPublicKey(ctx context.Context) (PublicKey, error)
}

// Sign makes a checkpoint of a log of size entries whose head is head.
// The time is kept to the second, as the body states it.
func Sign(ctx context.Context, s Signer, size int64, head Hash, now time.Time) (Checkpoint, error) {
	c := Checkpoint{Size: size, Head: head, Time: now.UTC().Truncate(time.Second)}
	sig, keyID, err := s.SignCheckpoint(ctx, c.Body())
	if err != nil {
		return Checkpoint{}, fmt.Errorf("sign checkpoint: %w", err)
	}
	if len(sig) != ed25519.SignatureSize {
		return Checkpoint{}, fmt.Errorf("sign checkpoint: the signer returned %d bytes, not an ed25519 signature", len(sig))
	}
	c.Signature, c.KeyID = sig, keyID
	return c, nil
}
