// Package lifecycle is the case lifecycle of Haven's referral mechanism as a
// table in code: the states a case moves through, the events that move it,
// the roles allowed to fire each event, the guards that must hold and the
// time limits that raise alerts (DESIGN.md "Case lifecycle", "Rules of GR 38").
//
// The package is pure. Fire answers whether an event may happen now and what
// it does, without changing anything: the caller stores the Outcome and folds
// it into its CaseState with Apply. A refused event returns a *Refusal (which
// unwraps to a *haven.Error) naming the rule that refused it, such as "a
// return needs an individual risk and security assessment (GR 38 §89)".
//
// Guards read Facts only. Facts deliberately has no field about cooperation
// with criminal proceedings: the caller's CaseState keeps that data beside the
// facts, and FactsOf drops it, so no rule on assistance, the reflection period
// or residence can be conditional on it (GR 38 §92, §98(b)). A test changes
// the cooperation data in every way and shows every answer unchanged.
//
// Time limits are configuration (Config, loaded from limits.yaml or a
// country's own file); Alerts lists the running and overdue ones for the
// responsible roles' inboxes. CheckInvariants checks a history of applied
// steps against the rules of DESIGN.md; a property-based test fires random
// sequences of events by random roles and checks it after every step.
//
// See docs/LIFECYCLE.md for the full table, generated from this package.
package lifecycle
