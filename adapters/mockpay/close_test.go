package mockpay_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/adapters/mockpay"
	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
	"github.com/notarykit/notarykit/payment/webhook"
	"github.com/notarykit/notarykit/store"
)

func TestAPINeedsKey(t *testing.T) {
	t.Parallel()
	p, srv := provider(t, notarytest.NewClock(t0))
	pay, err := p.Client().CreatePayment(context.Background(), request("k", "10.00"))
	require.NoError(t, err)
	call := func(method, path, auth string) int {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(`{}`))
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode
	}
	for _, r := range []struct{ method, path string }{
		{http.MethodPost, "/api/payments"},
		{http.MethodGet, "/api/payments/" + pay.ID},
		{http.MethodPost, "/api/payments/" + pay.ID + "/close"},
		{http.MethodPost, "/api/payments/" + pay.ID + "/refunds"},
	} {
		for _, auth := range []string{"", "Bearer wrong", p.APIKey(), "Basic " + p.APIKey()} {
			assert.Equal(t, http.StatusUnauthorized, call(r.method, r.path, auth), "%s %s with %q", r.method, r.path, auth)
		}
	}
	assert.Equal(t, http.StatusOK, call(http.MethodGet, "/api/payments/"+pay.ID, "Bearer "+p.APIKey()))
	assert.Equal(t, http.StatusOK, call(http.MethodGet, "/checkout/"+pay.ID, ""), "the payer's page needs no key")

	// A client with another key cannot create payments.
	c := mockpay.NewClient(mockpay.ClientOptions{BaseURL: srv.URL, APIKey: "guess", Clock: notarytest.NewClock(t0).Now})
	_, err = c.CreatePayment(context.Background(), request("k2", "10.00"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "401")
}

func TestClosePayment(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := notarytest.NewClock(t0)
	p, srv := provider(t, clock)
	c := p.Client()
	pay, err := c.CreatePayment(ctx, request("k", "300.00"))
	require.NoError(t, err)

	// In its first five minutes the order cannot be closed: a temporary
	// refusal, not a final answer.
	clock.Advance(mockpay.DefaultMinCloseAge - time.Second)
	_, err = c.ClosePayment(ctx, pay.ID)
	require.ErrorIs(t, err, mockpay.ErrCloseTooEarly)
	for _, final := range []error{notary.ErrNotFound, notary.ErrInvalidInput, notary.ErrConflict, notary.ErrAlreadyPaid} {
		assert.NotErrorIs(t, err, final)
	}

	// A failed attempt leaves the order payable and closable.
	require.NoError(t, p.Fail(pay.ID))
	clock.Advance(time.Second)
	closed, err := c.ClosePayment(ctx, pay.ID)
	require.NoError(t, err)
	assert.Equal(t, notary.PaymentCancelled, closed.Status)
	assert.Equal(t, pay.ID, closed.ID)
	again, err := c.ClosePayment(ctx, pay.ID)
	require.NoError(t, err, "closing is idempotent")
	assert.Equal(t, closed, again)

	// The payer is refused, on the page and by the provider.
	require.ErrorIs(t, p.Pay(pay.ID), notary.ErrInvalidTransition)
	res, err := http.PostForm(srv.URL+"/checkout/"+pay.ID+"/pay", nil)
	require.NoError(t, err)
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, http.StatusConflict, res.StatusCode)
	assert.Contains(t, string(page), "closed and can no longer be paid")
	assert.NotContains(t, string(page), `value="pay"`)
	got, err := c.QueryPayment(ctx, pay.ID)
	require.NoError(t, err)
	assert.Equal(t, notary.PaymentCancelled, got.Status)
	assert.Empty(t, p.Deliveries()[1:], "a merchant's close is not notified")

	_, err = c.ClosePayment(ctx, "pay_unknown")
	assert.ErrorIs(t, err, notary.ErrNotFound)
}

func TestCloseRacesPayment(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := notarytest.NewClock(t0)
	p, _ := provider(t, clock)
	c := p.Client()
	pay, err := c.CreatePayment(ctx, request("k", "300.00"))
	require.NoError(t, err)
	clock.Advance(10 * time.Minute)
	require.NoError(t, p.Pay(pay.ID))

	// The order was paid first: closing answers with the paid payment.
	got, err := c.ClosePayment(ctx, pay.ID)
	require.ErrorIs(t, err, notary.ErrAlreadyPaid)
	assert.Equal(t, notary.PaymentSucceeded, got.Status)
	assert.Equal(t, pay.ID, got.ID)
	assert.True(t, got.Amount.Equal(pay.Amount))
	assert.False(t, got.PaidAt.IsZero())
}

