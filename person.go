package haven

import (
	"strings"
	"unicode/utf8"
)

// Person holds what identifies a survivor: names, date of birth, identity
// document, contact details. Every field is encrypted at rest, bound to its
// record and field, and never leaves the care compartment (GR 38 §111).
type Person struct {
	ID             string `json:"id,omitempty"`
	GivenName      string `json:"given_name,omitempty"`
	FamilyName     string `json:"family_name,omitempty"`
	DateOfBirth    string `json:"date_of_birth,omitempty"`
	DocumentNumber string `json:"document_number,omitempty"`
	Contact        string `json:"contact,omitempty"`
}

// PersonFields names the encrypted fields of a person, in storage order.
var PersonFields = []string{"given_name", "family_name", "date_of_birth", "document_number", "contact"}

// Field returns the value of the named field.
func (p *Person) Field(name string) *string {
	switch name {
	case "given_name":
		return &p.GivenName
	case "family_name":
		return &p.FamilyName
	case "date_of_birth":
		return &p.DateOfBirth
	case "document_number":
		return &p.DocumentNumber
	case "contact":
		return &p.Contact
	}
	return nil
}

// IsEmpty tells whether no identifying field is set, as for a person who
// asked to stay anonymous.
func (p *Person) IsEmpty() bool {
	for _, f := range PersonFields {
		if *p.Field(f) != "" {
			return false
		}
	}
	return true
}

// Validate checks a person's fields. Reasons never repeat the value.
func (p *Person) Validate() error {
	var v Validation
	for _, f := range PersonFields {
		s := *p.Field(f)
		if !utf8.ValidString(s) {
			v.Add("person."+f, "must be valid UTF-8 text")
		} else if utf8.RuneCountInString(s) > 200 {
			v.Add("person."+f, "must be at most 200 characters")
		} else if strings.ContainsAny(s, "\x00\r\n") {
			v.Add("person."+f, "must be a single line of text")
		}
	}
	if p.DateOfBirth != "" {
		if _, err := ParseDate(p.DateOfBirth); err != nil {
			v.Add("person.date_of_birth", "must be a date YYYY-MM-DD")
		}
	}
	return v.Err()
}
