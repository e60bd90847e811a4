package estimate_test

import (
	"fmt"
	"log"
	"strings"

	"github.com/haven-nrm/haven/estimate"
)

// Two organisations: the NGO identified 80 victims, the police 60, and 20
// were identified by both. The NGO found 20 of the police's 60, a third; if
// the two find victims independently, the NGO's 80 are a third of all
// victims, about 240, of whom 120 neither found (Lincoln–Petersen).
func Example() {
	const data = `"NGO","Police","n"
1,0,60
0,1,40
1,1,20
`
	t, err := estimate.ReadCSV(strings.NewReader(data))
	if err != nil {
		log.Fatal(err)
	}
	r, err := estimate.Estimate(t, estimate.Options{Method: estimate.Main})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("observed %d, estimated %.0f (95%% interval %.1f to %.1f), %s\n",
		r.Observed, r.Estimate, r.Lower, r.Upper, r.Model)
	// Output:
	// observed 120, estimated 240 (95% interval 186.3 to 337.2), main effects
}

// Haven builds tables from its case records: for each identified person,
// the organisations that encountered them.
func ExampleFromPersons() {
	t, err := estimate.FromPersons(
		[]string{"NGO", "Police", "Labour inspectorate"},
		[][]string{{"NGO"}, {"Police", "NGO"}, {"Labour inspectorate"}, {"NGO"}, {"Police"}},
	)
	if err != nil {
		log.Fatal(err)
	}
	for _, row := range t.Rows() {
		fmt.Println(row.On, row.Count)
	}
	// Output:
	// [true false false] 2
	// [true true false] 1
	// [false false true] 1
	// [false true false] 1
}
