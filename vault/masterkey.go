package vault

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tink-crypto/tink-go/v2/aead/subtle"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// masterKeySize is the length of the AES-256-GCM master key.
const masterKeySize = 32

// LoadMasterKeyFile reads a master key file: 32 random bytes, base64, one
// line. The key wraps the compartment keysets; it never enters the database.
func LoadMasterKeyFile(path string) (tink.AEAD, error) {
	if path == "" {
		return nil, errors.New("no master key file given (--master-key-file or HAVEN_MASTER_KEY_FILE; create one with 'haven keys init')")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("master key file %s does not exist (create one with 'haven keys init --master-key-file %s')", path, path)
		}
		return nil, fmt.Errorf("read master key file: %w", err)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(data)))
	if err != nil || len(key) != masterKeySize {
		return nil, fmt.Errorf("master key file %s is not a base64-encoded %d-byte key", path, masterKeySize)
	}
	return subtle.NewAESGCM(key)
}

// CreateMasterKeyFile writes a new random master key to path, readable by
// its owner only. It refuses to overwrite an existing file: losing the old
// key would lose every record it protects.
func CreateMasterKeyFile(path string) error {
	key := make([]byte, masterKeySize)
	if _, err := io.ReadFull(rand.Reader, key); err != nil {
		return fmt.Errorf("create master key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("master key file %s already exists; refusing to overwrite it", path)
		}
		return fmt.Errorf("create master key file: %w", err)
	}
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("write master key file: %w", err)
	}
	return f.Close()
}
