package lifecycle

import (
	"slices"
	"time"

	"github.com/haven-nrm/haven"
)

// Alert is a running time limit or an overdue step of a case, for the inbox
// of the users holding one of Roles. Rule is a stable id (a translation key);
// Message names the step and cites GR 38.
type Alert struct {
	Rule    string       `json:"rule"`
	Message string       `json:"message"`
	Roles   []haven.Role `json:"roles"`
	Due     time.Time    `json:"due"`
	Overdue bool         `json:"overdue"`
}

// The alert rules.
const (
	AlertGuardianDue          = "guardian_due"
	AlertBestInterestsDue     = "best_interests_due"
	AlertReasonableGroundsDue = "reasonable_grounds_due"
	AlertReflectionStartDue   = "reflection_start_due"
	AlertReflectionEnding     = "reflection_ending"
	AlertConclusiveDue        = "conclusive_due"
	AlertReviewDue            = "review_due"
	AlertMissingChild         = "missing_child"
	AlertMissingPerson        = "missing_person"
	AlertChildDetained        = "child_detained"
	AlertDetainedVictim       = "detained_victim"
)

// AlertRule describes an alert for docs and pages.
type AlertRule struct {
	Rule    string
	Message string
	Roles   []haven.Role
	// Limit names the Config limit that sets its due time, if any.
	Limit string
}

var alertRules = []AlertRule{
	{AlertGuardianDue, "a child's case gets a guardian (GR 38 §96, §103)", roles(caseworker, firstResponder), "guardian_within, from the opening of the case"},
	{AlertBestInterestsDue, "the guardian records a best-interests determination (GR 38 §96)", roles(guardianRole), "best_interests_within, from the guardian's appointment"},
	{AlertReasonableGroundsDue, "the competent body takes the reasonable-grounds decision (GR 38 §78)", roles(competentBody), "reasonable_grounds_within, from the referral"},
	{AlertReflectionStartDue, "tell her of her reflection and recovery period and her rights (GR 38 §92, §99)", roles(caseworker), "reflection_start_within, from the reasonable-grounds decision"},
	{AlertReflectionEnding, "the reflection and recovery period ends: plan residence, assistance or return with her (GR 38 §92)", roles(caseworker), "reflection_ending_notice, before the period ends"},
	{AlertConclusiveDue, "the competent body takes the conclusive decision (GR 38 §78)", roles(competentBody), "conclusive_within, from the end of the reflection period"},
	{AlertReviewDue, "the independent panel decides the review of a negative decision (GR 38 §38, §78)", roles(competentBody), "review_within, from the opening of the review"},
	{AlertMissingChild, "a child is missing: follow the missing-child protocol (GR 38 §96)", roles(caseworker, guardianRole), "none: overdue at once"},
	{AlertMissingPerson, "she is missing or out of contact (GR 38 §89)", roles(caseworker), "none: overdue at once"},
	{AlertChildDetained, "a child is recorded as detained: a child is never detained (GR 38 §96)", roles(caseworker, guardianRole), "none: overdue at once"},
	{AlertDetainedVictim, "a presumed or identified victim is detained: non-punishment (GR 38 §87(c), §98)", roles(caseworker), "none: overdue at once"},
}

// AlertRules lists every alert rule.
func AlertRules() []AlertRule {
	out := slices.Clone(alertRules)
	for i := range out {
		out[i].Roles = slices.Clone(out[i].Roles)
	}
	return out
}

func alertRule(id string) AlertRule {
	for _, a := range alertRules {
		if a.Rule == id {
			return a
		}
	}
	panic("lifecycle: unknown alert rule " + id)
}

// Alerts lists the running time limits and overdue steps of a case at now,
// earliest due first. A closed case has none. Like guards, alerts read
// Facts only.
func Alerts(f Facts, cfg Config, now time.Time) []Alert {
	if f.State == haven.StateClosed {
		return nil
	}
	var out []Alert
	add := func(id string, due time.Time) {
		r := alertRule(id)
		out = append(out, Alert{Rule: id, Message: r.Message, Roles: slices.Clone(r.Roles), Due: due, Overdue: !now.Before(due)})
	}
	if f.Child && f.GuardianAt.IsZero() {
		add(AlertGuardianDue, f.OpenedAt.Add(cfg.GuardianWithin))
	}
	if f.Child && !f.GuardianAt.IsZero() && f.BestInterestsAt.IsZero() {
		add(AlertBestInterestsDue, f.GuardianAt.Add(cfg.BestInterestsWithin))
	}
	switch f.State {
	case haven.StateReferred:
		add(AlertReasonableGroundsDue, f.StateSince.Add(cfg.ReasonableGroundsWithin))
	case haven.StatePresumedVictim:
		add(AlertReflectionStartDue, f.StateSince.Add(cfg.ReflectionStartWithin))
	case haven.StateReflectionPeriod:
		end := f.Reflection.Until
		if end.IsZero() {
			end = f.StateSince
		}
		add(AlertConclusiveDue, end.Add(cfg.ConclusiveWithin))
	}
	if f.Reflection.Runs(now) && !now.Before(f.Reflection.Until.Add(-cfg.ReflectionEndingNotice)) {
		add(AlertReflectionEnding, f.Reflection.Until)
	}
	if f.Review.Open {
		add(AlertReviewDue, f.Review.OpenedAt.Add(cfg.ReviewWithin))
	}
	if f.Missing() {
		if f.Child {
			add(AlertMissingChild, f.MissingSince)
		} else {
			add(AlertMissingPerson, f.MissingSince)
		}
	}
	if f.Detained() {
		if f.Child {
			add(AlertChildDetained, f.DetainedSince)
		} else if f.IdentificationPending() || f.Identified() {
			add(AlertDetainedVictim, f.DetainedSince)
		}
	}
	slices.SortStableFunc(out, func(a, b Alert) int { return a.Due.Compare(b.Due) })
	return out
}
