package disclosure

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// countingSource counts the random numbers drawn, to prove that a refused
// release draws no noise.
type countingSource struct {
	rand.Source
	n int
}

func (c *countingSource) Uint64() uint64 { c.n++; return c.Source.Uint64() }

func TestPrivatize(t *testing.T) {
	ctx := context.Background()
	tab := mustTable(t, []int{3, 2}, []int64{40, 3, 0, 25, 60, 12})
	l := NewMemoryLedger()
	if err := l.Open(ctx, "victims-2026", eps(t, "1")); err != nil {
		t.Fatal(err)
	}
	src := &countingSource{Source: rand.NewChaCha8([32]byte{1})}
	noisy, err := Privatize(ctx, l, "victims-2026", "by nationality and sex", tab, NoiseOptions{Epsilon: eps(t, "0.6")}, src)
	if err != nil {
		t.Fatal(err)
	}
	if src.n == 0 || slices.Equal(noisy.counts, tab.counts) || slices.Min(noisy.counts) < 0 {
		t.Fatalf("noisy counts %v from %v after %d draws", noisy.counts, tab.counts, src.n)
	}
	charges, _ := l.Charges(ctx, "victims-2026")
	if len(charges) != 1 || charges[0].Epsilon != eps(t, "0.6") || !strings.Contains(charges[0].Mechanism, "discrete Laplace") {
		t.Fatalf("charges %+v", charges)
	}

	// The second release needs more than is left: refused before any noise.
	drawn := src.n
	_, err = Privatize(ctx, l, "victims-2026", "by age", tab, NoiseOptions{Epsilon: eps(t, "0.5")}, src)
	if !errors.Is(err, ErrBudgetExceeded) {
		t.Fatalf("over budget: %v, want ErrBudgetExceeded", err)
	}
	if src.n != drawn {
		t.Fatalf("refused release drew %d random numbers", src.n-drawn)
	}
	if b, _ := l.Balance(ctx, "victims-2026"); b.Spent != eps(t, "0.6") {
		t.Fatalf("refused release spent budget: %+v", b)
	}

	bad := []struct {
		name string
		run  func() error
	}{
		{"no ledger", func() error {
			_, err := Privatize(ctx, nil, "victims-2026", "x", tab, NoiseOptions{Epsilon: 1}, src)
			return err
		}},
		{"no source", func() error {
			_, err := Privatize(ctx, l, "victims-2026", "x", tab, NoiseOptions{Epsilon: 1}, nil)
			return err
		}},
		{"no epsilon", func() error {
			_, err := Privatize(ctx, l, "victims-2026", "x", tab, NoiseOptions{}, src)
			return err
		}},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			if err := b.run(); !errors.Is(err, ErrInvalid) {
				t.Fatalf("got %v, want ErrInvalid", err)
			}
		})
	}
	if charges, _ := l.Charges(ctx, "victims-2026"); len(charges) != 1 {
		t.Fatalf("invalid requests were charged: %+v", charges)
	}
}

func TestPrivatizeIsReproducibleWithASeed(t *testing.T) {
	ctx := context.Background()
	tab := realisticTable(t, rand.New(rand.NewPCG(2, 2)), []int{10, 4}, 500)
	var runs [][]int64
	for range 2 {
		l := NewMemoryLedger()
		if err := l.Open(ctx, "d", eps(t, "1")); err != nil {
			t.Fatal(err)
		}
		noisy, err := Privatize(ctx, l, "d", "r", tab, NoiseOptions{Epsilon: eps(t, "1")}, rand.NewChaCha8([32]byte{5}))
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, noisy.counts)
	}
	if !slices.Equal(runs[0], runs[1]) {
		t.Fatal("same seed, different noise")
	}
}
