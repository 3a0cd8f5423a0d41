package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/adapters/postgres"
	"github.com/notarykit/notarykit/notary"
)

// getText fetches path and returns its status and body.
func (h *harness) getText(path string) (int, string) {
	h.t.Helper()
	res, err := h.http.Get(h.base + path)
	require.NoError(h.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(h.t, err)
	return res.StatusCode, string(b)
}

// metricValue returns the value of the first sample of name whose labels
// include every one of labels (`key="value"`), or "" when there is none.
func metricValue(body, name string, labels ...string) string {
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `\{([^}]*)\} (\S+)$`)
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		ok := true
		for _, l := range labels {
			ok = ok && strings.Contains(m[1], l)
		}
		if ok {
			return m[2]
		}
	}
	return ""
}

// After a filing is submitted and its notice mailed, /metrics counts the
// transition and the delivery, and shows the outbox gauges.
func TestMetricsCountTransitionsAndDeliveries(t *testing.T) {
	h := start(t)
	user := h.user("acct-metrics", "m@acme.example", "用户")
	var f filingView
	user.call("POST", "/api/filings", filingContent(), 201, &f)
	h.waitMail(officeMailbox, notary.NoticeFilingReview)

	var body string
	h.eventually(func() bool {
		_, body = h.getText("/metrics")
		return metricValue(body, "notarykit_deliveries_total", `channel="email"`, `outcome="delivered"`) != ""
	}, "a delivery counted")
	assert.Equal(t, "1", metricValue(body, "notarykit_transitions_total", `kind="filing"`, `trigger="submit"`, `outcome="ok"`), body)
	assert.NotEmpty(t, metricValue(body, "notarykit_commit_duration_seconds_count", `kind="filing"`), "commit latency")
	assert.NotEmpty(t, metricValue(body, "notarykit_outbox_pending", ``), "outbox depth")
	assert.NotEmpty(t, metricValue(body, "notarykit_outbox_oldest_age_seconds", ``), "outbox age")

	status, _ := h.getText("/livez")
	assert.Equal(t, http.StatusOK, status)
	status, _ = h.getText("/readyz")
	assert.Equal(t, http.StatusOK, status, "SQLite with its migrations applied is ready")
}

// Readiness fails (503) when the database cannot be reached, while
// liveness stays up.
func TestReadinessFailsWithoutDatabase(t *testing.T) {
	h := start(t)
	pool, err := pgxpool.New(context.Background(), "postgres://postgres@127.0.0.1:1/gone?sslmode=disable&connect_timeout=1")
	require.NoError(t, err)
	defer pool.Close()
	h.app.store = postgres.New(pool) // the database went away
	status, body := h.getText("/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, status)
	assert.Contains(t, body, "store unreachable")
	status, _ = h.getText("/livez")
	assert.Equal(t, http.StatusOK, status)
}

// On PostgreSQL, readiness fails when the schema is gone (dropped, or a
// database restored without it) and holds while it is current.
func TestReadinessOnPostgres(t *testing.T) {
	url, schema := pgSchema(t)
	h := start(t, func(c *Config) {
		c.PostgresURL, c.PostgresSchema, c.SQLitePath = url, schema, ""
		c.Logger = slog.New(slog.DiscardHandler) // the relay fails on every poll once the schema is gone
	})
	status, _ := h.getText("/readyz")
	require.Equal(t, http.StatusOK, status)
	conn, err := pgx.Connect(context.Background(), url)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	// The app's relay and log keep working meanwhile: the DROP, which
	// locks table after table, may be the victim of a deadlock with them.
	require.Eventually(t, func() bool {
		_, err = conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		var pgErr *pgconn.PgError
		return err == nil || !errors.As(err, &pgErr) || pgErr.Code != "40P01"
	}, 10*time.Second, 10*time.Millisecond)
	require.NoError(t, err)
	status, body := h.getText("/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, status, body)
}
