package disclosure

import (
	"context"
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

// TestMemoryLedgerStampsCharges checks the one thing the contract test
// (ledger_contract_test.go, disclosure/ledgertest) leaves to each ledger:
// charges carry the time of the ledger's clock.
func TestMemoryLedgerStampsCharges(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	l := NewMemoryLedger()
	l.Now = func() time.Time { clock = clock.Add(time.Minute); return clock }
	if err := l.Open(ctx, "victims-2026", eps(t, "1")); err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"by sex", "by age"} {
		if err := l.Charge(ctx, Charge{Dataset: "victims-2026", Release: rel, Epsilon: eps(t, "0.3")}); err != nil {
			t.Fatal(err)
		}
	}
	charges, err := l.Charges(ctx, "victims-2026")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range charges {
		got = append(got, c.Release+" "+c.Time.Format("15:04"))
	}
	if diff := cmp.Diff([]string{"by sex 09:01", "by age 09:02"}, got); diff != "" {
		t.Fatalf("charges (-want +got):\n%s", diff)
	}
}
