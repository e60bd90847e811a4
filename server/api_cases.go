package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/policy"
)

// caseInput is what a client may set when it creates a case; the server
// sets the id, reference, version, owner and times.
type caseInput struct {
	Status              string               `json:"status"`
	State               haven.LifecycleState `json:"lifecycle_state"`
	ClosureReason       string               `json:"reason_for_case_closure"`
	EncounteredOn       haven.Date           `json:"encountered_on"`
	IdentifiedOn        haven.Date           `json:"identified_on"`
	Victim              haven.VictimContext  `json:"victim"`
	FormsOfExploitation []string             `json:"type_of_exploitation"`
	Events              []haven.Event        `json:"events"`
	Person              *haven.Person        `json:"person"`
}

func (in *caseInput) toCase() *haven.Case {
	return &haven.Case{
		Status: in.Status, State: in.State, ClosureReason: in.ClosureReason,
		EncounteredOn: in.EncounteredOn, IdentifiedOn: in.IdentifiedOn, Victim: in.Victim,
		FormsOfExploitation: in.FormsOfExploitation, Events: in.Events,
	}
}

var errHidden = haven.Errorf(haven.ENOTFOUND, "Not found.")
var errDenied = haven.Errorf(haven.EFORBIDDEN, "Your role does not allow this.")

// decide asks the policy and turns its answer into an error.
func decide(u *haven.User, action policy.Action, rec *policy.Record) error {
	switch policy.Decide(u, action, rec) {
	case policy.Allow:
		return nil
	case policy.Hide:
		return errHidden
	}
	return errDenied
}

// findCaseFor loads a case and checks the action on it. A case the user
// may not see is "not found", exactly like one that does not exist.
func (s *Server) findCaseFor(r *http.Request, u *haven.User, id string, action policy.Action) (*haven.Case, error) {
	c, _, err := s.findCaseRecord(r, u, id, action)
	return c, err
}

// findCaseRecord is findCaseFor that also returns what the policy saw.
//
// Every refusal is logged, and so is every allowed read; writes are logged
// by the store in the write's own transaction.
func (s *Server) findCaseRecord(r *http.Request, u *haven.User, id string, action policy.Action) (*haven.Case, *policy.Record, error) {
	c, rec, err := s.checkCase(r, u, id, action)
	switch {
	case err == errHidden || err == errDenied:
		if lerr := s.Audit.AuditAccess(r.Context(), string(action), haven.AuditRefused, id); lerr != nil {
			return nil, nil, lerr
		}
	case err == nil && readActions[action]:
		if lerr := s.Audit.AuditAccess(r.Context(), string(action), haven.AuditAllowed, id); lerr != nil {
			return nil, nil, lerr
		}
	}
	return c, rec, err
}

// readActions are the actions that only read a record; the server logs
// them (the store logs writes).
var readActions = map[policy.Action]bool{
	policy.CaseRead: true, policy.PersonRead: true, policy.NoteRead: true, policy.ConsentRead: true,
	policy.ScreeningRead: true, policy.BreakGlassList: true, policy.AccessLogRead: true, policy.PermitRequest: true,
	policy.NonPunishmentDocument: true, policy.ProtectionRead: true,
}

func (s *Server) checkCase(r *http.Request, u *haven.User, id string, action policy.Action) (*haven.Case, *policy.Record, error) {
	// A role that could not do this on any case, with any consent or
	// break-glass, is answered before the case is read, so neither the
	// answer nor its timing tells whether the case exists.
	if !couldEver(u, action) {
		return nil, nil, errHidden
	}
	c, err := s.Cases.FindCaseByID(r.Context(), id)
	if haven.ErrorCode(err) == haven.ENOTFOUND {
		return nil, nil, errHidden
	} else if err != nil {
		return nil, nil, err
	}
	rec, err := s.recordOf(r, u, c)
	if err != nil {
		return nil, nil, err
	}
	if err := decide(u, action, rec); err != nil {
		return nil, nil, err
	}
	*r = *r.WithContext(haven.WithPurpose(r.Context(), purposeOf(u, rec)))
	return c, rec, nil
}

// purposeOf names, for the access log, the ground on which the user
// reaches the record.
func purposeOf(u *haven.User, rec *policy.Record) string {
	switch {
	case rec.OwnerOrganisationID == u.OrganisationID:
		return haven.PurposeCaseManagement
	case u.Role == haven.RoleCompetentBody:
		return haven.PurposeIdentification
	case rec.BreakGlass:
		return haven.PurposeBreakGlass
	}
	return haven.PurposeConsented
}

