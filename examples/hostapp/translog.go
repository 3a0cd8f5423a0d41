package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/translog"
)

// Defaults of the transparency log.
const (
	DefaultLogInterval        = time.Second
	DefaultLogCheckpointEvery = time.Minute
)

// newLog wires the office's transparency log. Without a configured key the
// checkpoints are signed with a key made for this process, which customers
// cannot keep verifying across restarts: a real office configures its key
// (-log-key) and publishes the verifier key from GET /log/key.
func (a *App) newLog() (*translog.Log, error) {
	key := a.cfg.LogKey
	if key == nil {
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		key = k
		a.log.Warn("transparency log: no -log-key, checkpoints are signed with a key made for this process only")
	}
	return translog.New(translog.Config{
		Service: a.svc, Store: a.store, Keys: []ed25519.PrivateKey{key}, Origin: a.cfg.LogOrigin,
		CheckpointEvery: a.cfg.LogCheckpointEvery, Logger: a.log.With("component", "translog"),
	})
}

// logRoutes mounts the transparency log:
//
//	GET /log/key                        the verifier key(s), one per line (public)
//	GET /log/checkpoint                 the latest signed checkpoint (public)
//	GET /log/checkpoints?after=N        checkpoints larger than N with consistency proofs, a translog.Series (public)
//	GET /api/filings/{id}/bundle        a filing's verification bundle, for its owner
//	GET /api/applications/{id}/bundle   an application's, for its owner
//	GET /api/admin/records/{id}/bundle  any record's, for an admin of the office
func (a *App) logRoutes(mux *http.ServeMux) {
	public := func(pattern string, h handlerFunc) { mux.Handle(pattern, a.api(h)) }
	public("GET /log/key", func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, err := fmt.Fprintln(w, strings.Join(a.tlog.VerifierKeys(), "\n"))
		return err
	})
	public("GET /log/checkpoint", func(w http.ResponseWriter, r *http.Request) error {
		c, err := a.tlog.Checkpoint(r.Context())
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, err = w.Write(c.Note)
		return err
	})
	public("GET /log/checkpoints", func(w http.ResponseWriter, r *http.Request) error {
		after, err := queryInt(r, "after")
		if err != nil {
			return err
		}
		limit, err := queryInt(r, "limit")
		if err != nil {
			return err
		}
		s, err := a.tlog.Series(r.Context(), after, int(limit))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, s)
		return nil
	})
	bundle := func(w http.ResponseWriter, r *http.Request, p notary.Principal) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		b, err := a.tlog.Bundle(r.Context(), p, id)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, b)
		return nil
	}
	user := func(w http.ResponseWriter, r *http.Request) error { return bundle(w, r, userFrom(r)) }
	mux.Handle("GET /api/filings/{id}/bundle", a.demoUser(a.api(user)))
	mux.Handle("GET /api/applications/{id}/bundle", a.demoUser(a.api(user)))
	mux.Handle("GET /api/admin/records/{id}/bundle", a.adminBearer(a.api(func(w http.ResponseWriter, r *http.Request) error {
		return bundle(w, r, adminFrom(r))
	})))
}

// queryInt parses an optional non-negative integer query parameter (0
// when absent).
func queryInt(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, &notary.FieldError{Field: name, Reason: "not a non-negative integer"}
	}
	return n, nil
}

// Log returns the office's transparency log.
func (a *App) Log() *translog.Log { return a.tlog }
