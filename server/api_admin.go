package server

import (
	"net/http"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/policy"
)

func (s *Server) apiListUsers(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	if err := decide(a.user, policy.UserList, nil); err != nil {
		return err
	}
	users, err := s.Users.ListUsers(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"users": users})
}

type userInput struct {
	Username       string     `json:"username"`
	DisplayName    string     `json:"display_name"`
	Role           haven.Role `json:"role"`
	OrganisationID string     `json:"organisation_id"`
	Password       string     `json:"password"`
}

func (s *Server) apiCreateUser(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	if err := decide(a.user, policy.UserCreate, nil); err != nil {
		return err
	}
	var in userInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	u := &haven.User{Username: in.Username, DisplayName: in.DisplayName, Role: in.Role, OrganisationID: in.OrganisationID}
	if err := s.Users.CreateUser(r.Context(), u, in.Password); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, u)
}

func (s *Server) apiListOrganisations(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	if err := decide(a.user, policy.OrganisationList, nil); err != nil {
		return err
	}
	orgs, err := s.Orgs.ListOrganisations(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"organisations": orgs})
}

type organisationInput struct {
	Name   string       `json:"name"`
	Sector haven.Sector `json:"sector"`
}

func (s *Server) apiCreateOrganisation(w http.ResponseWriter, r *http.Request, a *authenticated) error {
	if err := decide(a.user, policy.OrganisationCreate, nil); err != nil {
		return err
	}
	var in organisationInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	o := &haven.Organisation{Name: in.Name, Sector: in.Sector}
	if err := s.Orgs.CreateOrganisation(r.Context(), o); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, o)
}
