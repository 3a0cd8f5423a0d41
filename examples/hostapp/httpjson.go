package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/notarykit/notarykit/notary"
)

// maxJSONBody bounds the JSON request bodies of the API.
const maxJSONBody = 256 << 10

// apiError is the body of every error answer of the JSON API.
type apiError struct {
	Error   string `json:"error"`           // machine-readable code, e.g. "invalid_input"
	Message string `json:"message"`         // human-readable detail
	Field   string `json:"field,omitempty"` // the invalid field, for "invalid_input"
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

// decodeJSON reads the request's JSON body into v, refusing unknown
// fields, trailing data and bodies over maxJSONBody. Its errors are
// *notary.FieldError (field "body"), so they answer 400.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxJSONBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &notary.FieldError{Field: "body", Reason: fmt.Sprintf("larger than %d bytes", tooBig.Limit)}
		}
		return &notary.FieldError{Field: "body", Reason: "malformed JSON: " + err.Error()}
	}
	if dec.More() {
		return &notary.FieldError{Field: "body", Reason: "trailing data after the JSON value"}
	}
	return nil
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
