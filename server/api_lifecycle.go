package server

import (
	"context"
	"net/http"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/lifecycle"
	"github.com/haven-nrm/haven/policy"
)

// LifecycleService moves cases through the lifecycle table.
type LifecycleService interface {
	FireEvent(ctx context.Context, caseID string, version int, req lifecycle.Request) (*haven.Case, lifecycle.Outcome, error)
	LifecycleOf(ctx context.Context, caseID string) (*lifecycle.View, error)
	Inbox(ctx context.Context, limit int) ([]lifecycle.InboxItem, error)
}

// eventInput fires one lifecycle event. Version is the case version the
// user read: of two conflicting events, exactly one wins.
type eventInput struct {
	Event    lifecycle.Event     `json:"event"`
	Version  int                 `json:"version"`
	Decision *lifecycle.Decision `json:"decision"`
	Reasons  string              `json:"reasons"`
	Permit   haven.PermitKind    `json:"permit"`
}

func (s *Server) apiFireEvent(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	c, err := s.findCaseFor(r, a.user, r.PathValue("id"), policy.CaseEvent)
	if err != nil {
		return err
	}
	var in eventInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	updated, o, err := s.Lifecycle.FireEvent(r.Context(), c.ID, in.Version,
		lifecycle.Request{Event: in.Event, Decision: in.Decision, Reasons: in.Reasons, Permit: in.Permit})
	if err != nil {
		return err
	}
	w.Header().Set("ETag", `"`+itoa(updated.Version)+`"`)
	return writeJSON(w, http.StatusOK, map[string]any{"case": updated, "outcome": o})
}

func (s *Server) apiLifecycle(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	c, err := s.findCaseFor(r, a.user, r.PathValue("id"), policy.CaseRead)
	if err != nil {
		return err
	}
	v, err := s.Lifecycle.LifecycleOf(r.Context(), c.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

func (s *Server) apiInbox(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	items, err := s.Lifecycle.Inbox(r.Context(), 200)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": items})
}
