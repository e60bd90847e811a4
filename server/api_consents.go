package server

import (
	"net/http"
	"time"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/policy"
)

// consentInput is what a caseworker records; the server sets who recorded
// it and when.
type consentInput struct {
	Purpose                 haven.ConsentPurpose `json:"purpose"`
	RecipientOrganisationID string               `json:"recipient_organisation_id"`
	Scope                   []haven.ConsentScope `json:"scope"`
	GivenBy                 string               `json:"given_by"`
	ChildView               string               `json:"child_view"`
	Method                  string               `json:"method"`
	ExpiresAt               *time.Time           `json:"expires_at"`
}

func (s *Server) apiListConsents(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	c, err := s.findCaseFor(r, a.user, r.PathValue("id"), policy.ConsentRead)
	if err != nil {
		return err
	}
	consents, err := s.Consents.ListConsents(r.Context(), c.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"consents": consents})
}

func (s *Server) apiRecordConsent(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	c, err := s.findCaseFor(r, a.user, r.PathValue("id"), policy.ConsentRecord)
	if err != nil {
		return err
	}
	var in consentInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	k := &haven.Consent{
		CaseID: c.ID, Purpose: in.Purpose, RecipientOrganisationID: in.RecipientOrganisationID, Scope: in.Scope,
		GivenBy: in.GivenBy, ChildView: in.ChildView, Method: in.Method, ExpiresAt: in.ExpiresAt,
	}
	if err := s.Consents.RecordConsent(r.Context(), k); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, k)
}

func (s *Server) apiWithdrawConsent(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	c, err := s.findCaseFor(r, a.user, r.PathValue("id"), policy.ConsentWithdraw)
	if err != nil {
		return err
	}
	k, err := s.Consents.WithdrawConsent(r.Context(), c.ID, r.PathValue("consent"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, k)
}

type breakGlassInput struct {
	Reason string `json:"reason"`
}

func (s *Server) apiBreakGlass(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	c, err := s.findCaseFor(r, a.user, r.PathValue("id"), policy.BreakGlassCreate)
	if err != nil {
		return err
	}
	var in breakGlassInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	b := &haven.BreakGlass{CaseID: c.ID, Reason: in.Reason}
	if err := s.BreakGlass.BreakGlass(r.Context(), b); err != nil {
		return err
	}
	s.logger(r).Warn("break-glass access", "user_id", a.user.ID, "expires_at", b.ExpiresAt)
	b.Reason = "" // the reason is shown to the owner organisation, not echoed
	return writeJSON(w, http.StatusCreated, b)
}

func (s *Server) apiListBreakGlass(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	c, err := s.findCaseFor(r, a.user, r.PathValue("id"), policy.BreakGlassList)
	if err != nil {
		return err
	}
	list, err := s.BreakGlass.ListBreakGlass(r.Context(), c.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"break_glass": list})
}
