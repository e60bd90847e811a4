package audit

import (
	"bytes"
	"errors"
	"fmt"
	"iter"
)

// Problem is what Verify found wrong.
type Problem int

const (
	// ProblemChanged: an entry does not hash to the hash stored with it,
	// given the chain before it. It was edited, or another entry was
	// written or moved into its place (an insertion or a reordering that
	// renumbered the entries), or the entry before it was edited and its
	// hash recomputed.
	ProblemChanged Problem = iota + 1
	// ProblemRemoved: a sequence number is missing.
	ProblemRemoved
	// ProblemOutOfOrder: a sequence number repeats or goes back: an entry
	// was inserted or the entries reordered.
	ProblemOutOfOrder
	// ProblemTruncated: the log ends before the checkpoint's size.
	ProblemTruncated
	// ProblemRewritten: every entry matches its stored hash, but the chain
	// does not reach the checkpoint's head: entries at or before the
	// checkpoint were changed, inserted, removed or reordered and all the
	// hashes after them recomputed. Only the signed checkpoint shows it.
	ProblemRewritten
	// ProblemBadCheckpoint: the checkpoint's signature does not verify.
	ProblemBadCheckpoint
)

func (p Problem) String() string {
	switch p {
	case ProblemChanged:
		return "changed"
	case ProblemRemoved:
		return "removed"
	case ProblemOutOfOrder:
		return "inserted or reordered"
	case ProblemTruncated:
		return "truncated"
	case ProblemRewritten:
		return "rewritten"
	case ProblemBadCheckpoint:
		return "bad checkpoint"
	}
	return fmt.Sprintf("problem(%d)", int(p))
}

// VerifyError reports the first bad entry Verify found. Seq is the
// sequence number of that entry (0 for a bad checkpoint signature).
type VerifyError struct {
	Seq     int64
	Problem Problem
	Detail  string
}

func (e *VerifyError) Error() string {
	if e.Problem == ProblemBadCheckpoint {
		return "audit log: bad checkpoint: " + e.Detail
	}
	return fmt.Sprintf("audit log: first bad entry is seq %d (%s): %s", e.Seq, e.Problem, e.Detail)
}

// Result is what a successful Verify checked.
type Result struct {
	// Entries is how many entries were read and found chained.
	Entries int64
	// Anchored is how many of them the checkpoint covers, 0 without one.
	// Entries after it are chained but not yet signed for: deleting them
	// leaves no trace until a later checkpoint covers them.
	Anchored int64
	// Head is the chain hash of the last entry.
	Head Hash
}

// Verify reads entries in sequence order and checks that they form an
// unbroken chain from seq 1 that reaches the checkpoint's signed head, and
// that the checkpoint is signed by pub. It stops at the first bad entry and
// returns a *VerifyError naming it; an error reading the entries is
// returned wrapped. With a nil checkpoint only the chain is checked, which
// catches careless edits but not a rewrite that recomputed the hashes.
//
// Memory stays constant: one entry at a time, one scratch buffer.
func Verify(entries iter.Seq2[Entry, error], cp *Checkpoint, pub PublicKey) (Result, error) {
	var res Result
	if cp != nil {
		if err := cp.Verify(pub); err != nil {
			return res, &VerifyError{Problem: ProblemBadCheckpoint, Detail: err.Error()}
		}
		if cp.Size == 0 && cp.Head != EmptyHash {
			return res, &VerifyError{Problem: ProblemRewritten, Detail: "the checkpoint of an empty log names a head"}
		}
	}
	size, head, err := walk(entries, 0, EmptyHash, cp)
	if err != nil {
		return res, err
	}
	res.Entries, res.Head = size, head
	if cp != nil {
		if size < cp.Size {
			return res, &VerifyError{Seq: size + 1, Problem: ProblemTruncated,
				Detail: fmt.Sprintf("the log ends at seq %d but the checkpoint covers %d entries", size, cp.Size)}
		}
		res.Anchored = cp.Size
	}
	return res, nil
}

// Extend checks that entries, which must start at seq size+1, chain from a
// log of size entries whose head is head, as a trusted checkpoint states
// it, and returns the size and head they reach. It checks only what
// follows the checkpoint, so making the next checkpoint costs the entries
// since the last one, not the whole log.
func Extend(entries iter.Seq2[Entry, error], size int64, head Hash) (int64, Hash, error) {
	return walk(entries, size, head, nil)
}

// walk checks entries that follow a log of size entries with head head,
// and checks the head at cp.Size against cp if cp is given.
func walk(entries iter.Seq2[Entry, error], size int64, head Hash, cp *Checkpoint) (int64, Hash, error) {
	prev := head
	buf := make([]byte, 0, 512)
	want := size + 1
	for e, err := range entries {
		if err != nil {
			return want - 1, prev, fmt.Errorf("verify audit log after seq %d: %w", want-1, err)
		}
		seq := e.Event.Seq
		switch {
		case seq < want:
			return want - 1, prev, &VerifyError{Seq: seq, Problem: ProblemOutOfOrder,
				Detail: fmt.Sprintf("seq %d comes after seq %d", seq, want-1)}
		case seq > want:
			return want - 1, prev, &VerifyError{Seq: want, Problem: ProblemRemoved,
				Detail: fmt.Sprintf("the log goes from seq %d to seq %d: seq %d was removed (or moved)", want-1, seq, want)}
		}
		h := chainHash(buf[:0], prev, e.Event)
		if !bytes.Equal(h[:], e.Hash) {
			return want - 1, prev, &VerifyError{Seq: seq, Problem: ProblemChanged,
				Detail: "the entry does not match its hash: it was edited, or written or moved into this place"}
		}
		if cp != nil && seq == cp.Size && h != cp.Head {
			return want - 1, prev, &VerifyError{Seq: seq, Problem: ProblemRewritten,
				Detail: fmt.Sprintf("the first %d entries do not hash to the signed checkpoint's head: entries at or before seq %d were changed and the hashes after them recomputed", cp.Size, seq)}
		}
		prev = h
		want++
	}
	return want - 1, prev, nil
}

// AsVerifyError returns the *VerifyError in err's chain, if any.
func AsVerifyError(err error) (*VerifyError, bool) {
	var ve *VerifyError
	ok := errors.As(err, &ve)
	return ve, ok
}
