package server

import (
	"net/http"
	"net/url"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/policy"
)

type caseListData struct {
	Filter   haven.CaseFilter
	Cases    []*haven.Case
	Next     string
	NextURL  string
	States   []haven.LifecycleState
	Statuses []string
	Vocab    *haven.Vocabulary
}

func (s *Server) handleCaseList(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	if err := decide(a.user, policy.CaseList, nil); err != nil {
		return err
	}
	d := caseListData{States: haven.LifecycleStates, Statuses: []string{haven.StatusOpen, haven.StatusClosed}, Vocab: haven.Vocab}
	f, err := caseFilterFromQuery(r.URL.Query())
	d.Filter = f
	p := s.newPageData(r, a, &d)
	if err != nil {
		p.Error = p.L.T("error.invalid")
		p.FieldErrors = haven.ErrorFields(err)
		s.render(w, r, http.StatusUnprocessableEntity, "cases", p)
		return nil
	}
	f.OwnerOrganisationID = policy.ListScope(a.user)
	d.Cases, d.Next, err = s.Cases.FindCases(r.Context(), f)
	if err != nil {
		return err
	}
	if d.Next != "" {
		q := r.URL.Query()
		q.Set("after", d.Next)
		d.NextURL = (&url.URL{Path: "/cases", RawQuery: q.Encode()}).String()
	}
	s.render(w, r, http.StatusOK, "cases", p)
	return nil
}

type caseViewData struct {
	Case    *haven.Case
	Person  *haven.Person
	Notes   []*haven.Note
	CanEdit bool
	CanNote bool
}

func (s *Server) handleCaseView(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	c, err := s.findCaseFor(r, a.user, r.PathValue("id"), policy.CaseRead)
	if err != nil {
		return err
	}
	rec := &policy.Record{OwnerOrganisationID: c.OwnerOrganisationID}
	d := caseViewData{
		Case:    c,
		CanEdit: policy.Decide(a.user, policy.CaseUpdate, rec) == policy.Allow,
		CanNote: policy.Decide(a.user, policy.NoteAdd, rec) == policy.Allow,
	}
	if policy.Decide(a.user, policy.PersonRead, rec) == policy.Allow {
		d.Person, err = s.Cases.FindPersonByCaseID(r.Context(), c.ID)
		if err != nil && haven.ErrorCode(err) != haven.ENOTFOUND {
			return err
		}
	}
	if policy.Decide(a.user, policy.NoteRead, rec) == policy.Allow {
		if d.Notes, err = s.Cases.ListNotes(r.Context(), c.ID); err != nil {
			return err
		}
	}
	s.render(w, r, http.StatusOK, "case", s.newPageData(r, a, &d))
	return nil
}

func (s *Server) handleNoteCreate(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	c, err := s.findCaseFor(r, a.user, r.PathValue("id"), policy.NoteAdd)
	if err != nil {
		return err
	}
	n := &haven.Note{CaseID: c.ID, Body: r.PostFormValue("body")}
	if err := s.Cases.AddNote(r.Context(), n); err != nil {
		if haven.ErrorCode(err) != haven.EINVALID {
			return err
		}
		redirectWithFlash(w, r, "/cases/"+c.ID, "error.invalid")
		return nil
	}
	redirectWithFlash(w, r, "/cases/"+c.ID, "notes.saved")
	return nil
}
