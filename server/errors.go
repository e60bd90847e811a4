package server

import (
	"encoding/json"
	"net/http"

	"github.com/haven-nrm/haven"
)

// statusOf maps an error code to an HTTP status: the one place that does.
var statusOf = map[string]int{
	haven.EINVALID:      http.StatusUnprocessableEntity,
	haven.ENOTFOUND:     http.StatusNotFound,
	haven.EUNAUTHORIZED: http.StatusUnauthorized,
	haven.EFORBIDDEN:    http.StatusForbidden,
	haven.ECONFLICT:     http.StatusConflict,
	haven.ETOOMANY:      http.StatusTooManyRequests,
	haven.EINTERNAL:     http.StatusInternalServerError,
}

// ErrorStatus returns the HTTP status for err.
func ErrorStatus(err error) int {
	if st, ok := statusOf[haven.ErrorCode(err)]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// problem is an RFC 9457 problem detail, with the bad fields listed.
type problem struct {
	Type     string             `json:"type"`
	Title    string             `json:"title"`
	Status   int                `json:"status"`
	Detail   string             `json:"detail,omitempty"`
	Instance string             `json:"instance,omitempty"`
	Errors   []haven.FieldError `json:"errors,omitempty"`
}

// apiError writes err as application/problem+json. Internal errors are
// logged with the request id and shown only as "Internal error.".
func (s *Server) apiError(w http.ResponseWriter, r *http.Request, err error) {
	st := ErrorStatus(err)
	s.apiErrorStatus(w, r, st, err)
}

func (s *Server) apiErrorStatus(w http.ResponseWriter, r *http.Request, status int, err error) {
	if status >= 500 {
		s.logger(r).Error("request failed", "error", err)
	}
	p := problem{
		Type:     "about:blank",
		Title:    http.StatusText(status),
		Status:   status,
		Detail:   haven.ErrorMessage(err),
		Instance: requestID(r.Context()),
		Errors:   haven.ErrorFields(err),
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}
