package vault

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tink-crypto/tink-go/v2/aead/subtle"

	"github.com/haven-nrm/haven"
)

// memKeysets is an in-memory KeysetStore that counts loads.
type memKeysets struct {
	mu    sync.Mutex
	rows  map[haven.Compartment][]byte
	loads int
}

func (m *memKeysets) LoadKeyset(_ context.Context, c haven.Compartment) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.loads++
	w, ok := m.rows[c]
	if !ok {
		return nil, haven.Errorf(haven.ENOTFOUND, "Not found.")
	}
	return w, nil
}

func (m *memKeysets) CreateKeyset(_ context.Context, c haven.Compartment, wrapped []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.rows[c]; ok {
		return haven.Errorf(haven.ECONFLICT, "It already exists.")
	}
	m.rows[c] = wrapped
	return nil
}

func (m *memKeysets) UpdateKeyset(_ context.Context, c haven.Compartment, previous, wrapped []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !bytes.Equal(m.rows[c], previous) {
		return haven.Errorf(haven.ECONFLICT, "changed")
	}
	m.rows[c] = wrapped
	return nil
}

func TestCachedKeysetIsReadAgainAfterRefreshInterval(t *testing.T) {
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	clock = func() time.Time { return now }
	t.Cleanup(func() { clock = time.Now })

	master, err := subtle.NewAESGCM(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ks := &memKeysets{rows: map[haven.Compartment][]byte{}}
	rotator, server := New(ks, master), New(ks, master)
	ref := haven.FieldRef{Table: "t", RecordID: "1", Field: "f"}
	sealedKey := func() uint32 {
		t.Helper()
		ct, err := server.Seal(ctx, haven.CompartmentCare, ref, []byte("x"))
		if err != nil {
			t.Fatal(err)
		}
		id, _ := KeyID(ct)
		return id
	}
	oldID := sealedKey()
	newID, err := rotator.AddPrimaryKey(ctx, haven.CompartmentCare)
	if err != nil {
		t.Fatal(err)
	}

	loads := ks.loads
	now = now.Add(KeysetRefreshInterval - time.Second)
	if got := sealedKey(); got != oldID || ks.loads != loads {
		t.Fatalf("within the interval: sealed with %d after %d loads, want the cached %d without a load", got, ks.loads-loads, oldID)
	}
	now = now.Add(2 * time.Second)
	if got := sealedKey(); got != newID {
		t.Fatalf("after the interval: sealed with %d, want the new primary %d", got, newID)
	}
}
