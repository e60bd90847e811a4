package lifecycle

import (
	"errors"
	"testing"
	"time"

	"github.com/haven-nrm/haven"
)

var (
	t0  = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	cfg = DefaultConfig()
	day = 24 * time.Hour
)

// sectorOf gives each role the sector its organisation usually has.
func sectorOf(r haven.Role) haven.Sector {
	switch r {
	case haven.RoleLawEnforcement:
		return haven.SectorPolice
	case haven.RoleProsecutor:
		return haven.SectorProsecution
	case haven.RoleImmigration:
		return haven.SectorImmigration
	case haven.RoleServiceProvider:
		return haven.SectorShelter
	case haven.RoleGuardian:
		return haven.SectorChildProtection
	case haven.RoleCompetentBody:
		return haven.SectorGovernment
	case haven.RoleStatistician:
		return haven.SectorStatistics
	case haven.RoleRapporteur:
		return haven.SectorRapporteur
	}
	return haven.SectorNGO
}

func actor(r haven.Role) Actor {
	return Actor{UserID: "user-" + string(r), Role: r, Sector: sectorOf(r)}
}

// team is a multidisciplinary team that may decide: NGO, health and police.
func team() []Member {
	return []Member{
		{UserID: "mdt-ngo", Role: haven.RoleCaseworker, Sector: haven.SectorNGO},
		{UserID: "mdt-health", Role: haven.RoleCompetentBody, Sector: haven.SectorHealth},
		{UserID: "mdt-police", Role: haven.RoleLawEnforcement, Sector: haven.SectorPolice},
	}
}

// panel is an independent review panel: none of team's members.
func panel() []Member {
	return []Member{
		{UserID: "panel-legal", Role: haven.RoleCaseworker, Sector: haven.SectorLegalAid},
		{UserID: "panel-social", Role: haven.RoleCompetentBody, Sector: haven.SectorSocialServices},
	}
}

func decision(members []Member) *Decision {
	return &Decision{Members: members, Reasons: "indicators of deceptive recruitment and coercion at destination", Evidence: []string{"screening:42", "interview:7"}}
}

func ageAssessment(found Finding) *Decision {
	d := decision(team())
	d.Outcome = found
	d.LastResort = "no document, no reliable record; her age is disputed by the border police"
	return d
}

// newCase returns a fresh case opened at t0.
func newCase(child bool) CaseState {
	return CaseState{
		Facts:       Facts{State: haven.StateEncountered, StateSince: t0, OpenedAt: t0, Child: child, ReferralConsent: true},
		Cooperation: Cooperation{Status: CooperationNotAsked},
	}
}

// walker fires requests one after another, applying each outcome, and keeps
// the history.
type walker struct {
	t       *testing.T
	cs      CaseState
	now     time.Time
	history []Step
}

func walk(t *testing.T, cs CaseState) *walker {
	return &walker{t: t, cs: cs, now: cs.OpenedAt}
}

// after moves the clock on.
func (w *walker) after(d time.Duration) *walker {
	w.now = w.now.Add(d)
	return w
}

// do fires a request that must be accepted.
func (w *walker) do(e Event, r haven.Role, opts ...func(*Request)) *walker {
	w.t.Helper()
	w.now = w.now.Add(time.Hour)
	req := Request{Event: e, Actor: actor(r)}
	for _, o := range opts {
		o(&req)
	}
	o, err := Fire(cfg, FactsOf(w.cs), req, w.now)
	if err != nil {
		w.t.Fatalf("%s by %s in %s: %v", e, r, w.cs.State, err)
	}
	w.history = append(w.history, Step{Before: w.cs.Clone(), Outcome: o})
	w.cs = Apply(w.cs, o)
	if err := CheckInvariants(cfg, w.history); err != nil {
		w.t.Fatal(err)
	}
	return w
}

func with(d *Decision) func(*Request) { return func(r *Request) { r.Decision = d } }
func reasons(s string) func(*Request) { return func(r *Request) { r.Reasons = s } }
func permit(k haven.PermitKind) func(*Request) {
	return func(r *Request) { r.Permit = k }
}

// Common paths.

func (w *walker) referred() *walker {
	return w.do(StartScreening, haven.RoleFirstResponder).do(Refer, haven.RoleFirstResponder)
}

func (w *walker) presumed() *walker {
	return w.referred().do(ReasonableGroundsPositive, haven.RoleCompetentBody, with(decision(team())))
}

func (w *walker) inReflection() *walker {
	return w.presumed().do(StartReflection, haven.RoleCaseworker)
}

func (w *walker) identified() *walker {
	return w.inReflection().do(ConclusivePositive, haven.RoleCompetentBody, with(decision(team())))
}

func (w *walker) assisted() *walker {
	return w.identified().do(StartAssistance, haven.RoleCaseworker)
}

func (w *walker) notIdentifiedRG() *walker {
	return w.referred().do(ReasonableGroundsNegative, haven.RoleCompetentBody, with(decision(team())))
}

func (w *walker) notIdentifiedConclusive() *walker {
	return w.inReflection().after(31*day).do(ConclusiveNegative, haven.RoleCompetentBody, with(decision(team())))
}

func (w *walker) withGuardianAndBID() *walker {
	return w.do(AppointGuardian, haven.RoleCaseworker).do(RecordBestInterests, haven.RoleGuardian)
}

// refusal returns the refusal in err, failing the test if there is none.
func refusal(t *testing.T, err error) *Refusal {
	t.Helper()
	var r *Refusal
	if !errors.As(err, &r) {
		t.Fatalf("error %v is not a *Refusal", err)
	}
	return r
}
