// Package paymenthttp serves the endpoint a payment provider posts its
// asynchronous payment notifications to.
//
// A host mounts [Handler] at the notify URL it registered with the provider:
//
//	mux.Handle("POST /payments/notify", paymenthttp.Handler(svc.Applications,
//		paymenthttp.WithLogger(logger)))
//
// The handler reads the raw body (up to a limit), hands it with the request
// headers to [notary.Applications.HandlePaymentNotification], which verifies
// the signature with the configured PaymentGateway and applies the event, and
// answers 200 only after that call returned nil, that is after the change it
// caused (if any) committed. Every other outcome answers a status the
// provider understands as "not accepted", so a notification whose change did
// not commit is delivered again:
//
//	405 Method Not Allowed     the request is not a POST
//	413 Request Entity Too Large  the body exceeds the limit (see WithMaxBodyBytes)
//	401 Unauthorized           forged, stale or replayed (notary.ErrForbidden)
//	400 Bad Request            malformed, or amount/currency/payment mismatch (notary.ErrInvalidInput)
//	404 Not Found              unknown application (notary.ErrNotFound)
//	500 Internal Server Error  anything else (store unavailable, conflict…): retry
//
// Responses are small JSON objects: {"status":"ok"} on success and
// {"status":"error","error":"<code>"} otherwise. Error details are logged,
// never sent back to the caller.
package paymenthttp
