package haven

import (
	"context"
	"slices"
	"time"
)

// ConsentPurpose is what a survivor agreed her data may be used or shared
// for (GR 38 §79, §94): consent is given per purpose and per recipient.
type ConsentPurpose string

const (
	PurposeScreening          ConsentPurpose = "screening"
	PurposeAssistanceReferral ConsentPurpose = "assistance_referral"
	PurposeShareWithOrg       ConsentPurpose = "share_with_organisation"
	PurposeLawEnforcement     ConsentPurpose = "law_enforcement"
	PurposeResidencePermit    ConsentPurpose = "residence_permit"
	PurposeStatistics         ConsentPurpose = "statistics"
	PurposeInternational      ConsentPurpose = "international_exchange"
)

// ConsentPurposes lists every purpose.
var ConsentPurposes = []ConsentPurpose{
	PurposeScreening, PurposeAssistanceReferral, PurposeShareWithOrg, PurposeLawEnforcement,
	PurposeResidencePermit, PurposeStatistics, PurposeInternational,
}

// purposeNeedsRecipient lists the purposes that name an organisation.
var purposeNeedsRecipient = []ConsentPurpose{PurposeAssistanceReferral, PurposeShareWithOrg, PurposeLawEnforcement}

// ConsentScope is a part of the record a consent lets the recipient see.
type ConsentScope string

const (
	ScopeCase     ConsentScope = "case"     // the coded facts: state, forms, events, §110 fields
	ScopeIdentity ConsentScope = "identity" // names, date of birth, document, contact
	ScopeNotes    ConsentScope = "notes"    // case notes
)

// ConsentScopes lists every scope.
var ConsentScopes = []ConsentScope{ScopeCase, ScopeIdentity, ScopeNotes}

// Who gave a consent. For a child the guardian consents and the child's
// own view is recorded beside it (GR 38 §96).
const (
	GivenBySurvivor = "survivor"
	GivenByGuardian = "guardian"
)

// ConsentMethods lists how a consent can be given.
var ConsentMethods = []string{"written", "oral", "electronic", "oral_with_interpreter"}

// ChildViews lists what the child said of a consent given for her.
var ChildViews = []string{"agrees", "disagrees", "not_expressed", "unable_to_express"}

// Consent is one consent as a record: given, perhaps expiring, perhaps
// withdrawn. Records are never deleted; a withdrawal is a new fact on the
// record and takes effect on the next request.
type Consent struct {
	ID                      string         `json:"id"`
	CaseID                  string         `json:"case_id"`
	Purpose                 ConsentPurpose `json:"purpose"`
	RecipientOrganisationID string         `json:"recipient_organisation_id,omitempty"`
	Scope                   []ConsentScope `json:"scope"`
	GivenBy                 string         `json:"given_by"`
	ChildView               string         `json:"child_view,omitempty"`
	Method                  string         `json:"method"`
	GivenAt                 time.Time      `json:"given_at"`
	ExpiresAt               *time.Time     `json:"expires_at,omitempty"`
	WithdrawnAt             *time.Time     `json:"withdrawn_at,omitempty"`
	RecordedBy              string         `json:"recorded_by"`
}

// InForce tells whether the consent holds at t.
func (c *Consent) InForce(t time.Time) bool {
	if c.WithdrawnAt != nil && !t.Before(*c.WithdrawnAt) {
		return false
	}
	if c.ExpiresAt != nil && !t.Before(*c.ExpiresAt) {
		return false
	}
	return !t.Before(c.GivenAt)
}

// Covers tells whether the consent lets organisation org see scope for
// purpose at time t.
func (c *Consent) Covers(purpose ConsentPurpose, org string, scope ConsentScope, t time.Time) bool {
	return c.Purpose == purpose && c.InForce(t) &&
		(c.RecipientOrganisationID == "" || c.RecipientOrganisationID == org) &&
		slices.Contains(c.Scope, scope)
}

// Validate checks a new consent against the case it is for.
func (c *Consent) Validate(forChild bool, now time.Time) error {
	var v Validation
	if !slices.Contains(ConsentPurposes, c.Purpose) {
		v.Addf("purpose", "must be one of %v", ConsentPurposes)
	}
	if slices.Contains(purposeNeedsRecipient, c.Purpose) && c.RecipientOrganisationID == "" {
		v.Add("recipient_organisation_id", "is required for this purpose: consent is given per recipient")
	}
	if len(c.Scope) == 0 {
		v.Add("scope", "must name at least one part of the record")
	}
	for i, s := range c.Scope {
		if !slices.Contains(ConsentScopes, s) {
			v.Addf(fieldIndex("scope", i), "must be one of %v", ConsentScopes)
		}
	}
	switch {
	case forChild && c.GivenBy != GivenByGuardian:
		v.Add("given_by", "must be guardian: the person is treated as a child (GR 38 §96)")
	case !forChild && c.GivenBy != GivenBySurvivor:
		v.Add("given_by", "must be survivor: an adult consents for herself")
	}
	if forChild && !slices.Contains(ChildViews, c.ChildView) {
		v.Addf("child_view", "is required for a child, one of %v (GR 38 §96)", ChildViews)
	} else if !forChild && c.ChildView != "" {
		v.Add("child_view", "is only recorded for a child")
	}
	if !slices.Contains(ConsentMethods, c.Method) {
		v.Addf("method", "must be one of %v", ConsentMethods)
	}
	if c.ExpiresAt != nil && !c.ExpiresAt.After(now) {
		v.Add("expires_at", "must be in the future")
	}
	return v.Err()
}

// ConsentService keeps consent records.
type ConsentService interface {
	RecordConsent(ctx context.Context, c *Consent) error
	WithdrawConsent(ctx context.Context, caseID, consentID string) (*Consent, error)
	ListConsents(ctx context.Context, caseID string) ([]*Consent, error)
}
