package disclosure

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func eps(t testing.TB, s string) Epsilon {
	t.Helper()
	e, err := ParseEpsilon(s)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestMemoryLedger(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	l := NewMemoryLedger()
	l.Now = func() time.Time { clock = clock.Add(time.Minute); return clock }
	if err := l.Open(ctx, "victims-2026", eps(t, "1")); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name    string
		charge  Charge
		wantErr error
	}{
		{"first release", Charge{Dataset: "victims-2026", Release: "by sex", Epsilon: eps(t, "0.3")}, nil},
		{"second release", Charge{Dataset: "victims-2026", Release: "by age", Epsilon: eps(t, "0.6")}, nil},
		{"one too many", Charge{Dataset: "victims-2026", Release: "by form", Epsilon: eps(t, "0.100001")}, ErrBudgetExceeded},
		{"exactly the rest", Charge{Dataset: "victims-2026", Release: "by form", Epsilon: eps(t, "0.1")}, nil},
		{"nothing left", Charge{Dataset: "victims-2026", Release: "again", Epsilon: 1}, ErrBudgetExceeded},
		{"unknown dataset", Charge{Dataset: "victims-2025", Release: "by sex", Epsilon: 1}, ErrUnknownDataset},
		{"no epsilon", Charge{Dataset: "victims-2026", Release: "free lunch"}, ErrInvalid},
		{"unnamed release", Charge{Dataset: "victims-2026", Epsilon: 1}, ErrInvalid},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			err := l.Charge(ctx, s.charge)
			if s.wantErr == nil && err != nil || s.wantErr != nil && !errors.Is(err, s.wantErr) {
				t.Fatalf("Charge = %v, want %v", err, s.wantErr)
			}
		})
	}
	b, err := l.Balance(ctx, "victims-2026")
	if err != nil {
		t.Fatal(err)
	}
	if b.Spent != b.Total || b.Remaining() != 0 {
		t.Fatalf("balance %+v, want fully spent", b)
	}
	charges, err := l.Charges(ctx, "victims-2026")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range charges {
		got = append(got, c.Release+" "+c.Epsilon.String()+" "+c.Time.Format("15:04"))
	}
	if diff := cmp.Diff([]string{"by sex 0.3 09:01", "by age 0.6 09:02", "by form 0.1 09:03"}, got); diff != "" {
		t.Fatalf("charges (-want +got):\n%s", diff)
	}
	if err := l.Open(ctx, "victims-2026", eps(t, "5")); !errors.Is(err, ErrBudgetExists) {
		t.Fatalf("reopening = %v, want ErrBudgetExists", err)
	}
	for _, bad := range []struct {
		dataset string
		total   Epsilon
	}{{"", 1}, {"x", 0}, {"x", -1}} {
		if err := l.Open(ctx, bad.dataset, bad.total); !errors.Is(err, ErrInvalid) {
			t.Errorf("Open(%q, %v) = %v, want ErrInvalid", bad.dataset, bad.total, err)
		}
	}
	if _, err := l.Balance(ctx, "nope"); !errors.Is(err, ErrUnknownDataset) {
		t.Errorf("Balance of unknown = %v", err)
	}
	if _, err := l.Charges(ctx, "nope"); !errors.Is(err, ErrUnknownDataset) {
		t.Errorf("Charges of unknown = %v", err)
	}
}

// TestMemoryLedgerConcurrentCharges races 50 releases of 0.1 against a
// budget of 1: exactly 10 may pass.
func TestMemoryLedgerConcurrentCharges(t *testing.T) {
	ctx := context.Background()
	l := NewMemoryLedger()
	if err := l.Open(ctx, "d", eps(t, "1")); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	passed, refused := 0, 0
	for range 50 {
		wg.Go(func() {
			err := l.Charge(ctx, Charge{Dataset: "d", Release: "r", Epsilon: eps(t, "0.1")})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				passed++
			case errors.Is(err, ErrBudgetExceeded):
				refused++
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if passed != 10 || refused != 40 {
		t.Fatalf("%d passed, %d refused; want 10 and 40", passed, refused)
	}
}