// recordOf gathers what the policy needs about a case, read afresh on
// every request so that a withdrawn consent or an expired break-glass
// takes effect at once.
func (s *Server) recordOf(r *http.Request, u *haven.User, c *haven.Case) (*policy.Record, error) {
	rec := &policy.Record{OwnerOrganisationID: c.OwnerOrganisationID, Now: time.Now()}
	if c.OwnerOrganisationID == u.OrganisationID {
		return rec, nil
	}
	consents, err := s.Consents.ListConsents(r.Context(), c.ID)
	if err != nil {
		return nil, err
	}
	rec.Consents = consents
	if _, err := s.BreakGlass.ActiveBreakGlass(r.Context(), c.ID, u.ID); err == nil {
		rec.BreakGlass = true
	} else if haven.ErrorCode(err) != haven.ENOTFOUND {
		return nil, err
	}
	return rec, nil
}

// couldEver tells whether the most generous record (owned by the user's
// organisation, every consent, break-glass) would let the user act.
func couldEver(u *haven.User, action policy.Action) bool {
	all := []haven.ConsentScope{haven.ScopeCase, haven.ScopeIdentity, haven.ScopeNotes}
	var consents []*haven.Consent
	for _, p := range haven.ConsentPurposes {
		consents = append(consents, &haven.Consent{Purpose: p, RecipientOrganisationID: u.OrganisationID, Scope: all})
	}
	for _, rec := range []*policy.Record{
		{OwnerOrganisationID: u.OrganisationID},
		{OwnerOrganisationID: "\x00another", Consents: consents, BreakGlass: true},
	} {
		if policy.Decide(u, action, rec) == policy.Allow {
			return true
		}
	}
	return false
}

func (s *Server) apiCreateCase(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	if err := decide(a.user, policy.CaseCreate, nil); err != nil {
		return err
	}
	var in caseInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := refuseLifecycleFields(in.State != "" && in.State != haven.StateEncountered,
		in.Status != "" && in.Status != haven.StatusOpen, in.ClosureReason != ""); err != nil {
		return err
	}
	c := in.toCase()
	if err := s.Cases.CreateCase(r.Context(), c, in.Person); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/cases/"+c.ID)
	return writeJSON(w, http.StatusCreated, c)
}

func (s *Server) apiGetCase(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	c, err := s.findCaseFor(r, a.user, r.PathValue("id"), policy.CaseRead)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", `"`+strconv.Itoa(c.Version)+`"`)
	return writeJSON(w, http.StatusOK, c)
}

func (s *Server) apiGetPerson(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	c, err := s.findCaseFor(r, a.user, r.PathValue("id"), policy.PersonRead)
	if err != nil {
		return err
	}
	p, err := s.Cases.FindPersonByCaseID(r.Context(), c.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

// caseFilterFromQuery reads list filters from a query string, naming each
// bad parameter.
func caseFilterFromQuery(q map[string][]string) (haven.CaseFilter, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	var v haven.Validation
	f := haven.CaseFilter{
		Status: get("status"), State: haven.LifecycleState(get("lifecycle_state")), Sex: get("gender"),
		Nationality: get("nationality"), FormOfExploitation: get("type_of_exploitation"), After: get("after"),
	}
	switch get("child") {
	case "", "false":
	case "true":
		f.ChildOnly = true
	default:
		v.Add("child", "must be true or false")
	}
	for _, d := range []struct {
		key string
		dst *haven.Date
	}{{"encountered_from", &f.EncounteredFrom}, {"encountered_to", &f.EncounteredTo}} {
		if s := get(d.key); s != "" {
			p, err := haven.ParseDate(s)
			if err != nil {
				v.Add(d.key, "must be a date YYYY-MM-DD")
			}
			*d.dst = p
		}
	}
	f.Limit = 50
	if s := get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > haven.MaxCasePageLimit {
			v.Addf("limit", "must be a whole number from 1 to %d", haven.MaxCasePageLimit)
		} else {
			f.Limit = n
		}
	}
	// Report the filter's own value checks together with the parse errors.
	for _, fe := range haven.ErrorFields(f.Validate()) {
		if fe.Field != "limit" {
			v.Add(fe.Field, fe.Reason)
		}
	}
	return f, v.Err()
}

type caseList struct {
	Cases []*haven.Case `json:"cases"`
	Next  string        `json:"next,omitempty"`
}

func (s *Server) apiListCases(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	if err := decide(a.user, policy.CaseList, nil); err != nil {
		return err
	}
	f, err := caseFilterFromQuery(r.URL.Query())
	if err != nil {
		return err
	}
	f.OwnerOrganisationID = policy.ListScope(a.user)
	cases, next, err := s.Cases.FindCases(r.Context(), f)
	if err != nil {
		return err
	}
	if err := s.Audit.AuditAccess(r.Context(), "case.list", haven.AuditAllowed, caseIDs(cases)...); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, caseList{Cases: cases, Next: next})
}

