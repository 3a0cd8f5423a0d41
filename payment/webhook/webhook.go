// Package webhook signs and verifies HTTP messages sent from one service to
// another: payment providers' notices to a host (adapters/mockpay, real
// provider adapters) and, in the same scheme, a host's own webhooks. It is in
// the spirit of stripe-go's webhook package.
//
// # Scheme
//
// A signed message is a body and three headers (names configurable with
// [Headers]; [DefaultHeaders] shown):
//
//	Webhook-Timestamp: <unix seconds when signed>
//	Webhook-Nonce:     <random, unique per delivery attempt, at most 128 bytes>
//	Webhook-Signature: <hex HMAC-SHA256>[,<hex HMAC-SHA256>…]
//
// Each signature is [Sign]: the lower-case hex HMAC-SHA256, keyed with a
// shared secret, of timestamp + "\n" + nonce + "\n" + body. A sender that
// rotates its secret signs with the new and the old one for a while (a
// [Signer] with two Secrets writes both signatures); a receiver that rotates
// accepts either (a [Verifier] with two Secrets). Signatures are compared in
// constant time (hmac.Equal).
//
// # Verification
//
// [Verifier.Verify] checks, in this order, and refuses with a distinct
// sentinel each:
//
//   - [ErrNotSigned]: a header is missing or malformed;
//   - [ErrBadSignature]: no signature matches the body under any secret;
//   - [ErrTooOld] / [ErrTooNew]: the timestamp is further than the tolerance
//     (default 5 minutes) behind or ahead of the verifier's clock;
//   - [ErrReplayed]: the nonce was seen before (within the tolerance window;
//     older messages are refused as too old anyway).
//
// Every one of them also matches errors.Is(err, notary.ErrForbidden), so a
// host maps all of them to one answer. (This package imports notary for
// that sentinel alone; notary never imports it.)
//
// # Replay memory
//
// Nonces are remembered in a [ReplayStore] until the message would be too
// old anyway. [MemoryReplay] remembers them in one process; a host running
// several instances, or restarting, passes its notary.Store (every store of
// notarykit implements ReplayStore durably: memory, SQLite, PostgreSQL), so
// a message replayed to another instance or after a restart is refused too.
package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/notarykit/notarykit/notary"
)

// DefaultTolerance is how far a message's timestamp may be from the
// verifier's clock, either way, when Options.Tolerance is zero.
const DefaultTolerance = 5 * time.Minute

// MaxNonceLen is the longest nonce accepted, in bytes.
const MaxNonceLen = 128

// maxSignatures bounds how many signatures one header may carry, so a
// forged header cannot make the verifier compute many HMACs.
const maxSignatures = 8

// Headers names the three headers of a signed message.
type Headers struct {
	Timestamp string // Unix seconds when the message was signed
	Nonce     string // random, unique per delivery attempt
	Signature string // comma-separated hex HMAC-SHA256 values
}

// DefaultHeaders are the header names used when a [Signer] or [Verifier]
// has none.
var DefaultHeaders = Headers{Timestamp: "Webhook-Timestamp", Nonce: "Webhook-Nonce", Signature: "Webhook-Signature"}

func (h Headers) orDefault() Headers {
	if h == (Headers{}) {
		return DefaultHeaders
	}
	return h
}

// verifyError is a refusal: it matches its own sentinel by identity and
// notary.ErrForbidden through Unwrap.
type verifyError struct{ msg string }

func (e *verifyError) Error() string { return e.msg }

// Unwrap makes errors.Is(err, notary.ErrForbidden) true.
func (e *verifyError) Unwrap() error { return notary.ErrForbidden }

