package webhook_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/adapters/webhook"
	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
	pwebhook "github.com/notarykit/notarykit/payment/webhook"
)

var t0 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

func event(typ notary.HostEventType) notary.HostEvent {
	id, rec := uuid.New(), uuid.New()
	return notary.HostEvent{ID: id, Type: typ, RecordKind: notary.KindApplication, RecordID: rec, Version: 3, OccurredAt: t0,
		Body: []byte(`{"id":"` + id.String() + `","type":"` + string(typ) + `","api_version":"1","record":{"kind":"application","id":"` +
			rec.String() + `","version":3},"data":{"amount":"300.00"}}`)}
}

// receiver verifies deliveries with secrets and answers status.
type receiver struct {
	mu     sync.Mutex
	v      *pwebhook.Verifier
	status int
	got    []webhook.Event
	errs   []error
}

func newReceiver(t *testing.T, clock *notarytest.Clock, secrets ...string) (*receiver, *httptest.Server) {
	var keys [][]byte
	for _, s := range secrets {
		keys = append(keys, []byte(s))
	}
	r := &receiver{v: pwebhook.NewVerifier(pwebhook.Options{Secrets: keys, Clock: clock.Now, Scope: "hostevents"}), status: 200}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		ev, err := webhook.Verify(req.Context(), r.v, req.Header, body)
		r.mu.Lock()
		defer r.mu.Unlock()
		if err != nil {
			r.errs = append(r.errs, err)
			w.WriteHeader(http.StatusForbidden)
			return
		}
		r.got = append(r.got, ev)
		w.WriteHeader(r.status)
	}))
	t.Cleanup(srv.Close)
	return r, srv
}

func TestDeliverSignsAndReceiverVerifies(t *testing.T) {
	clock := notarytest.NewClock(t0)
	recv, srv := newReceiver(t, clock, "s3cret")
	s, err := webhook.New(webhook.Config{Clock: clock, Endpoints: []webhook.Endpoint{{Name: "main", URL: srv.URL, Secrets: [][]byte{[]byte("s3cret")}}}})
	require.NoError(t, err)
	ev := event("application.completed")
	require.NoError(t, s.Handlers()["main"](t.Context(), ev))
	require.Len(t, recv.got, 1)
	got := recv.got[0]
	assert.Equal(t, ev.ID.String(), got.ID)
	assert.Equal(t, "application.completed", got.Type)
	assert.Equal(t, ev.RecordID.String(), got.Record.ID)
	assert.Equal(t, int64(3), got.Record.Version)
	assert.JSONEq(t, `{"amount":"300.00"}`, string(got.Data))
}

// TestRotationTwoSecretsValidAtOnce: a sender with the new and the old
// secret is accepted by receivers holding either.
func TestRotationTwoSecretsValidAtOnce(t *testing.T) {
	clock := notarytest.NewClock(t0)
	oldRecv, oldSrv := newReceiver(t, clock, "old")
	newRecv, newSrv := newReceiver(t, clock, "new")
	bothRecv, bothSrv := newReceiver(t, clock, "new", "old")
	secrets := [][]byte{[]byte("new"), []byte("old")}
	s, err := webhook.New(webhook.Config{Clock: clock, Endpoints: []webhook.Endpoint{
		{Name: "old", URL: oldSrv.URL, Secrets: secrets}, {Name: "new", URL: newSrv.URL, Secrets: secrets},
		{Name: "both", URL: bothSrv.URL, Secrets: [][]byte{[]byte("old")}}}})
	require.NoError(t, err)
	ev := event("filing.approved")
	for name, h := range s.Handlers() {
		require.NoError(t, h(t.Context(), ev), name)
	}
	assert.Len(t, oldRecv.got, 1)
	assert.Len(t, newRecv.got, 1)
	assert.Len(t, bothRecv.got, 1, "a receiver mid-rotation accepts the old secret too")
}

