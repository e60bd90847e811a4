// Package report computes the national rapporteur's report: indicators of
// how the National Referral Mechanism keeps CEDAW General Recommendation
// No. 38, for the independent National Rapporteur of §115 and for the
// State's periodic reports to the Committee (§117).
//
// An indicator is a small value (Indicator) in one ordered list
// (Indicators): an id, a title message id, the paragraph of GR 38 it
// measures, and a function that measures it over the common Input. The
// JSON API, the web page and the PDF all iterate that list, so a new
// indicator (referrals to services, shelters, compensation) is one function
// and one line in the list; docs/REPORT.md says how.
//
// The Input holds no identifier, name or sealed value: the opening time of
// each case concerned, whether she is treated as a child, the event and
// time of each lifecycle step with the plain facts the store keeps beside
// it, and the dates of non-punishment findings. Computing the report needs
// no key.
//
// Privacy (GR 38 §111): Compute publishes no indicator over fewer than K
// cases, and no median, percentile, minimum or maximum over fewer than K
// values: they are marked suppressed and carry no number. The rule is
// applied here, once, so an indicator added later cannot forget it.
//
// Percentiles are nearest-rank: the p-th percentile of n sorted values is
// the value at rank ceil(p/100 × n), counting from 1. The median is the
// 50th percentile, so it is always one of the values: of 12 values it is
// the 6th, and the 90th percentile is the 11th.
package report
