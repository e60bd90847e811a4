package server

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/haven-nrm/haven"
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
}

var errLogin = haven.Errorf(haven.EUNAUTHORIZED, "Please log in.")

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
	return &authenticated{user: u, session: sess}, nil
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