func TestVerifyRefusals(t *testing.T) {
	clock := notarytest.NewClock(t0)
	recv, srv := newReceiver(t, clock, "right")
	ev := event("application.paid")

	send := func(secret string, at time.Time, nonce string, body []byte, sent ...byte) int {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL, nil)
		require.NoError(t, err)
		pwebhook.Signer{Secrets: [][]byte{[]byte(secret)}}.Sign(req.Header, at, nonce, body)
		if sent != nil {
			body = sent
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, 200, send("right", t0, "n1", ev.Body))
	assert.Equal(t, 403, send("right", t0, "n1", ev.Body), "replayed")
	assert.Equal(t, 403, send("wrong", t0, "n2", ev.Body), "bad signature")
	assert.Equal(t, 403, send("right", t0.Add(-time.Hour), "n3", ev.Body), "too old")
	tampered := bytes.Replace(ev.Body, []byte("300.00"), []byte("900.00"), 1)
	assert.Equal(t, 403, send("right", t0, "n4", ev.Body, tampered...), "tampered")
	require.Len(t, recv.errs, 4)
	for _, err := range recv.errs {
		assert.ErrorIs(t, err, notary.ErrForbidden)
	}
	assert.ErrorIs(t, recv.errs[0], pwebhook.ErrReplayed)
	assert.ErrorIs(t, recv.errs[1], pwebhook.ErrBadSignature)
	assert.ErrorIs(t, recv.errs[2], pwebhook.ErrTooOld)

	h := make(http.Header)
	pwebhook.Signer{Secrets: [][]byte{[]byte("right")}}.Sign(h, t0, "n5", []byte("[]"))
	_, err := webhook.Verify(t.Context(), recv.v, h, []byte("[]"))
	assert.ErrorIs(t, err, notary.ErrInvalidInput, "signed, but no event")
}

// TestHandlerOutcomes: each endpoint's handler reports its own answer:
// 2xx delivered, 410 Gone permanent, anything else or no answer
// temporary.
func TestHandlerOutcomes(t *testing.T) {
	clock := notarytest.NewClock(t0)
	recv, srv := newReceiver(t, clock, "k")
	endpoints := []webhook.Endpoint{
		{Name: "a", URL: srv.URL, Secrets: [][]byte{[]byte("k")}, Types: []notary.HostEventType{"application.completed"}},
	}
	s, err := webhook.New(webhook.Config{Clock: clock, Endpoints: endpoints})
	require.NoError(t, err)
	assert.Equal(t, []notary.HostEndpoint{{Name: "a", Types: []notary.HostEventType{"application.completed"}}}, webhook.HostEndpoints(endpoints),
		"the service decides who gets what, from the endpoints' types")
	h := s.Handlers()["a"]
	require.NotNil(t, h)

	require.NoError(t, h(t.Context(), event("filing.approved")), "the handler does not filter: the service did")
	assert.Len(t, recv.got, 1)

	for _, tc := range []struct {
		status    int
		permanent bool
	}{{http.StatusServiceUnavailable, false}, {http.StatusInternalServerError, false}, {http.StatusGone, true}, {http.StatusBadRequest, false}} {
		recv.status = tc.status
		err := h(t.Context(), event("application.completed"))
		require.Error(t, err, tc.status)
		assert.Equal(t, tc.permanent, errors.Is(err, notary.ErrPermanent), tc.status)
		assert.Contains(t, err.Error(), "webhook: a answered", "the error names the endpoint")
	}

	srv.Close()
	err = h(t.Context(), event("filing.rejected"))
	require.Error(t, err)
	assert.NotErrorIs(t, err, notary.ErrPermanent, "no answer is retried")
}

func TestNewRefusesBadEndpoints(t *testing.T) {
	clock := notarytest.NewClock(t0)
	for _, tc := range []struct {
		name  string
		cfg   webhook.Config
		field string
	}{
		{"no clock", webhook.Config{}, "clock"},
		{"no name", webhook.Config{Clock: clock, Endpoints: []webhook.Endpoint{{URL: "https://x/y", Secrets: [][]byte{[]byte("k")}}}}, "endpoints[0].name"},
		{"same name twice", webhook.Config{Clock: clock, Endpoints: []webhook.Endpoint{
			{Name: "a", URL: "https://x/y", Secrets: [][]byte{[]byte("k")}}, {Name: "a", URL: "https://x/z", Secrets: [][]byte{[]byte("k")}}}}, "endpoints[1].name"},
		{"relative URL", webhook.Config{Clock: clock, Endpoints: []webhook.Endpoint{{Name: "a", URL: "/hooks", Secrets: [][]byte{[]byte("k")}}}}, "endpoints[0].url"},
		{"ftp", webhook.Config{Clock: clock, Endpoints: []webhook.Endpoint{{Name: "a", URL: "ftp://x/y", Secrets: [][]byte{[]byte("k")}}}}, "endpoints[0].url"},
		{"no secret", webhook.Config{Clock: clock, Endpoints: []webhook.Endpoint{{Name: "a", URL: "https://x/y", Secrets: [][]byte{{}}}}}, "endpoints[0].secrets"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := webhook.New(tc.cfg)
			require.ErrorIs(t, err, notary.ErrInvalidInput)
			var fe *notary.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tc.field, fe.Field)
		})
	}
}
