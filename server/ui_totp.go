package server

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"image/png"
	"net/http"
	"strings"

	"github.com/pquerna/otp"

	"github.com/haven-nrm/haven"
)

// The second-factor pages: entering a code (/login/totp) and setting up an
// authenticator app (/login/totp/setup). A session that owes its code
// reaches only these and /logout (secondFactorRoutes); a right code
// upgrades the session under a new token.

// totpData is what the second-factor templates receive.
type totpData struct {
	CSRF string
	// Pending: the session owes its code, so the page shows no navigation,
	// only its own log-out button.
	Pending bool
	// Set-up only: the key, grouped by four for reading and typing; the
	// otpauth:// URI; and the URI as a QR code in a data: URL.
	Secret string
	URI    string
	QR     template.URL
}

var errNoSecondFactor = errors.New("the auth service offers no second factor")

func (s *Server) secondFactorService() (SecondFactor, error) {
	sf, ok := s.Auth.(SecondFactor)
	if !ok {
		return nil, errNoSecondFactor
	}
	return sf, nil
}

// totpPage returns the page data of a second-factor page. A pending
// session gets no header navigation: every link there would bounce.
func (s *Server) totpPage(r *http.Request, a *authenticated, data totpData) *pageData {
	data.CSRF, data.Pending = a.session.CSRFToken, a.pending
	if a.pending {
		return s.newPageData(r, nil, data)
	}
	return s.newPageData(r, a, data)
}

// redirectSecondFactor sends an enrolled user away from the set-up: to the
// code form if her session owes one, else to the cases.
func redirectSecondFactor(w http.ResponseWriter, r *http.Request, a *authenticated) {
	if a.pending {
		http.Redirect(w, r, "/login/totp", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, homePath(a.user), http.StatusSeeOther)
}

func (s *Server) handleTOTPForm(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	if !a.pending {
		http.Redirect(w, r, homePath(a.user), http.StatusSeeOther)
		return nil
	}
	if !a.enrolled {
		http.Redirect(w, r, "/login/totp/setup", http.StatusSeeOther)
		return nil
	}
	s.render(w, r, http.StatusOK, "login_totp", s.totpPage(r, a, totpData{}))
	return nil
}

func (s *Server) handleTOTPVerify(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	if !a.pending || !a.enrolled {
		// Nothing owed, or no app yet: the form's redirects apply.
		return s.handleTOTPForm(w, r, a)
	}
	sf, err := s.secondFactorService()
	if err != nil {
		return err
	}
	sess, err := sf.VerifyTOTP(r.Context(), a.session.Token, r.PostFormValue("code"))
	if err != nil {
		return s.totpRefused(w, r, "login_totp", s.totpPage(r, a, totpData{}), err)
	}
	s.setSessionCookie(w, r, sess)
	s.logger(r).Info("second factor passed")
	http.Redirect(w, r, homePath(a.user), http.StatusSeeOther)
	return nil
}

func (s *Server) handleTOTPSetupForm(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	if a.enrolled {
		redirectSecondFactor(w, r, a)
		return nil
	}
	p, err := s.setupPage(r, a)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "totp_setup", p)
	return nil
}

func (s *Server) handleTOTPSetup(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	if a.enrolled {
		redirectSecondFactor(w, r, a)
		return nil
	}
	sf, err := s.secondFactorService()
	if err != nil {
		return err
	}
	sess, err := sf.ConfirmTOTPEnrolment(r.Context(), a.session.Token, r.PostFormValue("code"))
	switch haven.ErrorCode(err) {
	case "":
		s.setSessionCookie(w, r, sess)
		s.logger(r).Info("second factor set up")
		redirectWithFlash(w, r, "/cases", "totp.enrolled")
		return nil
	case haven.ECONFLICT, haven.EINVALID:
		// Set up meanwhile, or reset by an administrator: start over.
		http.Redirect(w, r, "/login/totp/setup", http.StatusSeeOther)
		return nil
	}
	p, perr := s.setupPage(r, a)
	if perr != nil {
		return perr
	}
	return s.totpRefused(w, r, "totp_setup", p, err)
}

// setupPage returns the set-up page for the session's pending secret.
func (s *Server) setupPage(r *http.Request, a *authenticated) (*pageData, error) {
	sf, err := s.secondFactorService()
	if err != nil {
		return nil, err
	}
	secret, uri, err := sf.StartTOTPEnrolment(r.Context(), a.session.Token)
	if err != nil {
		return nil, err
	}
	qr, err := qrDataURL(uri)
	if err != nil {
		return nil, err
	}
	return s.totpPage(r, a, totpData{Secret: groupsOf4(secret), URI: uri, QR: qr}), nil
}

// totpRefused shows a second-factor page again with why the code was
// refused. The code itself is never logged.
func (s *Server) totpRefused(w http.ResponseWriter, r *http.Request, page string, p *pageData, err error) error {
	switch haven.ErrorCode(err) {
	case haven.EUNAUTHORIZED:
		p.Error = p.L.T("totp.wrong_code")
	case haven.ETOOMANY:
		p.Error = p.L.T("error.too_many")
	default:
		return err
	}
	s.logger(r).Info("second factor refused", "code", haven.ErrorCode(err))
	s.render(w, r, ErrorStatus(err), page, p)
	return nil
}

// qrDataURL draws an otpauth:// URI as a QR code in a PNG data: URL, which
// the Content-Security-Policy allows (img-src data:), so the page needs no
// request for it and the secret never appears in a URL.
func qrDataURL(uri string) (template.URL, error) {
	key, err := otp.NewKeyFromURL(uri)
	if err != nil {
		return "", fmt.Errorf("qr code: %w", err)
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return "", fmt.Errorf("qr code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", fmt.Errorf("qr code: %w", err)
	}
	// Safe as a URL: built here from our own PNG, never from input.
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())), nil
}

// groupsOf4 spaces a base32 key in groups of four, as people read it out
// and type it; authenticator apps ignore the spaces.
func groupsOf4(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[i:min(i+4, len(s))])
	}
	return b.String()
}
