package main

import (
	"context"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/notarykit/notarykit/adapters/courier"
	"github.com/notarykit/notarykit/notary"
)

// maxJSONBody bounds the JSON request bodies of the API.
const maxJSONBody = 256 << 10

// apiError is the body of every error answer of the JSON API.
type apiError struct {
	Error   string `json:"error"`           // machine-readable code, e.g. "invalid_input"
	Message string `json:"message"`         // human-readable detail
	Field   string `json:"field,omitempty"` // the invalid field, for "invalid_input"
	// Candidates are the carriers a tracking number given without one
	// fits, for the client to ask the user which one they used.
	Candidates []carrierView `json:"candidates,omitempty"`
}

// carrierView is a carrier the user may choose.
type carrierView struct {
	Code   string `json:"code"`
	NameZh string `json:"name_zh"`
	NameEn string `json:"name_en"`
}

// classify maps an SDK error to an HTTP status and an error code, with
// errors.Is on the SDK's sentinels. Anything unrecognised is a 500.
func classify(err error) (int, string) {
	switch {
	case errors.Is(err, notary.ErrFilingRequired):
		// 409 with a distinct code: the client prompts the user to file.
		return http.StatusConflict, "filing_required"
	case errors.Is(err, notary.ErrInvalidInput):
		return http.StatusBadRequest, "invalid_input"
	case errors.Is(err, notary.ErrUnauthenticated):
		return http.StatusUnauthorized, "unauthenticated"
	case errors.Is(err, notary.ErrForbidden):
		return http.StatusForbidden, "forbidden"
	case errors.Is(err, notary.ErrNotFound):
		return http.StatusNotFound, "not_found"
	case errors.Is(err, notary.ErrEvidenceReserved):
		return http.StatusConflict, "evidence_reserved"
	case errors.Is(err, notary.ErrInvalidTransition):
		return http.StatusConflict, "invalid_transition"
	case errors.Is(err, notary.ErrConflict), errors.Is(err, notary.ErrDuplicate):
		return http.StatusConflict, "conflict"
	case errors.Is(err, errMethod):
		return http.StatusMethodNotAllowed, "method_not_allowed"
	case errors.Is(err, notary.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, "unavailable"
	case errors.Is(err, context.Canceled):
		return statusClientClosed, "cancelled"
	}
	return http.StatusInternalServerError, "internal"
}

// statusClientClosed answers a request whose client went away before the
// answer was ready (nginx's 499): nobody reads it, and it is no fault of
// the server's.
const statusClientClosed = 499

// retryAfter is the Retry-After of a 503: how many seconds a client waits
// before repeating a request the store could not serve.
const retryAfter = "1"

// failed logs a server-side failure of a request at the level it deserves
// and sets Retry-After on a 503: a client that went away is no error, a
// temporary outage is a warning, anything else an error.
func (a *App) failed(w http.ResponseWriter, r *http.Request, status int, err error) {
	switch {
	case status == statusClientClosed:
		a.log.DebugContext(r.Context(), "request cancelled by the client", "method", r.Method, "path", r.URL.Path, "err", err)
	case status == http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", retryAfter)
		a.log.WarnContext(r.Context(), "request failed temporarily", "method", r.Method, "path", r.URL.Path, "err", err)
	default:
		a.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
}

// writeError answers err as JSON. Client errors carry the SDK's message
// (and the field of a *notary.FieldError); server errors are logged and
// answered with a generic message, so no internals leak.
func (a *App) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, code := classify(err)
	body := apiError{Error: code, Message: publicMessage(err)}
	if status >= 500 || status == statusClientClosed {
		a.failed(w, r, status, err)
		body.Message = "internal error"
		switch status {
		case http.StatusServiceUnavailable:
			body.Message = "temporarily unavailable, try again"
		case statusClientClosed:
			body.Message = "request cancelled"
		}
	}
	var fe *notary.FieldError
	if errors.As(err, &fe) {
		body.Field = fe.Field
		body.Message = fe.Reason
	}
	var amb *courier.AmbiguousError
	if errors.As(err, &amb) {
		for _, c := range amb.Candidates {
			body.Candidates = append(body.Candidates, carrierView{Code: c.Code, NameZh: c.NameZh, NameEn: c.NameEn})
		}
	}
	if status == http.StatusUnauthorized && strings.HasPrefix(r.URL.Path, "/api/admin/") {
		w.Header().Set("WWW-Authenticate", `Bearer realm="notarykit-admin"`)
	}
	writeJSON(w, status, body)
}

// publicMessage strips the SDK's package prefix from an error message.
func publicMessage(err error) string {
	return strings.TrimPrefix(err.Error(), "notary: ")
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v) // a write error means the client went away
}

