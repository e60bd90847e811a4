package haven

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Role is what a staff member does in the mechanism; the policy decides
// every access from it (see DESIGN.md "Who uses it").
type Role string

const (
	RoleFirstResponder  Role = "first_responder"
	RoleCompetentBody   Role = "competent_body"
	RoleCaseworker      Role = "caseworker"
	RoleServiceProvider Role = "service_provider"
	RoleGuardian        Role = "guardian"
	RoleLawEnforcement  Role = "law_enforcement"
	RoleProsecutor      Role = "prosecutor"
	RoleImmigration     Role = "immigration"
	RoleStatistician    Role = "statistician"
	RoleRapporteur      Role = "rapporteur"
	RoleAdministrator   Role = "administrator"
)

// Roles lists every role.
var Roles = []Role{
	RoleFirstResponder, RoleCompetentBody, RoleCaseworker, RoleServiceProvider,
	RoleGuardian, RoleLawEnforcement, RoleProsecutor, RoleImmigration,
	RoleStatistician, RoleRapporteur, RoleAdministrator,
}

// ParseRole returns the role named s.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !slices.Contains(Roles, r) {
		return "", &Error{Code: EINVALID, Message: "Unknown role.", Fields: []FieldError{{Field: "role", Reason: "must be one of " + strings.Trim(strings.Join(roleNames(), ", "), " ")}}}
	}
	return r, nil
}

func roleNames() []string {
	names := make([]string, len(Roles))
	for i, r := range Roles {
		names[i] = string(r)
	}
	return names
}

// User is a staff account. Members of the public never have one: they use
// the anonymous portal.
type User struct {
	ID             string    `json:"id"`
	Username       string    `json:"username"`
	DisplayName    string    `json:"display_name"`
	Role           Role      `json:"role"`
	OrganisationID string    `json:"organisation_id"`
	Disabled       bool      `json:"disabled"`
	CreatedAt      time.Time `json:"created_at"`

	// Sector is the sector of the user's organisation, filled when the user
	// is loaded for a request so the policy need not look it up.
	Sector Sector `json:"sector,omitempty"`
}

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,62}$`)

// Validate checks a user before it is stored.
func (u *User) Validate() error {
	var v Validation
	if !usernamePattern.MatchString(u.Username) {
		v.Add("username", "must be 2 to 63 lower-case letters, digits, dots, dashes or underscores")
	}
	if len(u.DisplayName) > 200 {
		v.Add("display_name", "must be at most 200 characters")
	}
	if !slices.Contains(Roles, u.Role) {
		v.Addf("role", "must be one of %v", Roles)
	}
	if u.OrganisationID == "" {
		v.Add("organisation", "is required")
	}
	return v.Err()
}

// MinPasswordLength is the shortest password Haven accepts. Length beats
// composition rules (NIST SP 800-63B).
const MinPasswordLength = 12

// ValidatePassword checks a new password.
func ValidatePassword(password string) error {
	var v Validation
	if len(password) < MinPasswordLength {
		v.Addf("password", "must be at least %d characters", MinPasswordLength)
	} else if len(password) > 1024 {
		v.Add("password", "must be at most 1024 characters")
	}
	return v.Err()
}

// UserService manages staff accounts and their credentials.
type UserService interface {
	CreateUser(ctx context.Context, u *User, password string) error
	FindUserByID(ctx context.Context, id string) (*User, error)
	FindUserByUsername(ctx context.Context, username string) (*User, error)
	ListUsers(ctx context.Context) ([]*User, error)
	SetUserDisabled(ctx context.Context, username string, disabled bool) error
}

// AuthService checks credentials and keeps sessions and API tokens. Sessions
// and tokens live in the database so that the server keeps no state and
// several instances can serve one deployment.
type AuthService interface {
	// Login checks a username and password, applying the lockout, and
	// returns a new session. Failures never say whether the user exists.
	Login(ctx context.Context, username, password string) (*Session, error)
	// Authenticate returns the user of a live session.
	AuthenticateSession(ctx context.Context, sessionToken string) (*User, *Session, error)
	Logout(ctx context.Context, sessionToken string) error
	// CreateToken returns a new API bearer token, shown once; only its hash is kept.
	CreateToken(ctx context.Context, username, name string, ttl time.Duration) (string, error)
	AuthenticateToken(ctx context.Context, bearer string) (*User, error)
}

// Session is a logged-in browser. Token is the secret sent in the cookie;
// it is only set when the session is created, the store keeps its hash.
type Session struct {
	ID        string
	UserID    string
	Token     string
	CSRFToken string
	CreatedAt time.Time
	ExpiresAt time.Time
}

type userContextKey struct{}

// NewContextWithUser returns ctx carrying the acting user.
func NewContextWithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userContextKey{}, u)
}

// UserFromContext returns the acting user, or nil.
func UserFromContext(ctx context.Context) *User {
	u, _ := ctx.Value(userContextKey{}).(*User)
	return u
}
