package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
	"github.com/notarykit/notarykit/notary/translog"
	"github.com/notarykit/notarykit/store"
)

// evidence is what an office hands out: a user's filing bundle, the
// checkpoint series, and the verifier key.
type evidence struct {
	dir, key, bundle, series string
}

func makeEvidence(t *testing.T) evidence {
	ctx := t.Context()
	mem := store.NewMemory()
	svc, err := notary.New(notary.Config{InsecureDevKeys: true,
		Office: notary.Office{ID: uuid.MustParse("6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f"), Name: "Example Notary Office",
			AdminEmails: []string{"review@notary.example"}, MailingAddress: "1 Notary Road"},
		Store: mem, Payments: notarytest.NewPayments(),
		Clock: notarytest.NewClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)),
	})
	require.NoError(t, err)
	seed := sha256.Sum256([]byte("office key"))
	lg, err := translog.New(translog.Config{Service: svc, Store: mem, Origin: "notary.example/log",
		Keys: []ed25519.PrivateKey{ed25519.NewKeyFromSeed(seed[:])}})
	require.NoError(t, err)
	_, err = svc.Admins.Bootstrap(ctx, "chief@notary.example", "Chief", "a long passphrase")
	require.NoError(t, err)
	_, admin, err := svc.Admins.Login(ctx, "chief@notary.example", "a long passphrase")
	require.NoError(t, err)
	user := notary.User{ID: "acct-42", Email: "legal@acme.example"}
	f, err := svc.Filings.Submit(ctx, user, notarytest.FilingContent())
	require.NoError(t, err)
	_, err = lg.SequenceAll(ctx)
	require.NoError(t, err)
	_, err = lg.Checkpoint(ctx)
	require.NoError(t, err)
	_, err = svc.Reviews.ApproveFiling(ctx, admin, f.ID, f.Version)
	require.NoError(t, err)
	b, err := lg.Bundle(ctx, user, f.ID)
	require.NoError(t, err)
	s, err := lg.Series(ctx, 0, 0)
	require.NoError(t, err)
	require.Len(t, s.Checkpoints, 2)

	e := evidence{dir: t.TempDir(), key: lg.VerifierKeys()[0]}
	e.bundle, e.series = filepath.Join(e.dir, "bundle.json"), filepath.Join(e.dir, "series.json")
	data, err := b.MarshalIndent()
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(e.bundle, data, 0o600))
	data, err = json.Marshal(s)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(e.series, data, 0o600))
	return e
}

func runCmd(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestVerifiesBundleAndSeries(t *testing.T) {
	e := makeEvidence(t)
	code, out, errs := runCmd("-key", e.key, "-bundle", e.bundle, e.series)
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "2 checkpoints of notary.example/log")
	assert.Contains(t, out, "bundle "+e.bundle+": filing")
	assert.Contains(t, out, `state "Approved": 2 events`)
	assert.Contains(t, out, "2 in the log")
	assert.True(t, strings.HasSuffix(out, "OK\n"))

	keyFile := filepath.Join(e.dir, "keys.txt")
	require.NoError(t, os.WriteFile(keyFile, []byte("# the office's key\n"+e.key+"\n"), 0o600))
	code, _, errs = runCmd("-keyfile", keyFile, e.series)
	require.Equal(t, 0, code, errs)
}

func TestReportsWhatBroke(t *testing.T) {
	e := makeEvidence(t)
	edit := func(path, old, new string) string {
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		require.Contains(t, string(b), old)
		out := filepath.Join(e.dir, "edited-"+filepath.Base(path))
		require.NoError(t, os.WriteFile(out, []byte(strings.Replace(string(b), old, new, 1)), 0o600))
		return out
	}
	otherKey, err := translog.VerifierKey("notary.example/log", ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey))
	require.NoError(t, err)
	// The office later shows an older, smaller checkpoint as its latest.
	var s translog.Series
	raw, err := os.ReadFile(e.series)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &s))
	s.Checkpoints = s.Checkpoints[:1]
	older := filepath.Join(e.dir, "older.json")
	raw, err = json.Marshal(s)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(older, raw, 0o600))

	for name, tc := range map[string]struct {
		args []string
		code int
		want string
	}{
		"edited event":  {[]string{"-key", e.key, "-bundle", edit(e.bundle, `"trigger": "approve"`, `"trigger": "reject"`)}, 1, "was edited"},
		"another key":   {[]string{"-key", otherKey, "-bundle", e.bundle}, 1, "not signed by the office's key"},
		"series, other": {[]string{"-key", otherKey, e.series}, 1, "not signed"},
		"truncated":     {[]string{"-key", e.key, e.series, older}, 1, "truncated"},
		"no input":      {[]string{"-key", e.key}, 2, "nothing to verify"},
		"bad key":       {[]string{"-key", "nonsense", e.series}, 2, "verifier key"},
		"not JSON":      {[]string{"-key", e.key, edit(e.series, "{", "[")}, 2, "malformed"},
		"missing file":  {[]string{"-key", e.key, "-bundle", filepath.Join(e.dir, "none.json")}, 2, "no such file"},
	} {
		t.Run(name, func(t *testing.T) {
			code, _, errs := runCmd(tc.args...)
			assert.Equal(t, tc.code, code, errs)
			assert.Contains(t, errs, tc.want)
		})
	}
}