// decodeJSON reads the request's JSON body into v, refusing invalid UTF-8
// (also lone surrogate escapes such as "\udc00"), duplicate and unknown
// fields, trailing data and bodies over maxJSONBody. It decodes with
// go-json-experiment/json (encoding/json/v2), whose errors locate the
// problem by JSON pointer; they become a *notary.FieldError naming the
// field the client sent (see jsonFieldError), so they answer 400.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	err := jsonv2.UnmarshalRead(http.MaxBytesReader(w, r.Body, maxJSONBody), v, jsonv2.RejectUnknownMembers(true))
	if err != nil {
		return jsonFieldError(err)
	}
	return nil
}

// jsonFieldError says what was wrong with a request body in the client's
// terms: the field as a dotted path of the JSON it sent ("body" for the
// body as a whole) and the problem (malformed JSON at a byte offset, an
// unknown field, a value of the wrong JSON type), never Go's type names.
func jsonFieldError(err error) *notary.FieldError {
	var tooBig *http.MaxBytesError
	var syn *jsontext.SyntacticError
	var sem *jsonv2.SemanticError
	switch {
	case errors.As(err, &tooBig):
		return &notary.FieldError{Field: "body", Reason: fmt.Sprintf("larger than %d bytes", tooBig.Limit)}
	case errors.As(err, &syn):
		reason := "malformed JSON"
		if syn.Err != nil {
			reason = fmt.Sprintf("malformed JSON at byte offset %d: %v", syn.ByteOffset, syn.Err)
		}
		return &notary.FieldError{Field: fieldPath(syn.JSONPointer), Reason: reason}
	case errors.As(err, &sem):
		field := fieldPath(sem.JSONPointer)
		want := jsonKindOf(sem.GoType)
		switch {
		case errors.Is(sem.Err, jsonv2.ErrUnknownName):
			return &notary.FieldError{Field: field, Reason: "unknown field"}
		case want != "" && sem.JSONKind != 0 && kindName(sem.JSONKind) != want && !(want == "integer" && sem.JSONKind == '0'):
			return &notary.FieldError{Field: field, Reason: fmt.Sprintf("must be a JSON %s, not %s", want, kindName(sem.JSONKind))}
		case want == "integer":
			return &notary.FieldError{Field: field, Reason: "must be an integer in range"}
		case sem.Err != nil:
			return &notary.FieldError{Field: field, Reason: "invalid value: " + sem.Err.Error()}
		}
		return &notary.FieldError{Field: field, Reason: "invalid value"}
	}
	return &notary.FieldError{Field: "body", Reason: "malformed JSON"}
}

// fieldPath turns a JSON pointer ("/legal_rep/name", "/ids/0") into the
// dotted path the API's field errors use ("legal_rep.name", "ids[0]").
func fieldPath(p jsontext.Pointer) string {
	var b strings.Builder
	for tok := range p.Tokens() {
		if _, err := strconv.ParseUint(tok, 10, 64); err == nil && b.Len() > 0 {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	if b.Len() == 0 {
		return "body"
	}
	return b.String()
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// jsonKindOf names the JSON kind a request field of Go type t takes, or ""
// when there is no single one.
func jsonKindOf(t reflect.Type) string {
	if t == nil {
		return ""
	}
	if t.Implements(textUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler) {
		return "string"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Struct, reflect.Map:
		return "object"
	}
	return ""
}

// kindName names a JSON kind as the API's messages do.
func kindName(k jsontext.Kind) string {
	switch k {
	case 'n':
		return "null"
	case 't', 'f':
		return "boolean"
	case '"':
		return "string"
	case '0':
		return "number"
	case '{':
		return "object"
	case '[':
		return "array"
	}
	return "value"
}

// handlerFunc is an HTTP handler that returns its error for writeError.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// api adapts h to http.Handler, answering its error as JSON.
func (a *App) api(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			a.writeError(w, r, err)
		}
	})
}

// logRequests logs every request at debug level.
func logRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.DebugContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr)
		next.ServeHTTP(w, r)
	})
}
