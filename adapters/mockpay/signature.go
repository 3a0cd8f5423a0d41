package mockpay

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"
)

// Headers of a notification. Every delivery attempt carries a fresh
// timestamp and nonce and a signature over both and the body.
const (
	// HeaderTimestamp holds the signing time in Unix seconds.
	HeaderTimestamp = "Mockpay-Timestamp"
	// HeaderNonce holds a random string unique to one delivery attempt.
	HeaderNonce = "Mockpay-Nonce"
	// HeaderSignature holds the lower-case hex HMAC-SHA256 computed by
	// [ComputeSignature].
	HeaderSignature = "Mockpay-Signature"
	// HeaderEventID repeats the event ID of the body for logs; it is not
	// signed and never trusted.
	HeaderEventID = "Mockpay-Event-Id"
)

// ComputeSignature returns the lower-case hex HMAC-SHA256, keyed with
// secret, of timestamp (decimal Unix seconds) + "\n" + nonce + "\n" + body.
// It is the value of the [HeaderSignature] header of a notification.
func ComputeSignature(secret []byte, timestamp int64, nonce string, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(strconv.FormatInt(timestamp, 10)))
	mac.Write([]byte{'\n'})
	mac.Write([]byte(nonce))
	mac.Write([]byte{'\n'})
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// SignedHeaders returns the headers that authenticate body as a
// notification signed with secret at time at with nonce (a random nonce
// when empty), plus Content-Type. Tests use it to forge, replay or tamper
// with notifications the way an attacker could, or to sign a genuine one.
func SignedHeaders(secret []byte, at time.Time, nonce string, body []byte) http.Header {
	if nonce == "" {
		nonce = newNonce()
	}
	ts := at.Unix()
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	h.Set(HeaderNonce, nonce)
	h.Set(HeaderSignature, ComputeSignature(secret, ts, nonce, body))
	return h
}

// newNonce returns a random 26-character base32 string (130 bits).
func newNonce() string { return rand.Text() }
