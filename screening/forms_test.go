package screening_test

import (
	"slices"
	"testing"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/screening"
)

// TestFormsAreDomainCodes keeps the catalogue's forms of exploitation the
// same codes a case records, so a screening's form can be stored on a case.
func TestFormsAreDomainCodes(t *testing.T) {
	c, err := screening.Load("")
	if err != nil {
		t.Fatal(err)
	}
	codes := haven.Vocab.FormCodes()
	for _, f := range c.Forms {
		if !slices.Contains(codes, string(f.ID)) {
			t.Errorf("screening form %q is not a form code of vocabulary.yaml", f.ID)
		}
	}
}
