// Package webhook delivers notarykit's host events (see notary.HostEvent)
// to HTTP endpoints the host platform configures per event type, signed
// with payment/webhook's scheme, and gives receivers [Verify].
//
// # Sending
//
// A [Sender] POSTs host events to named endpoints. Give the endpoints to
// the service with [HostEndpoints] and the Sender's Handlers to the notify
// relay with notify.WithHostHandlers:
//
//	svc, err := notary.New(notary.Config{…, HostEndpoints: webhook.HostEndpoints(endpoints)})
//	hooks, err := webhook.New(webhook.Config{Clock: svc.Clock(), Endpoints: endpoints})
//	relay := notify.NewRelay(store, svc.Clock(), renderer, notifiers,
//		notify.WithHostHandlers(hooks.Handlers()))
//
// The service decides who gets what: with each host event it commits one
// delivery per endpoint subscribed to the event's type, each with its own
// state in the outbox. So every endpoint gets each event at least once, in
// order per record, retried with the relay's backoff and time budget,
// dead-lettered (the dead letter names the endpoint) and retryable on its
// own: an endpoint that is down holds back and retries only its own
// deliveries, and the others get each event once. An answer 2xx is
// delivered; 410 Gone is permanent (the delivery is dead at once);
// anything else, or no answer, is retried. A delivery may still arrive
// twice (an answer lost, a relay that crashed before recording it):
// deduplicate on the event ID.
//
// # Wire format (version 1)
//
//	POST <endpoint URL>
//	Content-Type: application/json
//	Webhook-Id: <event ID>
//	Webhook-Event-Type: application.completed
//	Webhook-Timestamp: <unix seconds when signed>
//	Webhook-Nonce: <random, fresh per attempt>
//	Webhook-Signature: <hex HMAC-SHA256>[,<hex HMAC-SHA256>]
//
//	{"id":"…","type":"application.completed","api_version":"1", …}
//
// The signature is payment/webhook.Sign of timestamp + "\n" + nonce + "\n" +
// body under the endpoint's secret. During a rotation the endpoint has two
// secrets and the header carries one signature per secret; a receiver
// holding either accepts it. The body is the event document, documented on
// notary.HostEvent; Webhook-Id is its "id", the same for every endpoint and
// every attempt.
//
// # Rotating a secret
//
// Two secrets are valid at once, so a secret is replaced with no delivery
// refused:
//
//  1. Sender: Secrets {new, old}. Every delivery now carries two
//     signatures; receivers that know only old still accept it.
//  2. Receiver: a payment/webhook.Verifier with Secrets {new, old} (the
//     order does not matter). It accepts either signature.
//  3. Sender: Secrets {new}; then receiver: Secrets {new}. Each attempt is
//     signed when it is sent, so retries and retried dead letters queued
//     before the change carry the new signature.
//
// Steps 1 and 2 may come in either order: each side holds both secrets
// while the other changes. The package example's receiver holds two.
//
// # Receiving
//
// [Verify] checks the signature, the timestamp (5 minutes either way by
// default) and that the nonce is fresh, then decodes the document. Its
// refusals are payment/webhook's sentinels (ErrNotSigned, ErrBadSignature,
// ErrTooOld, ErrTooNew, ErrReplayed), all matching notary.ErrForbidden:
// answer them 4xx. Deduplicate on [Event].ID and answer 2xx for an event
// already processed; see the package example.
package webhook
