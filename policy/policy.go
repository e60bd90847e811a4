// Package policy decides every access to Haven's data. It is the one place
// where the rules of who may do what live: handlers ask it and obey, they
// never decide on their own.
//
// The default is deny. Case content lives in the care compartment (GR 38
// §54c, §83): only care roles read it, and only for cases their
// organisation owns, with the competent body (the national multidisciplinary
// team, §78) able to read every case it must decide on. Immigration,
// statisticians and administrators never read case content.
package policy

import (
	"slices"

	"github.com/haven-nrm/haven"
)

// Action is something a user asks to do.
type Action string

const (
	CaseCreate Action = "case.create"
	CaseList   Action = "case.list"
	CaseRead   Action = "case.read"
	CaseUpdate Action = "case.update"
	NoteAdd    Action = "note.add"
	NoteRead   Action = "note.read"
	PersonRead Action = "person.read"
)

// Actions lists every action the policy knows.
var Actions = []Action{CaseCreate, CaseList, CaseRead, CaseUpdate, NoteAdd, NoteRead, PersonRead}

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

// Record is what the policy needs to know of a case to decide on it.
type Record struct {
	OwnerOrganisationID string
}

// Decide answers whether user may do action, on rec for actions about one
// case (nil for create and list).
func Decide(user *haven.User, action Action, rec *Record) Decision {
	if user == nil || user.Disabled {
		return Deny
	}
	care := slices.Contains(careRoles, user.Role)
	switch action {
	case CaseCreate, CaseList:
		if care {
			return Allow
		}
		return Deny
	case CaseRead, CaseUpdate, NoteAdd, NoteRead, PersonRead:
		if !care || rec == nil {
			return Hide
		}
		if rec.OwnerOrganisationID == user.OrganisationID {
			return Allow
		}
		if user.Role == haven.RoleCompetentBody && (action == CaseRead || action == NoteRead || action == NoteAdd) {
			return Allow
		}
		return Hide
	}
	return Deny
}

// ListScope returns the organisation whose cases user may list, or "" for
// all organisations.
func ListScope(user *haven.User) string {
	if user.Role == haven.RoleCompetentBody {
		return ""
	}
	return user.OrganisationID
}

// ReadsCaseContent tells whether a role can ever read case content. Staff
// of these roles must log in with a second factor (unless a deployment
// turns that off).
func ReadsCaseContent(r haven.Role) bool {
	return slices.Contains(careRoles, r)
}
