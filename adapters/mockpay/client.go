package mockpay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/payment/webhook"
)

// DefaultMaxNonces bounds the in-process replay memory of a [Client]
// without ClientOptions.Replay.
const DefaultMaxNonces = webhook.DefaultMaxNonces

// ReplayScope prefixes mockpay's nonces in a shared replay memory.
const ReplayScope = "mockpay"

// ClientOptions configures a [Client].
type ClientOptions struct {
	// BaseURL is where the provider's handler is served, e.g.
	// "http://localhost:8080/mockpay".
	BaseURL string
	// Secret is the shared HMAC key notifications are verified with.
	Secret []byte
	// APIKey is the provider's API key (mockpay.Options.APIKey), sent as a
	// bearer token on every JSON API call.
	APIKey string
	// PreviousSecret, during a secret rotation, is also accepted, so
	// notifications signed before the provider switched still verify.
	PreviousSecret []byte
	// HTTPClient calls the JSON API; nil means a 10-second-timeout client.
	HTTPClient *http.Client
	// Clock is the host's clock, for the staleness check; nil means
	// time.Now.
	Clock func() time.Time
	// Tolerance is the largest accepted difference between a
	// notification's timestamp and Clock; zero means DefaultTolerance.
	Tolerance time.Duration
	// Replay remembers the nonces of accepted notifications. Pass the
	// host's notary.Store: then a notification replayed to another host
	// instance sharing the database, or after a restart, is refused too.
	// Nil means an in-process memory of MaxNonces, which protects this
	// Client only.
	Replay webhook.ReplayStore
	// MaxNonces bounds the in-process replay memory used when Replay is
	// nil; zero means DefaultMaxNonces. When full, the nonce closest to
	// expiry is forgotten first.
	MaxNonces int
}

// Client is the host side of mockpay: a notary.PaymentGateway that creates,
// queries and refunds payments through the provider's JSON API and verifies
// its notifications. It is safe for concurrent use.
//
// Notifications are verified with payment/webhook: a replay is refused by
// every Client sharing ClientOptions.Replay (the host's store), and by this
// Client alone without it.
type Client struct {
	base     string
	apiKey   string
	http     *http.Client
	verifier *webhook.Verifier
}

var _ notary.PaymentGateway = (*Client)(nil)

// NewClient returns a client configured by o.
func NewClient(o ClientOptions) *Client {
	c := &Client{base: strings.TrimRight(o.BaseURL, "/"), apiKey: o.APIKey, http: o.HTTPClient}
	if c.http == nil {
		c.http = &http.Client{Timeout: 10 * time.Second}
	}
	tolerance := o.Tolerance
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	replay := o.Replay
	if replay == nil {
		replay = webhook.NewMemoryReplay(o.MaxNonces)
	}
	c.verifier = webhook.NewVerifier(webhook.Options{Secrets: [][]byte{o.Secret, o.PreviousSecret}, Headers: Headers,
		Tolerance: tolerance, Clock: o.Clock, Replay: replay, Scope: ReplayScope})
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

// ClosePayment closes an unpaid payment so it can no longer be paid (see
// notary.PaymentGateway). Closing a closed or expired payment returns it
// as it is; a paid one is returned with an error wrapping
// notary.ErrAlreadyPaid; one in its first minutes gives an error wrapping
// ErrCloseTooEarly (temporary); an unknown one notary.ErrNotFound.
func (c *Client) ClosePayment(ctx context.Context, paymentID string) (notary.Payment, error) {
	if paymentID == "" {
		return notary.Payment{}, fmt.Errorf("%w: mockpay: empty payment ID", notary.ErrNotFound)
	}
	var res paymentResource
	err := c.do(ctx, http.MethodPost, "/api/payments/"+url.PathEscape(paymentID)+"/close", "", struct{}{}, &res)
	var paid *paidError
	if errors.As(err, &paid) {
		pay, perr := paid.payment.payment()
		if perr != nil {
			return notary.Payment{}, perr
		}
		return pay, err
	}
	if err != nil {
		return notary.Payment{}, err
	}
	return res.payment()
}

// paidError is the API's "order_paid" refusal to close, with the payment.
type paidError struct {
	msg     string
	payment paymentResource
}

func (e *paidError) Error() string { return "mockpay: " + e.msg }
func (e *paidError) Unwrap() error { return notary.ErrAlreadyPaid }

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
// The signature, timestamp and nonce are checked by payment/webhook: a
// missing or bad signature, a timestamp further than the tolerance from the
// clock, or a nonce seen before is refused with an error wrapping
// notary.ErrForbidden and the matching webhook sentinel (ErrNotSigned,
// ErrBadSignature, ErrTooOld, ErrTooNew, ErrReplayed). A body that is not a
// well-formed [Notification] is notary.ErrInvalidInput with a
// *notary.FieldError.
func (c *Client) VerifyNotification(ctx context.Context, header http.Header, body []byte) (notary.PaymentEvent, error) {
	if _, err := c.verifier.Verify(ctx, header, body); err != nil {
		return notary.PaymentEvent{}, fmt.Errorf("mockpay: %w", err)
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
// ErrInvalidInput, 404 → ErrNotFound, 409 → ErrConflict, "order_paid" →
// ErrAlreadyPaid, "close_too_early" → ErrCloseTooEarly); any other failure
// (401 included: the host's key is wrong) is returned as is, for the caller
// to retry.
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
	if c.apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.apiKey)
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
		switch {
		case e.Error.Code == "order_paid" && e.Payment != nil:
			return &paidError{msg: msg, payment: *e.Payment}
		case e.Error.Code == "close_too_early":
			return fmt.Errorf("%w: %s", ErrCloseTooEarly, msg)
		}
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
