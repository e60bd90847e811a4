// Package screening is Haven's screening tool: the catalogue of indicators of
// trafficking in persons and the engine that combines what a first responder
// observed into a suggestion for the competent body.
//
// The catalogue follows the ILO / European Commission "Operational indicators
// of trafficking in human beings" (2009): lists for adults and children, for
// labour and sexual exploitation, each split into six dimensions (deceptive
// recruitment, coercive recruitment, recruitment by abuse of vulnerability,
// exploitative conditions, coercion at destination, abuse of vulnerability at
// destination) with every indicator graded strong, medium or weak. Haven adds
// list variants for the other forms of exploitation of CEDAW GR 38 §112c, each
// marked as Haven's own, and the ILO's eleven indicators of forced labour
// (2012) as a separate checklist.
//
// The catalogue is data, not Go: YAML files embedded from catalogue/, loaded and
// validated by Load, versioned, and translated by one file per language in
// catalogue/i18n/. A country reviews and changes it without reading code; see
// docs/SCREENING.md.
//
// Evaluate applies the combination rule of DESIGN.md and returns a Result whose
// outcome is a suggestion, never a decision: GR 38 §38 and §77–78 leave
// identification to trained people in a multidisciplinary team, and the
// screening only helps them see indicators. A Catalogue is immutable once
// loaded and safe for concurrent use.
package screening
