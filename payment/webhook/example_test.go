package webhook_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/payment/webhook"
)

// A sender signs a message; the receiver verifies it once and refuses the
// same request replayed.
func ExampleVerifier_Verify() {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	secret := []byte("shared secret")
	body := []byte(`{"id":"evt_1"}`)

	h := http.Header{}
	webhook.Signer{Secrets: [][]byte{secret}}.Sign(h, now, "", body)

	v := webhook.NewVerifier(webhook.Options{
		Secrets: [][]byte{secret},
		Clock:   func() time.Time { return now.Add(time.Minute) },
		// Replay: a notary.Store, so every instance refuses a replay.
	})
	_, err := v.Verify(context.Background(), h, body)
	fmt.Println(err)
	_, err = v.Verify(context.Background(), h, body)
	fmt.Println(errors.Is(err, webhook.ErrReplayed), errors.Is(err, notary.ErrForbidden))
	// Output:
	// <nil>
	// true true
}

func ExampleSign() {
	fmt.Println(webhook.Sign([]byte("secret"), 1796029200, "nonce-1", []byte(`{"id":"evt_1"}`)))
	// Output: a4de6a59b108fe6c0a56f0007da13b590de28c0c608ae6a8ea7586574b5f17fa
}
