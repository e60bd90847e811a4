// Package disclosure is statistical disclosure control for the tables Haven
// publishes: counts of detected victims by sex, age band, nationality, form of
// exploitation and the other breakdowns of GR 38 §110.
//
// GR 38 §111 requires that dissemination respect privacy and
// confidentiality, and DESIGN.md requires that statistics never expose a
// person. A small count in a published table can do exactly that: "one girl
// of nationality X, forced marriage, 2026" singles her out to anyone who
// knows her. The package therefore protects every published table twice:
//
//   - Cell suppression. [Protect] suppresses every published cell (inner cell
//     or margin) holding 1..k-1 persons (primary suppression, k = 11 by
//     default) and then enough complementary cells (secondary suppression)
//     that no suppressed cell can be computed back from the published cells
//     and the additivity of the margins. Every suppressed cell carries a
//     certificate: two integer tables consistent with everything published
//     in which the cell takes values at least a protection width apart and,
//     for a primary cell, reaches k. [Audit] independently recomputes each
//     suppressed cell's feasible interval by linear programming, as an
//     attacker would.
//   - Differential privacy (optional). [Privatize] adds exact discrete
//     Laplace noise to the inner cells under a stated ε, after charging that
//     ε to the dataset's budget in a [Ledger], and refuses the release when
//     the budget would be exceeded.
//
// docs/DISCLOSURE.md states the threat model and the exact guarantees.
package disclosure
