package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

// Credentials of the bootstrap admin of test apps.
const (
	testAdminEmail    = "chief@notary.example"
	testAdminPassword = "correct horse battery"
)

// harness is a host app running in-process on a random 127.0.0.1 port,
// on SQLite in a temporary directory, with a fake clock and a recording
// email channel.
type harness struct {
	t     *testing.T
	app   *App
	clock *notarytest.Clock
	mail  *notarytest.Notifier
	base  string
	http  *http.Client
}

// start runs a host app until the test ends; change adjusts its Config.
func start(t *testing.T, change ...func(*Config)) *harness {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	h := &harness{
		t:     t,
		clock: notarytest.NewClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)),
		mail:  &notarytest.Notifier{},
		// No redirects followed: tests look at every answer.
		http: &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}},
	}
	cfg := Config{
		Listener:      ln,
		SQLitePath:    filepath.Join(t.TempDir(), "hostapp.db"),
		Clock:         h.clock,
		Mailer:        h.mail,
		Bootstrap:     AdminBootstrap{Email: testAdminEmail, Name: "Chief Notary", Password: testAdminPassword},
		SweepInterval: -1, // tests sweep by hand
		RelayInterval: 10 * time.Millisecond,
		MockPayRetry:  []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond},
		Logger:        slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	for _, c := range change {
		c(&cfg)
	}
	ctx, cancel := context.WithCancel(context.Background())
	app, err := New(ctx, cfg)
	require.NoError(t, err)
	h.app, h.base = app, app.URL()
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done, "graceful shutdown")
		require.NoError(t, app.Close())
	})
	return h
}

// testWriter sends log lines to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// client calls the app's JSON API with fixed headers (a demo user's or an
// admin's bearer token).
type client struct {
	h   *harness
	hdr http.Header
}

// user is a client authenticated as a host user (simulated host auth).
func (h *harness) user(id, email, name string) *client {
	hdr := http.Header{}
	hdr.Set(HeaderDemoUserID, id)
	hdr.Set(HeaderDemoUserEmail, email)
	hdr.Set(HeaderDemoUserName, url.PathEscape(name))
	return &client{h: h, hdr: hdr}
}

// admin logs in through the admin API and returns a client with the
// bearer token.
func (h *harness) admin(email, password string) *client {
	var res loginResponse
	(&client{h: h, hdr: http.Header{}}).call("POST", "/api/admin/login", loginRequest{Email: email, Password: password}, 200, &res)
	require.NotEmpty(h.t, res.Token)
	hdr := http.Header{}
	hdr.Set("Authorization", "Bearer "+res.Token)
	return &client{h: h, hdr: hdr}
}

// approvedFiling files filingContent() as user, has admin approve it, and
// returns the approved filing and the user's evidence records.
func approvedFiling(user, admin *client) (filingView, []evidenceView) {
	user.h.t.Helper()
	var filing filingView
	user.call("POST", "/api/filings", filingContent(), 201, &filing)
	admin.call("POST", "/api/admin/filings/"+filing.ID.String()+"/approve", versionRequest{Version: filing.Version}, 200, &filing)
	var evidence page[evidenceView]
	user.call("GET", "/api/evidence", nil, 200, &evidence)
	return filing, evidence.Items
}

// with returns a copy of c with one more header.
func (c *client) with(name, value string) *client {
	hdr := c.hdr.Clone()
	hdr.Set(name, value)
	return &client{h: c.h, hdr: hdr}
}

// call sends a JSON request, requires the status and decodes the answer
// into out (when not nil).
func (c *client) call(method, path string, body any, status int, out any) {
	c.h.t.Helper()
	raw := c.send(method, path, body, status)
	if out != nil {
		reflect.ValueOf(out).Elem().SetZero() // no stale fields from an earlier answer
		require.NoError(c.h.t, json.Unmarshal(raw, out), "%s %s: %s", method, path, raw)
	}
}

// fail sends a request that must fail with status and error code, and
// returns the error body.
func (c *client) fail(method, path string, body any, status int, code string) apiError {
	c.h.t.Helper()
	var e apiError
	raw := c.send(method, path, body, status)
	require.NoError(c.h.t, json.Unmarshal(raw, &e), "%s %s: %s", method, path, raw)
	require.Equal(c.h.t, code, e.Error, "%s %s: %s", method, path, raw)
	require.NotEmpty(c.h.t, e.Message)
	return e
}

// rawBody is a request body sent byte for byte, not marshalled.
type rawBody string

func (c *client) send(method, path string, body any, status int) []byte {
	c.h.t.Helper()
	var rd io.Reader
	if raw, ok := body.(rawBody); ok {
		rd = strings.NewReader(string(raw))
	} else if body != nil {
		b, err := json.Marshal(body)
		require.NoError(c.h.t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.h.base+path, rd)
	require.NoError(c.h.t, err)
	req.Header = c.hdr.Clone()
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.h.http.Do(req)
	require.NoError(c.h.t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(c.h.t, err)
	require.Equal(c.h.t, status, res.StatusCode, "%s %s: %s", method, path, raw)
	return raw
}

// eventually waits until cond holds (the relay and the payment notices
// work in the background).
func (h *harness) eventually(cond func() bool, msg string, args ...any) {
	h.t.Helper()
	require.Eventually(h.t, cond, 10*time.Second, 5*time.Millisecond, append([]any{msg}, args...)...)
}

// mailTo returns the recorded emails of kind to addr.
func (h *harness) mailTo(addr string, kind notary.NoticeKind) []notary.Message {
	var out []notary.Message
	for _, m := range h.mail.Messages() {
		if m.To.Email == addr && m.Kind == kind {
			out = append(out, m)
		}
	}
	return out
}

// waitMail waits for an email of kind to addr and returns the latest.
func (h *harness) waitMail(addr string, kind notary.NoticeKind) notary.Message {
	h.t.Helper()
	h.eventually(func() bool { return len(h.mailTo(addr, kind)) > 0 }, "email %s to %s", kind, addr)
	list := h.mailTo(addr, kind)
	return list[len(list)-1]
}

// get fetches path as JSON into out without failing the test, for
// polling from require.Eventually's goroutine.
func (c *client) get(path string, out any) error {
	req, err := http.NewRequest("GET", c.h.base+path, nil)
	if err != nil {
		return err
	}
	req.Header = c.hdr.Clone()
	res, err := c.h.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, res.Status)
	}
	return json.NewDecoder(res.Body).Decode(out)
}

// inbox returns the user's in-site messages, newest first.
func (c *client) inbox() []inboxMessageView {
	c.h.t.Helper()
	var p page[inboxMessageView]
	c.call("GET", "/api/inbox?limit=100", nil, 200, &p)
	return p.Items
}

// waitInbox waits for an in-site message of kind about record and returns it.
func (c *client) waitInbox(kind notary.NoticeKind, record uuid.UUID) inboxMessageView {
	c.h.t.Helper()
	var found inboxMessageView
	c.h.eventually(func() bool {
		var p page[inboxMessageView]
		if c.get("/api/inbox?limit=100", &p) != nil {
			return false
		}
		for _, m := range p.Items {
			if m.Kind == kind && m.RecordID == record {
				found = m
				return true
			}
		}
		return false
	}, "in-site message %s about %s", kind, record)
	return found
}

// waitState waits until the user sees the application in state.
func (c *client) waitState(id uuid.UUID, state notary.ApplicationState) applicationView {
	c.h.t.Helper()
	var v applicationView
	c.h.eventually(func() bool {
		return c.get("/api/applications/"+id.String(), &v) == nil && v.State == state
	}, "application %s in state %s", id, state)
	return v
}
