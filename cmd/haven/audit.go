package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/audit"
	"github.com/haven-nrm/haven/store"
	"github.com/haven-nrm/haven/vault"
)

const auditUsage = `Usage:
  haven audit verify [--checkpoint FILE [--public-key KEY]]
        check the whole access log against the latest stored checkpoint, or
        against an exported one; exits 1 naming the first bad entry
  haven audit checkpoint
        sign the log's current head and store the checkpoint
  haven audit export-checkpoint
        print the latest checkpoint and its public key, to keep away from
        the database (save the output to a file and give it to verify)
  haven audit show --case ID
        who accessed a case, when, and why

Every command takes --db and --master-key-file. verify with --checkpoint
needs no master key: the exported file carries the public key, or give it
with --public-key (the key itself or a file holding it).
`

func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, auditUsage)
		return errUsage
	}
	sub, args := args[0], args[1:]
	fs := newFlagSet("audit "+sub, stderr)
	s, err := newSettings(fs, optDB, optMasterKey)
	if err != nil {
		return err
	}
	switch sub {
	case "verify":
		cpFile := fs.String("checkpoint", "", "an exported checkpoint file to verify against, instead of the latest stored one")
		pubKey := fs.String("public-key", "", "the checkpoint key (haven-audit+...), or a file holding it; default: the key in the checkpoint file")
		if err := parse(fs, args); err != nil {
			return err
		}
		return withAdminDB(ctx, s.get(optDB), func(db *store.DB) error {
			return auditVerify(ctx, db, s.get(optMasterKey), *cpFile, *pubKey, stdout)
		})
	case "checkpoint":
		if err := parse(fs, args); err != nil {
			return err
		}
		return withAuditVault(ctx, s, func(db *store.DB, v *vault.Vault) error {
			cp, err := db.CreateAuditCheckpoint(ctx, v)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "checkpoint of %d entries:\n\n%s", cp.Size, cp)
			return nil
		})
	case "export-checkpoint":
		if err := parse(fs, args); err != nil {
			return err
		}
		return withAuditVault(ctx, s, func(db *store.DB, v *vault.Vault) error {
			return auditExport(ctx, db, v, stdout)
		})
	case "show":
		caseID := fs.String("case", "", "the case's id")
		if err := parse(fs, args); err != nil {
			return err
		}
		if *caseID == "" {
			fmt.Fprintln(stderr, "--case is required")
			return errUsage
		}
		return withAuditVault(ctx, s, func(db *store.DB, v *vault.Vault) error {
			return auditShow(ctx, db, v, *caseID, stdout)
		})
	}
	fmt.Fprint(stderr, auditUsage)
	return errUsage
}

// withAuditVault opens the database and a vault holding the audit keys.
// The audit commands need the audit keys only, not the compartments'.
func withAuditVault(ctx context.Context, s *settings, fn func(db *store.DB, v *vault.Vault) error) error {
	return withAdminDB(ctx, s.get(optDB), func(db *store.DB) error {
		v, err := openAuditVault(ctx, db, s.get(optMasterKey))
		if err != nil {
			return err
		}
		return fn(db, v)
	})
}

func openAuditVault(ctx context.Context, db *store.DB, keyFile string) (*vault.Vault, error) {
	master, err := vault.LoadMasterKeyFile(keyFile)
	if err != nil {
		return nil, err
	}
	v := vault.New(db, master)
	if err := v.CheckAudit(ctx); err != nil {
		return nil, err
	}
	return v, nil
}

func auditVerify(ctx context.Context, db *store.DB, keyFile, cpFile, pubFlag string, stdout io.Writer) error {
	var (
		cp  audit.Checkpoint
		pub audit.PublicKey
		err error
	)
	if pubFlag != "" {
		if pub, err = readPublicKey(pubFlag); err != nil {
			return err
		}
	}
	if cpFile != "" {
		data, err := os.ReadFile(cpFile)
		if err != nil {
			return fmt.Errorf("read checkpoint: %w", err)
		}
		filePub, note, err := splitExport(data)
		if err != nil {
			return fmt.Errorf("checkpoint file %s: %w", cpFile, err)
		}
		if cp, err = audit.ParseCheckpoint(note); err != nil {
			return fmt.Errorf("checkpoint file %s: %w", cpFile, err)
		}
		if pub.IsZero() {
			pub = filePub
		}
	}
	if pub.IsZero() {
		// The stored checkpoints are checked with the vault's key, never
		// with a key read from the database an attacker may have written.
		v, err := openAuditVault(ctx, db, keyFile)
		if err != nil {
			return err
		}
		if pub, err = v.AuditPublicKey(ctx); err != nil {
			return err
		}
	}
	if cpFile == "" {
		cp, err = db.LatestAuditCheckpoint(ctx)
		if haven.ErrorCode(err) == haven.ENOTFOUND {
			return verifyUnanchored(ctx, db, stdout)
		} else if err != nil {
			return err
		}
	}
	res, err := db.VerifyAudit(ctx, &cp, pub)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "ok: %d entries verified against checkpoint of size %d (signed %s by key %s)\n",
		res.Entries, res.Anchored, cp.Time.Format(time.RFC3339), cp.KeyID)
	if res.Entries > res.Anchored {
		fmt.Fprintf(stdout, "note: entries %d to %d are chained but no checkpoint covers them yet: run 'haven audit checkpoint'\n",
			res.Anchored+1, res.Entries)
	}
	return nil
}

