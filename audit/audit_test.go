package audit_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"iter"
	"strings"
	"testing"
	"time"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/audit"
)

// keySigner signs with a plain ed25519 key, as the vault does with its
// Tink keyset.
type keySigner struct{ priv ed25519.PrivateKey }

func newSigner(t testing.TB) keySigner {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return keySigner{priv}
}

func (s keySigner) pub() audit.PublicKey {
	p, err := audit.NewPublicKey(s.priv.Public().(ed25519.PublicKey))
	if err != nil {
		panic(err)
	}
	return p
}

func (s keySigner) SignCheckpoint(_ context.Context, msg []byte) ([]byte, string, error) {
	return ed25519.Sign(s.priv, msg), s.pub().ID(), nil
}

func (s keySigner) AuditPublicKey(context.Context) (audit.PublicKey, error) { return s.pub(), nil }

var t0 = time.Date(2026, 11, 26, 9, 30, 0, 123456000, time.UTC)

func event(seq int64) haven.AuditEvent {
	return haven.AuditEvent{
		Seq: seq, Time: t0.Add(time.Duration(seq) * time.Second), UserID: "0193c1a0-0000-7000-8000-000000000001",
		Action: "case.read", Purpose: "case_management", RecordRef: strings.Repeat("ab", 32), Outcome: haven.AuditAllowed,
	}
}

// chain returns n correctly chained entries.
func chain(n int) []audit.Entry {
	out := make([]audit.Entry, n)
	prev := audit.EmptyHash
	for i := range out {
		e := event(int64(i + 1))
		prev = audit.ChainHash(prev, e)
		out[i] = audit.Entry{Event: e, Hash: bytes.Clone(prev[:])}
	}
	return out
}

func seq(entries []audit.Entry) iter.Seq2[audit.Entry, error] {
	return func(yield func(audit.Entry, error) bool) {
		for _, e := range entries {
			if !yield(e, nil) {
				return
			}
		}
	}
}

func TestEncodingIsUnambiguous(t *testing.T) {
	base := event(1)
	variants := map[string]func(e *haven.AuditEvent){
		"field boundary moved": func(e *haven.AuditEvent) { e.Action, e.Purpose = "case.rea", "dcase_management" },
		"value in another field": func(e *haven.AuditEvent) {
			e.UserID, e.Purpose = "case_management", "0193c1a0-0000-7000-8000-000000000001"
		},
		"seq":            func(e *haven.AuditEvent) { e.Seq = 2 },
		"time by 1 µs":   func(e *haven.AuditEvent) { e.Time = e.Time.Add(time.Microsecond) },
		"outcome":        func(e *haven.AuditEvent) { e.Outcome = haven.AuditRefused },
		"empty ref":      func(e *haven.AuditEvent) { e.RecordRef = "" },
		"empty to value": func(e *haven.AuditEvent) { e.UserID = "" },
	}
	enc := audit.Encode(base)
	for name, change := range variants {
		t.Run(name, func(t *testing.T) {
			e := base
			change(&e)
			if bytes.Equal(audit.Encode(e), enc) {
				t.Fatal("two different events encode the same")
			}
			if audit.ChainHash(audit.EmptyHash, e) == audit.ChainHash(audit.EmptyHash, base) {
				t.Fatal("two different events hash the same")
			}
		})
	}
}

// TestEncodingGolden pins format v1: a change to the encoding or the chain
// makes every stored log unverifiable, so it must be a new format version,
// never an edit.
func TestEncodingGolden(t *testing.T) {
	e := event(7)
	// Computed independently (Python's struct and hashlib) from the
	// definition in docs/AUDIT.md.
	const wantEnc = "01" + "0000000000000007" + "0006612a96d1e800" +
		"00000024" + "30313933633161302d303030302d373030302d383030302d303030303030303030303031" +
		"00000009" + "636173652e72656164" +
		"0000000f" + "636173655f6d616e6167656d656e74" +
		"00000040" + "61626162616261626162616261626162616261626162616261626162616261626162616261626162616261626162616261626162616261626162616261626162" +
		"00000007" + "616c6c6f776564"
	if got := hex.EncodeToString(audit.Encode(e)); got != wantEnc {
		t.Fatalf("encoding changed:\n got %s\nwant %s", got, wantEnc)
	}
	const wantHash = "267a153a0e63d8b30b4380b7362690d3d8f746151a63fc6c3fc1ce6ff1624f27"
	if got := audit.ChainHash(audit.EmptyHash, e).String(); got != wantHash {
		t.Fatalf("chain hash changed: got %s want %s", got, wantHash)
	}
}

