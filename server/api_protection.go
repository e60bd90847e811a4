package server

import (
	"net/http"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/policy"
)

type protectionInput struct {
	Kind     haven.ProtectionKind `json:"kind"`
	LodgedOn haven.Date           `json:"lodged_on"`
}

func (s *Server) apiRecordProtection(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	c, err := s.findCaseFor(r, a.user, r.PathValue("id"), policy.ProtectionRecord)
	if err != nil {
		return err
	}
	var in protectionInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	p := &haven.ProtectionProcedure{CaseID: c.ID, Kind: in.Kind, LodgedOn: in.LodgedOn}
	if err := s.Protection.RecordProtection(r.Context(), p); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, p)
}

func (s *Server) apiDecideProtection(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	c, err := s.findCaseFor(r, a.user, r.PathValue("id"), policy.ProtectionRecord)
	if err != nil {
		return err
	}
	var d haven.ProtectionDecision
	if err := decodeJSON(w, r, &d); err != nil {
		return err
	}
	p, err := s.Protection.DecideProtection(r.Context(), c.ID, r.PathValue("procedure"), d)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

func (s *Server) apiListProtection(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	c, err := s.findCaseFor(r, a.user, r.PathValue("id"), policy.ProtectionRead)
	if err != nil {
		return err
	}
	list, err := s.Protection.ListProtection(r.Context(), c.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"procedures": list})
}
