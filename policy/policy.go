// Package policy decides every access to Haven's data. It is the one place
// where the rules of who may do what live: handlers ask it and obey, they
// never decide on their own.
//
// The default is deny. Case content lives in the care compartment (GR 38
// §54c, §83): care roles work on their own organisation's cases and see
// another organisation's only through the survivor's consent for that
// recipient (§79) or a logged, time-limited break-glass access. Law
// enforcement and prosecutors see only what the survivor consented to share
// with them. Immigration sees residence-permit requests and nothing else,
// and a record it may not see answers exactly like one that does not exist.
// Statisticians see aggregates only; administrators manage accounts and
// keys and never read case content.
package policy

import (
	"slices"
	"time"

	"github.com/haven-nrm/haven"
)

// Action is something a user asks to do.
type Action string

const (
	Me Action = "me"

	CaseCreate Action = "case.create"
	CaseList   Action = "case.list"
	CaseRead   Action = "case.read"
	CaseUpdate Action = "case.update"
	NoteAdd    Action = "note.add"
	NoteRead   Action = "note.read"
	PersonRead Action = "person.read"

	ConsentRead     Action = "consent.read"
	ConsentRecord   Action = "consent.record"
	ConsentWithdraw Action = "consent.withdraw"

	PermitRequest Action = "permit.request" // the care side asks for a permit
	PermitList    Action = "permit.list"    // the immigration side
	PermitRead    Action = "permit.read"
	PermitDecide  Action = "permit.decide"

	IdentitySearch Action = "identity.search" // exact-match search by name, birth date, document

	// CaseEvent fires a lifecycle event; the lifecycle table then decides
	// which roles may fire which event.
	CaseEvent Action = "case.event"
	Inbox     Action = "inbox"

	ScreeningEvaluate Action = "screening.evaluate" // use the catalogue, record anonymously
	ScreeningRecord   Action = "screening.record"   // record on a case, with consent
	ScreeningRead     Action = "screening.read"

	ProtectionRecord Action = "protection.record" // asylum and statelessness procedures
	ProtectionRead   Action = "protection.read"

	NonPunishmentRecord   Action = "nonpunishment.record"
	NonPunishmentDocument Action = "nonpunishment.document" // the statement names the person

	BreakGlassCreate Action = "breakglass.create"
	BreakGlassList   Action = "breakglass.list"
	AccessLogRead    Action = "accesslog.read"

	UserList           Action = "user.list"
	UserCreate         Action = "user.create"
	OrganisationList   Action = "organisation.list"
	OrganisationCreate Action = "organisation.create"

	// StatisticsRead is reading a protected statistics table (aggregates
	// only, GR 38 §111); every table served is recorded as a release.
	StatisticsRead Action = "statistics.read"

	// ReportRead is reading the national rapporteur's report: indicators
	// of how the mechanism keeps GR 38, aggregates only (§111, §115, §117).
	ReportRead Action = "report.read"
)

// Decision is the policy's answer.
type Decision int

const (
	// Deny refuses an action the user may learn exists (403).
	Deny Decision = iota
	// Allow permits the action.
	Allow
	// Hide refuses access to a record and answers exactly as if it did not
	// exist (404), so a refusal reveals nothing about a person.
	Hide
)

func (d Decision) String() string {
	return [...]string{"deny", "allow", "hide"}[d]
}

// careRoles may read and write case content in the care compartment.
var careRoles = []haven.Role{
	haven.RoleFirstResponder, haven.RoleCompetentBody, haven.RoleCaseworker,
	haven.RoleServiceProvider, haven.RoleGuardian,
}

// justiceRoles see what a survivor consented to share for proceedings.
var justiceRoles = []haven.Role{haven.RoleLawEnforcement, haven.RoleProsecutor}

// ReadsCaseContent tells whether a role can ever read case content in its
// own right. Staff of these roles must log in with a second factor (unless
// a deployment turns that off).
func ReadsCaseContent(r haven.Role) bool {
	return slices.Contains(careRoles, r)
}

// Record is what the policy needs to know of a case to decide on it: its
// owner, the consents recorded for it (the policy itself checks which are
// in force at Now), and whether the user holds an unexpired break-glass
// access to it.
type Record struct {
	OwnerOrganisationID string
	Consents            []*haven.Consent
	BreakGlass          bool
	Now                 time.Time
}

// scopeOf names the part of a record an action reads or writes.
var scopeOf = map[Action]haven.ConsentScope{
	CaseRead: haven.ScopeCase, PersonRead: haven.ScopeIdentity, NoteRead: haven.ScopeNotes, ScreeningRead: haven.ScopeCase,
	NonPunishmentDocument: haven.ScopeIdentity, ProtectionRead: haven.ScopeCase,
}