func TestValidate(t *testing.T) {
	ok := event(1)
	for _, tc := range []struct {
		name   string
		change func(e *haven.AuditEvent)
		field  string
	}{
		{"valid", func(*haven.AuditEvent) {}, ""},
		{"system user, no record, no purpose", func(e *haven.AuditEvent) { e.UserID, e.RecordRef, e.Purpose = "", "", "" }, ""},
		{"no action", func(e *haven.AuditEvent) { e.Action = "" }, "action"},
		{"free text action", func(e *haven.AuditEvent) { e.Action = "read Amina's case" }, "action"},
		{"free text purpose", func(e *haven.AuditEvent) { e.Purpose = "her lawyer asked" }, "purpose"},
		{"case id as record ref", func(e *haven.AuditEvent) { e.RecordRef = "0193c1a0-0000-7000-8000-000000000001" }, "record_ref"},
		{"name as user", func(e *haven.AuditEvent) { e.UserID = "Amina Okafor" }, "user_id"},
		{"unknown outcome", func(e *haven.AuditEvent) { e.Outcome = "maybe" }, "outcome"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := ok
			tc.change(&e)
			err := audit.Validate(e)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			fields := haven.ErrorFields(err)
			if len(fields) != 1 || fields[0].Field != tc.field {
				t.Fatalf("Validate = %v, want one error on %s", err, tc.field)
			}
		})
	}
}

func TestRecordRef(t *testing.T) {
	k1, k2 := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	id := "0193c1a0-0000-7000-8000-00000000abcd"
	a := audit.RecordRef(k1, audit.KindCase, id)
	if a != audit.RecordRef(k1, audit.KindCase, id) {
		t.Fatal("the reference of one record under one key changed")
	}
	if len(a) != 64 || strings.Contains(a, id) {
		t.Fatalf("reference %q is not 64 hex digits free of the id", a)
	}
	if err := audit.Validate(haven.AuditEvent{Action: "case.read", RecordRef: a, Outcome: haven.AuditAllowed}); err != nil {
		t.Fatalf("a RecordRef does not validate: %v", err)
	}
	for name, other := range map[string]string{
		"another key":    audit.RecordRef(k2, audit.KindCase, id),
		"another kind":   audit.RecordRef(k1, audit.KindPerson, id),
		"another record": audit.RecordRef(k1, audit.KindCase, id+"e"),
		"kind/id split":  audit.RecordRef(k1, audit.KindCase+"0193c1a0", strings.TrimPrefix(id, "0193c1a0")),
	} {
		if other == a {
			t.Errorf("%s gives the same reference", name)
		}
	}
}

