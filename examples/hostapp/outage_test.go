package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
)

// pgSchema returns the test database URL with an application_name of a
// fresh schema's own, and the schema, dropped when the test ends. It skips
// the test without NOTARYKIT_POSTGRES_URL.
func pgSchema(t *testing.T) (url, schema string) {
	t.Helper()
	base := os.Getenv("NOTARYKIT_POSTGRES_URL")
	if base == "" {
		t.Skip("set NOTARYKIT_POSTGRES_URL to run the PostgreSQL tests")
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	schema = "nk_hostapp_" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop schema: %v", err)
			return
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE")
		assert.NoError(t, err)
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "application_name=" + schema, schema
}

// terminator kills every server connection whose application_name is
// name, as a failover or a DBA would, and counts them.
func terminator(t *testing.T, name string) func() int {
	pool, err := pgxpool.New(context.Background(), os.Getenv("NOTARYKIT_POSTGRES_URL"))
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	return func() int {
		var n int
		if err := pool.QueryRow(context.Background(),
			`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1`, name).Scan(&n); err != nil {
			t.Errorf("terminate: %v", err)
		}
		return n
	}
}

// outageClient sends requests the way a well-behaved client does during
// an outage: a 503 is repeated after a short pause. It counts the answers
// by status.
type outageClient struct {
	h      *harness
	mu     sync.Mutex
	status map[int]int
}

// do sends a JSON request until its answer is not a 503, and returns the
// final status and body, and whether a 503 came before it.
func (c *outageClient) do(hdr http.Header, method, path string, body any) (status int, raw []byte, retried bool) {
	var b []byte
	if body != nil {
		var err error
		b, err = json.Marshal(body)
		require.NoError(c.h.t, err)
	}
	for range 100 {
		req, err := http.NewRequest(method, c.h.base+path, bytes.NewReader(b))
		require.NoError(c.h.t, err)
		req.Header = hdr.Clone()
		req.Header.Set("Content-Type", "application/json")
		res, err := c.h.http.Do(req)
		require.NoError(c.h.t, err)
		raw, err = io.ReadAll(res.Body)
		res.Body.Close()
		require.NoError(c.h.t, err)
		c.mu.Lock()
		c.status[res.StatusCode]++
		c.mu.Unlock()
		if res.StatusCode != http.StatusServiceUnavailable {
			return res.StatusCode, raw, retried
		}
		assert.Equal(c.h.t, retryAfter, res.Header.Get("Retry-After"), "503 without Retry-After")
		retried = true
		time.Sleep(20 * time.Millisecond)
	}
	c.h.t.Errorf("%s %s: still 503 after 100 tries: %s", method, path, raw)
	return http.StatusServiceUnavailable, raw, retried
}

// TestConnectionsKilledDuringTransitions runs filings through submission
// and approval on PostgreSQL while the app's database connections are
// terminated every few milliseconds. Clients see 503 with Retry-After and
// try again, never a 500; in the end every change is applied exactly once
// (each filing approved at version 2: one submission, one approval).
func TestConnectionsKilledDuringTransitions(t *testing.T) {
	url, schema := pgSchema(t)
	h := start(t, func(c *Config) {
		c.PostgresURL, c.PostgresSchema, c.SQLitePath = url, schema, ""
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	})
	kill := terminator(t, schema)
	oc := &outageClient{h: h, status: map[int]int{}}
	admin := h.admin(testAdminEmail, testAdminPassword)

	// The users start once a connection of the app has been terminated, so
	// that the test cannot pass without an outage however fast they are;
	// more connections are terminated every 100 ms while they work.
	stop, started := make(chan struct{}), make(chan struct{})
	var killed atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() {
		for killed.Add(int64(kill())) == 0 {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
		close(started)
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
				killed.Add(int64(kill()))
			}
		}
	})
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		close(stop)
		wg.Wait()
		t.Fatal("no connection of the app to terminate within 10 s")
	}

	const users = 12
	ids := make([]string, users)
	var uw sync.WaitGroup
	for i := range users {
		uw.Go(func() {
			u := h.user(fmt.Sprintf("acct-outage-%d", i), fmt.Sprintf("u%d@acme.example", i), "用户")
			status, raw, retried := oc.do(u.hdr, "POST", "/api/filings", filingContent())
			if status == http.StatusConflict && retried {
				// The submission that was answered 503 had committed.
				status, raw, _ = oc.do(u.hdr, "GET", "/api/me/filing", nil)
				if !assert.Equal(t, http.StatusOK, status, "%s", raw) {
					return
				}
			} else if !assert.Equal(t, http.StatusCreated, status, "%s", raw) {
				return
			}
			var f filingView
			if !assert.NoError(t, json.Unmarshal(raw, &f)) {
				return
			}
			ids[i] = f.ID.String()
			status, raw, retried = oc.do(admin.hdr, "POST", "/api/admin/filings/"+ids[i]+"/approve", versionRequest{Version: f.Version})
			if !(status == http.StatusConflict && retried) {
				assert.Equal(t, http.StatusOK, status, "%s", raw)
			}
		})
	}
	uw.Wait()
	close(stop)
	wg.Wait()

	require.False(t, t.Failed())
	for i, id := range ids {
		var f filingView
		status, raw, _ := oc.do(admin.hdr, "GET", "/api/admin/filings/"+id, nil)
		require.Equal(t, http.StatusOK, status, "%s", raw)
		require.NoError(t, json.Unmarshal(raw, &f))
		assert.Equal(t, notary.FilingApproved, f.State, "filing %d", i)
		assert.EqualValues(t, 2, f.Version, "filing %d: submitted once and approved once", i)
	}
	t.Logf("connections terminated: %d; answers by status: %v", killed.Load(), oc.status)
	require.Positive(t, killed.Load(), "no connection was terminated: the test tests nothing")
	for status, n := range oc.status {
		assert.False(t, status >= 500 && status != http.StatusServiceUnavailable, "%d answers with status %d", n, status)
	}
}

// A request whose client went away is neither logged as an error nor
// answered 500; a store outage is answered 503 with Retry-After.
func TestCancelledAndUnavailableAnswers(t *testing.T) {
	var logs bytes.Buffer
	a := &App{log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := httptest.NewRequestWithContext(ctx, "POST", "/api/filings", nil)
	w := httptest.NewRecorder()
	a.writeError(w, r, fmt.Errorf("read filing: %w", context.Canceled))
	assert.Equal(t, statusClientClosed, w.Code)
	assert.NotContains(t, logs.String(), "level=ERROR")

	logs.Reset()
	r = httptest.NewRequest("POST", "/api/filings", nil)
	w = httptest.NewRecorder()
	a.writeError(w, r, fmt.Errorf("%w: postgres: conn closed", notary.ErrUnavailable))
	assert.Equal(t, http.StatusServiceUnavailable, w.Code)
	assert.Equal(t, retryAfter, w.Header().Get("Retry-After"))
	assert.NotContains(t, logs.String(), "level=ERROR")

	logs.Reset()
	w = httptest.NewRecorder()
	a.writeError(w, r, errors.New("a bug"))
	assert.Equal(t, http.StatusInternalServerError, w.Code)
	assert.Contains(t, logs.String(), "level=ERROR")
}
