package haven

import (
	"context"
	"time"
)

// AuditEvent is one entry of the access log (GR 38 §111): who did what to
// which record, why, when, and whether it was allowed. It holds no
// personal data: the record is named by a pseudonymous reference, never by
// a name or a case id.
type AuditEvent struct {
	Seq       int64     `json:"seq"`
	Time      time.Time `json:"time"`
	UserID    string    `json:"user_id"`    // the staff member, or "" for the system
	Action    string    `json:"action"`     // e.g. "case.read", "consent.withdraw", "key.rotate"
	Purpose   string    `json:"purpose"`    // a code: why the access happened
	RecordRef string    `json:"record_ref"` // pseudonymous reference of the survivor's record, or ""
	Outcome   string    `json:"outcome"`    // AuditAllowed, AuditRefused or AuditFailed
}

// Audit outcomes.
const (
	AuditAllowed = "allowed"
	AuditRefused = "refused"
	AuditFailed  = "failed"
)

// AuditLog appends events to the tamper-evident access log.
type AuditLog interface {
	AppendAudit(ctx context.Context, e AuditEvent) error
}

// Purposes of access recorded in the access log.
const (
	PurposeCaseManagement = "case_management"
	PurposeIdentification = "identification"
	PurposeConsented      = "consented_sharing"
	PurposeBreakGlass     = "break_glass"
	PurposeResidence      = "residence_permit"
	PurposeAdministration = "administration"
)

type purposeKey struct{}

// WithPurpose returns ctx carrying why the acting user accesses records,
// for the access log.
func WithPurpose(ctx context.Context, purpose string) context.Context {
	return context.WithValue(ctx, purposeKey{}, purpose)
}

// PurposeFromContext returns the purpose ctx carries, or case management.
func PurposeFromContext(ctx context.Context) string {
	if p, ok := ctx.Value(purposeKey{}).(string); ok && p != "" {
		return p
	}
	return PurposeCaseManagement
}
