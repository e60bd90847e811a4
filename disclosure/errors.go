package disclosure

import "errors"

// Error kinds. Callers test them with errors.Is; the HTTP layer maps them to
// statuses in one place. Messages never contain a count, because an error can
// end up on a public page.
var (
	// ErrInvalid reports an invalid table, option or request.
	ErrInvalid = errors.New("invalid")
	// ErrAllSuppressed reports a table in which no non-zero cell can be
	// published. The caller shows that the table is withheld to protect
	// individuals; no number of it may be shown.
	ErrAllSuppressed = errors.New("every cell of the table is suppressed")
	// ErrBudgetExceeded reports a differentially private release refused
	// because it would spend more than the dataset's remaining ε.
	ErrBudgetExceeded = errors.New("privacy budget exceeded")
	// ErrBudgetExists reports an attempt to open a budget twice.
	ErrBudgetExists = errors.New("privacy budget already opened")
	// ErrUnknownDataset reports a ledger operation on a dataset whose budget
	// was never opened.
	ErrUnknownDataset = errors.New("no privacy budget for dataset")
	// ErrInternal reports a broken invariant: a protection that failed its
	// own verification. It is a bug, and the table must not be published.
	ErrInternal = errors.New("internal error")
)
