package server

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/lifecycle"
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
	if err := s.Audit.AuditAccess(r.Context(), "case.list", haven.AuditAllowed, caseIDs(d.Cases)...); err != nil {
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

	// The owner organisation also manages consents and sees break-glass
	// accesses to the record.
	CanManage     bool
	Lifecycle     *lifecycle.View
	CanFire       bool
	AccessLog     []accessEntry
	Consents      []*haven.Consent
	BreakGlass    []*haven.BreakGlass
	Organisations []*haven.Organisation
	Purposes      []haven.ConsentPurpose
	Scopes        []haven.ConsentScope
	ChildViews    []string
	Methods       []string
}

func (s *Server) handleCaseView(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	c, err := s.findCaseFor(r, a.user, r.PathValue("id"), policy.CaseRead)
	if err != nil {
		return err
	}
	return s.renderCaseView(w, r, a, c, http.StatusOK, nil)
}

// renderCaseView shows a case with what the user may see of it; formErr,
// if set, is shown as the errors of the form just posted.
func (s *Server) renderCaseView(w http.ResponseWriter, r *http.Request, a *authenticated, c *haven.Case, status int, formErr error) error {
	rec, err := s.recordOf(r, a.user, c)
	if err != nil {
		return err
	}
	allowed := func(action policy.Action) bool { return policy.Decide(a.user, action, rec) == policy.Allow }
	d := caseViewData{
		Case: c, CanEdit: allowed(policy.CaseUpdate), CanNote: allowed(policy.NoteAdd), CanManage: allowed(policy.ConsentRecord),
		Purposes: haven.ConsentPurposes, Scopes: haven.ConsentScopes, ChildViews: haven.ChildViews, Methods: haven.ConsentMethods,
	}
	if allowed(policy.PersonRead) {
		d.Person, err = s.Cases.FindPersonByCaseID(r.Context(), c.ID)
		if err != nil && haven.ErrorCode(err) != haven.ENOTFOUND {
			return err
		}
		if err := s.Audit.AuditAccess(r.Context(), string(policy.PersonRead), haven.AuditAllowed, c.ID); err != nil {
			return err
		}
	}
	if allowed(policy.NoteRead) {
		if d.Notes, err = s.Cases.ListNotes(r.Context(), c.ID); err != nil {
			return err
		}
		if err := s.Audit.AuditAccess(r.Context(), string(policy.NoteRead), haven.AuditAllowed, c.ID); err != nil {
			return err
		}
	}
	d.CanFire = allowed(policy.CaseEvent)
	if d.Lifecycle, err = s.Lifecycle.LifecycleOf(r.Context(), c.ID); err != nil {
		return err
	}
	if d.CanManage {
		if d.Consents, err = s.Consents.ListConsents(r.Context(), c.ID); err != nil {
			return err
		}
		if d.BreakGlass, err = s.BreakGlass.ListBreakGlass(r.Context(), c.ID); err != nil {
			return err
		}
		if d.Organisations, err = s.Orgs.ListOrganisations(r.Context()); err != nil {
			return err
		}
		if d.AccessLog, err = s.accessHistory(r, c.ID); err != nil {
			return err
		}
	}
	p := s.newPageData(r, a, &d)
	if formErr != nil {
		p.Error = p.L.T("error.invalid")
		if haven.ErrorCode(formErr) != haven.EINVALID {
			p.Error = haven.ErrorMessage(formErr) // a lifecycle rule, in its own words
		}
		p.FieldErrors = haven.ErrorFields(formErr)
	}
	s.render(w, r, status, "case", p)
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

// handleEventFire fires a lifecycle event from the case page. Events that
// need a decision record are taken through the API, where the team's
// members, reasons and evidence are recorded.
func (s *Server) handleEventFire(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	c, err := s.findCaseFor(r, a.user, r.PathValue("id"), policy.CaseEvent)
	if err != nil {
		return err
	}
	version, verr := strconv.Atoi(r.PostFormValue("version"))
	if verr != nil {
		version = 0
	}
	req := lifecycle.Request{Event: lifecycle.Event(r.PostFormValue("event")), Reasons: r.PostFormValue("reasons")}
	if _, _, err := s.Lifecycle.FireEvent(r.Context(), c.ID, version, req); err != nil {
		switch haven.ErrorCode(err) {
		case haven.EINVALID, haven.ECONFLICT, haven.EFORBIDDEN:
			status := ErrorStatus(err)
			if current, ferr := s.Cases.FindCaseByID(r.Context(), c.ID); ferr == nil {
				c = current
			}
			return s.renderCaseView(w, r, a, c, status, err)
		}
		return err
	}
	redirectWithFlash(w, r, "/cases/"+c.ID+"#stage", "lifecycle.fired")
	return nil
}

type inboxData struct {
	Items []lifecycle.InboxItem
}

func (s *Server) handleInbox(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	items, err := s.Lifecycle.Inbox(r.Context(), 200)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "inbox", s.newPageData(r, a, &inboxData{Items: items}))
	return nil
}
