package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/policy"
)

// eventRows is how many event rows the case form offers.
const eventRows = 3

type caseFormData struct {
	Case      *haven.Case
	EventRows []haven.Event
	States    []haven.LifecycleState
	Statuses  []string
	Vocab     *haven.Vocabulary
}

func newCaseFormData(c *haven.Case) *caseFormData {
	rows := append([]haven.Event(nil), c.Events...)
	for len(rows) < eventRows || len(rows) < len(c.Events)+1 {
		rows = append(rows, haven.Event{})
	}
	return &caseFormData{Case: c, EventRows: rows, States: haven.LifecycleStates,
		Statuses: []string{haven.StatusOpen, haven.StatusClosed}, Vocab: haven.Vocab}
}

// caseFromForm reads the case form. Fields that do not parse are reported
// like invalid values, by field name.
func caseFromForm(f url.Values, v *haven.Validation) *haven.Case {
	date := func(field, key string) haven.Date {
		s := strings.TrimSpace(f.Get(key))
		if s == "" {
			return haven.Date{}
		}
		d, err := haven.ParseDate(s)
		if err != nil {
			v.Add(field, "must be a date YYYY-MM-DD")
		}
		return d
	}
	// The stage, status and closure move only by lifecycle events.
	c := &haven.Case{
		EncounteredOn: date("encountered_on", "encountered_on"),
		Victim: haven.VictimContext{
			Sex: f.Get("gender"), AgeStatus: f.Get("age_status"), Disability: f.Get("disability"),
			Ethnicity: strings.TrimSpace(f.Get("ethnicity")), Nationality: strings.ToUpper(strings.TrimSpace(f.Get("nationality"))),
			ImmigrationStatus: f.Get("immigration_status"), SocioeconomicStatus: f.Get("socioeconomic_status"),
			LocationOfIdentification: strings.TrimSpace(f.Get("location_of_identification")),
			MethodOfRecruitment:      f.Get("method_of_recruitment"),
		},
		FormsOfExploitation: f["type_of_exploitation"],
		Events:              []haven.Event{},
	}
	if s := strings.TrimSpace(f.Get("age_at_encounter")); s != "" {
		if n, err := strconv.Atoi(s); err != nil {
			v.Add("victim.age_at_encounter", "must be a whole number")
		} else {
			c.Victim.AgeAtEncounter = &n
		}
	}
	types := f["event_type"]
	for i := range types {
		at := func(key string) string {
			if vals := f[key]; i < len(vals) {
				return strings.TrimSpace(vals[i])
			}
			return ""
		}
		if types[i] == "" && at("event_country") == "" {
			continue // an empty row
		}
		field := "events[" + strconv.Itoa(len(c.Events)) + "]"
		e := haven.Event{Type: types[i], Country: strings.ToUpper(at("event_country")), Region: at("event_region"),
			FormOfExploitation: at("event_form")}
		for _, d := range []struct {
			key string
			dst *haven.Date
		}{{"event_started_on", &e.StartedOn}, {"event_ended_on", &e.EndedOn}} {
			if s := at(d.key); s != "" {
				p, err := haven.ParseDate(s)
				if err != nil {
					v.Add(field+"."+strings.TrimPrefix(d.key, "event_"), "must be a date YYYY-MM-DD")
				}
				*d.dst = p
			}
		}
		c.Events = append(c.Events, e)
	}
	return c
}

// mergeValidation adds the case's own validation errors to the form's
// parse errors, so the person sees every problem at once.
func mergeValidation(v *haven.Validation, c *haven.Case) {
	seen := map[string]bool{}
	for _, fe := range haven.ErrorFields(v.Err()) {
		seen[fe.Field] = true
	}
	probe := *c
	probe.Normalize()
	for _, fe := range haven.ErrorFields(probe.Validate()) {
		if !seen[fe.Field] {
			v.Add(fe.Field, fe.Reason)
		}
	}
}

func personFromForm(f url.Values) *haven.Person {
	return &haven.Person{
		GivenName: strings.TrimSpace(f.Get("given_name")), FamilyName: strings.TrimSpace(f.Get("family_name")),
		DateOfBirth: strings.TrimSpace(f.Get("date_of_birth")), DocumentNumber: strings.TrimSpace(f.Get("document_number")),
		Contact: strings.TrimSpace(f.Get("contact")),
	}
}

// renderCaseForm shows the form again with the errors of err.
func (s *Server) renderCaseForm(w http.ResponseWriter, r *http.Request, a *authenticated, c *haven.Case, err error) error {
	p := s.newPageData(r, a, newCaseFormData(c))
	if err == nil {
		s.render(w, r, http.StatusOK, "case_form", p)
		return nil
	}
	if haven.ErrorCode(err) != haven.EINVALID {
		return err
	}
	p.Error = p.L.T("error.invalid")
	p.FieldErrors = haven.ErrorFields(err)
	s.render(w, r, http.StatusUnprocessableEntity, "case_form", p)
	return nil
}

func (s *Server) handleCaseNew(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	if err := decide(a.user, policy.CaseCreate, nil); err != nil {
		return err
	}
	c := &haven.Case{}
	c.Normalize()
	return s.renderCaseForm(w, r, a, c, nil)
}

func (s *Server) handleCaseCreate(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	if err := decide(a.user, policy.CaseCreate, nil); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	var v haven.Validation
	c := caseFromForm(r.PostForm, &v)
	if err := v.Err(); err != nil {
		mergeValidation(&v, c)
		err = v.Err()
		return s.renderCaseForm(w, r, a, c, err)
	}
	if err := s.Cases.CreateCase(r.Context(), c, personFromForm(r.PostForm)); err != nil {
		return s.renderCaseForm(w, r, a, c, err)
	}
	redirectWithFlash(w, r, "/cases/"+c.ID, "case.created")
	return nil
}

func (s *Server) handleCaseEdit(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	c, err := s.findCaseFor(r, a.user, r.PathValue("id"), policy.CaseUpdate)
	if err != nil {
		return err
	}
	return s.renderCaseForm(w, r, a, c, nil)
}

func (s *Server) handleCaseUpdate(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	c, err := s.findCaseFor(r, a.user, r.PathValue("id"), policy.CaseUpdate)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	var v haven.Validation
	in := caseFromForm(r.PostForm, &v)
	version, verr := strconv.Atoi(r.PostForm.Get("version"))
	if verr != nil {
		v.Add("version", "is missing; reload the case")
	}
	in.ID, in.Reference, in.Version = c.ID, c.Reference, version
	in.State, in.Status, in.ClosureReason, in.IdentifiedOn = c.State, c.Status, c.ClosureReason, c.IdentifiedOn
	if err := v.Err(); err != nil {
		mergeValidation(&v, in)
		err = v.Err()
		return s.renderCaseForm(w, r, a, in, err)
	}
	u := haven.CaseUpdate{
		Version: version, EncounteredOn: &in.EncounteredOn, Victim: &in.Victim,
		FormsOfExploitation: &in.FormsOfExploitation, Events: &in.Events,
	}
	if _, err := s.Cases.UpdateCase(r.Context(), c.ID, u); err != nil {
		return s.renderCaseForm(w, r, a, in, err)
	}
	redirectWithFlash(w, r, "/cases/"+c.ID, "case.updated")
	return nil
}
