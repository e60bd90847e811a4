package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/server"
	"github.com/haven-nrm/haven/store"
	"github.com/haven-nrm/haven/store/statsource"
	"github.com/haven-nrm/haven/vault"
)

// App is a running Haven: its database, vault and HTTP server. Open builds
// it, Run serves until the context ends, Close releases it. Tests run the
// real thing through it.
type App struct {
	Config *Config
	Logger *slog.Logger
	DB     *store.DB

	ln   net.Listener
	http *http.Server
	tls  bool
}

// openDatabase opens the database, checks its schema is current and
// unlocks the vault with the master key file.
func openDatabase(ctx context.Context, cfg *Config) (*store.DB, error) {
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if err := db.CheckSchema(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := attachVault(ctx, db, cfg.MasterKeyFile); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// attachVault loads the master key and opens every compartment's keyset,
// so a missing or wrong key stops Haven before it serves anything.
func attachVault(ctx context.Context, db *store.DB, keyFile string) error {
	master, err := vault.LoadMasterKeyFile(keyFile)
	if err != nil {
		return err
	}
	v := vault.New(db, master)
	if err := v.Check(ctx, haven.CompartmentCare, haven.CompartmentJustice, haven.CompartmentImmigration, haven.CompartmentStaff); err != nil {
		return err
	}
	if err := v.CheckAudit(ctx); err != nil {
		return err
	}
	if err := db.PrepareAudit(ctx); err != nil {
		return err
	}
	db.SetVault(v)
	return nil
}

// checkpointEvery is how often a running server signs a checkpoint of the
// access log when it has grown: entries after the latest checkpoint are
// the only ones a database administrator could rewrite unseen.
const checkpointEvery = time.Minute

// checkpointLoop signs a checkpoint of the access log every interval while
// new entries arrive, until ctx ends. Several instances may each sign;
// checkpoints of the same head are harmless.
func (a *App) checkpointLoop(ctx context.Context, every time.Duration) {
	v, ok := a.DB.Vault().(*vault.Vault)
	if !ok {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	var last int64 = -1
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		latest, err := a.DB.LatestAuditCheckpoint(ctx)
		if err != nil && haven.ErrorCode(err) != haven.ENOTFOUND {
			a.Logger.Error("audit checkpoint", "error", err)
			continue
		}
		size, err := a.DB.AuditSize(ctx)
		if err != nil {
			a.Logger.Error("audit checkpoint", "error", err)
			continue
		}
		if size == latest.Size || size == last {
			continue
		}
		cp, err := a.DB.CreateAuditCheckpoint(ctx, v)
		if err != nil {
			a.Logger.Error("audit checkpoint", "error", err)
			continue
		}
		last = cp.Size
		a.Logger.Info("audit checkpoint signed", "size", cp.Size)
	}
}

// Open opens the database and starts listening. Nothing is served yet.
func (a *App) Open(ctx context.Context) error {
	if a.DB == nil {
		db, err := openDatabase(ctx, a.Config)
		if err != nil {
			return err
		}
		a.DB = db
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	srv, err := server.New(server.Config{
		TrustedProxies: a.Config.TrustedProxies,
		TLS:            a.Config.TLSCert != "",
		Version:        Version,
		RequireTOTP:    a.Config.RequireTOTP,
	}, reg, server.Services{
		Cases: a.DB, Users: a.DB, Orgs: a.DB, Auth: a.DB, Consents: a.DB, Permits: a.DB, BreakGlass: a.DB, Screenings: a.DB, Audit: a.DB, Identities: a.DB, Lifecycle: a.DB, NonPunishment: a.DB, Protection: a.DB, Health: a.DB,
		Statistics: statsource.New(a.DB), Releases: a.DB, Reports: a.DB,
	}, a.Logger)
	if err != nil {
		return err
	}
	var tlsConfig *tls.Config
	if a.Config.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(a.Config.TLSCert, a.Config.TLSKey)
		if err != nil {
			return fmt.Errorf("load TLS certificate: %w", err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		a.tls = true
	}
	a.http = srv.HTTPServer(a.Config.Addr, tlsConfig)
	if a.ln, err = server.Listen(a.Config.Addr); err != nil {
		return err
	}
	return nil
}

// URL is the address clients reach the app at.
func (a *App) URL() string {
	scheme := "http"
	if a.tls {
		scheme = "https"
	}
	return scheme + "://" + a.ln.Addr().String()
}

// Run serves until ctx ends, then lets requests in flight finish within
// the shutdown timeout.
func (a *App) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() {
		if a.tls {
			errc <- a.http.ServeTLS(a.ln, "", "")
		} else {
			errc <- a.http.Serve(a.ln)
		}
	}()
	a.Logger.Info("haven is serving", "url", a.URL(), "version", Version, "database", string(a.DB.Dialect()))
	loopCtx, stopLoop := context.WithCancel(ctx)
	defer stopLoop()
	go a.checkpointLoop(loopCtx, checkpointEvery)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownTimeout)
	defer cancel()
	if err := a.http.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Close releases the database.
func (a *App) Close() error {
	if a.DB != nil {
		return a.DB.Close()
	}
	return nil
}
