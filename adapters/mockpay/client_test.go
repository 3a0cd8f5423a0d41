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
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/adapters/mockpay"
	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notary/notarytest"
)

// provider starts a provider with no host behind it.
func provider(t *testing.T, clock *notarytest.Clock) (*mockpay.Provider, *httptest.Server) {
	t.Helper()
	p := mockpay.New(mockpay.Options{Secret: secret, Clock: clock.Now, RetrySchedule: []time.Duration{}})
	srv := httptest.NewServer(p.Handler())
	t.Cleanup(srv.Close)
	t.Cleanup(func() { p.Close() })
	p.SetBaseURL(srv.URL)
	return p, srv
}

func request(key string, amount string) notary.PaymentRequest {
	return notary.PaymentRequest{IdempotencyKey: key, ApplicationID: uuid.New(), OfficeID: officeID,
		Amount: decimal.RequireFromString(amount), Currency: "CNY", Description: "certificate", ExpiresAt: t0.Add(30 * time.Minute)}
}

func TestClientCreatePaymentIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p, srv := provider(t, notarytest.NewClock(t0))
	c := p.Client()

	r := request("k1", "300.00")
	a, err := c.CreatePayment(ctx, r)
	require.NoError(t, err)
	assert.Equal(t, mockpay.Name, a.Provider)
	assert.Equal(t, notary.PaymentPending, a.Status)
	assert.Equal(t, r.ApplicationID, a.ApplicationID)
	assert.True(t, a.Amount.Equal(r.Amount))
	assert.Equal(t, srv.URL+"/checkout/"+a.ID, a.CheckoutURL)

	// A racing request with the same key (another application ID) gets the
	// first payment, as notary's Apply expects.
	r2 := r
	r2.ApplicationID = uuid.New()
	b, err := c.CreatePayment(ctx, r2)
	require.NoError(t, err)
	assert.Equal(t, a, b)

	// The key with another amount is a conflict.
	r3 := r
	r3.Amount = decimal.RequireFromString("1.00")
	_, err = c.CreatePayment(ctx, r3)
	assert.ErrorIs(t, err, notary.ErrConflict)

	other, err := c.CreatePayment(ctx, request("k2", "300.00"))
	require.NoError(t, err)
	assert.NotEqual(t, a.ID, other.ID)

	got, err := c.QueryPayment(ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, a, got)
}

func TestClientCreatePaymentInvalid(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p, _ := provider(t, notarytest.NewClock(t0))
	c := p.Client()
	for name, mutate := range map[string]func(*notary.PaymentRequest){
		"zero amount":      func(r *notary.PaymentRequest) { r.Amount = decimal.Zero },
		"negative":         func(r *notary.PaymentRequest) { r.Amount = decimal.RequireFromString("-1") },
		"three places":     func(r *notary.PaymentRequest) { r.Amount = decimal.RequireFromString("1.005") },
		"currency":         func(r *notary.PaymentRequest) { r.Currency = "cny" },
		"no application":   func(r *notary.PaymentRequest) { r.ApplicationID = uuid.Nil },
		"expired already":  func(r *notary.PaymentRequest) { r.ExpiresAt = t0.Add(-time.Second) },
		"long description": func(r *notary.PaymentRequest) { r.Description = strings.Repeat("x", 257) },
	} {
		r := request("", "10.00")
		mutate(&r)
		_, err := c.CreatePayment(ctx, r)
		assert.ErrorIs(t, err, notary.ErrInvalidInput, name)
	}
}

func TestClientQueryUnknown(t *testing.T) {
	t.Parallel()
	p, _ := provider(t, notarytest.NewClock(t0))
	_, err := p.Client().QueryPayment(context.Background(), "pay_nope")
	assert.ErrorIs(t, err, notary.ErrNotFound)
	_, err = p.Client().QueryPayment(context.Background(), "")
	assert.ErrorIs(t, err, notary.ErrNotFound)
}

func TestClientQueryExpires(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := notarytest.NewClock(t0)
	p, _ := provider(t, clock)
	c := p.Client()
	a, err := c.CreatePayment(ctx, request("k", "10.00"))
	require.NoError(t, err)
	clock.Advance(30 * time.Minute)
	got, err := c.QueryPayment(ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, notary.PaymentExpired, got.Status)
	assert.Zero(t, p.ExpireDue(), "already expired by the query")
}

