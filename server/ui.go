package server

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"slices"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/i18n"
	"github.com/haven-nrm/haven/lifecycle"
	"github.com/haven-nrm/haven/policy"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages maps a page name to its template, each parsed with the layout.
var pages map[string]*template.Template

// selectField is what the "select" template renders.
type selectField struct {
	L                        *i18n.Localizer
	Label, Field, Name, List string
	Options                  []string
	Value                    string
}

var templateFuncs = template.FuncMap{
	"t":    func(l *i18n.Localizer, id string, data ...any) string { return l.T(id, data...) },
	"code": func(l *i18n.Localizer, list, code string) string { return l.Code(list, code) },
	"deref": func(p *int) int {
		if p == nil {
			return 0
		}
		return *p
	},
	"inc": func(i int) int { return i + 1 },
	// needsDecision tells the page which events need a decision record,
	// taken through the API with the team's members and evidence.
	"needsDecision": func(e lifecycle.Event) bool {
		switch e {
		case lifecycle.ReasonableGroundsPositive, lifecycle.ReasonableGroundsNegative, lifecycle.ConclusivePositive,
			lifecycle.ConclusiveNegative, lifecycle.ReviewUpheld, lifecycle.ReviewOverturnedReasonableGrounds,
			lifecycle.ReviewOverturnedConclusive, lifecycle.RecordAgeAssessment, lifecycle.RequestReconsideration,
			lifecycle.RequestResidencePermit:
			return true
		}
		return false
	},
	"orgName": func(orgs []*haven.Organisation, id string) string {
		for _, o := range orgs {
			if o.ID == id {
				return o.Name
			}
		}
		return ""
	},
	"has": func(list []string, s string) bool { return slices.Contains(list, s) },
	"sel": func(l *i18n.Localizer, label, name, list string, options []string, value string) selectField {
		return selectField{L: l, Label: label, Field: label, Name: name, List: list, Options: options, Value: value}
	},
}

func loadTemplates() error {
	if pages != nil {
		return nil
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return err
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		if n == "templates/layout.html" {
			continue
		}
		t, err := template.New("").Funcs(templateFuncs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return fmt.Errorf("parse templates: %w", err)
		}
		out[n[len("templates/"):len(n)-len(".html")]] = t
	}
	pages = out
	return nil
}

// pageData is what every page template receives.
type pageData struct {
	L           *i18n.Localizer
	User        *haven.User
	CSRF        string
	CanCreate   bool
	Flash       string
	Error       string
	FieldErrors []haven.FieldError
	Data        any
}

func (s *Server) localizer(r *http.Request) *i18n.Localizer {
	var prefs []string
	if c, err := r.Cookie("haven_lang"); err == nil {
		prefs = append(prefs, c.Value)
	}
	return s.catalog.Localizer(append(prefs, r.Header.Get("Accept-Language"))...)
}

func (s *Server) newPageData(r *http.Request, a *authenticated, data any) *pageData {
	p := &pageData{L: s.localizer(r), Data: data}
	if a != nil {
		p.User = a.user
		p.CanCreate = policy.Decide(a.user, policy.CaseCreate, nil) == policy.Allow
		if a.session != nil {
			p.CSRF = a.session.CSRFToken
		}
	}
	if c, err := r.Cookie("haven_flash"); err == nil && c.Value != "" {
		p.Flash = p.L.T(c.Value)
	}
	return p
}

// render writes a page. It renders into a buffer first so that a template
// error becomes a clean 500, not half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *pageData) {
	t, ok := pages[name]
	if !ok {
		s.logger(r).Error("no such template", "template", name)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		s.logger(r).Error("render", "template", name, "error", err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	if p.Flash != "" {
		http.SetCookie(w, &http.Cookie{Name: "haven_flash", Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// redirectWithFlash redirects after a successful form (post/redirect/get)
// and carries a message id, never data, to the next page.
func redirectWithFlash(w http.ResponseWriter, r *http.Request, url, messageID string) {
	http.SetCookie(w, &http.Cookie{Name: "haven_flash", Value: messageID, Path: "/", HttpOnly: true,
		Secure: secure(r.Context()), SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, url, http.StatusSeeOther)
}

type pageHandler func(w http.ResponseWriter, r *http.Request, a *authenticated) error

// page wraps a web page handler: a visitor without a session is sent to
// the login form; forms must carry the session's CSRF token; a returned
// error is rendered as an error page with the matching status.
func (s *Server) page(h pageHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a, err := s.authenticate(r)
		if err == errSecondFactor && r.Method == http.MethodGet {
			http.Redirect(w, r, "/login/totp", http.StatusSeeOther)
			return
		}
		if err != nil || a.session == nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login", http.StatusSeeOther)
				return
			}
			s.pageError(w, r, nil, haven.Errorf(haven.EUNAUTHORIZED, "Please log in."))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		if err := checkCSRF(r, a); err != nil {
			s.pageError(w, r, a, err)
			return
		}
		r = r.WithContext(userContext(r.Context(), a.user))
		if err := h(w, r, a); err != nil {
			s.logDecryptFailure(r, err)
			s.pageError(w, r, a, err)
		}
	}
}

// pageError renders err as an error page. Internal details go to the log
// under the request id; the person sees only a plain message.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, a *authenticated, err error) {
	st := ErrorStatus(err)
	p := s.newPageData(r, a, nil)
	switch haven.ErrorCode(err) {
	case haven.ENOTFOUND:
		p.Error = p.L.T("error.not_found")
	case haven.EFORBIDDEN:
		if err == errCSRF {
			p.Error = p.L.T("error.csrf")
		} else {
			p.Error = p.L.T("error.forbidden")
		}
	case haven.ECONFLICT:
		p.Error = p.L.T("error.conflict")
	case haven.EUNAUTHORIZED:
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	default:
		s.logger(r).Error("page failed", "error", err)
		p.Error = p.L.T("error.internal", "RequestID", requestID(r.Context()))
	}
	s.render(w, r, st, "error", p)
}

func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.FileServerFS(staticFS).ServeHTTP(w, r)
}
