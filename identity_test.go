package haven_test

import (
	"testing"

	"github.com/haven-nrm/haven"
)

func TestNormalizeIdentitySameForm(t *testing.T) {
	for _, tc := range []struct {
		field    string
		spelling []string
		want     string
	}{
		{"given_name", []string{"José", "JOSE", "  jose ", "Jose\u0301", "ＪＯＳＥ"}, "jose"},
		{"family_name", []string{"Pérez-Díaz", "perez diaz", "PEREZ   DIAZ", "Pérez–Díaz", "perez.diaz"}, "perez diaz"},
		{"family_name", []string{"O'Brien", "O’Brien", "obrien"}, "obrien"},
		{"family_name", []string{"Straße", "STRASSE", "strasse"}, "strasse"},
		{"family_name", []string{"Øre-Łukasz", "ore lukasz"}, "ore lukasz"},
		{"given_name", []string{"Ἀλέξανδρος", "αλεξανδροσ"}, "αλεξανδροσ"},
		{"given_name", []string{"Алёна", "АЛЕНА"}, "алена"},
		{"given_name", []string{"مُحَمَّد", "محمد"}, "محمد"},
		{"date_of_birth", []string{"2002-01-31", " 2002-01-31 "}, "2002-01-31"},
		{"document_number", []string{"ab-123 456", "AB123456", "ＡＢ１２３４５６", "AB–123–456"}, "AB123456"},
	} {
		for _, s := range tc.spelling {
			if got := haven.NormalizeIdentity(tc.field, s); got != tc.want {
				t.Errorf("NormalizeIdentity(%s, %q) = %q, want %q", tc.field, s, got, tc.want)
			}
		}
	}
}

func TestNormalizeIdentityKeepsDifferences(t *testing.T) {
	for _, tc := range []struct{ field, a, b string }{
		{"given_name", "Maria", "Mario"},
		{"given_name", "Jean Pierre", "Jeanpierre"},
		// Devanagari vowel signs are letters of the name, not accents.
		{"given_name", "किरण", "करण"},
		{"document_number", "AB123456", "AB123465"},
		{"document_number", "AB/123", "AB123"},
		{"date_of_birth", "2002-01-31", "2002-01-13"},
	} {
		if haven.NormalizeIdentity(tc.field, tc.a) == haven.NormalizeIdentity(tc.field, tc.b) {
			t.Errorf("%s: %q and %q normalise the same", tc.field, tc.a, tc.b)
		}
	}
}

func TestIdentityQueryValidate(t *testing.T) {
	for name, tc := range map[string]struct {
		q     haven.IdentityQuery
		field string // "" when valid
	}{
		"one field":        {haven.IdentityQuery{FamilyName: "Okafor"}, ""},
		"all fields":       {haven.IdentityQuery{GivenName: "A", FamilyName: "B", DateOfBirth: "2000-02-29", DocumentNumber: "X1"}, ""},
		"nothing":          {haven.IdentityQuery{}, "query"},
		"bad date":         {haven.IdentityQuery{DateOfBirth: "31/01/2002"}, "date_of_birth"},
		"only punctuation": {haven.IdentityQuery{GivenName: " - . "}, "given_name"},
		"not UTF-8":        {haven.IdentityQuery{FamilyName: "\xff"}, "family_name"},
	} {
		err := tc.q.Validate()
		if tc.field == "" {
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
			continue
		}
		fields := haven.ErrorFields(err)
		if haven.ErrorCode(err) != haven.EINVALID || len(fields) != 1 || fields[0].Field != tc.field {
			t.Errorf("%s: error %v, want invalid %s", name, err, tc.field)
		}
	}
}
