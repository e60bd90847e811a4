package screening

import (
	"regexp"
	"slices"
	"strings"
)

// messagePlaceholders lists every message the engine writes into a result and
// the placeholders its text must hold. The texts themselves are catalogue
// data (messages.yaml and the translations), so that a result reads in the
// worker's language; the keys are also the reason codes of a Result.
var messagePlaceholders = map[string][]string{
	"disclaimer": nil,

	"outcome.refer-for-reasonable-grounds.title": nil,
	"outcome.refer-for-reasonable-grounds.text":  nil,
	"outcome.continue-assessment.title":          nil,
	"outcome.continue-assessment.text":           nil,
	"outcome.insufficient-indicators.title":      nil,
	"outcome.insufficient-indicators.text":       nil,

	"clause.two-strong":          nil,
	"clause.strong-plus-other":   nil,
	"clause.three-medium":        nil,
	"clause.two-medium-one-weak": nil,
	"counts":                     {"strong", "medium", "weak"},
	"dimension.present":          {"dimension", "counts", "clause"},
	"dimension.absent":           {"dimension", "counts"},

	"element.recruitment.present":               {"dimensions"},
	"element.recruitment.absent":                nil,
	"element.exploitation.present":              nil,
	"element.exploitation.absent":               nil,
	"element.means-at-destination.present":      {"dimensions"},
	"element.means-at-destination.absent":       nil,
	"element.means-at-destination.not-required": nil,

	"age.adult":    nil,
	"age.child":    nil,
	"age.unknown":  nil,
	"age.disputed": nil,

	"child-protection":                 nil,
	"exploitation-without-trafficking": nil,
	"not-asked":                        {"count"},

	"caution.adult-list-for-child": {"list"},
	"caution.child-list-for-adult": {"list"},
	"caution.haven-extension":      {"list"},
}

// messageKeys returns the message keys in a stable order.
func messageKeys() []string {
	keys := make([]string, 0, len(messagePlaceholders))
	for k := range messagePlaceholders {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

var placeholderPattern = regexp.MustCompile(`\{([a-z-]+)\}`)

// placeholders returns the names of the {placeholders} in a text.
func placeholders(text string) []string {
	var out []string
	for _, m := range placeholderPattern.FindAllStringSubmatch(text, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// text renders a message with its placeholders filled from name/value pairs.
func (c *Catalogue) text(key string, pairs ...string) string {
	msg := c.messages[key]
	if len(pairs) == 0 {
		return msg
	}
	oldnew := make([]string, 0, len(pairs))
	for i := 0; i+1 < len(pairs); i += 2 {
		oldnew = append(oldnew, "{"+pairs[i]+"}", pairs[i+1])
	}
	return strings.NewReplacer(oldnew...).Replace(msg)
}

// reason renders a message as a Reason whose code is the message key.
func (c *Catalogue) reason(key string, pairs ...string) Reason {
	return Reason{Code: key, Text: c.text(key, pairs...)}
}
