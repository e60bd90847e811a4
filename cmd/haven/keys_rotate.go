package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/store"
	"github.com/haven-nrm/haven/vault"
)

// rotatableCompartments are the compartments whose keys 'haven keys
// rotate' rotates; a data compartment's blind-index keyset goes with it.
var rotatableCompartments = []haven.Compartment{
	haven.CompartmentCare, haven.CompartmentJustice, haven.CompartmentImmigration, "staff",
}

// runKeysRotate runs 'haven keys rotate': a new primary key for a
// compartment (and for its blind indexes), every value sealed again under
// it while the server keeps serving, and the old keys retired once nothing
// uses them. See docs/KEYS.md.
func runKeysRotate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("keys rotate", stderr)
	s, err := newSettings(fs, optDB, optMasterKey)
	if err != nil {
		return err
	}
	names := make([]string, len(rotatableCompartments))
	for i, c := range rotatableCompartments {
		names[i] = string(c)
	}
	compartment := fs.String("compartment", string(haven.CompartmentCare), "compartment whose keys to rotate: "+strings.Join(names, ", "))
	batch := fs.Int("batch", 500, "rows re-encrypted per transaction")
	grace := fs.Duration("grace", 2*vault.KeysetRefreshInterval,
		"how long after the new key becomes primary to wait before counting which old keys are still used (running servers load new keys within "+
			vault.KeysetRefreshInterval.String()+"; 0 when no server runs)")
	resume := fs.Bool("continue", false, "add no key: finish an interrupted rotation, retire keys left in use, or fill in missing blind indexes")
	if err := parse(fs, args); err != nil {
		return err
	}
	c := haven.Compartment(*compartment)
	if !slices.Contains(rotatableCompartments, c) {
		return fmt.Errorf("--compartment: must be one of %s", strings.Join(names, ", "))
	}
	if *batch < 1 || *batch > 10_000 {
		return errors.New("--batch: must be between 1 and 10000")
	}
	if *grace < 0 {
		return errors.New("--grace: must not be negative")
	}

	db, err := store.Open(ctx, s.get(optDB))
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CheckSchema(ctx); err != nil {
		return err
	}
	master, err := vault.LoadMasterKeyFile(s.get(optMasterKey))
	if err != nil {
		return err
	}
	v := vault.New(db, master)
	// A wrong key file stops here, before anything is read or written.
	if err := v.Check(ctx, c); err != nil {
		return err
	}
	db.SetVault(v)

	keysets := []haven.Compartment{c}
	if _, err := v.Keys(ctx, haven.IndexCompartment(c)); err == nil {
		keysets = append(keysets, haven.IndexCompartment(c))
	} else if haven.ErrorCode(err) != haven.ENOTFOUND {
		return err
	}
	before := map[haven.Compartment][]vault.Key{}
	for _, k := range keysets {
		if before[k], err = v.Keys(ctx, k); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "Rotating the keys of the %s compartment.\n", c)
	fmt.Fprintf(stdout, "Before: %s\n", describeKeys(keysets, before))

	promoted := time.Now()
	if !*resume {
		var added []string
		for _, k := range keysets {
			id, err := v.AddPrimaryKey(ctx, k)
			if err != nil {
				return err
			}
			added = append(added, fmt.Sprintf("%s key %d", k, id))
		}
		fmt.Fprintf(stdout, "New primary keys: %s. Old keys still open what they sealed.\n", strings.Join(added, ", "))
	}

	res, err := reencrypt(ctx, db, c, *batch, "Re-encrypting "+string(c), stderr)
	if err != nil {
		return fmt.Errorf("%w (run 'haven keys rotate --continue' to finish)", err)
	}
	if wait := *grace - time.Since(promoted); wait > 0 {
		// A running server seals with its cached keyset until it reads it
		// again: values it sealed with an old key meanwhile are caught by
		// a second pass once every server has the new key.
		fmt.Fprintf(stderr, "Waiting %s for running servers to load the new keys...\n", wait.Round(time.Second))
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return fmt.Errorf("interrupted; the new keys are in use, run 'haven keys rotate --continue' to retire the old ones: %w", ctx.Err())
		}
		late, err := reencrypt(ctx, db, c, *batch, "Catching up", stderr)
		if err != nil {
			return fmt.Errorf("%w (run 'haven keys rotate --continue' to finish)", err)
		}
		res.Resealed += late.Resealed
		res.Reindexed += late.Reindexed
		res.Retried += late.Retried
		res.Unreadable = late.Unreadable // the second pass meets them again
	}
	fmt.Fprintf(stdout, "Re-encrypted %d values and remade the blind indexes of %d rows, out of %d rows; %d rows changed meanwhile were redone.\n",
		res.Resealed, res.Reindexed, res.Rows, res.Retried)

	var retired, kept []string
	after := map[haven.Compartment][]vault.Key{}
	for _, k := range keysets {
		usage, err := db.KeyUsage(ctx, k)
		if err != nil {
			return err
		}
		r, err := v.RetireUnusedKeys(ctx, k, usage)
		if err != nil {
			return err
		}
		for _, id := range r.Retired {
			retired = append(retired, fmt.Sprintf("%s key %d", k, id))
		}
		for id, n := range r.InUse {
			kept = append(kept, fmt.Sprintf("%s key %d (%d values)", k, id, n))
		}
		for id, n := range r.Unreadable {
			kept = append(kept, fmt.Sprintf("%s key %d is retired but %d values still name it", k, id, n))
		}
		if after[k], err = v.Keys(ctx, k); err != nil {
			return err
		}
	}
	if len(retired) > 0 {
		fmt.Fprintf(stdout, "Retired (disabled, kept for old backups): %s.\n", strings.Join(retired, ", "))
	}
	if len(kept) > 0 {
		slices.Sort(kept)
		fmt.Fprintf(stdout, "Still in use, not retired: %s. Run 'haven keys rotate --continue' later to retire them.\n", strings.Join(kept, "; "))
	}
	fmt.Fprintf(stdout, "After: %s\n", describeKeys(keysets, after))
	if len(res.Unreadable) > 0 {
		// Row ids and field names only: never a value.
		return fmt.Errorf("%d values did not decrypt (changed, or moved from another row or field) and stay under their old key: %s",
			len(res.Unreadable), strings.Join(res.Unreadable, ", "))
	}
	return nil
}

