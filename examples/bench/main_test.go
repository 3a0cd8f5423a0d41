package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBenchParts runs each part once on small settings, so the benchmark
// keeps working as the SDK changes (its numbers are not asserted).
func TestBenchParts(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the benchmark")
	}
	ctx := context.Background()
	tmp = t.TempDir()
	c := config{quick: true, log: io.Discard, pgURL: os.Getenv("NOTARYKIT_POSTGRES_URL")}
	var r Report
	require.NoError(t, benchMemory(ctx, c, &r))
	assert.Positive(t, r.MemVsStateless)
	require.NoError(t, benchBytes(ctx, c, &r))
	assert.Positive(t, r.BytesPerRecord)
	if c.pgURL == "" {
		t.Log("NOTARYKIT_POSTGRES_URL is not set: the PostgreSQL parts are not exercised")
	} else {
		rows, err := queueAt(ctx, c, "postgres", 120)
		require.NoError(t, err)
		assert.Positive(t, rows)
		stats, search, err := consoleAt(ctx, c, "postgres", 300)
		require.NoError(t, err)
		assert.Positive(t, stats)
		assert.Positive(t, search)
	}
	d, err := queueAt(ctx, c, "sqlite", 120)
	require.NoError(t, err)
	assert.Positive(t, d)
	stats, search, err := consoleAt(ctx, c, "sqlite", 300)
	require.NoError(t, err)
	assert.Positive(t, stats)
	assert.Positive(t, search)
	require.NoError(t, benchProofs(c, &r, 100, 1000))
	assert.Positive(t, r.ProofRatio)
	if c.pgURL != "" {
		require.NoError(t, benchLogOnOff(ctx, c, &r))
		assert.Positive(t, r.LogOnOffRatio)
	}
	require.NoError(t, benchWebhooks(ctx, c, &r))
	assert.Positive(t, r.WebhooksPerS)
	if c.pgURL != "" {
		require.NoError(t, benchHostEventsOnOff(ctx, c, &r))
		assert.Positive(t, r.HostOnOffRatio)
		assert.Positive(t, r.HostEndpointOnOffRatio)
	}
	var out bytes.Buffer
	printTable(&out, r)
	assert.Contains(t, out.String(), "mem_vs_stateless_ratio")
	assert.Contains(t, out.String(), "log_proof_ratio")
}
