package server

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"

	"github.com/haven-nrm/haven"
)

type loginData struct {
	CSRF     string
	Username string
}

// loginCSRF returns the login form's double-submit token, setting its
// cookie when there is none yet.
func loginCSRF(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(loginCSRFCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	b := make([]byte, 32)
	rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: loginCSRFCookie, Value: token, Path: "/login", HttpOnly: true,
		Secure: secure(r.Context()), SameSite: http.SameSiteStrictMode})
	return token
}

func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	a, err := s.authenticate(r)
	if err == nil && a.session != nil {
		http.Redirect(w, r, homePath(a.user), http.StatusSeeOther)
		return
	}
	if err == errSecondFactor {
		// Every page sends a session that owes its code here.
		http.Redirect(w, r, "/login/totp", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "login", s.newPageData(r, nil, loginData{CSRF: loginCSRF(w, r)}))
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	username := r.PostFormValue("username")
	p := s.newPageData(r, nil, loginData{CSRF: loginCSRF(w, r), Username: username})
	c, err := r.Cookie(loginCSRFCookie)
	if err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("csrf_token"))) != 1 {
		p.Error = p.L.T("error.csrf")
		s.render(w, r, http.StatusForbidden, "login", p)
		return
	}
	sess, err := s.Auth.Login(r.Context(), username, r.PostFormValue("password"))
	if err != nil {
		switch haven.ErrorCode(err) {
		case haven.EUNAUTHORIZED:
			p.Error = p.L.T("login.failed")
		case haven.ETOOMANY:
			p.Error = p.L.T("error.too_many")
		default:
			s.logger(r).Error("login failed", "error", err)
			p.Error = p.L.T("error.internal", "RequestID", requestID(r.Context()))
		}
		s.logger(r).Info("login refused", "code", haven.ErrorCode(err))
		s.render(w, r, ErrorStatus(err), "login", p)
		return
	}
	s.setSessionCookie(w, r, sess)
	next, err := s.nextAfterPassword(r.Context(), sess.Token)
	if err != nil {
		s.logger(r).Error("login failed", "error", err)
		p.Error = p.L.T("error.internal", "RequestID", requestID(r.Context()))
		s.render(w, r, http.StatusInternalServerError, "login", p)
		return
	}
	if next == "/login/totp" || next == "/login/totp/setup" {
		s.logger(r).Info("login needs a second factor")
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// nextAfterPassword returns where a new session goes: the cases, or the
// second-factor page it owes (set-up when the user has no app yet).
func (s *Server) nextAfterPassword(ctx context.Context, sessionToken string) (string, error) {
	u, sess, err := s.Auth.AuthenticateSession(ctx, sessionToken)
	if err != nil {
		return "", err
	}
	a := &authenticated{user: u, session: sess}
	if err := s.checkSecondFactor(ctx, a); err != nil {
		return "", err
	}
	switch {
	case !a.pending:
		return homePath(u), nil
	case !a.enrolled:
		return "/login/totp/setup", nil
	}
	return "/login/totp", nil
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	if err := s.Auth.Logout(r.Context(), a.session.Token); err != nil {
		return err
	}
	s.clearSessionCookie(w, r)
	redirectWithFlash(w, r, "/login", "login.logged_out")
	return nil
}
