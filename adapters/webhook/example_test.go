package webhook_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/adapters/webhook"
	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
	pwebhook "github.com/notarykit/notarykit/payment/webhook"
)

// Example is a host's receiver: it verifies each delivery, answers 4xx
// to refusals, and processes each event ID once (deliveries are at least
// once), answering 2xx to a duplicate. In production, pass Replay the
// receiver's shared store so a replay to another instance is refused too.
func Example() {
	clock := notarytest.NewClock(t0) // production: the real clock on both sides
	verifier := pwebhook.NewVerifier(pwebhook.Options{
		Secrets: [][]byte{[]byte("current secret"), []byte("previous secret")}, // both valid during a rotation
		Clock:   clock.Now,
		Scope:   "notarykit",
	})
	var (
		mu   sync.Mutex
		seen = map[string]bool{}
	)
	receiver := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "unreadable", http.StatusBadRequest)
			return
		}
		ev, err := webhook.Verify(r.Context(), verifier, r.Header, body)
		switch {
		case errors.Is(err, notary.ErrForbidden):
			http.Error(w, "not signed by notarykit", http.StatusUnauthorized)
			return
		case err != nil:
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if seen[ev.ID] {
			w.WriteHeader(http.StatusOK) // a redelivery: already done
			return
		}
		seen[ev.ID] = true
		fmt.Printf("%s: %s %s is at version %d\n", ev.Type, ev.Record.Kind, ev.Record.ID, ev.Record.Version)
		w.WriteHeader(http.StatusNoContent)
	})
	srv := httptest.NewServer(receiver)
	defer srv.Close()

	// The notarykit side: a Sender with one endpoint, whose
	// HostEndpoints go to notary.Config.HostEndpoints and whose Handlers
	// to notify.WithHostHandlers; here its handler is called directly.
	sender, err := webhook.New(webhook.Config{Clock: clock, Endpoints: []webhook.Endpoint{{
		Name:    "host-app",
		URL:     srv.URL,
		Types:   []notary.HostEventType{"application.completed"},
		Secrets: [][]byte{[]byte("current secret")},
	}}})
	if err != nil {
		panic(err)
	}
	rec := uuid.MustParse("6a0c9a57-5f43-4c2e-9d5e-3a1f2b3c4d5e")
	ev := notary.HostEvent{ID: uuid.MustParse("018f0000-0000-7000-8000-000000000009"), Type: "application.completed", RecordID: rec, Version: 9,
		Body: []byte(`{"id":"018f0000-0000-7000-8000-000000000009","type":"application.completed","api_version":"1",` +
			`"record":{"kind":"application","id":"6a0c9a57-5f43-4c2e-9d5e-3a1f2b3c4d5e","version":9},"data":{"certificate_number":"(2026)深证字第00001号"}}`)}
	for range 2 { // delivered twice, processed once
		if err := sender.Handlers()["host-app"](context.Background(), ev); err != nil {
			panic(err)
		}
	}
	// Output:
	// application.completed: application 6a0c9a57-5f43-4c2e-9d5e-3a1f2b3c4d5e is at version 9
}

// Example_rotation replaces an endpoint's secret with no delivery refused:
// the sender signs with both secrets while receivers move from the old
// one to the new one, each accepting either signature.
func Example_rotation() {
	clock := notarytest.NewClock(t0)
	receiver := func(secrets ...string) *httptest.Server {
		var keys [][]byte
		for _, s := range secrets {
			keys = append(keys, []byte(s))
		}
		v := pwebhook.NewVerifier(pwebhook.Options{Secrets: keys, Clock: clock.Now, Scope: "rotation"})
		return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			if _, err := webhook.Verify(r.Context(), v, r.Header, body); err != nil {
				http.Error(w, err.Error(), http.StatusUnauthorized)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		}))
	}
	send := func(srv *httptest.Server, secrets ...string) string {
		var keys [][]byte
		for _, s := range secrets {
			keys = append(keys, []byte(s))
		}
		sender, err := webhook.New(webhook.Config{Clock: clock, Endpoints: []webhook.Endpoint{{Name: "platform", URL: srv.URL, Secrets: keys}}})
		if err != nil {
			panic(err)
		}
		id := uuid.New()
		ev := notary.HostEvent{ID: id, Type: "filing.approved",
			Body: []byte(`{"id":"` + id.String() + `","type":"filing.approved","api_version":"1"}`)}
		if err := sender.Handlers()["platform"](context.Background(), ev); err != nil {
			return "refused"
		}
		return "accepted"
	}
	oldOnly, both, newOnly := receiver("old"), receiver("new", "old"), receiver("new")
	defer oldOnly.Close()
	defer both.Close()
	defer newOnly.Close()

	fmt.Println("1. sender {new, old} → receiver {old}:", send(oldOnly, "new", "old"))
	fmt.Println("2. sender {new, old} → receiver {new, old}:", send(both, "new", "old"))
	fmt.Println("3. sender {new} → receiver {new}:", send(newOnly, "new"))
	fmt.Println("   too early: sender {new} → receiver {old}:", send(oldOnly, "new"))
	// Output:
	// 1. sender {new, old} → receiver {old}: accepted
	// 2. sender {new, old} → receiver {new, old}: accepted
	// 3. sender {new} → receiver {new}: accepted
	//    too early: sender {new} → receiver {old}: refused
}
