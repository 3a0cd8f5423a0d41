package main

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
)

// The host API serves the host platform itself — its backend, its
// operators' tools — not its end users nor the office's admins. It is
// authenticated with Config.HostAPIKey as a bearer token, as Stripe's
// secret keys are:
//
//	GET /api/host/events?after=<cursor>&limit=<1..100>
//
// lists the office's host events committed after the cursor, oldest
// first, each the JSON document its webhooks carry (notary.HostEvent):
//
//	{"events": [{"id": "…", "type": "application.completed", …}, …],
//	 "next": "<cursor of the last event>", "has_more": false}
//
// A host rebuilding its state after an outage pages with after=next
// until has_more is false, and later polls with its last next for what
// came since (next is the given cursor again when nothing did). Errors
// are the API's: 401 without the key, 400 invalid_input naming "after"
// (malformed, or no event of this office) or "limit".

// minHostAPIKey is the shortest Config.HostAPIKey accepted.
const minHostAPIKey = 16

// hostEventsResponse is the answer of GET /api/host/events.
type hostEventsResponse struct {
	Events  []json.RawMessage `json:"events"`
	Next    string            `json:"next,omitempty"`
	HasMore bool              `json:"has_more"`
}

// hostRoutes mounts the host API.
func (a *App) hostRoutes(mux *http.ServeMux) {
	mux.Handle("GET /api/host/events", a.hostKey(a.api(a.hostEvents)))
}

// hostKey authenticates the host API: Authorization: Bearer <HostAPIKey>,
// compared in constant time through its digest. Without a configured key
// the host API refuses every request.
func (a *App) hostKey(next http.Handler) http.Handler {
	return a.api(func(w http.ResponseWriter, r *http.Request) error {
		if a.hostKeyDigest == nil {
			return fmt.Errorf("%w: the host API is off: configure a host API key (-host-api-key)", notary.ErrUnauthenticated)
		}
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		got := sha256.Sum256([]byte(token))
		if !ok || token == "" || subtle.ConstantTimeCompare(got[:], a.hostKeyDigest) != 1 {
			return fmt.Errorf("%w: send Authorization: Bearer <host API key>", notary.ErrUnauthenticated)
		}
		next.ServeHTTP(w, r)
		return nil
	})
}

// hostEvents answers GET /api/host/events.
func (a *App) hostEvents(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	from := uuid.Nil
	if after != nil {
		from = after.ID
	}
	evs, err := a.svc.HostEvents(r.Context(), from, limit+1)
	if errors.Is(err, notary.ErrNotFound) {
		return &notary.FieldError{Field: "after", Reason: "names no event of this office"}
	}
	if err != nil {
		return err
	}
	res := hostEventsResponse{Events: []json.RawMessage{}, HasMore: len(evs) > limit}
	evs = evs[:min(len(evs), limit)]
	for _, ev := range evs {
		res.Events = append(res.Events, json.RawMessage(ev.Body))
	}
	switch {
	case len(evs) > 0:
		last := evs[len(evs)-1]
		res.Next = encodeCursor(last.OccurredAt, last.ID)
	case after != nil:
		res.Next = r.URL.Query().Get("after")
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}
