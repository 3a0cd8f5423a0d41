// Package webhook delivers notarykit's host events (see notary.HostEvent)
// to HTTP endpoints the host platform configures per event type, signed
// with payment/webhook's scheme, and gives receivers [Verify].
//
// # Sending
//
// A [Sender] is a notary.HostEventHandler: pass its Deliver to the notify
// relay with notify.WithHostEvents, and every host event committed by a
// service with Config.HostEvents is POSTed to each endpoint subscribed to
// its type — at least once, in order per record, retried with the relay's
// backoff and time budget, dead-lettered and retryable like a notice. An
// answer 2xx is delivered; 410 Gone is permanent (the event is dead at
// once); anything else, or no answer, is retried. When one of several
// endpoints fails, the event is retried to all of them, so a receiver may
// see it again: deduplicate on the event ID.
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
// notary.HostEvent.
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
