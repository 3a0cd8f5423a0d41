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
//     /api/payments/{id} (query), POST /api/payments/{id}/close (close an
//     unpaid order; idempotent) and POST /api/payments/{id}/refunds
//     (refund; idempotent per key). Amounts are decimal strings ("300.00").
//     Every API call needs the provider's key (Authorization: Bearer
//     <Options.APIKey>), so mounting the handler in a public host does not
//     let anybody create, close or refund payments; the checkout pages are
//     the payer's and need none.
//
// A [Client] is the host side: the notary.PaymentGateway a host puts in
// notary.Config.Payments. It calls the JSON API and verifies notifications.
//
// # Deployed once
//
// A provider is one service that every host instance talks to. Run it on
// its own with the command in cmd/mockpay:
//
//	go run ./adapters/mockpay/cmd/mockpay -addr 127.0.0.1:8090 \
//	    -notify-url http://127.0.0.1:8080/api/payments/notify
//
// and give each host instance a Client with its URL, secret and API key
// (examples/hostapp: -mockpay-url, -mockpay-secret, -mockpay-api-key), so a
// payment made through one instance can be refunded through another.
//
// # Closing orders
//
// [Client.ClosePayment] (the merchant's close-order call, used by notary
// when an application leaves AwaitingPayment unpaid) closes a pending or
// failed payment: its checkout page says it is closed and Pay is refused.
// As with WeChat Pay, an order cannot be closed in its first
// Options.MinCloseAge (5 minutes by default): the API answers 503 and the
// client [ErrCloseTooEarly], a temporary error to retry. Closing a paid
// order answers the paid payment with notary.ErrAlreadyPaid (WeChat Pay's
// ORDERPAID). [Provider.CloseByProvider] closes an order on the provider's
// own initiative and notifies it ("cancelled").
//
// # Notifications
//
// When a payment succeeds, fails, expires or is closed by the provider, it
// posts a [Notification] (JSON) to the host's notify URL from a background
// goroutine — typically served by payment/paymenthttp.Handler. Each attempt
// is signed afresh with payment/webhook's scheme under mockpay's header
// names:
//
//	Mockpay-Timestamp: <unix seconds>
//	Mockpay-Nonce:     <random, unique per attempt>
//	Mockpay-Signature: hex(HMAC-SHA256(secret, timestamp + "\n" + nonce + "\n" + body))
//
// During a secret rotation the provider signs with both secrets
// (Options.PreviousSecret) and a client accepts either
// (ClientOptions.PreviousSecret).
//
// A non-2xx answer or a transport error is retried on Options.RetrySchedule
// (by default WeChat Pay's: 15s, 15s, 30s, 3m, 10m, 20m, 30m, 30m, 30m, 60m,
// 3h, 3h, 3h, 6h, 6h), with the same event ID and body each time.
// [Client.VerifyNotification] refuses, with an error wrapping
// notary.ErrForbidden and payment/webhook's sentinel, a missing or bad
// signature, a timestamp further than the tolerance (default 5 minutes)
// from its clock, and a nonce seen before. The nonces are remembered in
// ClientOptions.Replay: give it the host's notary.Store, and a replay to
// another instance or after a restart is refused too. A body that is not a
// well-formed notification is notary.ErrInvalidInput. [ComputeSignature]
// and [SignedHeaders] let tests sign (or forge) notifications themselves.
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
// WeChat Pay the payer may still pay until the payment expires or is
// closed, so a "failed" and a "succeeded" notification for one payment are
// possible.
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
//	gw := mockpay.NewClient(mockpay.ClientOptions{ // or a standalone one's URL and keys
//		BaseURL: "http://localhost:8080/mockpay", Secret: prov.Secret(), APIKey: prov.APIKey(),
//		Replay: st, // the notary.Store: replays refused by every instance
//	})
//	svc, err := notary.New(notary.Config{..., Store: st, Payments: gw})
//	mux.Handle("/mockpay/", http.StripPrefix("/mockpay", prov.Handler()))
//	mux.Handle("/payments/notify", paymenthttp.Handler(svc.Applications))
package mockpay
