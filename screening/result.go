package screening

// SuggestedOutcome is what the screening suggests the first responder does
// next. It is never an identification decision: that belongs to the competent
// multidisciplinary body (GR 38 §78).
type SuggestedOutcome string

// The suggested outcomes.
const (
	// SuggestReferral: the combination rule is met; suggest referring the
	// person, with her consent, for a reasonable-grounds decision.
	SuggestReferral SuggestedOutcome = "refer-for-reasonable-grounds"
	// SuggestContinueAssessment: the rule is not met, but a dimension is
	// present or a strong indicator was observed; the picture is incomplete.
	SuggestContinueAssessment SuggestedOutcome = "continue-assessment"
	// SuggestInsufficientIndicators: too little was observed to suggest
	// trafficking now, which is not a finding that the person is not a victim.
	SuggestInsufficientIndicators SuggestedOutcome = "insufficient-indicators"
)

// Result is the outcome of one screening: every indicator, every dimension and
// element with why it is or is not present, and a Suggestion. It records the
// catalogue version, date and digest it was computed with, so a record can be
// read again after the catalogue changes.
type Result struct {
	CatalogueVersion string      `json:"catalogue_version"`
	CatalogueDate    string      `json:"catalogue_date"`
	CatalogueDigest  string      `json:"catalogue_digest"`
	Language         string      `json:"language"`
	List             ListSummary `json:"list"`
	Age              AgeStatus   `json:"age"`
	// TreatedAsChild is true for a child and, by the presumption of
	// childhood, for unknown or disputed age.
	TreatedAsChild bool                 `json:"treated_as_child"`
	Indicators     []IndicatorResult    `json:"indicators"`
	Dimensions     []DimensionResult    `json:"dimensions"`
	Elements       []ElementResult      `json:"elements"`
	Suggestion     Suggestion           `json:"suggestion"`
	ForcedLabour   []ForcedLabourResult `json:"forced_labour"`
	// Disclaimer says, in the result's language, that this is a suggestion.
	Disclaimer string `json:"disclaimer"`
}

// ListSummary identifies the list a screening used.
type ListSummary struct {
	ID             string   `json:"id"`
	Title          string   `json:"title"`
	AgeGroup       AgeGroup `json:"age_group"`
	Source         string   `json:"source"`
	HavenExtension bool     `json:"haven_extension"`
}

// IndicatorResult is one indicator of the list and what was recorded for it.
type IndicatorResult struct {
	ID          string      `json:"id"`
	Dimension   Dimension   `json:"dimension"`
	Grade       Grade       `json:"grade"`
	Label       string      `json:"label"`
	Source      string      `json:"source"`
	Observation Observation `json:"observation"`
	// Observed is true when the indicator counts towards its dimension.
	Observed bool `json:"observed"`
}

// DimensionResult says whether a dimension is present and why.
type DimensionResult struct {
	Dimension Dimension `json:"dimension"`
	Name      string    `json:"name"`
	Element   Element   `json:"element"`
	Present   bool      `json:"present"`
	// Clause is the clause of the rule that was met; empty when absent.
	Clause Clause `json:"clause,omitempty"`
	Counts Counts `json:"counts"`
	// Observed lists the ids of the observed indicators of the dimension.
	Observed []string `json:"observed"`
	Reason   string   `json:"reason"`
}

// ElementResult says whether an element of the combination rule is present,
// through which dimensions, and whether the rule requires it for this person.
type ElementResult struct {
	Element    Element     `json:"element"`
	Required   bool        `json:"required"`
	Present    bool        `json:"present"`
	Dimensions []Dimension `json:"dimensions"`
	Reason     Reason      `json:"reason"`
}

// Suggestion is the suggested next step and its reasons. Cautions are limits
// of this screening the reader must weigh, such as a list written for another
// age group or a list that is Haven's own extension.
type Suggestion struct {
	Outcome  SuggestedOutcome `json:"outcome"`
	Title    string           `json:"title"`
	Text     string           `json:"text"`
	Reasons  []Reason         `json:"reasons"`
	Cautions []Reason         `json:"cautions"`
}

// Reason is one sentence of a suggestion. Code is stable across languages (it
// is the message key), Text is in the result's language.
type Reason struct {
	Code string `json:"code"`
	Text string `json:"text"`
}

// ForcedLabourResult reports one of the ILO's eleven indicators of forced
// labour: whether it was observed when asked directly, and which observed list
// indicators are evidence of it.
type ForcedLabourResult struct {
	ID          string      `json:"id"`
	Label       string      `json:"label"`
	Observation Observation `json:"observation"`
	Observed    bool        `json:"observed"`
	SuggestedBy []string    `json:"suggested_by"`
}