// Sentinels of [Verifier.Verify]. Returned errors wrap exactly one of them
// with details; each also matches notary.ErrForbidden.
var (
	// ErrNotSigned: a signature header is missing or malformed.
	ErrNotSigned error = &verifyError{"webhook: not signed"}
	// ErrBadSignature: no signature matches the body under any secret.
	ErrBadSignature error = &verifyError{"webhook: bad signature"}
	// ErrTooOld: the message was signed longer ago than the tolerance.
	ErrTooOld error = &verifyError{"webhook: signed too long ago"}
	// ErrTooNew: the message is signed further in the future than the
	// tolerance (the sender's clock is off, or the message is forged).
	ErrTooNew error = &verifyError{"webhook: signed in the future"}
	// ErrReplayed: the nonce was already accepted once.
	ErrReplayed error = &verifyError{"webhook: replayed"}
)

// Sign returns the lower-case hex HMAC-SHA256, keyed with secret, of
// timestamp (decimal Unix seconds) + "\n" + nonce + "\n" + body.
func Sign(secret []byte, timestamp int64, nonce string, body []byte) string {
	return hex.EncodeToString(mac(secret, timestamp, nonce, body))
}

func mac(secret []byte, timestamp int64, nonce string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write(strconv.AppendInt(nil, timestamp, 10))
	m.Write([]byte{'\n'})
	m.Write([]byte(nonce))
	m.Write([]byte{'\n'})
	m.Write(body)
	return m.Sum(nil)
}

// NewNonce returns a random 26-character base32 string (130 bits).
func NewNonce() string { return rand.Text() }

// Signer signs outgoing messages.
type Signer struct {
	// Secrets sign the message, one signature each: the current secret,
	// and during a rotation also the one receivers may still hold.
	Secrets [][]byte
	// Headers names the headers; zero means DefaultHeaders.
	Headers Headers
}

// Sign sets on h the headers that authenticate body as signed at at with
// nonce (a fresh random nonce when empty), and returns the nonce.
func (s Signer) Sign(h http.Header, at time.Time, nonce string, body []byte) string {
	if nonce == "" {
		nonce = NewNonce()
	}
	names := s.Headers.orDefault()
	ts := at.Unix()
	sigs := make([]string, len(s.Secrets))
	for i, secret := range s.Secrets {
		sigs[i] = Sign(secret, ts, nonce, body)
	}
	h.Set(names.Timestamp, strconv.FormatInt(ts, 10))
	h.Set(names.Nonce, nonce)
	h.Set(names.Signature, strings.Join(sigs, ","))
	return nonce
}

// ReplayStore remembers the nonces of accepted messages. Every notarykit
// store implements it (it is the notary.Nonces port), durably where the
// store is; [MemoryReplay] is a process-local one.
type ReplayStore interface {
	// RememberNonce records nonce as seen until until and reports whether
	// it was new. It returns false when nonce is remembered with an expiry
	// after now. Entries whose expiry is not after now are forgotten (a
	// store may prune them at any time, and then treats the nonce as new).
	// Of concurrent calls with one nonce, at most one returns true.
	RememberNonce(ctx context.Context, nonce string, until, now time.Time) (fresh bool, err error)
}

// Options configures a [Verifier].
type Options struct {
	// Secrets verify signatures: a message passes if one of its
	// signatures matches under any of them (two during a rotation).
	Secrets [][]byte
	// Headers names the headers; zero means DefaultHeaders.
	Headers Headers
	// Tolerance is the largest accepted difference between a message's
	// timestamp and Clock, either way; zero means DefaultTolerance.
	Tolerance time.Duration
	// Clock is the receiver's clock; nil means time.Now.
	Clock func() time.Time
	// Replay remembers accepted nonces; nil means a new MemoryReplay of
	// DefaultMaxNonces, which protects one process only.
	Replay ReplayStore
	// Scope prefixes nonces in Replay ("scope:nonce"), so senders sharing
	// one store cannot collide; e.g. "mockpay".
	Scope string
}

// Verifier authenticates incoming messages. It is safe for concurrent use.
type Verifier struct {
	secrets   [][]byte
	headers   Headers
	tolerance time.Duration
	clock     func() time.Time
	replay    ReplayStore
	scope     string
}