// reencrypt runs one re-encryption pass with a progress bar on stderr.
func reencrypt(ctx context.Context, db *store.DB, c haven.Compartment, batch int, what string, stderr io.Writer) (store.ReencryptResult, error) {
	var bar *progressbar.ProgressBar
	res, err := db.Reencrypt(ctx, c, store.ReencryptOptions{
		BatchSize: batch,
		Progress: func(done, total int) {
			if bar == nil {
				bar = progressbar.NewOptions(total,
					progressbar.OptionSetWriter(stderr),
					progressbar.OptionSetDescription(what),
					progressbar.OptionShowCount(),
					progressbar.OptionSetWidth(30),
					progressbar.OptionThrottle(100*time.Millisecond),
					progressbar.OptionOnCompletion(func() { fmt.Fprintln(stderr) }),
				)
			}
			bar.ChangeMax(total)
			bar.Set(done)
		},
	})
	if bar != nil {
		bar.Finish()
	}
	return res, err
}

// describeKeys lists each keyset's keys: "care: key 1 (primary), key 2
// (retired)".
func describeKeys(keysets []haven.Compartment, keys map[haven.Compartment][]vault.Key) string {
	var parts []string
	for _, k := range keysets {
		var ks []string
		for _, key := range keys[k] {
			state := ""
			switch {
			case key.Primary:
				state = " (primary)"
			case !key.Enabled:
				state = " (retired)"
			}
			ks = append(ks, fmt.Sprintf("key %d%s", key.ID, state))
		}
		parts = append(parts, string(k)+": "+strings.Join(ks, ", "))
	}
	return strings.Join(parts, "; ")
}