func TestClientRefund(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p, _ := provider(t, notarytest.NewClock(t0))
	c := p.Client()
	a, err := c.CreatePayment(ctx, request("k", "100.00"))
	require.NoError(t, err)
	refund := func(key, amount, currency string) (notary.Refund, error) {
		return c.Refund(ctx, notary.RefundRequest{IdempotencyKey: key, PaymentID: a.ID, Amount: decimal.RequireFromString(amount), Currency: currency, Reason: "test"})
	}

	_, err = refund("r1", "10.00", "CNY")
	assert.ErrorIs(t, err, notary.ErrInvalidInput, "a pending payment cannot be refunded")

	require.NoError(t, p.Pay(a.ID))
	r1, err := refund("r1", "60.00", "CNY")
	require.NoError(t, err)
	assert.True(t, r1.Amount.Equal(decimal.NewFromInt(60)))
	assert.Equal(t, "CNY", r1.Currency)
	assert.Equal(t, t0, r1.At)

	again, err := refund("r1", "60.00", "CNY")
	require.NoError(t, err)
	assert.Equal(t, r1, again, "idempotent per key")
	_, err = refund("r1", "1.00", "CNY")
	assert.ErrorIs(t, err, notary.ErrConflict, "key reused for another amount")

	_, err = refund("r2", "40.01", "CNY")
	assert.ErrorIs(t, err, notary.ErrInvalidInput, "more than is left")
	_, err = refund("r2", "40.00", "USD")
	assert.ErrorIs(t, err, notary.ErrInvalidInput, "wrong currency")
	_, err = refund("r2", "0", "CNY")
	assert.ErrorIs(t, err, notary.ErrInvalidInput, "zero")
	r2, err := refund("r2", "40.00", "CNY")
	require.NoError(t, err)
	assert.NotEqual(t, r1.ID, r2.ID)
	assert.Len(t, p.Refunds(a.ID), 2)

	_, err = c.Refund(ctx, notary.RefundRequest{IdempotencyKey: "x", PaymentID: "pay_nope", Amount: decimal.NewFromInt(1), Currency: "CNY"})
	assert.ErrorIs(t, err, notary.ErrNotFound)
}

func TestClientProviderDown(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	c := mockpay.NewClient(mockpay.ClientOptions{BaseURL: srv.URL, Secret: secret, Clock: notarytest.NewClock(t0).Now})
	_, err := c.QueryPayment(context.Background(), "pay_1")
	require.Error(t, err)
	for _, s := range []error{notary.ErrNotFound, notary.ErrInvalidInput, notary.ErrConflict} {
		assert.NotErrorIs(t, err, s, "a provider outage must not look final")
	}
}

