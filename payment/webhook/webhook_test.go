package webhook_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/payment/webhook"
)

var (
	t0     = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	secret = []byte("current-secret")
	older  = []byte("previous-secret")
	body   = []byte(`{"id":"evt_1","status":"succeeded"}`)
)

func signed(secrets [][]byte, at time.Time, nonce string, b []byte) http.Header {
	h := http.Header{}
	webhook.Signer{Secrets: secrets}.Sign(h, at, nonce, b)
	return h
}

func with(h http.Header, name, value string) http.Header {
	h = h.Clone()
	if value == "" {
		h.Del(name)
	} else {
		h.Set(name, value)
	}
	return h
}

func TestVerifyRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v := webhook.NewVerifier(webhook.Options{Secrets: [][]byte{secret}, Clock: func() time.Time { return t0 }})
	good := signed([][]byte{secret}, t0, "n-1", body)
	got, err := v.Verify(ctx, good, body)
	require.NoError(t, err)
	assert.Equal(t, webhook.Signed{At: t0, Nonce: "n-1"}, got)

	names := webhook.DefaultHeaders
	tol := webhook.DefaultTolerance
	for _, tc := range []struct {
		name   string
		header http.Header
		body   []byte
		want   error
	}{
		{"no timestamp", with(good, names.Timestamp, ""), body, webhook.ErrNotSigned},
		{"no nonce", with(good, names.Nonce, ""), body, webhook.ErrNotSigned},
		{"no signature", with(good, names.Signature, ""), body, webhook.ErrNotSigned},
		{"timestamp not a number", with(good, names.Timestamp, "soon"), body, webhook.ErrNotSigned},
		{"nonce too long", signed([][]byte{secret}, t0, string(make([]byte, 129)), body), body, webhook.ErrNotSigned},
		{"too many signatures", with(good, names.Signature, "a,b,c,d,e,f,g,h,i"), body, webhook.ErrNotSigned},
		{"wrong secret", signed([][]byte{[]byte("guess")}, t0, "", body), body, webhook.ErrBadSignature},
		{"not hex", with(good, names.Signature, "zz"), body, webhook.ErrBadSignature},
		{"tampered body", signed([][]byte{secret}, t0, "", body), append([]byte(nil), append(body, ' ')...), webhook.ErrBadSignature},
		{"moved timestamp", with(signed([][]byte{secret}, t0, "", body), names.Timestamp, strconv.FormatInt(t0.Unix()-1, 10)), body, webhook.ErrBadSignature},
		{"swapped nonce", with(signed([][]byte{secret}, t0, "n-2", body), names.Nonce, "n-3"), body, webhook.ErrBadSignature},
		{"too old", signed([][]byte{secret}, t0.Add(-tol-time.Second), "", body), body, webhook.ErrTooOld},
		{"too new", signed([][]byte{secret}, t0.Add(tol+time.Second), "", body), body, webhook.ErrTooNew},
		{"replayed", good, body, webhook.ErrReplayed},
	} {
		_, err := v.Verify(ctx, tc.header, tc.body)
		assert.ErrorIs(t, err, tc.want, tc.name)
		assert.ErrorIs(t, err, notary.ErrForbidden, tc.name)
		for _, other := range []error{webhook.ErrNotSigned, webhook.ErrBadSignature, webhook.ErrTooOld, webhook.ErrTooNew, webhook.ErrReplayed} {
			if other != tc.want {
				assert.NotErrorIs(t, err, other, tc.name)
			}
		}
	}

	// At the edges of the window a message is still accepted.
	for _, at := range []time.Time{t0.Add(-tol), t0.Add(tol)} {
		_, err := v.Verify(ctx, signed([][]byte{secret}, at, "", body), body)
		assert.NoError(t, err, at)
	}
}

