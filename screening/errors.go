package screening

import (
	"errors"
	"strings"
)

// Errors a caller can test with errors.Is. The HTTP layer maps
// ErrUnknownIndicator, ErrUnknownList and ErrInvalidAnswers to "invalid input";
// ErrInvalidCatalogue means the deployed catalogue is broken and the server
// should refuse to start.
var (
	ErrInvalidCatalogue = errors.New("invalid screening catalogue")
	ErrUnknownIndicator = errors.New("unknown indicator")
	ErrUnknownList      = errors.New("unknown indicator list")
	ErrInvalidAnswers   = errors.New("invalid screening answers")
	ErrInvalidLanguage  = errors.New("invalid language")
)

// ValidationError lists every problem found in a catalogue, so that a
// reviewer fixes them all in one pass instead of one per load.
type ValidationError struct {
	Problems []string
}

func (e *ValidationError) Error() string {
	return ErrInvalidCatalogue.Error() + ":\n  - " + strings.Join(e.Problems, "\n  - ")
}

// Is lets errors.Is(err, ErrInvalidCatalogue) match a ValidationError.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidCatalogue }
