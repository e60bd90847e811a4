package server

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/policy"
)

const (
	// cookieSecure is used over HTTPS: the __Host- prefix makes browsers
	// refuse it unless it is Secure, host-only and for path /.
	cookieSecure = "__Host-haven_session"
	cookiePlain  = "haven_session"
	// loginCSRFCookie carries the double-submit token of the login form,
	// which is posted before there is a session to hold one.
	loginCSRFCookie = "haven_login_csrf"
)

func sessionCookieName(r *http.Request) string {
	if secure(r.Context()) {
		return cookieSecure
	}
	return cookiePlain
}

func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, sess *haven.Session) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookieName(r), Value: sess.Token, Path: "/",
		Expires: sess.ExpiresAt, HttpOnly: true, Secure: secure(r.Context()), SameSite: http.SameSiteStrictMode,
	})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookieName(r), Value: "", Path: "/", MaxAge: -1, Expires: time.Unix(0, 0),
		HttpOnly: true, Secure: secure(r.Context()), SameSite: http.SameSiteStrictMode,
	})
}

// authenticated is who made a request and how.
type authenticated struct {
	user    *haven.User
	session *haven.Session // nil for a bearer token
	// pending marks a session that has passed the password but still owes
	// its second factor: it reaches only secondFactorRoutes.
	pending bool
	// enrolled tells whether the session's user has an authenticator app.
	enrolled bool
}

var errLogin = haven.Errorf(haven.EUNAUTHORIZED, "Please log in.")

// errSecondFactor answers a session that owes its second factor anywhere
// but the second-factor pages: the API says 401, pages send it to /login,
// which sends it on to /login/totp.
var errSecondFactor = haven.Errorf(haven.EUNAUTHORIZED, "Finish logging in with the code from your authenticator app.")

// SecondFactor is what the server needs of the auth service for staff's
// second factor (TOTP, RFC 6238). The store implements it; a session token
// names the session, and an upgrade returns a session under a new token.
type SecondFactor interface {
	// SessionSecondFactor tells whether a session has passed a second
	// factor, and whether its user has an authenticator app set up.
	SessionSecondFactor(ctx context.Context, sessionToken string) (passed, enrolled bool, err error)
	// StartTOTPEnrolment returns the secret to add to an authenticator
	// app, as base32 text and as an otpauth:// URI.
	StartTOTPEnrolment(ctx context.Context, sessionToken string) (secret, uri string, err error)
	// ConfirmTOTPEnrolment checks a first code and upgrades the session.
	ConfirmTOTPEnrolment(ctx context.Context, sessionToken, code string) (*haven.Session, error)
	// VerifyTOTP checks a code and upgrades the session.
	VerifyTOTP(ctx context.Context, sessionToken, code string) (*haven.Session, error)
}

// secondFactorRequired tells whether u must pass a second factor even
// before setting one up: staff whose role reads case content, unless the
// deployment turned the requirement off.
func (s *Server) secondFactorRequired(u *haven.User) bool {
	return s.config.RequireTOTP && policy.ReadsCaseContent(u.Role)
}

// checkSecondFactor fills a session's pending and enrolled marks. A user
// who has set up an authenticator app is always asked for a code, required
// or not: a second factor she chose must not be skippable.
func (s *Server) checkSecondFactor(ctx context.Context, a *authenticated) error {
	sf, ok := s.Auth.(SecondFactor)
	if !ok {
		// An auth service without second factors: fail closed where one
		// is required.
		a.pending = s.secondFactorRequired(a.user)
		return nil
	}
	passed, enrolled, err := sf.SessionSecondFactor(ctx, a.session.Token)
	if err != nil {
		return err
	}
	a.enrolled = enrolled
	a.pending = !passed && (enrolled || s.secondFactorRequired(a.user))
	return nil
}

// authenticate finds the user of a request: a bearer token, or else a
// session cookie.
func (s *Server) authenticate(r *http.Request) (*authenticated, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return nil, haven.Errorf(haven.EUNAUTHORIZED, "Use 'Authorization: Bearer <token>'.")
		}
		u, err := s.Auth.AuthenticateToken(r.Context(), strings.TrimSpace(token))
		if err != nil {
			return nil, err
		}
		return &authenticated{user: u}, nil
	}
	c, err := r.Cookie(sessionCookieName(r))
	if err != nil {
		return nil, errLogin
	}
	u, sess, err := s.Auth.AuthenticateSession(r.Context(), c.Value)
	if err != nil {
		return nil, err
	}
	a := &authenticated{user: u, session: sess}
	if err := s.checkSecondFactor(r.Context(), a); err != nil {
		return nil, err
	}
	// r.Pattern is the route the mux chose: the gate holds for every
	// route, present or future, that is not a second-factor page.
	if a.pending && !secondFactorRoutes[r.Pattern] {
		return nil, errSecondFactor
	}
	return a, nil
}

var errCSRF = haven.Errorf(haven.EFORBIDDEN, "The form has expired or did not come from Haven. Reload the page and try again.")

// checkCSRF guards state-changing requests that a browser authenticates
// with a cookie: the request must carry the session's CSRF token, in the
// form field csrf_token or the X-CSRF-Token header. Bearer-token requests
// cannot be forged by another site and need none.
func checkCSRF(r *http.Request, a *authenticated) error {
	if a.session == nil || r.Method == http.MethodGet || r.Method == http.MethodHead {
		return nil
	}
	token := r.Header.Get("X-CSRF-Token")
	if token == "" {
		token = r.PostFormValue("csrf_token")
	}
	if token == "" || subtle.ConstantTimeCompare([]byte(token), []byte(a.session.CSRFToken)) != 1 {
		return errCSRF
	}
	return nil
}
