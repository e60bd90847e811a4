package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/haven-nrm/haven"
	"github.com/haven-nrm/haven/policy"
)

// maxBody is the largest request body Haven reads.
const maxBody = 1 << 20

type apiHandler func(w http.ResponseWriter, r *http.Request, a *authenticated) error

// api wraps a JSON API handler: it authenticates, checks CSRF for cookie
// sessions, and turns a returned error into a problem document.
func (s *Server) api(h apiHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a, err := s.authenticate(r)
		if err != nil {
			if haven.ErrorCode(err) == haven.EUNAUTHORIZED {
				w.Header().Set("WWW-Authenticate", `Bearer realm="haven"`)
			}
			s.apiError(w, r, err)
			return
		}
		if err := checkCSRF(r, a); err != nil {
			s.apiError(w, r, err)
			return
		}
		r = r.WithContext(userContext(r.Context(), a.user))
		if err := h(w, r, a); err != nil {
			s.logDecryptFailure(r, err)
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				s.apiErrorStatus(w, r, http.StatusRequestEntityTooLarge,
					haven.Errorf(haven.EINVALID, "The request body is larger than %d bytes.", maxBody))
				return
			}
			var bad *badRequest
			if errors.As(err, &bad) {
				s.apiErrorStatus(w, r, http.StatusBadRequest, bad.err)
				return
			}
			s.apiError(w, r, err)
		}
	}
}

// logDecryptFailure records, in the access log, a request that failed
// closed because a stored value did not decrypt: a tampered or moved
// ciphertext is an event someone must look at.
func (s *Server) logDecryptFailure(r *http.Request, err error) {
	if !errors.Is(err, haven.ErrDecrypt) {
		return
	}
	id := r.PathValue("id")
	s.logger(r).Error("a stored value did not decrypt; the request failed closed", "route", r.Pattern)
	var ids []string
	if id != "" {
		ids = []string{id}
	}
	if lerr := s.Audit.AuditAccess(r.Context(), string(policy.Routes[r.Pattern]), haven.AuditFailed, ids...); lerr != nil {
		s.logger(r).Error("audit a decryption failure", "error", lerr)
	}
}

// userContext carries the acting user and limits the vault to the
// compartments the user's role may ever use.
func userContext(ctx context.Context, u *haven.User) context.Context {
	ctx = haven.NewContextWithUser(ctx, u)
	return haven.WithCompartments(ctx, policy.Compartments(u)...)
}

// badRequest marks input that is not well-formed JSON of the right shape
// (400), as opposed to well-formed input with bad values (422).
type badRequest struct{ err error }

func (b *badRequest) Error() string { return b.err.Error() }

func invalidField(field, reason string) error {
	return &badRequest{&haven.Error{Code: haven.EINVALID, Message: "The request body is not valid JSON of the expected shape.",
		Fields: []haven.FieldError{{Field: field, Reason: reason}}}}
}

// decodeJSON reads one JSON object into v, refusing unknown fields, wrong
// types, trailing data and bodies over maxBody. Errors name the field and
// never echo the value.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return invalidField("Content-Type", "must be application/json")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err = dec.Decode(v)
	if err == nil {
		if dec.More() {
			return invalidField("body", "must hold exactly one JSON object")
		}
		if _, err := dec.Token(); err != io.EOF {
			return invalidField("body", "must hold exactly one JSON object")
		}
		return nil
	}
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
		mbe    *http.MaxBytesError
	)
	switch {
	case errors.As(err, &mbe):
		return err
	case errors.As(err, &syntax):
		return invalidField("body", fmt.Sprintf("is not valid JSON (at byte %d)", syntax.Offset))
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return invalidField(field, "must be "+describeType(typ))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return invalidField("body", "is empty or cut short")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// The decoder names the key but not where it is: find its path.
		var generic any
		path := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		if json.Unmarshal(body, &generic) == nil {
			if p := unknownFieldPath(reflect.TypeOf(v), generic, ""); p != "" {
				path = p
			}
		}
		return invalidField(path, "is not a known field")
	}
	return invalidField("body", "could not be read as JSON")
}

// unknownFieldPath returns the dotted path of the first key in v that type
// t has no JSON field for, or "".
func unknownFieldPath(t reflect.Type, v any, prefix string) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch val := v.(type) {
	case map[string]any:
		if t.Kind() != reflect.Struct {
			return ""
		}
		fields := map[string]reflect.Type{}
		collectJSONFields(t, fields)
		keys := make([]string, 0, len(val))
		for k := range val {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			ft, ok := fields[k]
			if !ok {
				return prefix + k
			}
			if p := unknownFieldPath(ft, val[k], prefix+k+"."); p != "" {
				return p
			}
		}
	case []any:
		if t.Kind() != reflect.Slice {
			return ""
		}
		for i, e := range val {
			if p := unknownFieldPath(t.Elem(), e, strings.TrimSuffix(prefix, ".")+"["+strconv.Itoa(i)+"]."); p != "" {
				return p
			}
		}
	}
	return ""
}

// collectJSONFields maps the JSON names of t's fields, embedded ones included.
func collectJSONFields(t reflect.Type, out map[string]reflect.Type) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			collectJSONFields(f.Type, out)
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
}

func describeType(e *json.UnmarshalTypeError) string {
	if strings.HasPrefix(e.Value, "date") {
		return "a date YYYY-MM-DD"
	}
	switch e.Type.Kind().String() {
	case "int", "int64", "int32":
		return "a whole number"
	case "string":
		return "a string"
	case "slice":
		return "an array"
	case "struct", "map":
		return "an object"
	case "bool":
		return "true or false"
	}
	return "of type " + e.Type.String()
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

func itoa(i int) string { return strconv.Itoa(i) }

// timeNow is the clock documents are dated by.
var timeNow = time.Now
