package haven

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Sector is the kind of work an organisation does. GR 38 §78 asks that
// identification be decided by members of several sectors, and §54c/§83 that
// care sectors be walled off from immigration enforcement, so access rules and
// decisions read the sector.
type Sector string

const (
	SectorNGO              Sector = "ngo"
	SectorShelter          Sector = "shelter"
	SectorHealth           Sector = "health"
	SectorSocialServices   Sector = "social_services"
	SectorChildProtection  Sector = "child_protection"
	SectorLegalAid         Sector = "legal_aid"
	SectorLabourInspection Sector = "labour_inspection"
	SectorPolice           Sector = "police"
	SectorProsecution      Sector = "prosecution"
	SectorImmigration      Sector = "immigration"
	SectorStatistics       Sector = "statistics"
	SectorRapporteur       Sector = "rapporteur"
	SectorGovernment       Sector = "government"
)

// Sectors lists every sector.
var Sectors = []Sector{
	SectorNGO, SectorShelter, SectorHealth, SectorSocialServices, SectorChildProtection,
	SectorLegalAid, SectorLabourInspection, SectorPolice, SectorProsecution,
	SectorImmigration, SectorStatistics, SectorRapporteur, SectorGovernment,
}

// Organisation is an agency or NGO taking part in the referral mechanism
// (HTCDS "organisation").
type Organisation struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Sector    Sector    `json:"sector"`
	CreatedAt time.Time `json:"created_at"`
}

// Validate checks an organisation before it is stored.
func (o *Organisation) Validate() error {
	var v Validation
	if strings.TrimSpace(o.Name) == "" {
		v.Add("name", "is required")
	} else if len(o.Name) > 200 {
		v.Add("name", "must be at most 200 characters")
	}
	if !slices.Contains(Sectors, o.Sector) {
		v.Addf("sector", "must be one of %v", Sectors)
	}
	return v.Err()
}

// OrganisationService stores organisations.
type OrganisationService interface {
	CreateOrganisation(ctx context.Context, o *Organisation) error
	FindOrganisationByID(ctx context.Context, id string) (*Organisation, error)
	FindOrganisationByName(ctx context.Context, name string) (*Organisation, error)
	ListOrganisations(ctx context.Context) ([]*Organisation, error)
}
