// Package audit is Haven's tamper-evident access log (GR 38 §111): the
// canonical encoding of an entry, the SHA-256 hash chain that links every
// entry to all those before it, checkpoints of the chain's head signed with
// ed25519 in the signed-note format, the verifier that names the first bad
// entry, and pseudonymous record references.
//
// The package holds no keys and touches no database: the vault signs and
// computes references, the store keeps entries and checkpoints. Anyone
// holding an exported checkpoint and its public key can check a log with
// this package alone. docs/AUDIT.md describes the formats.
package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"regexp"
	"time"

	"github.com/haven-nrm/haven"
)

// HashSize is the size of a chain hash.
const HashSize = sha256.Size

// Hash is a chain hash: h_n covers entry n and, through h_{n-1}, every
// entry before it.
type Hash [HashSize]byte

// String returns the hash in hex.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// EmptyHash is h_0, the head of an empty log.
var EmptyHash Hash

// FormatV1 is the first entry encoding. A later format would get its own
// version byte and its own chain tag, so an old entry can never be read as
// a new one.
const FormatV1 byte = 1

// chainTagV1 separates the chain's hashes from every other SHA-256 Haven
// computes, so no hash made for another purpose can pass as a link.
const chainTagV1 = "haven/audit/chain/v1\x00"

// Entry is an event as the log holds it: the event and the chain hash the
// store recorded for it. Hash is a slice because it is what the database
// holds, of whatever length: a wrong length is a mismatch like any other.
type Entry struct {
	Event haven.AuditEvent
	Hash  []byte
}

// AppendEncoding appends the canonical v1 encoding of e to dst:
//
//	u8 version (1) || u64 seq || i64 time in Unix microseconds, UTC ||
//	lp(user_id) || lp(action) || lp(purpose) || lp(record_ref) || lp(outcome)
//
// where integers are big-endian and lp(s) is a u32 byte length followed by
// the bytes of s. Fixed order and length prefixes make the encoding
// unambiguous: no two different events encode to the same bytes. Time is
// kept to the microsecond because that is what both databases store.
func AppendEncoding(dst []byte, e haven.AuditEvent) []byte {
	dst = append(dst, FormatV1)
	dst = binary.BigEndian.AppendUint64(dst, uint64(e.Seq))
	dst = binary.BigEndian.AppendUint64(dst, uint64(e.Time.UnixMicro()))
	for _, s := range [...]string{e.UserID, e.Action, e.Purpose, e.RecordRef, e.Outcome} {
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(s)))
		dst = append(dst, s...)
	}
	return dst
}

// Encode returns the canonical encoding of e.
func Encode(e haven.AuditEvent) []byte { return AppendEncoding(nil, e) }

// ChainHash returns h_n = SHA-256(tag || h_{n-1} || encode(e_n)).
func ChainHash(prev Hash, e haven.AuditEvent) Hash {
	var buf [256]byte
	return chainHash(buf[:0], prev, e)
}

// chainHash is ChainHash with a caller's scratch buffer, so the verifier
// hashes a million entries without a million allocations.
func chainHash(buf []byte, prev Hash, e haven.AuditEvent) Hash {
	buf = append(buf, chainTagV1...)
	buf = append(buf, prev[:]...)
	buf = AppendEncoding(buf, e)
	return sha256.Sum256(buf)
}

// Normalize puts an event's time in the form the log keeps: UTC, to the
// microsecond. The store calls it before it hashes, so the hash it records
// is the hash a verifier recomputes from what the database returns.
func Normalize(e *haven.AuditEvent) {
	e.Time = e.Time.UTC().Truncate(time.Microsecond)
}

var (
	// Actions and purposes are codes such as "case.read" or
	// "case_management", never free text: free text could carry a name.
	codePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,63}$`)
	// User ids are Haven's UUIDs; "" is the system.
	userPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{0,64}$`)
	// A record reference is RecordRef's hex output.
	refPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// Validate checks that an event can go in the log and holds no personal
// data: codes only, and a record named by a pseudonymous reference, so a
// caller that passes a case id or a name by mistake is refused.
func Validate(e haven.AuditEvent) error {
	var v haven.Validation
	if !userPattern.MatchString(e.UserID) {
		v.Add("user_id", "must be a user id")
	}
	if !codePattern.MatchString(e.Action) {
		v.Add("action", "must be a code such as case.read")
	}
	if e.Purpose != "" && !codePattern.MatchString(e.Purpose) {
		v.Add("purpose", "must be a code such as case_management")
	}
	if e.RecordRef != "" && !refPattern.MatchString(e.RecordRef) {
		v.Add("record_ref", "must be a pseudonymous record reference (audit.RecordRef), never a record id")
	}
	switch e.Outcome {
	case haven.AuditAllowed, haven.AuditRefused, haven.AuditFailed:
	default:
		v.Add("outcome", "must be allowed, refused or failed")
	}
	return v.Err()
}

// Record kinds for RecordRef.
const (
	KindCase   = "case"
	KindPerson = "person"
)

// recordRefTagV1 separates record references from other uses of the key.
const recordRefTagV1 = "haven/audit/record-ref/v1\x00"

// RecordRefInput is the message a record reference is the HMAC of:
// the tag, then the kind and the id, each length-prefixed.
func RecordRefInput(kind, id string) []byte {
	b := make([]byte, 0, len(recordRefTagV1)+8+len(kind)+len(id))
	b = append(b, recordRefTagV1...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(kind)))
	b = append(b, kind...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(id)))
	b = append(b, id...)
	return b
}

// RecordRef returns the pseudonymous reference of a record: the hex
// HMAC-SHA256 of RecordRefInput under key. The same record always gets the
// same reference, so a caseworker can find who looked at it; without the
// key, which the vault keeps wrapped by the master key, a reference cannot
// be linked back to a record, even by guessing ids.
func RecordRef(key []byte, kind, id string) string {
	m := hmac.New(sha256.New, key)
	m.Write(RecordRefInput(kind, id))
	return hex.EncodeToString(m.Sum(nil))
}