func TestVerifyRotation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := func() time.Time { return t0 }
	// A receiver holding only the old secret accepts a sender signing with
	// both during the rotation.
	oldOnly := webhook.NewVerifier(webhook.Options{Secrets: [][]byte{older}, Clock: clock})
	_, err := oldOnly.Verify(ctx, signed([][]byte{secret, older}, t0, "", body), body)
	require.NoError(t, err)
	// A receiver holding both accepts a sender that already signs with the
	// new one only, and one that still signs with the old one only.
	both := webhook.NewVerifier(webhook.Options{Secrets: [][]byte{secret, older}, Clock: clock})
	for _, s := range [][]byte{secret, older} {
		_, err := both.Verify(ctx, signed([][]byte{s}, t0, "", body), body)
		require.NoError(t, err)
	}
	// Once rotated, the old secret is refused.
	newOnly := webhook.NewVerifier(webhook.Options{Secrets: [][]byte{secret}, Clock: clock})
	_, err = newOnly.Verify(ctx, signed([][]byte{older}, t0, "", body), body)
	assert.ErrorIs(t, err, webhook.ErrBadSignature)
	// A verifier without secrets refuses everything.
	_, err = webhook.NewVerifier(webhook.Options{Clock: clock}).Verify(ctx, signed([][]byte{secret}, t0, "", body), body)
	assert.ErrorIs(t, err, webhook.ErrBadSignature)
}

func TestVerifyCustomHeadersAndScope(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	names := webhook.Headers{Timestamp: "X-T", Nonce: "X-N", Signature: "X-S"}
	replay := webhook.NewMemoryReplay(0)
	clock := func() time.Time { return t0 }
	a := webhook.NewVerifier(webhook.Options{Secrets: [][]byte{secret}, Headers: names, Clock: clock, Replay: replay, Scope: "a"})
	b := webhook.NewVerifier(webhook.Options{Secrets: [][]byte{secret}, Headers: names, Clock: clock, Replay: replay, Scope: "b"})
	h := http.Header{}
	webhook.Signer{Secrets: [][]byte{secret}, Headers: names}.Sign(h, t0, "n", body)
	assert.Equal(t, webhook.Sign(secret, t0.Unix(), "n", body), h.Get("X-S"))
	_, err := a.Verify(ctx, h, body)
	require.NoError(t, err)
	_, err = b.Verify(ctx, h, body)
	require.NoError(t, err, "another scope remembers its own nonces")
	_, err = a.Verify(ctx, h, body)
	assert.ErrorIs(t, err, webhook.ErrReplayed)
	assert.Equal(t, 2, replay.Len())
}

type failingReplay struct{}

func (failingReplay) RememberNonce(context.Context, string, time.Time, time.Time) (bool, error) {
	return false, errors.New("store down")
}

func TestVerifyReplayStoreErrorIsNotForbidden(t *testing.T) {
	t.Parallel()
	v := webhook.NewVerifier(webhook.Options{Secrets: [][]byte{secret}, Clock: func() time.Time { return t0 }, Replay: failingReplay{}})
	_, err := v.Verify(context.Background(), signed([][]byte{secret}, t0, "", body), body)
	require.Error(t, err)
	assert.NotErrorIs(t, err, notary.ErrForbidden, "a genuine message must be retried, not refused")
}

func TestVerifyConcurrentReplaysOneWins(t *testing.T) {
	t.Parallel()
	v := webhook.NewVerifier(webhook.Options{Secrets: [][]byte{secret}, Clock: func() time.Time { return t0 }})
	h := signed([][]byte{secret}, t0, "", body)
	var ok atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if _, err := v.Verify(context.Background(), h, body); err == nil {
				ok.Add(1)
			} else {
				assert.ErrorIs(t, err, webhook.ErrReplayed)
			}
		})
	}
	wg.Wait()
	assert.EqualValues(t, 1, ok.Load())
}

func TestMemoryReplayExpiresAndBounds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := webhook.NewMemoryReplay(3)
	remember := func(nonce string, until, now time.Time) bool {
		fresh, err := m.RememberNonce(ctx, nonce, until, now)
		require.NoError(t, err)
		return fresh
	}
	for i, n := range []string{"a", "b", "c"} {
		require.True(t, remember(n, t0.Add(time.Duration(i+1)*time.Minute), t0), n)
	}
	assert.False(t, remember("b", t0.Add(time.Hour), t0), "b replayed")
	assert.True(t, remember("d", t0.Add(time.Hour), t0))
	assert.Equal(t, 3, m.Len())
	// a (the earliest expiry) was forgotten to make room for d.
	assert.True(t, remember("a", t0.Add(time.Hour), t0))
	// At t0+3m c (until t0+3m) has expired: it is pruned, not evicted.
	assert.True(t, remember("c", t0.Add(time.Hour), t0.Add(3*time.Minute)))
	assert.Equal(t, 3, m.Len())
}
