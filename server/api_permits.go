package server

import (
	"net/http"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/policy"
)

type permitInput struct {
	Kind haven.PermitKind `json:"kind"`
}

// apiRequestPermit is the care side sending a request to immigration.
func (s *Server) apiRequestPermit(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	c, err := s.findCaseFor(r, a.user, r.PathValue("id"), policy.PermitRequest)
	if err != nil {
		return err
	}
	var in permitInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	// Sealing for immigration is the one place the care side writes into
	// the immigration compartment; it never reads from it.
	ctx := haven.WithCompartments(r.Context(), haven.CompartmentCare, haven.CompartmentImmigration)
	p, err := s.Permits.RequestPermit(ctx, c.ID, in.Kind)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, permitStatus(p))
}

// permitStatus is what the care side sees of a request: its progress, not
// the copy of the identity held by immigration.
func permitStatus(p *haven.PermitRequest) map[string]any {
	out := map[string]any{"id": p.ID, "reference": p.Reference, "kind": p.Kind, "status": p.Status, "requested_at": p.RequestedAt}
	if p.DecidedAt != nil {
		out["decided_at"] = p.DecidedAt
	}
	if !p.ValidUntil.IsZero() {
		out["valid_until"] = p.ValidUntil
	}
	return out
}

func (s *Server) apiCasePermits(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	c, err := s.findCaseFor(r, a.user, r.PathValue("id"), policy.PermitRequest)
	if err != nil {
		return err
	}
	ctx := haven.WithCompartments(r.Context(), haven.CompartmentCare, haven.CompartmentImmigration)
	list, err := s.Permits.CasePermitRequests(ctx, c.ID)
	if err != nil {
		return err
	}
	out := make([]map[string]any, len(list))
	for i, p := range list {
		out[i] = permitStatus(p)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"permits": out})
}

func (s *Server) apiListPermits(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	if err := decide(a.user, policy.PermitList, nil); err != nil {
		return err
	}
	list, err := s.Permits.ListPermitRequests(r.Context(), r.URL.Query().Get("status"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"permits": list})
}

func (s *Server) apiGetPermit(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	if err := decide(a.user, policy.PermitRead, nil); err != nil {
		return err
	}
	p, err := s.Permits.FindPermitRequest(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

func (s *Server) apiDecidePermit(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	if err := decide(a.user, policy.PermitDecide, nil); err != nil {
		return err
	}
	var d haven.PermitDecision
	if err := decodeJSON(w, r, &d); err != nil {
		return err
	}
	p, err := s.Permits.DecidePermit(r.Context(), r.PathValue("id"), d)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}