func TestCheckpointNote(t *testing.T) {
	ctx := context.Background()
	s := newSigner(t)
	head := audit.Hash(chain(5)[4].Hash)
	cp, err := audit.Sign(ctx, s, 5, head, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := cp.Verify(s.pub()); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	text, err := cp.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(text), "haven-audit-log/v1\n5\n") || !strings.Contains(string(text), "\n\n— haven-audit ") {
		t.Fatalf("note:\n%s", text)
	}
	back, err := audit.ParseCheckpoint(text)
	if err != nil {
		t.Fatalf("ParseCheckpoint: %v", err)
	}
	if back.Size != 5 || back.Head != head || !back.Time.Equal(t0.Truncate(time.Second)) || back.KeyID != s.pub().ID() {
		t.Fatalf("round trip: %+v", back)
	}
	if err := back.Verify(s.pub()); err != nil {
		t.Fatalf("Verify after round trip: %v", err)
	}

	pub, err := audit.ParsePublicKey(s.pub().String())
	if err != nil || !bytes.Equal(pub.Bytes(), s.pub().Bytes()) {
		t.Fatalf("ParsePublicKey(%s) = %v, %v", s.pub(), pub, err)
	}

	t.Run("tampered", func(t *testing.T) {
		for name, change := range map[string]func(c *audit.Checkpoint){
			"size":      func(c *audit.Checkpoint) { c.Size++ },
			"head":      func(c *audit.Checkpoint) { c.Head[0] ^= 1 },
			"time":      func(c *audit.Checkpoint) { c.Time = c.Time.Add(time.Second) },
			"signature": func(c *audit.Checkpoint) { c.Signature = append([]byte{c.Signature[0] ^ 1}, c.Signature[1:]...) },
		} {
			c := back
			change(&c)
			if err := c.Verify(s.pub()); !errors.Is(err, audit.ErrBadSignature) {
				t.Errorf("%s changed: Verify = %v", name, err)
			}
		}
		if err := back.Verify(newSigner(t).pub()); !errors.Is(err, audit.ErrBadSignature) {
			t.Errorf("another key: Verify = %v", err)
		}
	})
	t.Run("malformed", func(t *testing.T) {
		for name, bad := range map[string]string{
			"no signature":   strings.SplitN(string(text), "\n\n", 2)[0] + "\n",
			"leading zero":   strings.Replace(string(text), "\n5\n", "\n05\n", 1),
			"plus sign":      strings.Replace(string(text), "\n5\n", "\n+5\n", 1),
			"another origin": strings.Replace(string(text), "haven-audit-log/v1", "other-log", 1),
			"another signer": strings.Replace(string(text), "— haven-audit ", "— someone ", 1),
			"extra line":     strings.Replace(string(text), "\n\n", "\nextra\n\n", 1),
		} {
			if _, err := audit.ParseCheckpoint([]byte(bad)); err == nil {
				t.Errorf("%s: parsed", name)
			}
		}
	})
}

