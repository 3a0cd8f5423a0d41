package mockpay

import (
	"bytes"
	"context"
	"crypto/hmac"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/notarykit/notarykit/notary"
)

// DefaultMaxNonces bounds the nonce cache of a [Client].
const DefaultMaxNonces = 100_000

// ClientOptions configures a [Client].
type ClientOptions struct {
	// BaseURL is where the provider's handler is served, e.g.
	// "http://localhost:8080/mockpay".
	BaseURL string
	// Secret is the shared HMAC key notifications are verified with.
	Secret []byte
	// HTTPClient calls the JSON API; nil means a 10-second-timeout client.
	HTTPClient *http.Client
	// Clock is the host's clock, for the staleness check; nil means
	// time.Now.
	Clock func() time.Time
	// Tolerance is the largest accepted difference between a
	// notification's timestamp and Clock; zero means DefaultTolerance.
	Tolerance time.Duration
	// MaxNonces bounds the replay cache; zero means DefaultMaxNonces. When
	// full, the nonce closest to expiry is forgotten first.
	MaxNonces int
}

// Client is the host side of mockpay: a notary.PaymentGateway that creates,
// queries and refunds payments through the provider's JSON API and verifies
// its notifications. It is safe for concurrent use.
//
// Replay protection remembers nonces in this Client's memory only: hosts
// running several instances behind one notify URL still apply each event
// once (notary deduplicates event IDs in the store), but a replayed request
// reaching another instance is only refused by its staleness check.
type Client struct {
	base      string
	secret    []byte
	http      *http.Client
	clock     func() time.Time
	tolerance time.Duration
	nonces    *nonceCache
}

var _ notary.PaymentGateway = (*Client)(nil)

// NewClient returns a client configured by o.
func NewClient(o ClientOptions) *Client {
	c := &Client{base: strings.TrimRight(o.BaseURL, "/"), secret: slices.Clone(o.Secret), http: o.HTTPClient,
		clock: o.Clock, tolerance: o.Tolerance}
	if c.http == nil {
		c.http = &http.Client{Timeout: 10 * time.Second}
	}
	if c.clock == nil {
		c.clock = time.Now
	}
	if c.tolerance <= 0 {
		c.tolerance = DefaultTolerance
	}
	max := o.MaxNonces
	if max <= 0 {
		max = DefaultMaxNonces
	}
	c.nonces = newNonceCache(max)
	return c
}

// CreatePayment creates a pending payment, or returns the one created with
// the same idempotency key. A key reused with another amount or currency
// returns an error wrapping notary.ErrConflict; a request the provider
// refuses, notary.ErrInvalidInput.
func (c *Client) CreatePayment(ctx context.Context, r notary.PaymentRequest) (notary.Payment, error) {
	req := createPaymentRequest{IdempotencyKey: r.IdempotencyKey, ApplicationID: r.ApplicationID, OfficeID: r.OfficeID,
		Amount: r.Amount.String(), Currency: r.Currency, Description: r.Description, ExpiresAt: r.ExpiresAt}
	var res paymentResource
	if err := c.do(ctx, http.MethodPost, "/api/payments", r.IdempotencyKey, req, &res); err != nil {
		return notary.Payment{}, err
	}
	return res.payment()
}

// QueryPayment returns the payment's current status; an unknown payment
// returns an error wrapping notary.ErrNotFound.
func (c *Client) QueryPayment(ctx context.Context, paymentID string) (notary.Payment, error) {
	if paymentID == "" {
		return notary.Payment{}, fmt.Errorf("%w: mockpay: empty payment ID", notary.ErrNotFound)
	}
	var res paymentResource
	if err := c.do(ctx, http.MethodGet, "/api/payments/"+url.PathEscape(paymentID), "", nil, &res); err != nil {
		return notary.Payment{}, err
	}
	return res.payment()
}

// Refund refunds (part of) a succeeded payment, once per idempotency key.
// Refunding a payment that has not succeeded, more than is left of it, or
// in another currency returns an error wrapping notary.ErrInvalidInput; an
// unknown payment notary.ErrNotFound.
func (c *Client) Refund(ctx context.Context, r notary.RefundRequest) (notary.Refund, error) {
	if r.PaymentID == "" {
		return notary.Refund{}, &notary.FieldError{Field: "payment_id", Reason: "required"}
	}
	req := refundRequest{IdempotencyKey: r.IdempotencyKey, Amount: r.Amount.String(), Currency: r.Currency, Reason: r.Reason}
	var res refundResource
	if err := c.do(ctx, http.MethodPost, "/api/payments/"+url.PathEscape(r.PaymentID)+"/refunds", r.IdempotencyKey, req, &res); err != nil {
		return notary.Refund{}, err
	}
	amount, err := decimal.NewFromString(res.Amount)
	if err != nil {
		return notary.Refund{}, fmt.Errorf("mockpay: refund amount %q: %v", res.Amount, err)
	}
	return notary.Refund{ID: res.ID, Amount: amount, Currency: res.Currency, Reason: res.Reason, At: res.CreatedAt}, nil
}