// ownerOnly are the actions only the owner organisation's care staff may
// take on a record: changing it, its consents, its permits, and seeing who
// looked at it.
var ownerOnly = []Action{
	CaseUpdate, NoteAdd, ConsentRead, ConsentRecord, ConsentWithdraw, PermitRequest, BreakGlassList, AccessLogRead,
	ScreeningRecord, NonPunishmentRecord, ProtectionRecord,
}

// Decide answers whether user may do action; rec describes the case for
// actions on one case and is nil for the others.
func Decide(user *haven.User, action Action, rec *Record) Decision {
	if user == nil || user.Disabled {
		return Deny
	}
	role := user.Role
	care := slices.Contains(careRoles, role)
	switch action {
	case Me, Inbox:
		return Allow
	case CaseCreate, CaseList, ScreeningEvaluate:
		return allowIf(care, Deny)
	case IdentitySearch:
		// The competent body decides on case facts, not identities.
		return allowIf(care && role != haven.RoleCompetentBody, Deny)
	case PermitList, PermitRead, PermitDecide:
		return allowIf(role == haven.RoleImmigration, Deny)
	case UserList, UserCreate, OrganisationList, OrganisationCreate:
		return allowIf(role == haven.RoleAdministrator, Deny)
	case StatisticsRead, ReportRead:
		// Aggregates, never case content: the national rapporteur reports
		// (GR 38 §115), the statistician prepares the figures, the
		// administrator answers for the system.
		return allowIf(role == haven.RoleStatistician || role == haven.RoleRapporteur || role == haven.RoleAdministrator, Deny)
	case BreakGlassCreate:
		// Only care staff may break the glass, and never into their own
		// organisation's record, which they can read anyway.
		if !care || rec == nil {
			return Hide
		}
		return allowIf(rec.OwnerOrganisationID != user.OrganisationID, Deny)
	}
	if rec == nil {
		return Deny
	}
	if action == CaseEvent {
		// The owner organisation's care staff move their cases; the
		// competent body takes decisions on every case (GR 38 §78).
		return allowIf(care && (rec.OwnerOrganisationID == user.OrganisationID || role == haven.RoleCompetentBody), Hide)
	}
	if slices.Contains(ownerOnly, action) {
		return allowIf(care && rec.OwnerOrganisationID == user.OrganisationID, Hide)
	}
	scope, reads := scopeOf[action]
	if !reads {
		return Deny // an action the policy does not know
	}
	switch {
	case care && rec.OwnerOrganisationID == user.OrganisationID:
		return Allow
	case role == haven.RoleCompetentBody && (scope == haven.ScopeCase || scope == haven.ScopeNotes):
		// The national multidisciplinary team reads every case it must
		// decide on (GR 38 §78), but not the person's identity.
		return Allow
	case care && rec.BreakGlass:
		return Allow
	case care:
		return allowIf(consented(rec, user, scope, haven.PurposeShareWithOrg, haven.PurposeAssistanceReferral), Hide)
	case slices.Contains(justiceRoles, role):
		return allowIf(consented(rec, user, scope, haven.PurposeLawEnforcement), Hide)
	}
	return Hide
}

func allowIf(ok bool, otherwise Decision) Decision {
	if ok {
		return Allow
	}
	return otherwise
}

// consented tells whether a consent in force at rec.Now lets the user's
// organisation see scope for one of the purposes.
func consented(rec *Record, user *haven.User, scope haven.ConsentScope, purposes ...haven.ConsentPurpose) bool {
	now := rec.Now
	if now.IsZero() {
		now = time.Now()
	}
	for _, c := range rec.Consents {
		for _, p := range purposes {
			if c.RecipientOrganisationID != "" && c.Covers(p, user.OrganisationID, scope, now) {
				return true
			}
		}
	}
	return false
}

// ListScope returns the organisation whose cases user may list, or "" for
// all organisations.
func ListScope(user *haven.User) string {
	if user.Role == haven.RoleCompetentBody {
		return ""
	}
	return user.OrganisationID
}

// Compartments returns the compartments whose keys may be used while
// serving user. The vault refuses the others, so the firewall holds even
// if a check above were wrong.
func Compartments(user *haven.User) []haven.Compartment {
	switch {
	case user == nil:
		return nil
	case user.Role == haven.RoleImmigration:
		return []haven.Compartment{haven.CompartmentImmigration}
	case slices.Contains(careRoles, user.Role), slices.Contains(justiceRoles, user.Role):
		return []haven.Compartment{haven.CompartmentCare}
	}
	return nil
}
