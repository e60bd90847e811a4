package lifecycle

import (
	"testing"
	"time"

	"github.com/haven-nrm/haven"
)

func TestGuardianAlert(t *testing.T) {
	f := FactsOf(newCase(true))
	a := Alerts(f, cfg, t0.Add(23*time.Hour))
	if len(a) != 1 || a[0].Rule != AlertGuardianDue || a[0].Overdue || !a[0].Due.Equal(t0.Add(24*time.Hour)) {
		t.Fatalf("before the limit: %+v", a)
	}
	a = Alerts(f, cfg, t0.Add(25*time.Hour))
	if len(a) != 1 || !a[0].Overdue {
		t.Fatalf("past the limit: %+v", a)
	}
	if !slicesContains(a[0].Roles, haven.RoleCaseworker) {
		t.Errorf("roles %v", a[0].Roles)
	}
	// A country's own limit.
	short := cfg
	short.GuardianWithin = 6 * time.Hour
	if a := Alerts(f, short, t0.Add(7*time.Hour)); !hasOverdue(a, AlertGuardianDue) {
		t.Errorf("with a 6-hour limit: %+v", a)
	}
	// Appointed: the alert gives way to the best-interests task.
	f.GuardianAt = t0.Add(30 * time.Hour)
	a = Alerts(f, cfg, t0.Add(31*time.Hour))
	if len(a) != 1 || a[0].Rule != AlertBestInterestsDue || !slicesContains(a[0].Roles, haven.RoleGuardian) {
		t.Fatalf("after the appointment: %+v", a)
	}
	if a := Alerts(FactsOf(newCase(false)), cfg, t0.Add(48*time.Hour)); len(a) != 0 {
		t.Errorf("an adult: %+v", a)
	}
}

func TestAlertsOfTheIdentificationPath(t *testing.T) {
	w := adultCase(t).referred()
	if a := Alerts(FactsOf(w.cs), cfg, w.now.Add(6*day)); !hasOverdue(a, AlertReasonableGroundsDue) {
		t.Errorf("referred 6 days ago: %+v", a)
	}
	w.do(ReasonableGroundsPositive, haven.RoleCompetentBody, with(decision(team())))
	if a := Alerts(FactsOf(w.cs), cfg, w.now.Add(4*day)); !hasOverdue(a, AlertReflectionStartDue) {
		t.Errorf("not told of her period after 4 days: %+v", a)
	}
	w.do(StartReflection, haven.RoleCaseworker)
	if a := Alerts(FactsOf(w.cs), cfg, w.now.Add(day)); hasAlert(a, AlertReflectionEnding) || !hasAlert(a, AlertConclusiveDue) {
		t.Errorf("early in the period: %+v", a)
	}
	a := Alerts(FactsOf(w.cs), cfg, w.now.Add(25*day))
	if !hasAlert(a, AlertReflectionEnding) || hasOverdue(a, AlertReflectionEnding) {
		t.Errorf("five days before the end: %+v", a)
	}
	if a := Alerts(FactsOf(w.cs), cfg, w.now.Add(61*day)); !hasOverdue(a, AlertConclusiveDue) {
		t.Errorf("a month after the end: %+v", a)
	}
	w.do(ConclusivePositive, haven.RoleCompetentBody, with(decision(team()))).do(StartAssistance, haven.RoleCaseworker).do(CloseIntegrated, haven.RoleCaseworker)
	if a := Alerts(FactsOf(w.cs), cfg, w.now.Add(100*day)); a != nil {
		t.Errorf("closed: %+v", a)
	}
}

func TestAlertsOfReviewMissingAndDetention(t *testing.T) {
	w := adultCase(t).notIdentifiedRG()
	if a := Alerts(FactsOf(w.cs), cfg, w.now.Add(31*day)); !hasOverdue(a, AlertReviewDue) {
		t.Errorf("review after 31 days: %+v", a)
	}
	w.do(RecordDetention, haven.RoleImmigration)
	if a := Alerts(FactsOf(w.cs), cfg, w.now); !hasOverdue(a, AlertDetainedVictim) {
		t.Errorf("detained during review: %+v", a)
	}
	w.do(ReportMissing, haven.RoleCaseworker)
	if a := Alerts(FactsOf(w.cs), cfg, w.now); !hasAlert(a, AlertMissingPerson) || hasAlert(a, AlertMissingChild) {
		t.Errorf("adult missing: %+v", a)
	}
	// A person detained as an adult, then found to be a child.
	w.cs.Child = true
	if a := Alerts(FactsOf(w.cs), cfg, w.now); !hasOverdue(a, AlertChildDetained) || !hasOverdue(a, AlertMissingChild) {
		t.Errorf("child: %+v", a)
	}
}

func TestAlertsAreSortedAndDescribed(t *testing.T) {
	f := FactsOf(newCase(true))
	f.State, f.StateSince = haven.StateReferred, t0
	f.MissingSince = t0.Add(time.Hour)
	a := Alerts(f, cfg, t0.Add(10*day))
	for i := 1; i < len(a); i++ {
		if a[i].Due.Before(a[i-1].Due) {
			t.Errorf("not sorted: %+v", a)
		}
	}
	for _, r := range AlertRules() {
		if r.Message == "" || len(r.Roles) == 0 || r.Limit == "" {
			t.Errorf("alert rule %+v", r)
		}
	}
}