func (s *Server) apiUpdateCase(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	c, err := s.findCaseFor(r, a.user, r.PathValue("id"), policy.CaseUpdate)
	if err != nil {
		return err
	}
	var u haven.CaseUpdate
	if err := decodeJSON(w, r, &u); err != nil {
		return err
	}
	if err := refuseLifecycleFields(u.State != nil, u.Status != nil, u.ClosureReason != nil); err != nil {
		return err
	}
	updated, err := s.Cases.UpdateCase(r.Context(), c.ID, u)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", `"`+strconv.Itoa(updated.Version)+`"`)
	return writeJSON(w, http.StatusOK, updated)
}

type noteInput struct {
	Body string `json:"body"`
}

func (s *Server) apiAddNote(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	c, err := s.findCaseFor(r, a.user, r.PathValue("id"), policy.NoteAdd)
	if err != nil {
		return err
	}
	var in noteInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	n := &haven.Note{CaseID: c.ID, Body: in.Body}
	if err := s.Cases.AddNote(r.Context(), n); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, n)
}

func (s *Server) apiListNotes(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	c, err := s.findCaseFor(r, a.user, r.PathValue("id"), policy.NoteRead)
	if err != nil {
		return err
	}
	notes, err := s.Cases.ListNotes(r.Context(), c.ID)
	if err != nil {
		return err
	}
	if notes == nil {
		notes = []*haven.Note{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"notes": notes})
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	return writeJSON(w, http.StatusOK, a.user)
}

func caseIDs(cases []*haven.Case) []string {
	ids := make([]string, len(cases))
	for i, c := range cases {
		ids[i] = c.ID
	}
	return ids
}

// accessEntry is one line of a record's access history as shown to its
// caseworker: who, from which organisation, did what, why and when.
type accessEntry struct {
	Time         time.Time `json:"time"`
	User         string    `json:"user"`
	Organisation string    `json:"organisation"`
	Action       string    `json:"action"`
	Purpose      string    `json:"purpose"`
	Outcome      string    `json:"outcome"`
}

// accessHistory resolves the log's user ids to names for the owner.
func (s *Server) accessHistory(r *http.Request, caseID string) ([]accessEntry, error) {
	events, err := s.Audit.AccessHistory(r.Context(), caseID)
	if err != nil {
		return nil, err
	}
	orgs, err := s.Orgs.ListOrganisations(r.Context())
	if err != nil {
		return nil, err
	}
	orgName := map[string]string{}
	for _, o := range orgs {
		orgName[o.ID] = o.Name
	}
	users := map[string]*haven.User{}
	out := make([]accessEntry, 0, len(events))
	for _, e := range events {
		entry := accessEntry{Time: e.Time, Action: e.Action, Purpose: e.Purpose, Outcome: e.Outcome}
		if e.UserID != "" {
			u, ok := users[e.UserID]
			if !ok {
				if u, err = s.Users.FindUserByID(r.Context(), e.UserID); err != nil && haven.ErrorCode(err) != haven.ENOTFOUND {
					return nil, err
				}
				users[e.UserID] = u
			}
			if u != nil {
				entry.User, entry.Organisation = u.DisplayName, orgName[u.OrganisationID]
			}
		}
		out = append(out, entry)
	}
	return out, nil
}

func (s *Server) apiAccessLog(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	c, err := s.findCaseFor(r, a.user, r.PathValue("id"), policy.AccessLogRead)
	if err != nil {
		return err
	}
	entries, err := s.accessHistory(r, c.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"access_log": entries})
}

// refuseLifecycleFields keeps the lifecycle out of plain edits: a case
// starts at encountered and moves only by events the lifecycle table
// allows (POST /api/v1/cases/{id}/events).
func refuseLifecycleFields(state, status, closure bool) error {
	var v haven.Validation
	const why = "changes only by a lifecycle event (POST /api/v1/cases/{id}/events)"
	if state {
		v.Add("lifecycle_state", why)
	}
	if status {
		v.Add("status", why)
	}
	if closure {
		v.Add("reason_for_case_closure", why)
	}
	return v.Err()
}