func TestVerify(t *testing.T) {
	ctx := context.Background()
	s := newSigner(t)
	good := chain(10)
	sign := func(entries []audit.Entry, size int) *audit.Checkpoint {
		head := audit.EmptyHash
		if size > 0 {
			head = audit.Hash(entries[size-1].Hash)
		}
		cp, err := audit.Sign(ctx, s, int64(size), head, t0)
		if err != nil {
			t.Fatal(err)
		}
		return &cp
	}
	cp8 := sign(good, 8)
	// rehash recomputes every stored hash, as an attacker who knows the
	// algorithm would after changing entries.
	rehash := func(entries []audit.Entry) []audit.Entry {
		prev := audit.EmptyHash
		for i := range entries {
			prev = audit.ChainHash(prev, entries[i].Event)
			entries[i].Hash = bytes.Clone(prev[:])
		}
		return entries
	}
	for _, tc := range []struct {
		name    string
		tamper  func(e []audit.Entry) []audit.Entry
		cp      *audit.Checkpoint
		seq     int64
		problem audit.Problem
	}{
		{"intact", func(e []audit.Entry) []audit.Entry { return e }, cp8, 0, 0},
		{"intact, checkpoint of the whole log", func(e []audit.Entry) []audit.Entry { return e }, sign(good, 10), 0, 0},
		{"intact, no checkpoint", func(e []audit.Entry) []audit.Entry { return e }, nil, 0, 0},
		{"field edited", func(e []audit.Entry) []audit.Entry { e[3].Event.Purpose = "curiosity"; return e }, cp8, 4, audit.ProblemChanged},
		{"time edited", func(e []audit.Entry) []audit.Entry { e[3].Event.Time = e[3].Event.Time.Add(time.Hour); return e }, cp8, 4, audit.ProblemChanged},
		{"edited after the checkpoint", func(e []audit.Entry) []audit.Entry { e[8].Event.UserID = "someone-else"; return e }, cp8, 9, audit.ProblemChanged},
		{"entry removed", func(e []audit.Entry) []audit.Entry { return append(e[:4], e[5:]...) }, cp8, 5, audit.ProblemRemoved},
		{"first entry removed", func(e []audit.Entry) []audit.Entry { return e[1:] }, cp8, 1, audit.ProblemRemoved},
		{"entry duplicated", func(e []audit.Entry) []audit.Entry {
			return append(e[:5:5], append([]audit.Entry{e[4]}, e[5:]...)...)
		}, cp8, 5, audit.ProblemOutOfOrder},
		// Read in this order, seq 3 is first missing: a stream cannot tell
		// "removed" from "moved later" until it sees it again.
		{"two entries swapped with their seqs", func(e []audit.Entry) []audit.Entry { e[2], e[5] = e[5], e[2]; return e }, cp8, 3, audit.ProblemRemoved},
		{"two entries' contents swapped", func(e []audit.Entry) []audit.Entry {
			e[2].Event.Action, e[5].Event.Action = "consent.withdraw", "case.update"
			e[2], e[5] = e[5], e[2]
			e[2].Event.Seq, e[5].Event.Seq = 3, 6
			return e
		}, cp8, 3, audit.ProblemChanged},
		{"forged entry inserted, later renumbered, hash recomputed for it only", func(e []audit.Entry) []audit.Entry {
			forged := event(5)
			forged.Action = "case.update"
			h := audit.ChainHash(audit.Hash(e[3].Hash), forged)
			f := audit.Entry{Event: forged, Hash: h[:]}
			out := append(append(e[:4:4], f), e[4:]...)
			for i := 5; i < len(out); i++ {
				out[i].Event.Seq = int64(i + 1)
			}
			return out
		}, cp8, 6, audit.ProblemChanged},
		{"tail truncated below the checkpoint", func(e []audit.Entry) []audit.Entry { return e[:6] }, cp8, 7, audit.ProblemTruncated},
		{"everything removed", func(e []audit.Entry) []audit.Entry { return nil }, cp8, 1, audit.ProblemTruncated},
		{"edited and every hash recomputed", func(e []audit.Entry) []audit.Entry { e[1].Event.Outcome = haven.AuditRefused; return rehash(e) }, cp8, 8, audit.ProblemRewritten},
		{"removed, renumbered and rehashed", func(e []audit.Entry) []audit.Entry {
			e = append(e[:2], e[3:]...)
			for i := range e {
				e[i].Event.Seq = int64(i + 1)
			}
			return rehash(e)
		}, cp8, 8, audit.ProblemRewritten},
		{"checkpoint signature altered", func(e []audit.Entry) []audit.Entry { return e }, func() *audit.Checkpoint {
			c := *cp8
			c.Signature = bytes.Clone(c.Signature)
			c.Signature[10] ^= 0x40
			return &c
		}(), 0, audit.ProblemBadCheckpoint},
		{"checkpoint size altered", func(e []audit.Entry) []audit.Entry { return e }, func() *audit.Checkpoint {
			c := *cp8
			c.Size = 6
			return &c
		}(), 0, audit.ProblemBadCheckpoint},
		// Without a checkpoint a full rewrite goes unseen: that is what
		// checkpoints are for.
		{"rewrite without a checkpoint", func(e []audit.Entry) []audit.Entry { e[1].Event.Outcome = haven.AuditRefused; return rehash(e) }, nil, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			entries := tc.tamper(append([]audit.Entry(nil), good...))
			res, err := audit.Verify(seq(entries), tc.cp, s.pub())
			if tc.problem == 0 {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if res.Entries != int64(len(entries)) {
					t.Fatalf("Verify checked %d entries, want %d", res.Entries, len(entries))
				}
				return
			}
			ve, ok := audit.AsVerifyError(err)
			if !ok {
				t.Fatalf("Verify = %v, want a VerifyError", err)
			}
			if ve.Seq != tc.seq || ve.Problem != tc.problem {
				t.Fatalf("Verify named seq %d (%s), want seq %d (%s): %v", ve.Seq, ve.Problem, tc.seq, tc.problem, err)
			}
		})
	}
}

func TestVerifyReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	entries := func(yield func(audit.Entry, error) bool) {
		for _, e := range chain(3) {
			if !yield(e, nil) {
				return
			}
		}
		yield(audit.Entry{}, boom)
	}
	_, err := audit.Verify(entries, nil, audit.PublicKey{})
	if !errors.Is(err, boom) {
		t.Fatalf("Verify = %v, want the read error", err)
	}
	if _, ok := audit.AsVerifyError(err); ok {
		t.Fatal("a read error was reported as tampering")
	}
}

func BenchmarkChainHash(b *testing.B) {
	e := event(1)
	var h audit.Hash
	for b.Loop() {
		h = audit.ChainHash(h, e)
	}
}
