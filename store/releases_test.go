package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/disclosure"
	"github.com/haven-nrm/haven/disclosure/ledgertest"
	"github.com/haven-nrm/haven/store"
	"github.com/haven-nrm/haven/store/storetest"
)

func TestPrivacyLedger(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(t testing.TB) *store.DB) {
		ledgertest.Run(t, func(t *testing.T) disclosure.Ledger { return open(t).PrivacyLedger() })
	})
}

func TestReleases(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, open func(t testing.TB) *store.DB) {
		db := open(t)
		f := storetest.Seed(t, db)
		ctx := f.As(context.Background(), haven.RoleStatistician)
		r := &haven.Release{Channel: haven.ReleaseAPI, Query: `{"by":["sex"]}`, Protection: "suppression k=11", Tables: 1}
		if err := db.RecordRelease(ctx, r); err != nil {
			t.Fatal(err)
		}
		if r.ID == "" || r.At.IsZero() || r.UserID == "" {
			t.Fatalf("release not stamped: %+v", r)
		}
		time.Sleep(2 * time.Millisecond)
		cli := &haven.Release{Channel: haven.ReleaseCLI, Query: `{"sdg":true}`, Protection: "suppression k=11", Tables: 8, Withheld: 1}
		if err := db.RecordRelease(context.Background(), cli); err != nil {
			t.Fatal(err)
		}
		got, err := db.Releases(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != cli.ID || got[1].ID != r.ID || got[1].UserID != r.UserID ||
			got[0].Tables != 8 || got[0].Withheld != 1 || got[1].Query != r.Query || got[0].UserID != "" {
			t.Fatalf("releases = %+v", got)
		}
		for _, bad := range []struct {
			r     haven.Release
			field string
		}{
			{haven.Release{Channel: "email", Query: "q", Protection: "p", Tables: 1}, "channel"},
			{haven.Release{Channel: haven.ReleaseAPI, Query: " ", Protection: "p", Tables: 1}, "query"},
			{haven.Release{Channel: haven.ReleaseAPI, Query: strings.Repeat("q", haven.MaxReleaseQuery+1), Protection: "p", Tables: 1}, "query"},
			{haven.Release{Channel: haven.ReleaseAPI, Query: "q", Tables: 1}, "protection"},
			{haven.Release{Channel: haven.ReleaseAPI, Query: "q", Protection: "p"}, "tables"},
			{haven.Release{Channel: haven.ReleaseAPI, Query: "q", Protection: "p", Tables: 1, Withheld: 2}, "withheld"},
		} {
			err := db.RecordRelease(ctx, &bad.r)
			fields := haven.ErrorFields(err)
			if haven.ErrorCode(err) != haven.EINVALID || len(fields) != 1 || fields[0].Field != bad.field {
				t.Errorf("RecordRelease(%+v) = %v, want an error on %s", bad.r, err, bad.field)
			}
		}
		if got, _ := db.Releases(ctx, 10); len(got) != 2 {
			t.Fatalf("bad releases were written: %d releases", len(got))
		}
		if _, err := db.Releases(ctx, 0); haven.ErrorCode(err) != haven.EINVALID {
			t.Fatalf("Releases(0) = %v", err)
		}
	})
}
