package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/adapters/mockpay"
	"github.com/notarykit/notarykit/notary"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestStandalone runs the command as a host would deploy it and uses it
// through the Client: create, pay at the checkout, get the signed notice.
func TestStandalone(t *testing.T) {
	notices := make(chan notary.PaymentEvent, 1)
	var client *mockpay.Client
	host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ev, err := client.VerifyNotification(r.Context(), r.Header, body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		notices <- ev
	}))
	t.Cleanup(host.Close)

	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	out := &syncBuffer{}
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-notify-url", host.URL, "-secret", "s3cret", "-api-key", "k3y", "-min-close-age", "-1s"}, out, ready)
	}()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	addr := <-ready
	base := "http://" + addr
	assert.Contains(t, out.String(), "mockpay on "+addr)
	assert.NotContains(t, out.String(), "s3cret", "a configured secret is never printed")

	client = mockpay.NewClient(mockpay.ClientOptions{BaseURL: base, Secret: []byte("s3cret"), APIKey: "k3y"})
	pay, err := client.CreatePayment(ctx, notary.PaymentRequest{IdempotencyKey: "k", ApplicationID: uuid.New(),
		Amount: decimal.RequireFromString("300"), Currency: "CNY", ExpiresAt: time.Now().Add(time.Hour)})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(pay.CheckoutURL, base+"/checkout/"), pay.CheckoutURL)

	_, err = mockpay.NewClient(mockpay.ClientOptions{BaseURL: base, APIKey: "wrong"}).QueryPayment(ctx, pay.ID)
	require.Error(t, err, "the API needs the key")

	res, err := http.PostForm(pay.CheckoutURL+"/pay", nil)
	require.NoError(t, err)
	res.Body.Close()
	select {
	case ev := <-notices:
		assert.Equal(t, pay.ID, ev.PaymentID)
		assert.Equal(t, notary.PaymentSucceeded, ev.Status)
	case <-time.After(10 * time.Second):
		t.Fatal("no notification")
	}

	// Another order, closed before the payer comes: refused at checkout.
	other, err := client.CreatePayment(ctx, notary.PaymentRequest{IdempotencyKey: "k2", ApplicationID: uuid.New(),
		Amount: decimal.RequireFromString("300"), Currency: "CNY", ExpiresAt: time.Now().Add(time.Hour)})
	require.NoError(t, err)
	closed, err := client.ClosePayment(ctx, other.ID)
	require.NoError(t, err)
	assert.Equal(t, notary.PaymentCancelled, closed.Status)
	res, err = http.PostForm(other.CheckoutURL+"/pay", nil)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusConflict, res.StatusCode)
}

func TestGeneratedSecretsArePrinted(t *testing.T) {
	c, err := parse([]string{"-addr", "127.0.0.1:0"}, io.Discard)
	require.NoError(t, err)
	assert.True(t, c.generated)
	assert.NotEmpty(t, c.secret)
	assert.NotEmpty(t, c.apiKey)
	_, err = parse([]string{"extra"}, io.Discard)
	assert.Error(t, err)
}
