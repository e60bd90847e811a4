// Package ledgertest checks that an implementation of disclosure.Ledger
// keeps its contract: budgets are never raised, a charge that does not fit
// is refused and records nothing, and concurrent charges cannot overspend.
// The in-memory ledger and the database ledger both run it.
package ledgertest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/haven-nrm/haven/disclosure"
)

// Run checks the ledger that open returns; each call must return a ledger
// with no dataset.
func Run(t *testing.T, open func(t *testing.T) disclosure.Ledger) {
	t.Run("budget", func(t *testing.T) { testBudget(t, open(t)) })
	t.Run("concurrent charges", func(t *testing.T) { testConcurrent(t, open(t)) })
}

func eps(t testing.TB, s string) disclosure.Epsilon {
	t.Helper()
	e, err := disclosure.ParseEpsilon(s)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func testBudget(t *testing.T, l disclosure.Ledger) {
	ctx := context.Background()
	if err := l.Open(ctx, "victims-2026", eps(t, "1")); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name    string
		charge  disclosure.Charge
		wantErr error
	}{
		{"first release", disclosure.Charge{Dataset: "victims-2026", Release: "by sex", Epsilon: eps(t, "0.3"), Mechanism: "m"}, nil},
		{"second release", disclosure.Charge{Dataset: "victims-2026", Release: "by age", Epsilon: eps(t, "0.6"), Mechanism: "m"}, nil},
		{"one too many", disclosure.Charge{Dataset: "victims-2026", Release: "by form", Epsilon: eps(t, "0.100001")}, disclosure.ErrBudgetExceeded},
		{"exactly the rest", disclosure.Charge{Dataset: "victims-2026", Release: "by form", Epsilon: eps(t, "0.1"), Mechanism: "m"}, nil},
		{"nothing left", disclosure.Charge{Dataset: "victims-2026", Release: "again", Epsilon: eps(t, "0.000001")}, disclosure.ErrBudgetExceeded},
		{"unknown dataset", disclosure.Charge{Dataset: "victims-2025", Release: "by sex", Epsilon: 1}, disclosure.ErrUnknownDataset},
		{"no epsilon", disclosure.Charge{Dataset: "victims-2026", Release: "free lunch"}, disclosure.ErrInvalid},
		{"negative epsilon", disclosure.Charge{Dataset: "victims-2026", Release: "refund", Epsilon: -1}, disclosure.ErrInvalid},
		{"unnamed release", disclosure.Charge{Dataset: "victims-2026", Epsilon: 1}, disclosure.ErrInvalid},
	}
	for _, s := range steps {
		err := l.Charge(ctx, s.charge)
		if s.wantErr == nil && err != nil || s.wantErr != nil && !errors.Is(err, s.wantErr) {
			t.Fatalf("%s: Charge = %v, want %v", s.name, err, s.wantErr)
		}
	}
	b, err := l.Balance(ctx, "victims-2026")
	if err != nil {
		t.Fatal(err)
	}
	if b.Total != eps(t, "1") || b.Spent != b.Total || b.Remaining() != 0 {
		t.Fatalf("balance %+v, want 1 fully spent", b)
	}
	charges, err := l.Charges(ctx, "victims-2026")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i, c := range charges {
		got = append(got, c.Release+" "+c.Epsilon.String())
		if c.Dataset != "victims-2026" || c.Time.IsZero() || i > 0 && c.Time.Before(charges[i-1].Time) {
			t.Errorf("charge %d = %+v: want the dataset and a time not before the previous one", i, c)
		}
	}
	if want := []string{"by sex 0.3", "by age 0.6", "by form 0.1"}; !slices.Equal(got, want) {
		t.Fatalf("charges = %q, want %q (refused charges must record nothing)", got, want)
	}
	if err := l.Open(ctx, "victims-2026", eps(t, "5")); !errors.Is(err, disclosure.ErrBudgetExists) {
		t.Fatalf("reopening = %v, want ErrBudgetExists", err)
	}
	if b, _ := l.Balance(ctx, "victims-2026"); b.Total != eps(t, "1") {
		t.Fatalf("reopening changed the total to %v", b.Total)
	}
	for _, bad := range []struct {
		dataset string
		total   disclosure.Epsilon
	}{{"", 1}, {"x", 0}, {"x", -1}, {"x", disclosure.MaxEpsilon + 1}} {
		if err := l.Open(ctx, bad.dataset, bad.total); !errors.Is(err, disclosure.ErrInvalid) {
			t.Errorf("Open(%q, %v) = %v, want ErrInvalid", bad.dataset, bad.total, err)
		}
	}
	if _, err := l.Balance(ctx, "nope"); !errors.Is(err, disclosure.ErrUnknownDataset) {
		t.Errorf("Balance of unknown = %v", err)
	}
	if _, err := l.Charges(ctx, "nope"); !errors.Is(err, disclosure.ErrUnknownDataset) {
		t.Errorf("Charges of unknown = %v", err)
	}
}

// testConcurrent races 30 releases of 0.1 against a budget of 1: exactly
// 10 may pass.
func testConcurrent(t *testing.T, l disclosure.Ledger) {
	ctx := context.Background()
	if err := l.Open(ctx, "d", eps(t, "1")); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	passed, refused := 0, 0
	for range 30 {
		wg.Go(func() {
			err := l.Charge(ctx, disclosure.Charge{Dataset: "d", Release: "r", Epsilon: eps(t, "0.1"), Mechanism: "m"})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				passed++
			case errors.Is(err, disclosure.ErrBudgetExceeded):
				refused++
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if passed != 10 || refused != 20 {
		t.Fatalf("%d passed, %d refused; want 10 and 20", passed, refused)
	}
	charges, err := l.Charges(ctx, "d")
	if err != nil {
		t.Fatal(err)
	}
	if len(charges) != 10 {
		t.Fatalf("%d charges recorded, want 10", len(charges))
	}
}
