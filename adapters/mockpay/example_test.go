package mockpay_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/notarykit/notarykit/adapters/mockpay"
	"github.com/notarykit/notarykit/notary"
)

// A notification's signature covers its timestamp, nonce and body.
func ExampleComputeSignature() {
	body := []byte(`{"id":"evt_1","status":"succeeded","amount":"300.00","currency":"CNY"}`)
	fmt.Println(mockpay.ComputeSignature([]byte("secret"), 1796029200, "nonce-1", body))
	// Output:
	// c4bccbd982d612367a4e40bbbd6d227a9cf5417918068ee82820d6584dd19682
}

// A host verifies what the provider posts with the Client.
func ExampleClient_VerifyNotification() {
	secret := []byte("shared-secret")
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	c := mockpay.NewClient(mockpay.ClientOptions{Secret: secret, Clock: func() time.Time { return now }})

	body := []byte(`{"id":"evt_1","type":"payment.succeeded","payment_id":"pay_1",` +
		`"application_id":"0b7f6a52-5a43-4d5e-9a58-2f6a3f1d0c01","status":"succeeded",` +
		`"amount":"300.00","currency":"CNY","time":"2026-11-30T08:59:58Z"}`)
	h := mockpay.SignedHeaders(secret, now, "nonce-1", body)

	ev, err := c.VerifyNotification(context.Background(), h, body)
	fmt.Println(ev.PaymentID, ev.Status, ev.Amount.StringFixed(2), ev.Currency, err)

	_, err = c.VerifyNotification(context.Background(), h, body) // the same request again
	fmt.Println(err)
	// Output:
	// pay_1 succeeded 300.00 CNY <nil>
	// mockpay: webhook: replayed: nonce "nonce-1" seen before
}

// A provider with its handler on a test server, paid through the Client.
func ExampleProvider() {
	// clockguard: real clock: nothing in this example is dated
	prov := mockpay.New(mockpay.Options{RetrySchedule: []time.Duration{}})
	defer prov.Close()
	srv := httptest.NewServer(prov.Handler())
	defer srv.Close()
	prov.SetBaseURL(srv.URL)

	ctx := context.Background()
	gw := prov.Client() // a notary.PaymentGateway
	pay, _ := gw.CreatePayment(ctx, notary.PaymentRequest{
		IdempotencyKey: "order-1", ApplicationID: uuid.New(),
		Amount: decimal.RequireFromString("300"), Currency: "CNY", Description: "Notarial certificate",
	})
	_ = prov.Pay(pay.ID) // what the payer's "Pay" button does

	got, _ := gw.QueryPayment(ctx, pay.ID)
	fmt.Println(got.Status, got.Amount.StringFixed(2), got.Currency)
	res, _ := http.Get(pay.CheckoutURL)
	res.Body.Close()
	fmt.Println(res.StatusCode)
	// Output:
	// succeeded 300.00 CNY
	// 200
}
