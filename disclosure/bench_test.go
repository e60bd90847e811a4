package disclosure

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchCases are tables shaped like Haven's largest publications:
// nationality (200) × form of exploitation (20) × age band (13), and its
// margins, at a small, a national and a global number of persons.
var benchCases = []struct {
	sizes   []int
	persons float64
}{
	{[]int{200}, 5_000},
	{[]int{200, 20}, 5_000},
	{[]int{200, 20}, 50_000},
	{[]int{200, 20, 13}, 5_000},
	{[]int{200, 20, 13}, 50_000},
	{[]int{200, 20, 13}, 500_000},
}

func benchName(sizes []int, persons float64) string {
	return fmt.Sprintf("%v/%.0f", sizes, persons)
}

// BenchmarkProtect measures primary and secondary suppression with the
// verification of every certificate (the LP cross-check is off; see
// BenchmarkAudit).
func BenchmarkProtect(b *testing.B) {
	for _, bc := range benchCases {
		b.Run(benchName(bc.sizes, bc.persons), func(b *testing.B) {
			tab := realisticTable(b, rand.New(rand.NewPCG(1, 2)), bc.sizes, bc.persons)
			var s Summary
			for b.Loop() {
				r, err := Protect(context.Background(), tab, Options{LPAuditLimit: -1})
				if err != nil {
					b.Fatal(err)
				}
				s = r.Summary()
			}
			b.ReportMetric(float64(s.Primary), "primary")
			b.ReportMetric(float64(s.Secondary), "secondary")
			b.ReportMetric(float64(s.SuppressedInner), "suppressed-inner")
		})
	}
}

// BenchmarkProtectDense measures the hardest case for the search: every
// cell small or empty (counts uniform in 0..15), so that most cells are
// primary and almost every hypercube is a candidate.
func BenchmarkProtectDense(b *testing.B) {
	tab := mustTable(b, []int{200, 20, 13}, nil)
	rng := rand.New(rand.NewPCG(3, 3))
	for i := range tab.counts {
		tab.counts[i] = rng.Int64N(16)
	}
	var s Summary
	for b.Loop() {
		r, err := Protect(context.Background(), tab, Options{LPAuditLimit: -1})
		if err != nil {
			b.Fatal(err)
		}
		s = r.Summary()
	}
	b.ReportMetric(float64(s.Primary), "primary")
	b.ReportMetric(float64(s.Secondary), "secondary")
	b.ReportMetric(float64(s.SuppressedInner), "suppressed-inner")
}

// BenchmarkAudit measures the linear-programming attack on a protected
// release.
func BenchmarkAudit(b *testing.B) {
	for _, bc := range benchCases {
		b.Run(benchName(bc.sizes, bc.persons), func(b *testing.B) {
			tab := realisticTable(b, rand.New(rand.NewPCG(1, 2)), bc.sizes, bc.persons)
			r, err := Protect(context.Background(), tab, Options{LPAuditLimit: -1})
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				rep, err := Audit(context.Background(), r)
				if err != nil {
					b.Fatal(err)
				}
				if bad := rep.Unprotected(); len(bad) > 0 {
					b.Fatalf("%d cells unprotected", len(bad))
				}
			}
			b.ReportMetric(float64(r.Summary().SuppressedInner), "suppressed-inner")
		})
	}
}

// BenchmarkPrivatize measures the noise for the largest table, with the
// production source.
func BenchmarkPrivatize(b *testing.B) {
	tab := realisticTable(b, rand.New(rand.NewPCG(1, 2)), []int{200, 20, 13}, 50_000)
	for _, src := range []struct {
		name string
		new  func() rand.Source
	}{
		{"crypto", CryptoSource},
		{"chacha8", func() rand.Source { return rand.NewChaCha8([32]byte{}) }},
	} {
		b.Run(src.name, func(b *testing.B) {
			for b.Loop() {
				l := NewMemoryLedger()
				if err := l.Open(context.Background(), "d", 1_000_000); err != nil {
					b.Fatal(err)
				}
				if _, err := Privatize(context.Background(), l, "d", "r", tab, NoiseOptions{Epsilon: 1_000_000}, src.new()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
