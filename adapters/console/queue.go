package console

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/notarykit/notarykit/notary"
)

// queueQuery is what a queue page's address asks for: the queue (?state=)
// and where the page starts (?after=, a notary.Cursor in its text form).
type queueQuery[S ~string] struct {
	State S
	After *notary.Cursor // nil: the first page
}

// parseQueue reads the ?state= and ?after= parameters of a queue page:
// state must be one of allowed (absent: the first), after a cursor the
// console wrote (absent: the first page). A bad value is a *paramError
// naming the parameter, which the console answers with 400.
func parseQueue[S ~string](r *http.Request, allowed []S) (queueQuery[S], error) {
	q := r.URL.Query()
	out := queueQuery[S]{State: allowed[0]}
	if s := q.Get("state"); s != "" {
		i := slices.IndexFunc(allowed, func(a S) bool { return string(a) == s })
		if i < 0 {
			return out, newParamError("state", "unknown queue "+strconv.Quote(s))
		}
		out.State = allowed[i]
	}
	if s := q.Get("after"); s != "" {
		var c notary.Cursor
		if err := c.UnmarshalText([]byte(s)); err != nil {
			return out, newParamError("after", "malformed cursor")
		}
		out.After = &c
	}
	return out, nil
}

// paramError refuses a query parameter of a page's address. It is a
// notary.FieldError (so errors.Is(err, notary.ErrInvalidInput) holds and
// the answer is 400) that the error page shows with the parameter's name
// as it appears in the address.
type paramError struct{ field notary.FieldError }

func newParamError(param, reason string) *paramError {
	return &paramError{field: notary.FieldError{Field: param, Reason: reason}}
}

// Error names the parameter and the reason.
func (e *paramError) Error() string {
	return "console: query parameter " + e.field.Field + ": " + e.field.Reason
}

// Unwrap returns the FieldError, which unwraps to notary.ErrInvalidInput.
func (e *paramError) Unwrap() error { return &e.field }
