// Package storetest opens real, migrated, empty Haven databases for tests:
// SQLite in a temporary folder always, and PostgreSQL when
// HAVEN_TEST_POSTGRES_URL names a server, each test in a schema of its own.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/password"
	"github.com/haven-nrm/haven/store"
	"github.com/haven-nrm/haven/vault"
)

// PostgresURLEnv names the variable that enables the PostgreSQL runs.
const PostgresURLEnv = "HAVEN_TEST_POSTGRES_URL"

// FastAuth makes password hashing cheap so tests that log in stay fast.
var FastAuth = func() store.AuthSettings {
	s := store.DefaultAuthSettings
	s.Password = password.Params{Memory: 1024, Time: 1, Threads: 1}
	return s
}()

// EachDialect runs fn once per database: SQLite always, PostgreSQL when
// HAVEN_TEST_POSTGRES_URL is set (skipped, saying why, when it is not).
func EachDialect(t *testing.T, fn func(t *testing.T, open func(t testing.TB) *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, OpenSQLite) })
	t.Run("postgres", func(t *testing.T) {
		if os.Getenv(PostgresURLEnv) == "" {
			t.Skip(PostgresURLEnv + " is not set: PostgreSQL storage tests skipped")
		}
		fn(t, OpenPostgres)
	})
}

// OpenSQLite returns a migrated SQLite database in a temporary folder.
func OpenSQLite(t testing.TB) *store.DB {
	t.Helper()
	return finish(t, filepath.Join(t.TempDir(), "haven.db"))
}

// OpenPostgres returns a migrated, empty PostgreSQL schema of its own,
// dropped when the test ends.
func OpenPostgres(t testing.TB) *store.DB {
	t.Helper()
	base := os.Getenv(PostgresURLEnv)
	if base == "" {
		t.Skip(PostgresURLEnv + " is not set")
	}
	ctx := context.Background()
	admin, err := store.Open(ctx, base)
	if err != nil {
		t.Fatalf("open PostgreSQL: %v", err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return finish(t, u.String())
}

func finish(t testing.TB, dsn string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	db.SetAuthSettings(FastAuth)
	keyFile := filepath.Join(t.TempDir(), "master.key")
	if err := vault.CreateMasterKeyFile(keyFile); err != nil {
		t.Fatal(err)
	}
	master, err := vault.LoadMasterKeyFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	db.SetVault(vault.New(db, master))
	return db
}

// Fixture is a small world to test against: organisations of several
// sectors and one user of each role.
type Fixture struct {
	Orgs  map[haven.Sector]*haven.Organisation
	Users map[haven.Role]*haven.User
}

// Password is every fixture user's password.
const Password = "correct horse battery staple"

// roleSector places each fixture role in a plausible organisation.
var roleSector = map[haven.Role]haven.Sector{
	haven.RoleFirstResponder:  haven.SectorNGO,
	haven.RoleCompetentBody:   haven.SectorSocialServices,
	haven.RoleCaseworker:      haven.SectorNGO,
	haven.RoleServiceProvider: haven.SectorShelter,
	haven.RoleGuardian:        haven.SectorChildProtection,
	haven.RoleLawEnforcement:  haven.SectorPolice,
	haven.RoleProsecutor:      haven.SectorProsecution,
	haven.RoleImmigration:     haven.SectorImmigration,
	haven.RoleStatistician:    haven.SectorStatistics,
	haven.RoleRapporteur:      haven.SectorRapporteur,
	haven.RoleAdministrator:   haven.SectorGovernment,
}

// Seed creates the fixture's organisations and users.
func Seed(t testing.TB, db *store.DB) *Fixture {
	t.Helper()
	ctx := context.Background()
	f := &Fixture{Orgs: map[haven.Sector]*haven.Organisation{}, Users: map[haven.Role]*haven.User{}}
	for _, role := range haven.Roles {
		sector := roleSector[role]
		org, ok := f.Orgs[sector]
		if !ok {
			org = &haven.Organisation{Name: "Test " + string(sector), Sector: sector}
			if err := db.CreateOrganisation(ctx, org); err != nil {
				t.Fatalf("seed organisation: %v", err)
			}
			f.Orgs[sector] = org
		}
		u := &haven.User{Username: string(role), DisplayName: "Test " + string(role), Role: role, OrganisationID: org.ID}
		if err := db.CreateUser(ctx, u, Password); err != nil {
			t.Fatalf("seed user: %v", err)
		}
		u.Sector = sector
		f.Users[role] = u
	}
	return f
}

// As returns ctx acting as the fixture user of role.
func (f *Fixture) As(ctx context.Context, role haven.Role) context.Context {
	return haven.NewContextWithUser(ctx, f.Users[role])
}