// NewVerifier returns a verifier configured by o. Without a secret every
// message is refused with ErrBadSignature.
func NewVerifier(o Options) *Verifier {
	v := &Verifier{headers: o.Headers.orDefault(), tolerance: o.Tolerance, clock: o.Clock, replay: o.Replay, scope: o.Scope}
	for _, s := range o.Secrets {
		if len(s) > 0 {
			v.secrets = append(v.secrets, slices.Clone(s))
		}
	}
	if v.tolerance <= 0 {
		v.tolerance = DefaultTolerance
	}
	if v.clock == nil {
		v.clock = time.Now
	}
	if v.replay == nil {
		v.replay = NewMemoryReplay(0)
	}
	return v
}

// Tolerance returns the verifier's tolerance.
func (v *Verifier) Tolerance() time.Duration { return v.tolerance }

// Signed describes a verified message.
type Signed struct {
	At    time.Time // the signing time (UTC, whole seconds)
	Nonce string
}

// Verify authenticates body with its headers, and remembers its nonce. See
// the package documentation for the checks and their sentinels. An error of
// the replay store is returned as is (not ErrForbidden): the message may be
// genuine, and the sender should retry.
func (v *Verifier) Verify(ctx context.Context, header http.Header, body []byte) (Signed, error) {
	tsText, nonce, sigText := header.Get(v.headers.Timestamp), header.Get(v.headers.Nonce), header.Get(v.headers.Signature)
	switch {
	case tsText == "":
		return Signed{}, fmt.Errorf("%w: no %s header", ErrNotSigned, v.headers.Timestamp)
	case nonce == "":
		return Signed{}, fmt.Errorf("%w: no %s header", ErrNotSigned, v.headers.Nonce)
	case sigText == "":
		return Signed{}, fmt.Errorf("%w: no %s header", ErrNotSigned, v.headers.Signature)
	case len(nonce) > MaxNonceLen:
		return Signed{}, fmt.Errorf("%w: %s longer than %d bytes", ErrNotSigned, v.headers.Nonce, MaxNonceLen)
	}
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return Signed{}, fmt.Errorf("%w: %s is not Unix seconds", ErrNotSigned, v.headers.Timestamp)
	}
	sigs := strings.Split(sigText, ",")
	if len(sigs) > maxSignatures {
		return Signed{}, fmt.Errorf("%w: more than %d signatures", ErrNotSigned, maxSignatures)
	}
	if !v.matches(sigs, ts, nonce, body) {
		return Signed{}, ErrBadSignature
	}
	now := v.clock()
	signed := time.Unix(ts, 0).UTC()
	switch skew := now.Sub(signed); {
	case skew > v.tolerance:
		return Signed{}, fmt.Errorf("%w: signed %s, now %s, tolerance %s", ErrTooOld,
			signed.Format(time.RFC3339), now.UTC().Format(time.RFC3339), v.tolerance)
	case skew < -v.tolerance:
		return Signed{}, fmt.Errorf("%w: signed %s, now %s, tolerance %s", ErrTooNew,
			signed.Format(time.RFC3339), now.UTC().Format(time.RFC3339), v.tolerance)
	}
	key := nonce
	if v.scope != "" {
		key = v.scope + ":" + nonce
	}
	fresh, err := v.replay.RememberNonce(ctx, key, signed.Add(v.tolerance), now)
	if err != nil {
		return Signed{}, fmt.Errorf("webhook: remember nonce: %w", err)
	}
	if !fresh {
		return Signed{}, fmt.Errorf("%w: nonce %q seen before", ErrReplayed, nonce)
	}
	return Signed{At: signed, Nonce: nonce}, nil
}

// matches reports whether one of sigs is the MAC of the message under one
// of the secrets. Every comparison runs in constant time.
func (v *Verifier) matches(sigs []string, ts int64, nonce string, body []byte) bool {
	ok := false
	for _, secret := range v.secrets {
		want := mac(secret, ts, nonce, body)
		for _, s := range sigs {
			got, err := hex.DecodeString(strings.TrimSpace(s))
			if err == nil && hmac.Equal(got, want) {
				ok = true
			}
		}
	}
	return ok
}
