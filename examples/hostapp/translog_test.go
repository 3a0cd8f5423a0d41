package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/translog"
)

// publicGet fetches a public path with no credentials.
func (h *harness) publicGet(path string) []byte {
	h.t.Helper()
	resp, err := h.http.Get(h.base + path)
	require.NoError(h.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(h.t, err)
	require.Equal(h.t, http.StatusOK, resp.StatusCode, string(body))
	return body
}

func TestTransparencyLog(t *testing.T) {
	h := start(t)
	user := h.user("acct-42", "legal@acme.example", "Wang")
	stranger := h.user("acct-99", "someone@else.example", "Stranger")
	admin := h.admin(testAdminEmail, testAdminPassword)

	var filing filingView
	user.call("POST", "/api/filings", filingContent(), 201, &filing)
	admin.call("POST", "/api/admin/filings/"+filing.ID.String()+"/approve", versionRequest{Version: filing.Version}, 200, &filing)

	// Anyone gets the office's verifier key and its checkpoints.
	keys, err := translog.Verifiers(strings.Fields(string(h.publicGet("/log/key")))...)
	require.NoError(t, err)
	first, err := translog.OpenCheckpoint(h.publicGet("/log/checkpoint"), keys)
	require.NoError(t, err)
	assert.Positive(t, first.Size)

	// The owner gets the filing's bundle, which verifies offline.
	raw := user.send("GET", "/api/filings/"+filing.ID.String()+"/bundle", nil, 200)
	b, err := translog.ReadBundle(bytes.NewReader(raw))
	require.NoError(t, err)
	rep, err := translog.VerifyBundle(b, keys)
	require.NoError(t, err)
	assert.Equal(t, 2, rep.Logged)
	assert.Equal(t, string(notary.FilingApproved), b.Record.State)

	// Others do not; an admin of the office does.
	stranger.fail("GET", "/api/filings/"+filing.ID.String()+"/bundle", nil, 403, "forbidden")
	raw = admin.send("GET", "/api/admin/records/"+filing.ID.String()+"/bundle", nil, 200)
	_, err = translog.ReadBundle(bytes.NewReader(raw))
	require.NoError(t, err)
	user.fail("GET", "/api/admin/records/"+filing.ID.String()+"/bundle", nil, 401, "unauthenticated")

	// The public series of checkpoints verifies, and agrees with the
	// bundle's checkpoint.
	var s translog.Series
	require.NoError(t, json.Unmarshal(h.publicGet("/log/checkpoints"), &s))
	m := translog.NewMonitor(keys)
	cps, err := m.VerifySeries(s)
	require.NoError(t, err)
	require.NotEmpty(t, cps)
	require.NoError(t, m.Check(rep.Checkpoint))
	var since translog.Series
	require.NoError(t, json.Unmarshal(h.publicGet("/log/checkpoints?after=1"), &since))
	for _, e := range since.Checkpoints {
		c, err := translog.OpenCheckpoint([]byte(e.Checkpoint), keys)
		require.NoError(t, err)
		assert.Greater(t, c.Size, int64(1))
	}
	resp, err := h.http.Get(h.base + "/log/checkpoints?after=-1")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
}
