package mockpay

import (
	"net/http"
	"time"

	"github.com/notarykit/notarykit/payment/webhook"
)

// Headers of a notification. Every delivery attempt carries a fresh
// timestamp and nonce and a signature over both and the body: the scheme
// of payment/webhook under mockpay's header names ([Headers]).
const (
	// HeaderTimestamp holds the signing time in Unix seconds.
	HeaderTimestamp = "Mockpay-Timestamp"
	// HeaderNonce holds a random string unique to one delivery attempt.
	HeaderNonce = "Mockpay-Nonce"
	// HeaderSignature holds the lower-case hex HMAC-SHA256 computed by
	// [ComputeSignature] (during a secret rotation, two of them separated
	// by a comma).
	HeaderSignature = "Mockpay-Signature"
	// HeaderEventID repeats the event ID of the body for logs; it is not
	// signed and never trusted.
	HeaderEventID = "Mockpay-Event-Id"
)

// Headers names mockpay's signature headers for payment/webhook.
var Headers = webhook.Headers{Timestamp: HeaderTimestamp, Nonce: HeaderNonce, Signature: HeaderSignature}

// ComputeSignature returns the lower-case hex HMAC-SHA256, keyed with
// secret, of timestamp (decimal Unix seconds) + "\n" + nonce + "\n" + body
// ([webhook.Sign]). It is the value of the [HeaderSignature] header of a
// notification.
func ComputeSignature(secret []byte, timestamp int64, nonce string, body []byte) string {
	return webhook.Sign(secret, timestamp, nonce, body)
}

// SignedHeaders returns the headers that authenticate body as a
// notification signed with secret at time at with nonce (a random nonce
// when empty), plus Content-Type. Tests use it to forge, replay or tamper
// with notifications the way an attacker could, or to sign a genuine one.
func SignedHeaders(secret []byte, at time.Time, nonce string, body []byte) http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	webhook.Signer{Secrets: [][]byte{secret}, Headers: Headers}.Sign(h, at, nonce, body)
	return h
}