func TestVerifyNotification(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := notarytest.NewClock(t0)
	app := notary.Application{ID: uuid.New(), Payment: notary.PaymentRef{ID: "pay_1"}}
	app.Quote.Amount, app.Quote.Currency = decimal.RequireFromString("300"), "CNY"
	n := notification(app, t0)
	body := mustJSON(t, n)
	c := mockpay.NewClient(mockpay.ClientOptions{Secret: secret, Clock: clock.Now})

	ev, err := c.VerifyNotification(ctx, mockpay.SignedHeaders(secret, t0, "n-1", body), body)
	require.NoError(t, err)
	assert.Equal(t, notary.PaymentEvent{ID: n.ID, Provider: mockpay.Name, PaymentID: "pay_1", ApplicationID: app.ID,
		Status: notary.PaymentSucceeded, Amount: decimal.RequireFromString("300.00"), Currency: "CNY", At: t0}, ev)

	forbidden := map[string]http.Header{
		"replayed":      mockpay.SignedHeaders(secret, t0, "n-1", body),
		"wrong secret":  mockpay.SignedHeaders([]byte("x"), t0, "", body),
		"stale":         mockpay.SignedHeaders(secret, t0.Add(-301*time.Second), "", body),
		"future":        mockpay.SignedHeaders(secret, t0.Add(301*time.Second), "", body),
		"no headers":    {},
		"bad timestamp": withHeader(mockpay.SignedHeaders(secret, t0, "", body), mockpay.HeaderTimestamp, "soon"),
		"bad hex":       withHeader(mockpay.SignedHeaders(secret, t0, "", body), mockpay.HeaderSignature, "zz"),
		"other nonce":   withHeader(mockpay.SignedHeaders(secret, t0, "n-2", body), mockpay.HeaderNonce, "n-3"),
		"other time":    withHeader(mockpay.SignedHeaders(secret, t0, "", body), mockpay.HeaderTimestamp, "1"),
	}
	for name, h := range forbidden {
		_, err := c.VerifyNotification(ctx, h, body)
		assert.ErrorIs(t, err, notary.ErrForbidden, name)
	}
	_, err = c.VerifyNotification(ctx, mockpay.SignedHeaders(secret, t0, "", body), append(body, ' '))
	assert.ErrorIs(t, err, notary.ErrForbidden, "body changed after signing")

	invalid := map[string]string{
		"json":        `[`,
		"no id":       `{"payment_id":"p","application_id":"` + app.ID.String() + `","status":"succeeded","amount":"1","currency":"CNY","time":"2026-11-30T09:00:00Z"}`,
		"app id":      `{"id":"e","payment_id":"p","application_id":"x","status":"succeeded","amount":"1","currency":"CNY","time":"2026-11-30T09:00:00Z"}`,
		"status":      `{"id":"e","payment_id":"p","application_id":"` + app.ID.String() + `","status":"maybe","amount":"1","currency":"CNY","time":"2026-11-30T09:00:00Z"}`,
		"amount num":  `{"id":"e","payment_id":"p","application_id":"` + app.ID.String() + `","status":"succeeded","amount":1,"currency":"CNY","time":"2026-11-30T09:00:00Z"}`,
		"currency":    `{"id":"e","payment_id":"p","application_id":"` + app.ID.String() + `","status":"succeeded","amount":"1","currency":"","time":"2026-11-30T09:00:00Z"}`,
		"time":        `{"id":"e","payment_id":"p","application_id":"` + app.ID.String() + `","status":"succeeded","amount":"1","currency":"CNY","time":"yesterday"}`,
		"no payment":  `{"id":"e","application_id":"` + app.ID.String() + `","status":"succeeded","amount":"1","currency":"CNY","time":"2026-11-30T09:00:00Z"}`,
		"amount text": `{"id":"e","payment_id":"p","application_id":"` + app.ID.String() + `","status":"succeeded","amount":"lots","currency":"CNY","time":"2026-11-30T09:00:00Z"}`,
	}
	for name, b := range invalid {
		_, err := c.VerifyNotification(ctx, mockpay.SignedHeaders(secret, t0, "", []byte(b)), []byte(b))
		assert.ErrorIs(t, err, notary.ErrInvalidInput, name)
		assert.NotErrorIs(t, err, notary.ErrForbidden, name)
	}
}

func TestVerifyNotificationNonceCacheBounded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := notarytest.NewClock(t0)
	c := mockpay.NewClient(mockpay.ClientOptions{Secret: secret, Clock: clock.Now, MaxNonces: 2})
	body := mustJSON(t, mockpay.Notification{ID: "e", PaymentID: "p", ApplicationID: uuid.New(), Status: notary.PaymentFailed, Amount: "1.00", Currency: "CNY", Time: t0})
	verify := func(at time.Time, nonce string) error {
		_, err := c.VerifyNotification(ctx, mockpay.SignedHeaders(secret, at, nonce, body), body)
		return err
	}
	require.NoError(t, verify(t0, "a"))
	require.NoError(t, verify(t0.Add(time.Second), "b"))
	assert.ErrorIs(t, verify(t0, "a"), notary.ErrForbidden)
	require.NoError(t, verify(t0, "c"), "full: the nonce expiring first (a) is forgotten")
	assert.ErrorIs(t, verify(t0, "b"), notary.ErrForbidden, "b is still remembered")
	assert.ErrorIs(t, verify(t0, "c"), notary.ErrForbidden)
}

func withHeader(h http.Header, k, v string) http.Header {
	h.Set(k, v)
	return h
}

