package screening_test

import (
	"fmt"

	"github.com/haven-nrm/haven/screening"
)

// A first responder screens a man recruited for farm work abroad. The
// catalogue is loaded once at start; ListFor picks the list for the form of
// exploitation and the age status; Evaluate returns a suggestion.
func ExampleEvaluate() {
	catalogue, err := screening.Load("en")
	if err != nil {
		panic(err)
	}
	list, err := catalogue.ListFor("forced_labour", screening.AgeAdult)
	if err != nil {
		panic(err)
	}
	result, err := screening.Evaluate(catalogue, screening.Answers{
		List: list.ID,
		Age:  screening.AgeAdult,
		Observations: map[string]screening.Observation{
			"al.dr.nature-of-job":    screening.Observed, // strong
			"al.dr.wages":            screening.Observed, // medium
			"al.ex.excessive-hours":  screening.Observed, // strong
			"al.ex.low-or-no-salary": screening.Observed, // medium
			"al.cd.documents":        screening.Observed, // strong
			"al.cd.threat-violence":  screening.Observed, // medium
			"al.cd.violence":         screening.NotObserved,
			"fl.excessive-overtime":  screening.Observed,
		},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(result.List.ID, result.CatalogueVersion)
	fmt.Println(result.Suggestion.Outcome)
	fmt.Println(result.Suggestion.Title)
	for _, d := range result.Dimensions {
		if d.Present {
			fmt.Println(d.Dimension, d.Clause, d.Observed)
		}
	}
	// Output:
	// adult-labour 2026.1
	// refer-for-reasonable-grounds
	// Indicators of trafficking present — refer for a reasonable-grounds decision
	// deceptive-recruitment strong-plus-other [al.dr.nature-of-job al.dr.wages]
	// exploitative-conditions strong-plus-other [al.ex.excessive-hours al.ex.low-or-no-salary]
	// coercion-at-destination strong-plus-other [al.cd.documents al.cd.threat-violence]
}