// VerifyNotification authenticates a notification and returns its event.
// It checks, in order: the signature headers are present and the HMAC
// matches (else notary.ErrForbidden), the timestamp is within the tolerance
// of the clock (else ErrForbidden, "stale"), the nonce was not seen before
// (else ErrForbidden, "replayed"), and the body is a well-formed
// [Notification] (else notary.ErrInvalidInput with a *notary.FieldError).
func (c *Client) VerifyNotification(_ context.Context, header http.Header, body []byte) (notary.PaymentEvent, error) {
	tsText, nonce, sigText := header.Get(HeaderTimestamp), header.Get(HeaderNonce), header.Get(HeaderSignature)
	if tsText == "" || nonce == "" || sigText == "" {
		return notary.PaymentEvent{}, fmt.Errorf("%w: mockpay: missing signature headers", notary.ErrForbidden)
	}
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil || len(nonce) > 128 {
		return notary.PaymentEvent{}, fmt.Errorf("%w: mockpay: malformed signature headers", notary.ErrForbidden)
	}
	got, err := hex.DecodeString(sigText)
	want, _ := hex.DecodeString(ComputeSignature(c.secret, ts, nonce, body))
	if err != nil || !hmac.Equal(got, want) {
		return notary.PaymentEvent{}, fmt.Errorf("%w: mockpay: bad signature", notary.ErrForbidden)
	}
	now := c.clock()
	signed := time.Unix(ts, 0)
	if skew := now.Sub(signed); skew > c.tolerance || skew < -c.tolerance {
		return notary.PaymentEvent{}, fmt.Errorf("%w: mockpay: stale notification (signed %s, now %s)", notary.ErrForbidden,
			signed.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if !c.nonces.add(nonce, signed.Add(c.tolerance), now) {
		return notary.PaymentEvent{}, fmt.Errorf("%w: mockpay: replayed notification (nonce %q seen before)", notary.ErrForbidden, nonce)
	}
	return parseNotification(body)
}

// parseNotification decodes and checks a notification body.
func parseNotification(body []byte) (notary.PaymentEvent, error) {
	var n struct {
		ID            string `json:"id"`
		PaymentID     string `json:"payment_id"`
		ApplicationID string `json:"application_id"`
		Status        string `json:"status"`
		Amount        string `json:"amount"`
		Currency      string `json:"currency"`
		Time          string `json:"time"`
	}
	if err := json.Unmarshal(body, &n); err != nil {
		return notary.PaymentEvent{}, &notary.FieldError{Field: "body", Reason: "malformed JSON: " + err.Error()}
	}
	bad := func(field, reason string) (notary.PaymentEvent, error) {
		return notary.PaymentEvent{}, &notary.FieldError{Field: field, Reason: reason}
	}
	ev := notary.PaymentEvent{ID: n.ID, Provider: Name, PaymentID: n.PaymentID, Status: notary.PaymentStatus(n.Status), Currency: n.Currency}
	var err error
	switch {
	case n.ID == "" || len(n.ID) > 128:
		return bad("id", "missing or longer than 128 bytes")
	case n.PaymentID == "" || len(n.PaymentID) > 128:
		return bad("payment_id", "missing or longer than 128 bytes")
	}
	if ev.ApplicationID, err = uuid.Parse(n.ApplicationID); err != nil || ev.ApplicationID == uuid.Nil {
		return bad("application_id", "not a UUID")
	}
	switch ev.Status {
	case notary.PaymentSucceeded, notary.PaymentFailed, notary.PaymentExpired, notary.PaymentCancelled:
	default:
		return bad("status", fmt.Sprintf("unknown status %q", n.Status))
	}
	if ev.Amount, err = decimal.NewFromString(n.Amount); err != nil {
		return bad("amount", "not a decimal string")
	}
	if !validCurrency(n.Currency) {
		return bad("currency", "not an ISO 4217 code")
	}
	if ev.At, err = time.Parse(time.RFC3339Nano, n.Time); err != nil {
		return bad("time", "not an RFC 3339 time")
	}
	ev.At = ev.At.UTC()
	return ev, nil
}

// do calls the JSON API and decodes a 2xx answer into out. Non-2xx answers
// become errors wrapping the matching notary sentinel (400 →
// ErrInvalidInput, 404 → ErrNotFound, 409 → ErrConflict); any other
// failure is returned as is, for the caller to retry.
func (c *Client) do(ctx context.Context, method, path, key string, in, out any) error {
	if c.base == "" {
		return errors.New("mockpay: client has no base URL")
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("mockpay: encode request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return fmt.Errorf("mockpay: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set(HeaderIdempotencyKey, key)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("mockpay: %s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("mockpay: %s %s: read answer: %w", method, path, err)
	}
	if res.StatusCode/100 != 2 {
		var e apiError
		msg := strings.TrimSpace(string(data))
		if json.Unmarshal(data, &e) == nil && e.Error.Message != "" {
			msg = e.Error.Message
		}
		var sentinel error
		switch res.StatusCode {
		case http.StatusBadRequest, http.StatusUnprocessableEntity:
			sentinel = notary.ErrInvalidInput
		case http.StatusNotFound:
			sentinel = notary.ErrNotFound
		case http.StatusConflict:
			sentinel = notary.ErrConflict
		default:
			return fmt.Errorf("mockpay: %s %s: HTTP %d: %s", method, path, res.StatusCode, msg)
		}
		return fmt.Errorf("%w: mockpay: %s", sentinel, msg)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("mockpay: %s %s: decode answer: %w", method, path, err)
	}
	return nil
}

// payment converts an API resource to notary's view.
func (r paymentResource) payment() (notary.Payment, error) {
	amount, err := decimal.NewFromString(r.Amount)
	if err != nil {
		return notary.Payment{}, fmt.Errorf("mockpay: payment amount %q: %v", r.Amount, err)
	}
	return notary.Payment{Provider: Name, ID: r.ID, ApplicationID: r.ApplicationID, Amount: amount,
		Currency: r.Currency, Status: r.Status, CheckoutURL: r.CheckoutURL, PaidAt: r.PaidAt}, nil
}
