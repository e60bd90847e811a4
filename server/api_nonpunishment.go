package server

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/document"
	"github.com/haven-nrm/haven/policy"
)

// NonPunishmentService is what the server needs to keep findings.
type NonPunishmentService = haven.NonPunishmentService

type findingInput struct {
	DecidedOn         haven.Date      `json:"decided_on"`
	DecidedBy         string          `json:"decided_by"`
	DecisionReference string          `json:"decision_reference"`
	Offences          []haven.Offence `json:"offences"`
	NationalProvision string          `json:"national_provision"`
}

func (s *Server) apiRecordNonPunishment(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	c, err := s.findCaseFor(r, a.user, r.PathValue("id"), policy.NonPunishmentRecord)
	if err != nil {
		return err
	}
	var in findingInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	f := &haven.NonPunishmentFinding{CaseID: c.ID, DecidedOn: in.DecidedOn, DecidedBy: in.DecidedBy,
		DecisionReference: in.DecisionReference, Offences: in.Offences, NationalProvision: in.NationalProvision}
	if err := s.NonPunishment.RecordNonPunishment(r.Context(), f); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, f)
}

func (s *Server) apiListNonPunishment(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	c, err := s.findCaseFor(r, a.user, r.PathValue("id"), policy.NonPunishmentDocument)
	if err != nil {
		return err
	}
	list, err := s.NonPunishment.ListNonPunishment(r.Context(), c.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"findings": list})
}

// apiNonPunishmentDocument produces the dated statement supporting the
// clearing of a criminal record (GR 38 §98c), as HTML or PDF, issued by
// the user's organisation and signed by the user. It holds the person's
// name and date of birth: it is never cached, stored or logged.
func (s *Server) apiNonPunishmentDocument(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	c, err := s.findCaseFor(r, a.user, r.PathValue("id"), policy.NonPunishmentDocument)
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "html"
	}
	if format != "html" && format != "pdf" {
		return &haven.Error{Code: haven.EINVALID, Message: "The input is not valid.",
			Fields: []haven.FieldError{{Field: "format", Reason: "must be html or pdf"}}}
	}
	number, err := strconv.Atoi(r.PathValue("number"))
	if err != nil || number < 1 {
		return errHidden
	}
	findings, err := s.NonPunishment.ListNonPunishment(r.Context(), c.ID)
	if err != nil {
		return err
	}
	if number > len(findings) {
		return errHidden
	}
	f := findings[number-1]
	person, err := s.Cases.FindPersonByCaseID(r.Context(), c.ID)
	if haven.ErrorCode(err) == haven.ENOTFOUND {
		return haven.Errorf(haven.EINVALID, "The statement names the person: record her name and date of birth first.")
	} else if err != nil {
		return err
	}
	var dob haven.Date
	if person.DateOfBirth != "" {
		if dob, err = haven.ParseDate(person.DateOfBirth); err != nil {
			return err
		}
	}
	org, err := s.Orgs.FindOrganisationByID(r.Context(), a.user.OrganisationID)
	if err != nil {
		return err
	}
	l := s.localizer(r)
	np := document.NonPunishment{
		Reference: document.NonPunishmentReference(c.Reference, f.Number), IssuedOn: haven.DateOf(timeNow()),
		Authority: org.Name, CaseReference: c.Reference,
		PersonName: joinName(person.GivenName, person.FamilyName), DateOfBirth: dob,
		Finding:           document.Finding{DecidedOn: f.DecidedOn, DecidedBy: f.DecidedBy, DecisionReference: f.DecisionReference},
		NationalProvision: f.NationalProvision,
		Signatory:         document.Signatory{Name: a.user.DisplayName, Role: l.Code("role", string(a.user.Role))},
	}
	for _, o := range f.Offences {
		np.Offences = append(np.Offences, document.Offence{Description: o.Description, Jurisdiction: o.Jurisdiction, Date: o.Date, RecordNumber: o.RecordNumber})
	}
	doc, err := document.NonPunishmentDoc(l, np)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if format == "pdf" {
		if err := document.RenderPDF(&buf, doc); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", `attachment; filename="`+np.Reference+`.pdf"`)
	} else {
		if err := document.RenderHTML(&buf, doc); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src "+document.StyleHash+"; frame-ancestors 'none'; base-uri 'none'")
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(buf.Bytes())
	return err
}

func joinName(given, family string) string {
	switch {
	case given == "":
		return family
	case family == "":
		return given
	}
	return given + " " + family
}
