// Package mockpay is an in-process payment provider that behaves like a
// real one (WeChat Pay, Alipay, a card acquirer), so a host can develop and
// test its notarykit integration without a merchant account.
//
// # Two halves
//
// A [Provider] is the provider side. It keeps payments in memory and serves
// ([Provider.Handler]):
//
//   - a checkout page, GET /checkout/{id}, showing amount, currency and
//     description with a "Pay" and a "Fail" button (POST
//     /checkout/{id}/pay and /checkout/{id}/fail);
//   - a JSON API: POST /api/payments (create; idempotent per
//     Idempotency-Key header or idempotency_key field), GET
//     /api/payments/{id} (query) and POST /api/payments/{id}/refunds
//     (refund; idempotent per key). Amounts are decimal strings ("300.00").
//
// A [Client] is the host side: the notary.PaymentGateway a host puts in
// notary.Config.Payments. It calls the JSON API and verifies notifications.
//
// # Notifications
//
// When a payment succeeds, fails or expires, the provider posts a
// [Notification] (JSON) to the host's notify URL from a background
// goroutine — typically served by payment/paymenthttp.Handler. Each attempt
// is signed afresh:
//
//	Mockpay-Timestamp: <unix seconds>
//	Mockpay-Nonce:     <random, unique per attempt>
//	Mockpay-Signature: hex(HMAC-SHA256(secret, timestamp + "\n" + nonce + "\n" + body))
//
// A non-2xx answer or a transport error is retried on Options.RetrySchedule
// (by default WeChat Pay's: 15s, 15s, 30s, 3m, 10m, 20m, 30m, 30m, 30m, 60m,
// 3h, 3h, 3h, 6h, 6h), with the same event ID and body each time.
// [Client.VerifyNotification] refuses, with an error wrapping
// notary.ErrForbidden, a bad signature, a timestamp further than the
// tolerance (default 5 minutes) from its clock ("stale"), and a nonce it
// has seen ("replayed"); a body that is not a well-formed notification is
// notary.ErrInvalidInput. [ComputeSignature] and [SignedHeaders] let tests
// sign (or forge) notifications themselves.
//
// # Misbehaving on purpose
//
// Real providers deliver late, twice, out of order, or not at all. The
// provider does all of that on request, so a host can prove it copes:
//
//   - [Provider.SetDuplicate](n): every notification is sent n times;
//   - [Provider.SetReorder](true): notifications are held until
//     [Provider.Flush], which sends them newest first;
//   - [Provider.SetDelay](d): each notification waits d before its first
//     attempt;
//   - [Provider.SetDrop](true): notifications are never sent; the host must
//     reconcile by querying (notary's Applications.Sweep does).
//
// A failed attempt ([Provider.Fail]) does not close the payment: as with
// WeChat Pay the payer may still pay until the payment expires, so a
// "failed" and a "succeeded" notification for one payment are possible.
// Payments past their ExpiresAt (on the provider's clock) are expired and
// notified by [Provider.ExpireDue], by any read, or by a background ticker
// (Options.ExpiryInterval). Refunds are not notified.
//
// # Tests
//
// Nothing needs to sleep: compress the retry schedule (e.g. to
// milliseconds), drive the provider clock with notarytest.Clock, and call
// [Provider.Wait] to wait until every notification in flight was accepted
// or given up. [Provider.Deliveries] records every attempt. [Provider.Close]
// stops all background work.
//
// # Wiring
//
//	prov := mockpay.New(mockpay.Options{
//		Secret:    []byte(os.Getenv("MOCKPAY_SECRET")),
//		BaseURL:   "http://localhost:8080/mockpay",
//		NotifyURL: "http://localhost:8080/payments/notify",
//	})
//	defer prov.Close()
//	svc, err := notary.New(notary.Config{..., Payments: prov.Client()})
//	mux.Handle("/mockpay/", http.StripPrefix("/mockpay", prov.Handler()))
//	mux.Handle("/payments/notify", paymenthttp.Handler(svc.Applications))
package mockpay