func TestCloseExpiredPaymentIsNoop(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := notarytest.NewClock(t0)
	p, _ := provider(t, clock)
	c := p.Client()
	pay, err := c.CreatePayment(ctx, request("k", "300.00"))
	require.NoError(t, err)
	clock.Advance(31 * time.Minute)
	got, err := c.ClosePayment(ctx, pay.ID)
	require.NoError(t, err)
	assert.Equal(t, notary.PaymentExpired, got.Status)
}

func TestCloseByProviderIsNotified(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 0)
	app := w.apply()
	require.NoError(t, w.prov.CloseByProvider(app.Payment.ID))
	w.wait()
	ds := w.prov.Deliveries()
	require.NotEmpty(t, ds)
	assert.Equal(t, notary.PaymentCancelled, ds[len(ds)-1].Status)
	assert.True(t, ds[len(ds)-1].OK())
	assert.ErrorIs(t, w.prov.Pay(app.Payment.ID), notary.ErrInvalidTransition)
	assert.ErrorIs(t, w.prov.CloseByProvider(app.Payment.ID), notary.ErrInvalidTransition)
}

func TestSecretRotation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	oldSecret, newSecret := []byte("old-secret"), []byte("new-secret")
	body := mustJSON(t, mockpay.Notification{ID: "e", PaymentID: "p", ApplicationID: uuid.New(), Status: notary.PaymentFailed, Amount: "1.00", Currency: "CNY", Time: t0})
	clock := func() time.Time { return t0 }
	h := http.Header{}
	// The provider signs with both while hosts switch.
	webhook.Signer{Secrets: [][]byte{newSecret, oldSecret}, Headers: mockpay.Headers}.Sign(h, t0, "", body)
	for name, o := range map[string]mockpay.ClientOptions{
		"host still on the old secret": {Secret: oldSecret, Clock: clock},
		"host on the new secret":       {Secret: newSecret, Clock: clock},
		"host accepting both":          {Secret: newSecret, PreviousSecret: oldSecret, Clock: clock},
	} {
		_, err := mockpay.NewClient(o).VerifyNotification(ctx, h, body)
		assert.NoError(t, err, name)
	}
	// A host accepting both verifies a provider still on the old one.
	_, err := mockpay.NewClient(mockpay.ClientOptions{Secret: newSecret, PreviousSecret: oldSecret, Clock: clock}).
		VerifyNotification(ctx, mockpay.SignedHeaders(oldSecret, t0, "", body), body)
	assert.NoError(t, err)
}

func TestProviderSignsWithPreviousSecretToo(t *testing.T) {
	t.Parallel()
	type delivery struct {
		header http.Header
		body   []byte
	}
	oldSecret := []byte("old-secret")
	got := make(chan delivery, 1)
	host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- delivery{r.Header.Clone(), b}
	}))
	t.Cleanup(host.Close)
	clock := notarytest.NewClock(t0)
	p := mockpay.New(mockpay.Options{Secret: secret, PreviousSecret: oldSecret, NotifyURL: host.URL, RetrySchedule: []time.Duration{}, Clock: clock.Now})
	t.Cleanup(func() { p.Close() })
	srv := httptest.NewServer(p.Handler())
	t.Cleanup(srv.Close)
	p.SetBaseURL(srv.URL)
	pay, err := p.Client().CreatePayment(context.Background(), request("k", "10.00"))
	require.NoError(t, err)
	require.NoError(t, p.Fail(pay.ID))
	d := <-got
	for _, s := range [][]byte{secret, oldSecret} {
		c := mockpay.NewClient(mockpay.ClientOptions{Secret: s, Clock: clock.Now})
		_, err := c.VerifyNotification(context.Background(), d.header, d.body)
		assert.NoError(t, err)
	}
}

func TestReplayToAnotherClientSharingTheStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	shared := store.NewMemory()
	clock := func() time.Time { return t0 }
	one := mockpay.NewClient(mockpay.ClientOptions{Secret: secret, Clock: clock, Replay: shared})
	two := mockpay.NewClient(mockpay.ClientOptions{Secret: secret, Clock: clock, Replay: shared})
	alone := mockpay.NewClient(mockpay.ClientOptions{Secret: secret, Clock: clock})
	body := mustJSON(t, mockpay.Notification{ID: "e", PaymentID: "p", ApplicationID: uuid.New(), Status: notary.PaymentFailed, Amount: "1.00", Currency: "CNY", Time: t0})
	h := mockpay.SignedHeaders(secret, t0, "", body)
	_, err := one.VerifyNotification(ctx, h, body)
	require.NoError(t, err)
	_, err = two.VerifyNotification(ctx, h, body)
	assert.ErrorIs(t, err, webhook.ErrReplayed, "another instance on the same store")
	assert.ErrorIs(t, err, notary.ErrForbidden)
	_, err = alone.VerifyNotification(ctx, h, body)
	assert.NoError(t, err, "a client with only its own memory cannot know")
}
