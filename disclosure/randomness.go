package disclosure

import (
	"bufio"
	cryptorand "crypto/rand"
	"encoding/binary"
	"io"
	"math/rand/v2"
)

// CryptoSource returns a source of randomness drawn from crypto/rand, for
// production releases: noise from a predictable generator could be
// subtracted by whoever predicts it. Like every rand.Source it is not safe
// for concurrent use; take one per release. Tests pass a seeded source such
// as rand.NewChaCha8 instead.
func CryptoSource() rand.Source {
	return &cryptoSource{r: bufio.NewReaderSize(cryptorand.Reader, 4096)}
}

type cryptoSource struct {
	r   *bufio.Reader
	buf [8]byte
}

func (s *cryptoSource) Uint64() uint64 {
	// crypto/rand does not fail on supported platforms; if it ever did,
	// carrying on with predictable noise would be worse than stopping.
	if _, err := io.ReadFull(s.r, s.buf[:]); err != nil {
		panic("disclosure: crypto/rand failed: " + err.Error())
	}
	return binary.LittleEndian.Uint64(s.buf[:])
}