func TestCheckoutPage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p, srv := provider(t, notarytest.NewClock(t0))
	c := p.Client()
	r := request("k", "300.00")
	r.Description = `Notarial certificate <script>alert(1)</script>`
	a, err := c.CreatePayment(ctx, r)
	require.NoError(t, err)

	page := func(id string) (int, string) {
		res, err := http.Get(srv.URL + "/checkout/" + id)
		require.NoError(t, err)
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	status, html := page(a.ID)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, html, "300.00 CNY")
	assert.Contains(t, html, "&lt;script&gt;", "the description is escaped")
	assert.NotContains(t, html, "<script>")
	assert.Contains(t, html, `action="`+a.ID+`/pay"`)
	assert.Contains(t, html, `action="`+a.ID+`/fail"`)
	assert.Contains(t, html, ">pending<")

	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noFollow.PostForm(srv.URL+"/checkout/"+a.ID+"/pay", nil)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusSeeOther, res.StatusCode)
	assert.Equal(t, "../"+a.ID, res.Header.Get("Location"))
	// Following the redirect lands on the page again, now paid.
	u, err := res.Request.URL.Parse(res.Header.Get("Location"))
	require.NoError(t, err)
	assert.Equal(t, "/checkout/"+a.ID, u.Path)

	status, html = page(a.ID)
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, html, ">succeeded<")
	assert.NotContains(t, html, "/pay\"", "no buttons once paid")

	res, err = http.PostForm(srv.URL+"/checkout/"+a.ID+"/fail", nil)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusConflict, res.StatusCode, "a paid payment cannot fail")

	status, _ = page("pay_nope")
	assert.Equal(t, http.StatusNotFound, status)
	res, err = http.PostForm(srv.URL+"/checkout/pay_nope/pay", nil)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusNotFound, res.StatusCode)
	res, err = http.Post(srv.URL+"/checkout/"+a.ID, "text/plain", nil)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, res.StatusCode)
}

func TestAPIIdempotencyKeyInBody(t *testing.T) {
	t.Parallel()
	p, srv := provider(t, notarytest.NewClock(t0))
	post := func(key, body string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/payments", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+p.APIKey())
		if key != "" {
			req.Header.Set(mockpay.HeaderIdempotencyKey, key)
		}
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	body := `{"idempotency_key":"b1","application_id":"` + uuid.NewString() + `","amount":"12.50","currency":"CNY"}`
	s1, r1 := post("", body)
	assert.Equal(t, http.StatusCreated, s1)
	assert.Contains(t, r1, `"amount":"12.50"`)
	s2, r2 := post("b1", body)
	assert.Equal(t, http.StatusOK, s2, "replayed")
	assert.Equal(t, r1, r2)
	s3, _ := post("other", body)
	assert.Equal(t, http.StatusBadRequest, s3, "header and body disagree")
	s4, _ := post("", `{"amount":12.5}`)
	assert.Equal(t, http.StatusBadRequest, s4)
	s5, _ := post("", `{"application_id":"`+uuid.NewString()+`","amount":"1","currency":"CNY","bogus":1}`)
	assert.Equal(t, http.StatusBadRequest, s5, "unknown field")
}

func TestCloseStopsDeliveries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	hits := make(chan struct{}, 10)
	host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits <- struct{}{}
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer host.Close()
	// The default, hours-long retry schedule runs on real timers; the
	// provider's clock, which stamps payments and checks expiry, is the
	// test's, since request() dates the payment from t0.
	p := mockpay.New(mockpay.Options{Secret: secret, NotifyURL: host.URL, Clock: notarytest.NewClock(t0).Now})
	srv := httptest.NewServer(p.Handler())
	defer srv.Close()
	p.SetBaseURL(srv.URL)
	a, err := p.Client().CreatePayment(ctx, request("k", "1.00"))
	require.NoError(t, err)
	require.NoError(t, p.Pay(a.ID))
	<-hits // the first attempt failed; the retry waits 15s

	done := make(chan struct{})
	go func() { p.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not stop the pending retry")
	}
	wctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	require.NoError(t, p.Wait(wctx), "nothing in flight after Close")

	// After Close the API still answers, but nothing is sent.
	b, err := p.Client().CreatePayment(ctx, request("k2", "1.00"))
	require.NoError(t, err)
	require.NoError(t, p.Pay(b.ID))
	require.NoError(t, p.Wait(wctx))
	assert.Len(t, p.Deliveries(), 1)
	assert.Empty(t, hits)
}