// verifyUnanchored checks a log that has no checkpoint yet. The chain can
// still show careless edits, but without a signed head a rewrite would
// pass, so a non-empty log without a checkpoint is not "ok".
func verifyUnanchored(ctx context.Context, db *store.DB, stdout io.Writer) error {
	res, err := db.VerifyAudit(ctx, nil, audit.PublicKey{})
	if err != nil {
		return err
	}
	if res.Entries == 0 {
		fmt.Fprintln(stdout, "ok: the audit log is empty")
		return nil
	}
	return fmt.Errorf("the %d entries chain correctly, but no signed checkpoint anchors them: run 'haven audit checkpoint'", res.Entries)
}

// readPublicKey takes a verifier key, or the name of a file holding one.
func readPublicKey(s string) (audit.PublicKey, error) {
	if !strings.HasPrefix(s, audit.KeyName+"+") {
		data, err := os.ReadFile(s)
		if err != nil {
			return audit.PublicKey{}, fmt.Errorf("--public-key: neither a %s key nor a readable file: %w", audit.KeyName, err)
		}
		s = string(data)
	}
	pub, err := audit.ParsePublicKey(s)
	if err != nil {
		return audit.PublicKey{}, fmt.Errorf("--public-key: %w", err)
	}
	return pub, nil
}

// An exported checkpoint is the verifier key on its first line, a blank
// line, and the signed note; a bare signed note is accepted too.
func splitExport(data []byte) (audit.PublicKey, []byte, error) {
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	if !bytes.HasPrefix(data, []byte(audit.KeyName+"+")) {
		return audit.PublicKey{}, data, nil
	}
	line, rest, _ := bytes.Cut(data, []byte("\n"))
	pub, err := audit.ParsePublicKey(string(line))
	if err != nil {
		return audit.PublicKey{}, nil, err
	}
	return pub, bytes.TrimLeft(rest, "\n"), nil
}

func auditExport(ctx context.Context, db *store.DB, v *vault.Vault, stdout io.Writer) error {
	cp, err := db.LatestAuditCheckpoint(ctx)
	if haven.ErrorCode(err) == haven.ENOTFOUND {
		return errors.New("no checkpoint yet: run 'haven audit checkpoint' first")
	} else if err != nil {
		return err
	}
	pub, err := v.AuditPublicKey(ctx)
	if err != nil {
		return err
	}
	// Never hand out a checkpoint that would not verify later.
	if err := cp.Verify(pub); err != nil {
		return fmt.Errorf("the latest stored checkpoint is not valid; run 'haven audit verify': %w", err)
	}
	note, err := cp.MarshalText()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\n\n%s", pub, note)
	return nil
}

func auditShow(ctx context.Context, db *store.DB, v *vault.Vault, caseID string, stdout io.Writer) error {
	ref, err := v.RecordRef(ctx, audit.KindCase, caseID)
	if err != nil {
		return err
	}
	events, err := db.FindAuditByRecordRef(ctx, ref)
	if err != nil {
		return cliError(err)
	}
	// Looking at who accessed her record is itself logged, so she can see
	// that it was looked at too.
	if err := db.AppendAudit(ctx, haven.AuditEvent{Action: "audit.show", Purpose: "access_review",
		RecordRef: ref, Outcome: haven.AuditAllowed}); err != nil {
		return err
	}
	if len(events) == 0 {
		fmt.Fprintf(stdout, "no access to case %s is logged\n", caseID)
		return nil
	}
	users, err := db.ListUsers(ctx)
	if err != nil {
		return err
	}
	names := map[string]string{"": "(system)"}
	for _, u := range users {
		names[u.ID] = u.Username
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tTIME (UTC)\tUSER\tACTION\tPURPOSE\tOUTCOME")
	for _, e := range events {
		who, ok := names[e.UserID]
		if !ok {
			who = e.UserID
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", e.Seq, e.Time.UTC().Format(time.DateTime), who, e.Action, e.Purpose, e.Outcome)
	}
	return tw.Flush()
}
