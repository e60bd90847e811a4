package disclosure_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/haven-nrm/haven/disclosure"
)

func ExampleProtect() {
	tab, err := disclosure.NewTable(
		disclosure.Dimension{Name: "sex", Categories: []string{"female", "male"}},
		disclosure.Dimension{Name: "form", Categories: []string{"sexual", "labour", "marriage"}},
	)
	if err != nil {
		panic(err)
	}
	for _, c := range []struct {
		sex, form string
		n         int64
	}{
		{"female", "sexual", 42}, {"female", "labour", 17}, {"female", "marriage", 3},
		{"male", "sexual", 12}, {"male", "labour", 55},
	} {
		if err := tab.Add(c.n, c.sex, c.form); err != nil {
			panic(err)
		}
	}
	r, err := disclosure.Protect(context.Background(), tab, disclosure.Options{})
	if errors.Is(err, disclosure.ErrAllSuppressed) {
		fmt.Println("table withheld to protect the persons in it")
		return
	}
	if err != nil {
		panic(err)
	}
	for _, sex := range []int{0, 1, disclosure.Total} {
		for _, form := range []int{0, 1, 2, disclosure.Total} {
			c, _ := r.Cell(sex, form)
			fmt.Printf("%5s", c)
		}
		fmt.Println()
	}
	// The 3 women in forced marriage are hidden with their column total,
	// and the 17 and 72 hide them in turn: an attacker only learns that
	// the marriage cell holds between 1 and 19 persons.

	// Output:
	//    42    C    C   62
	//    12   55    0   67
	//    54    C    C  129
}

func ExamplePrivatize() {
	tab, _ := disclosure.NewTable(disclosure.Dimension{Name: "age", Categories: []string{"0-17", "18+"}})
	_ = tab.Add(140, "0-17")
	_ = tab.Add(610, "18+")

	ctx := context.Background()
	ledger := disclosure.NewMemoryLedger()
	budget, _ := disclosure.ParseEpsilon("1")
	_ = ledger.Open(ctx, "victims-2026", budget)

	spend, _ := disclosure.ParseEpsilon("0.6")
	opts := disclosure.NoiseOptions{Epsilon: spend}
	// Production passes disclosure.CryptoSource(); a seed makes the
	// example reproducible.
	src := rand.NewChaCha8([32]byte{})
	if _, err := disclosure.Privatize(ctx, ledger, "victims-2026", "by age, 2026", tab, opts, src); err != nil {
		panic(err)
	}
	_, err := disclosure.Privatize(ctx, ledger, "victims-2026", "by age, 2026, again", tab, opts, src)
	fmt.Println(errors.Is(err, disclosure.ErrBudgetExceeded))
	b, _ := ledger.Balance(ctx, "victims-2026")
	fmt.Println("spent", b.Spent, "of", b.Total)
	// Output:
	// true
	// spent 0.6 of 1
}
