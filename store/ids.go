package store

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"

	"github.com/google/uuid"
)

// newID returns a time-ordered UUIDv7, so that ordering by id is ordering
// by creation and keyset pagination stays stable.
func newID() string {
	return uuid.Must(uuid.NewV7()).String()
}

// newSecret returns a random URL-safe token of n bytes of entropy.
func newSecret(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashSecret is what the database keeps of a session or API token: a
// high-entropy secret needs no slow hash, only one that cannot be reversed.
func hashSecret(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// Crockford's base32 without look-alike letters, for references people read
// aloud on the phone.
const referenceAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// newReference returns a case reference such as "HV-7K3M-9QXD". It is random,
// so it reveals neither how many cases there are nor when one was opened.
func newReference() string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	out := []byte("HV-0000-0000")
	pos := []int{3, 4, 5, 6, 8, 9, 10, 11}
	for i, p := range pos {
		out[p] = referenceAlphabet[int(b[i])%len(referenceAlphabet)]
	}
	return string(out)
}
