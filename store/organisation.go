package store

import (
	"context"
	"fmt"

	"github.com/haven-nrm/haven"
)

var _ haven.OrganisationService = (*DB)(nil)

// CreateOrganisation stores a new organisation and sets its id.
func (db *DB) CreateOrganisation(ctx context.Context, o *haven.Organisation) error {
	if err := o.Validate(); err != nil {
		return err
	}
	o.ID = newID()
	o.CreatedAt = db.Now()
	_, err := db.exec(ctx, `INSERT INTO organisations (id, name, sector, created_at) VALUES (?, ?, ?, ?)`,
		o.ID, o.Name, o.Sector, o.CreatedAt)
	if err != nil {
		return fmt.Errorf("create organisation: %w", mapError(err))
	}
	return nil
}

const organisationColumns = `id, name, sector, created_at`

func scanOrganisation(s interface{ Scan(...any) error }) (*haven.Organisation, error) {
	var o haven.Organisation
	if err := s.Scan(&o.ID, &o.Name, &o.Sector, &o.CreatedAt); err != nil {
		return nil, err
	}
	return &o, nil
}

// FindOrganisationByID returns one organisation.
func (db *DB) FindOrganisationByID(ctx context.Context, id string) (*haven.Organisation, error) {
	o, err := scanOrganisation(db.readRow(ctx, `SELECT `+organisationColumns+` FROM organisations WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("find organisation: %w", mapError(err))
	}
	return o, nil
}

// FindOrganisationByName returns the organisation with that exact name.
func (db *DB) FindOrganisationByName(ctx context.Context, name string) (*haven.Organisation, error) {
	o, err := scanOrganisation(db.readRow(ctx, `SELECT `+organisationColumns+` FROM organisations WHERE name = ?`, name))
	if err != nil {
		return nil, fmt.Errorf("find organisation: %w", mapError(err))
	}
	return o, nil
}

// ListOrganisations returns every organisation by name.
func (db *DB) ListOrganisations(ctx context.Context) ([]*haven.Organisation, error) {
	rows, err := db.readQuery(ctx, `SELECT `+organisationColumns+` FROM organisations ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list organisations: %w", mapError(err))
	}
	defer rows.Close()
	var out []*haven.Organisation
	for rows.Next() {
		o, err := scanOrganisation(rows)
		if err != nil {
			return nil, fmt.Errorf("list organisations: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
