package stats

import (
	"encoding/json"
	"fmt"

	"github.com/haven-nrm/haven"
)

// ReleaseQuery is the canonical description of what a release asked,
// stored as the release's query (GR 38 §111: every release is recorded).
type ReleaseQuery struct {
	SDG    bool     `json:"sdg,omitempty"`
	By     []string `json:"by,omitempty"`
	Basis  string   `json:"basis"`
	From   string   `json:"from"`
	To     string   `json:"to"`
	Forms  string   `json:"forms,omitempty"`
	K      int      `json:"k"`
	Format string   `json:"format"`
	Noise  *Noise   `json:"noise,omitempty"`
}

// NewRelease returns the record of publishing pub through channel: the
// query, the protection and how many tables were withheld.
func NewRelease(channel string, q ReleaseQuery, pub *Publication) (*haven.Release, error) {
	text, err := json.Marshal(q)
	if err != nil {
		return nil, fmt.Errorf("statistics: release: %w", err)
	}
	r := &haven.Release{Channel: channel, Query: string(text), Tables: len(pub.Tables)}
	k := q.K
	var noisy []*Noise
	for _, t := range pub.Tables {
		k = t.K
		if t.Withheld {
			r.Withheld++
		}
		if t.Noise != nil {
			noisy = append(noisy, t.Noise)
		}
	}
	r.Protection = fmt.Sprintf("suppression k=%d, complementary cells audited by linear programming", k)
	if len(noisy) > 0 {
		r.Protection += fmt.Sprintf("; discrete Laplace noise, ε=%s per table on %d tables, charged to the budget of %q",
			noisy[0].Epsilon, len(noisy), noisy[0].Dataset)
	}
	return r, nil
}
