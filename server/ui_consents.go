package server

import (
	"net/http"
	"strings"
	"time"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/policy"
)

// consentFromForm reads the consent form. A bad date is reported like
// any invalid value.
func consentFromForm(r *http.Request, caseID string, v *haven.Validation) *haven.Consent {
	f := r.PostForm
	k := &haven.Consent{
		CaseID: caseID, Purpose: haven.ConsentPurpose(f.Get("purpose")), RecipientOrganisationID: f.Get("recipient_organisation_id"),
		GivenBy: f.Get("given_by"), ChildView: f.Get("child_view"), Method: f.Get("method"),
	}
	for _, s := range f["scope"] {
		k.Scope = append(k.Scope, haven.ConsentScope(s))
	}
	if s := strings.TrimSpace(f.Get("expires_on")); s != "" {
		d, err := haven.ParseDate(s)
		if err != nil {
			v.Add("expires_at", "must be a date YYYY-MM-DD")
		} else {
			t := d.Add(24*time.Hour - time.Second) // the end of that day
			k.ExpiresAt = &t
		}
	}
	return k
}

func (s *Server) handleConsentCreate(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	c, err := s.findCaseFor(r, a.user, r.PathValue("id"), policy.ConsentRecord)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	var v haven.Validation
	k := consentFromForm(r, c.ID, &v)
	err = v.Err()
	if err == nil {
		err = s.Consents.RecordConsent(r.Context(), k)
	}
	if haven.ErrorCode(err) == haven.EINVALID {
		return s.renderCaseView(w, r, a, c, http.StatusUnprocessableEntity, err)
	} else if err != nil {
		return err
	}
	redirectWithFlash(w, r, "/cases/"+c.ID+"#consents", "consent.saved")
	return nil
}

func (s *Server) handleConsentWithdraw(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	c, err := s.findCaseFor(r, a.user, r.PathValue("id"), policy.ConsentWithdraw)
	if err != nil {
		return err
	}
	if _, err := s.Consents.WithdrawConsent(r.Context(), c.ID, r.PathValue("consent")); err != nil {
		return err
	}
	redirectWithFlash(w, r, "/cases/"+c.ID+"#consents", "consent.withdrawn")
	return nil
}
