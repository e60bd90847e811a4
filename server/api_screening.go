package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"sync"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/policy"
	"github.com/haven-nrm/haven/screening"
)

// catalogues caches the screening catalogue per language: it is embedded
// data and never changes while the server runs.
type catalogues struct {
	mu    sync.Mutex
	byTag map[string]*screening.Catalogue
}

func (c *catalogues) get(lang string) (*screening.Catalogue, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cat, ok := c.byTag[lang]; ok {
		return cat, nil
	}
	cat, err := screening.Load(lang)
	if errors.Is(err, screening.ErrInvalidLanguage) {
		return nil, &haven.Error{Code: haven.EINVALID, Message: "The input is not valid.",
			Fields: []haven.FieldError{{Field: "lang", Reason: "is not a language code"}}}
	} else if err != nil {
		return nil, err
	}
	if c.byTag == nil {
		c.byTag = map[string]*screening.Catalogue{}
	}
	c.byTag[lang] = cat
	return cat, nil
}

// screeningError turns the screening package's input errors into field
// errors; the messages name indicator ids, never what the person said.
func screeningError(err error) error {
	for _, target := range []error{screening.ErrUnknownIndicator, screening.ErrUnknownList, screening.ErrInvalidAnswers} {
		if errors.Is(err, target) {
			field := "answers.observations"
			if target == screening.ErrUnknownList {
				field = "answers.list"
			}
			return &haven.Error{Code: haven.EINVALID, Message: "The input is not valid.",
				Fields: []haven.FieldError{{Field: field, Reason: err.Error()}}}
		}
	}
	return err
}

func (s *Server) apiScreeningCatalogue(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	if err := decide(a.user, policy.ScreeningEvaluate, nil); err != nil {
		return err
	}
	cat, err := s.screening.get(r.URL.Query().Get("lang"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, cat)
}

type evaluateInput struct {
	Lang    string            `json:"lang"`
	Answers screening.Answers `json:"answers"`
}

// evaluate runs the combination rule on the answers.
func (s *Server) evaluate(in evaluateInput) (screening.Result, *screening.Catalogue, error) {
	cat, err := s.screening.get(in.Lang)
	if err != nil {
		return screening.Result{}, nil, err
	}
	res, err := screening.Evaluate(cat, in.Answers)
	if err != nil {
		return screening.Result{}, nil, screeningError(err)
	}
	return res, cat, nil
}

// apiScreeningEvaluate shows what the answers suggest, storing nothing.
func (s *Server) apiScreeningEvaluate(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	if err := decide(a.user, policy.ScreeningEvaluate, nil); err != nil {
		return err
	}
	var in evaluateInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	res, _, err := s.evaluate(in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

// newScreening packs an evaluated screening for storage.
func newScreening(in evaluateInput, res screening.Result) (*haven.Screening, error) {
	answers, err := json.Marshal(in.Answers)
	if err != nil {
		return nil, err
	}
	result, err := json.Marshal(res)
	if err != nil {
		return nil, err
	}
	return &haven.Screening{
		CatalogueVersion: res.CatalogueVersion, CatalogueDigest: res.CatalogueDigest, List: in.Answers.List,
		Age: string(in.Answers.Age), Outcome: string(res.Suggestion.Outcome), Answers: answers, Result: result,
	}, nil
}

// apiAnonymousScreening keeps a screening of a person who declined
// consent: no case, no identity, only what was observed and suggested.
func (s *Server) apiAnonymousScreening(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	if err := decide(a.user, policy.ScreeningEvaluate, nil); err != nil {
		return err
	}
	var in evaluateInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	res, _, err := s.evaluate(in)
	if err != nil {
		return err
	}
	rec, err := newScreening(in, res)
	if err != nil {
		return err
	}
	if err := s.Screenings.RecordAnonymousScreening(r.Context(), rec); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, screeningView{Screening: rec, Result: res})
}

type screeningConsent struct {
	GivenBy   string `json:"given_by"`
	ChildView string `json:"child_view"`
	Method    string `json:"method"`
}

type caseScreeningInput struct {
	evaluateInput
	Consent *screeningConsent `json:"consent"`
}

type screeningView struct {
	*haven.Screening
	Result any `json:"result"`
}

func (s *Server) apiRecordScreening(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	c, err := s.findCaseFor(r, a.user, r.PathValue("id"), policy.ScreeningRecord)
	if err != nil {
		return err
	}
	var in caseScreeningInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.Consent == nil {
		return &haven.Error{Code: haven.EINVALID, Message: "The input is not valid.", Fields: []haven.FieldError{{Field: "consent",
			Reason: "is required to record a screening on a case (GR 38 §79); without consent, record it anonymously"}}}
	}
	res, _, err := s.evaluate(in.evaluateInput)
	if err != nil {
		return err
	}
	rec, err := newScreening(in.evaluateInput, res)
	if err != nil {
		return err
	}
	consent := &haven.Consent{CaseID: c.ID, Purpose: haven.PurposeScreening, Scope: []haven.ConsentScope{haven.ScopeCase},
		GivenBy: in.Consent.GivenBy, ChildView: in.Consent.ChildView, Method: in.Consent.Method}
	if err := s.Screenings.RecordScreening(r.Context(), rec, consent); err != nil {
		return prefixFields(err, "consent.")
	}
	return writeJSON(w, http.StatusCreated, screeningView{Screening: rec, Result: res})
}

// prefixFields names a nested object's bad fields by their full path.
func prefixFields(err error, prefix string) error {
	var e *haven.Error
	if !errors.As(err, &e) || e.Code != haven.EINVALID {
		return err
	}
	out := &haven.Error{Code: e.Code, Message: e.Message}
	for _, f := range e.Fields {
		if f.Field != "consent" {
			f.Field = prefix + f.Field
		}
		out.Fields = append(out.Fields, f)
	}
	return out
}

func (s *Server) apiListScreenings(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	c, err := s.findCaseFor(r, a.user, r.PathValue("id"), policy.ScreeningRead)
	if err != nil {
		return err
	}
	list, err := s.Screenings.ListScreenings(r.Context(), c.ID)
	if err != nil {
		return err
	}
	out := make([]screeningView, len(list))
	for i, sc := range list {
		out[i] = screeningView{Screening: sc, Result: json.RawMessage(sc.Result)}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"screenings": out})
}
