package haven

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"
)

// IdentityQuery asks for the cases of a person known by name, date of birth
// or document number: the exact-match search a first responder runs before
// registering someone, so one survivor does not become two cases. Any
// subset of the fields may be given, at least one; all given fields must
// match. Values are compared in their normalised form (NormalizeIdentity),
// so "José  Pérez-Díaz" finds "jose perez diaz".
type IdentityQuery struct {
	GivenName      string `json:"given_name,omitempty"`
	FamilyName     string `json:"family_name,omitempty"`
	DateOfBirth    string `json:"date_of_birth,omitempty"`
	DocumentNumber string `json:"document_number,omitempty"`
}

// IndexedPersonFields names the person fields that can be searched, in
// storage order. Each has a blind index: a keyed hash of its normalised
// value, so the database can find equal values without holding them.
// Contact details are not indexed: nobody needs to look a survivor up by
// them, and every index reveals which rows share a value.
var IndexedPersonFields = []string{"given_name", "family_name", "date_of_birth", "document_number"}

// MaxIdentityMatches bounds how many cases one identity search returns. A
// query that matches more (a common given name alone) must be narrowed:
// every candidate is decrypted to be checked.
const MaxIdentityMatches = 100

// IndexCompartment names the keyset that computes the blind indexes of
// compartment c's identifying fields. It is separate from c's encryption
// keyset: a PRF key, not an AEAD key, rotated along with it.
func IndexCompartment(c Compartment) Compartment { return c + "-index" }

// Field returns the query's value of one of IndexedPersonFields.
func (q *IdentityQuery) Field(name string) string {
	switch name {
	case "given_name":
		return q.GivenName
	case "family_name":
		return q.FamilyName
	case "date_of_birth":
		return q.DateOfBirth
	case "document_number":
		return q.DocumentNumber
	}
	return ""
}

// Validate checks a query: at least one field, each searchable once
// normalised. Reasons never repeat the value.
func (q *IdentityQuery) Validate() error {
	var v Validation
	given := 0
	for _, f := range IndexedPersonFields {
		s := q.Field(f)
		switch {
		case s == "":
			continue
		case !utf8.ValidString(s):
			v.Add(f, "must be valid UTF-8 text")
		case utf8.RuneCountInString(s) > 200:
			v.Add(f, "must be at most 200 characters")
		case f == "date_of_birth":
			if _, err := ParseDate(strings.TrimSpace(s)); err != nil {
				v.Add(f, "must be a date YYYY-MM-DD")
			}
		case NormalizeIdentity(f, s) == "":
			v.Add(f, "must contain letters or digits")
		}
		given++
	}
	if given == 0 {
		v.Add("query", "give at least one of given_name, family_name, date_of_birth, document_number")
	}
	return v.Err()
}

// NormalizeIdentity returns the form in which a value of one of
// IndexedPersonFields is compared and hashed into its blind index. Two
// spellings a caseworker would call the same person give the same form:
//
//   - names: Unicode NFKC (full-width and ligature forms become plain
//     letters), full case folding ("ß" = "ss"), accents removed from Latin,
//     Greek and Cyrillic letters and vowel points from Arabic and Hebrew
//     (often dropped by keyboards, forms and transliteration: "José" =
//     "Jose"), a few letters without a decomposition mapped to their base
//     ("ø" = "o", "ł" = "l"), apostrophes removed ("O'Brien" = "OBrien"),
//     other punctuation read as a space ("Jean-Pierre" = "Jean Pierre"),
//     spaces trimmed and collapsed. Marks of other scripts are kept: in
//     Devanagari or Thai they are vowels, and removing them would merge
//     different names;
//   - date of birth: YYYY-MM-DD;
//   - document number: NFKC, upper case, without spaces or dashes
//     ("ab-123 456" = "AB123456").
//
// Anything looser (phonetic matching, swapped name order) would need
// candidates to be reviewed by a person, not an exact-match index.
func NormalizeIdentity(field, value string) string {
	switch field {
	case "date_of_birth":
		s := strings.TrimSpace(value)
		if d, err := ParseDate(s); err == nil {
			return d.String()
		}
		return s
	case "document_number":
		s := norm.NFKC.String(value)
		s = strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) || unicode.Is(unicode.Pd, r) || r == '\u2212' {
				return -1
			}
			return r
		}, s)
		return cases.Upper(language.Und).String(s)
	default:
		return normalizeName(value)
	}
}

// foldedLetters maps the lower-case Latin letters that have no Unicode
// decomposition to the base letters people write instead.
var foldedLetters = map[rune]string{
	'ø': "o", 'ł': "l", 'đ': "d", 'ħ': "h", 'ı': "i", 'ŧ': "t", 'æ': "ae", 'œ': "oe",
}

var nameFolder = cases.Fold()

func normalizeName(value string) string {
	s := nameFolder.String(norm.NFKC.String(value))
	var b strings.Builder
	b.Grow(len(s))
	accented := false // the last base letter takes removable marks
	space := false    // a space is pending before the next letter
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			if accented {
				continue
			}
		case r == '\'' || r == '’' || r == 'ʼ' || r == '`' || r == '´':
			continue
		case unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsControl(r):
			space = b.Len() > 0
			continue
		default:
			accented = unicode.In(r, unicode.Latin, unicode.Greek, unicode.Cyrillic, unicode.Arabic, unicode.Hebrew)
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		if f, ok := foldedLetters[r]; ok {
			b.WriteString(f)
		} else {
			b.WriteRune(r)
		}
	}
	return norm.NFC.String(b.String())
}
