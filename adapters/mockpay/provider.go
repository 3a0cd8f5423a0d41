package mockpay

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/notarykit/notarykit/notary"
)

// Name is the provider name reported in notary.Payment.Provider and
// notary.PaymentEvent.Provider.
const Name = "mockpay"

// DefaultMinCloseAge is how long after creation a payment cannot be closed,
// as with WeChat Pay (5 minutes).
const DefaultMinCloseAge = 5 * time.Minute

// DefaultTolerance is how far a notification's timestamp may be from the
// verifier's clock before it is refused as stale.
const DefaultTolerance = 300 * time.Second

// DefaultRetrySchedule is the wait before each retry of a notification the
// host did not accept, modelled on WeChat Pay: 15s, 15s, 30s, 3m, 10m, 20m,
// 30m, 30m, 30m, 60m, 3h, 3h, 3h, 6h, 6h (16 attempts over about 24h).
func DefaultRetrySchedule() []time.Duration {
	return []time.Duration{
		15 * time.Second, 15 * time.Second, 30 * time.Second, 3 * time.Minute,
		10 * time.Minute, 20 * time.Minute, 30 * time.Minute, 30 * time.Minute,
		30 * time.Minute, 60 * time.Minute, 3 * time.Hour, 3 * time.Hour,
		3 * time.Hour, 6 * time.Hour, 6 * time.Hour,
	}
}

// Options configures a [Provider]. The zero value works: a random secret,
// the system clock, the default retry schedule and tolerance.
type Options struct {
	// Secret is the HMAC key notifications are signed with and clients
	// verify them with. Empty means a random key; use [Provider.Client] or
	// [Provider.Secret] to get it.
	Secret []byte
	// PreviousSecret, during a secret rotation, signs every notification
	// too (a second signature), so hosts still holding it verify them.
	PreviousSecret []byte
	// APIKey is the key the JSON API requires (Authorization: Bearer
	// <key>), so that nobody but the host creates, closes or refunds
	// payments where the handler is mounted. Empty means a random key; use
	// [Provider.Client] or [Provider.APIKey] to get it. Checkout pages
	// need no key: they are the payer's.
	APIKey string
	// MinCloseAge is how long after its creation a payment cannot be
	// closed yet: like WeChat Pay, the provider answers a close request in
	// that window with a temporary error. Zero means DefaultMinCloseAge;
	// negative means no window.
	MinCloseAge time.Duration
	// NotifyURL is the host's notification endpoint (see package
	// paymenthttp). Empty means notifications are not sent until
	// [Provider.SetNotifyURL] sets one; every attempt before that fails.
	NotifyURL string
	// BaseURL is where [Provider.Handler] is served, without a trailing
	// slash, e.g. "http://localhost:8080/mockpay". It prefixes checkout
	// URLs and is the default base of [Provider.Client]. Empty means
	// checkout URLs are derived from the Host of the API request.
	BaseURL string
	// Clock is the provider's clock: payment, expiry and signing times.
	// Nil means time.Now.
	Clock func() time.Time
	// HTTPClient sends notifications (and is used by Provider.Client).
	// Nil means a client with a 10-second timeout.
	HTTPClient *http.Client
	// RetrySchedule is the wait before each retry of a notification that
	// was not answered 2xx; after the last retry the notification is given
	// up. Nil means DefaultRetrySchedule; an empty non-nil slice disables
	// retries. Tests compress it, e.g. to milliseconds.
	RetrySchedule []time.Duration
	// Tolerance is the largest clock difference a client accepts when
	// verifying; zero means DefaultTolerance.
	Tolerance time.Duration
	// ExpiryInterval, when positive, runs ExpireDue in the background at
	// that interval. Zero leaves expiry to ExpireDue and to reads: a
	// payment past its deadline is expired whenever it is looked at.
	ExpiryInterval time.Duration
	// Logger receives delivery outcomes; nil means slog.Default().
	Logger *slog.Logger
}

// Provider is an in-process payment provider: it keeps payments in memory,
// serves a checkout page and a JSON API ([Provider.Handler]), and posts
// signed notifications to the host asynchronously, with retries and
// switchable misbehaviour (duplicates, reordering, delay, loss). All
// methods are safe for concurrent use. Call [Provider.Close] when done.
type Provider struct {
	secret    []byte
	signing   [][]byte // secret, then PreviousSecret if any
	apiKey    string
	minClose  time.Duration
	clock     func() time.Time
	http      *http.Client
	retries   []time.Duration
	tolerance time.Duration
	log       *slog.Logger

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu         sync.Mutex
	notifyURL  string
	baseURL    string
	payments   map[string]*payment
	byKey      map[string]string  // idempotency key → payment ID
	refundKeys map[string]*refund // payment ID + "\x00" + key → refund
	closed     bool

	// delivery state and switches, guarded by mu
	duplicate  int
	reorder    bool
	delay      time.Duration
	drop       bool
	held       []*outgoing
	inflight   int
	idle       chan struct{} // closed when inflight returns to zero
	deliveries []Delivery
	dropped    int
}

// payment is the provider's record of a payment.
type payment struct {
	id, key     string
	appID       uuid.UUID
	officeID    uuid.UUID
	amount      decimal.Decimal
	currency    string
	description string
	status      notary.PaymentStatus
	checkoutURL string
	createdAt   time.Time
	expiresAt   time.Time
	paidAt      time.Time
	closedAt    time.Time
	refunded    decimal.Decimal
	refunds     []*refund
}

// refund is the provider's record of a refund.
type refund struct {
	id, key, paymentID string
	amount             decimal.Decimal
	currency, reason   string
	createdAt          time.Time
}

// New returns a provider configured by opts. Background work (notification
// delivery, the optional expiry ticker) stops with [Provider.Close].
func New(opts Options) *Provider {
	p := &Provider{
		secret:     slices.Clone(opts.Secret),
		apiKey:     opts.APIKey,
		minClose:   opts.MinCloseAge,
		clock:      opts.Clock,
		http:       opts.HTTPClient,
		retries:    slices.Clone(opts.RetrySchedule),
		tolerance:  opts.Tolerance,
		log:        opts.Logger,
		notifyURL:  opts.NotifyURL,
		baseURL:    strings.TrimRight(opts.BaseURL, "/"),
		payments:   map[string]*payment{},
		byKey:      map[string]string{},
		refundKeys: map[string]*refund{},
		idle:       make(chan struct{}),
	}
	close(p.idle)
	if len(p.secret) == 0 {
		p.secret = []byte(rand.Text() + rand.Text())
	}
	p.signing = [][]byte{p.secret}
	if len(opts.PreviousSecret) > 0 {
		p.signing = append(p.signing, slices.Clone(opts.PreviousSecret))
	}
	if p.apiKey == "" {
		p.apiKey = rand.Text()
	}
	switch {
	case p.minClose == 0:
		p.minClose = DefaultMinCloseAge
	case p.minClose < 0:
		p.minClose = 0
	}
	if p.clock == nil {
		p.clock = time.Now
	}
	if p.http == nil {
		p.http = &http.Client{Timeout: 10 * time.Second}
	}
	if opts.RetrySchedule == nil {
		p.retries = DefaultRetrySchedule()
	}
	if p.tolerance <= 0 {
		p.tolerance = DefaultTolerance
	}
	if p.log == nil {
		p.log = slog.Default()
	}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	if opts.ExpiryInterval > 0 {
		p.wg.Add(1)
		go p.expiryLoop(opts.ExpiryInterval)
	}
	return p
}

// Secret returns a copy of the signing secret.
func (p *Provider) Secret() []byte { return slices.Clone(p.secret) }

// APIKey returns the key the JSON API requires.
func (p *Provider) APIKey() string { return p.apiKey }

// SetNotifyURL sets the host endpoint notifications are posted to; it
// applies to every later attempt, including retries of earlier events.
func (p *Provider) SetNotifyURL(u string) {
	p.mu.Lock()
	p.notifyURL = u
	p.mu.Unlock()
}

// SetBaseURL sets where the provider's handler is served (see
// Options.BaseURL); it applies to payments created afterwards and to
// clients made by Provider.Client afterwards.
func (p *Provider) SetBaseURL(u string) {
	p.mu.Lock()
	p.baseURL = strings.TrimRight(u, "/")
	p.mu.Unlock()
}

// Client returns a [Client] of this provider's JSON API at its base URL,
// sharing its secret, API key, clock, tolerance and HTTP client: the
// notary.PaymentGateway a host wires into notary.Config.Payments.
func (p *Provider) Client() *Client {
	p.mu.Lock()
	base := p.baseURL
	p.mu.Unlock()
	return NewClient(ClientOptions{BaseURL: base, Secret: p.secret, APIKey: p.apiKey, HTTPClient: p.http, Clock: p.clock, Tolerance: p.tolerance})
}

// now is the provider clock in UTC at microsecond precision.
func (p *Provider) now() time.Time { return p.clock().UTC().Truncate(time.Microsecond) }

func newID(prefix string) string { return prefix + strings.ToLower(rand.Text()) }

// createParams is a validated payment creation request.
type createParams struct {
	key         string
	appID       uuid.UUID
	officeID    uuid.UUID
	amount      decimal.Decimal
	currency    string
	description string
	expiresAt   time.Time
}

// create creates a payment, or returns the one created with the same
// idempotency key (replayed true). A key reused with another amount or
// currency is an ErrConflict.
func (p *Provider) create(c createParams, base string) (pay *payment, replayed bool, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if c.key != "" {
		if id, ok := p.byKey[c.key]; ok {
			prev := p.payments[id]
			if !prev.amount.Equal(c.amount) || prev.currency != c.currency {
				return nil, false, fmt.Errorf("%w: idempotency key %q was used for %s %s", notary.ErrConflict, c.key, prev.amount.StringFixed(2), prev.currency)
			}
			p.expireLocked(prev, now)
			return prev, true, nil
		}
	}
	if !c.expiresAt.IsZero() && !c.expiresAt.After(now) {
		return nil, false, &notary.FieldError{Field: "expires_at", Reason: "already passed"}
	}
	if p.baseURL != "" {
		base = p.baseURL
	}
	pay = &payment{
		id: newID("pay_"), key: c.key, appID: c.appID, officeID: c.officeID, amount: c.amount,
		currency: c.currency, description: c.description, status: notary.PaymentPending,
		createdAt: now, expiresAt: c.expiresAt.UTC(), refunded: decimal.Zero,
	}
	pay.checkoutURL = base + "/checkout/" + pay.id
	p.payments[pay.id] = pay
	if c.key != "" {
		p.byKey[c.key] = pay.id
	}
	return pay, false, nil
}

// lookupLocked returns the payment with id after applying its expiry. p.mu
// is held.
func (p *Provider) lookupLocked(id string) (*payment, error) {
	pay, ok := p.payments[id]
	if !ok {
		return nil, fmt.Errorf("%w: payment %q", notary.ErrNotFound, id)
	}
	p.expireLocked(pay, p.now())
	return pay, nil
}

// expireLocked expires an unpaid payment past its deadline and notifies it.
func (p *Provider) expireLocked(pay *payment, now time.Time) bool {
	if (pay.status != notary.PaymentPending && pay.status != notary.PaymentFailed) ||
		pay.expiresAt.IsZero() || now.Before(pay.expiresAt) {
		return false
	}
	pay.status = notary.PaymentExpired
	p.emitLocked(pay, now)
	return true
}

// Pay completes the payment as the payer would on the checkout page: a
// pending (or previously failed) payment succeeds and its notification is
// sent. Paying a succeeded payment again changes nothing. Errors:
// notary.ErrNotFound, notary.ErrInvalidTransition (expired or closed).
func (p *Provider) Pay(id string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	pay, err := p.lookupLocked(id)
	if err != nil {
		return err
	}
	switch pay.status {
	case notary.PaymentSucceeded:
		return nil
	case notary.PaymentPending, notary.PaymentFailed:
		now := p.now()
		pay.status = notary.PaymentSucceeded
		pay.paidAt = now
		p.emitLocked(pay, now)
		return nil
	case notary.PaymentCancelled:
		return fmt.Errorf("%w: payment %s is closed and can no longer be paid", notary.ErrInvalidTransition, id)
	}
	return fmt.Errorf("%w: payment %s is %s", notary.ErrInvalidTransition, id, pay.status)
}

// Fail records a failed payment attempt (card declined, insufficient
// balance) and sends its notification. As with WeChat Pay the payment stays
// open: the payer may still pay until it expires. Failing an already failed
// payment changes nothing. Errors: notary.ErrNotFound,
// notary.ErrInvalidTransition (succeeded, expired or cancelled).
func (p *Provider) Fail(id string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	pay, err := p.lookupLocked(id)
	if err != nil {
		return err
	}
	switch pay.status {
	case notary.PaymentFailed:
		return nil
	case notary.PaymentPending:
		pay.status = notary.PaymentFailed
		p.emitLocked(pay, p.now())
		return nil
	}
	return fmt.Errorf("%w: payment %s is %s", notary.ErrInvalidTransition, id, pay.status)
}

// ErrCloseTooEarly is the temporary refusal to close a payment younger than
// Options.MinCloseAge (WeChat Pay refuses for 5 minutes after creation).
// The JSON API answers it with 503 and Retry-After; retry after the window.
var ErrCloseTooEarly = errors.New("mockpay: a payment cannot be closed in its first minutes")

// ClosePayment closes an unpaid (pending or failed) payment as the
// merchant's close-order call does: it can no longer be paid, and its
// checkout page says so. No notification is sent (the merchant asked). It
// is idempotent: a closed or expired payment is returned as it is. A
// succeeded payment is returned with an error wrapping
// notary.ErrAlreadyPaid; one younger than Options.MinCloseAge with
// ErrCloseTooEarly; an unknown one notary.ErrNotFound.
func (p *Provider) ClosePayment(id string) (notary.Payment, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pay, err := p.lookupLocked(id)
	if err != nil {
		return notary.Payment{}, err
	}
	now := p.now()
	switch pay.status {
	case notary.PaymentSucceeded:
		return pay.public(), fmt.Errorf("%w: payment %s was paid at %s", notary.ErrAlreadyPaid, id, pay.paidAt.Format(time.RFC3339))
	case notary.PaymentPending, notary.PaymentFailed:
		if open := pay.createdAt.Add(p.minClose); now.Before(open) {
			return pay.public(), fmt.Errorf("%w: payment %s can be closed from %s", ErrCloseTooEarly, id, open.Format(time.RFC3339))
		}
		pay.status = notary.PaymentCancelled
		pay.closedAt = now
	}
	return pay.public(), nil
}

// CloseByProvider closes an unpaid payment on the provider's own initiative
// (risk control, the payer's bank withdrew the order) and notifies the host
// with a "cancelled" notification, which notary takes as the order closed
// by the provider. Errors: notary.ErrNotFound, notary.ErrInvalidTransition
// (not pending or failed).
func (p *Provider) CloseByProvider(id string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	pay, err := p.lookupLocked(id)
	if err != nil {
		return err
	}
	if pay.status != notary.PaymentPending && pay.status != notary.PaymentFailed {
		return fmt.Errorf("%w: payment %s is %s", notary.ErrInvalidTransition, id, pay.status)
	}
	now := p.now()
	pay.status = notary.PaymentCancelled
	pay.closedAt = now
	p.emitLocked(pay, now)
	return nil
}

// ExpireDue expires every unpaid payment whose ExpiresAt is not after the
// provider clock, sends their notifications, and returns how many it
// expired. Tests call it after advancing the clock; Options.ExpiryInterval
// runs it in the background.
func (p *Provider) ExpireDue() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	ids := make([]string, 0, len(p.payments))
	for id := range p.payments {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int {
		return cmp.Or(p.payments[a].createdAt.Compare(p.payments[b].createdAt), strings.Compare(a, b))
	})
	n := 0
	for _, id := range ids {
		if p.expireLocked(p.payments[id], now) {
			n++
		}
	}
	return n
}

func (p *Provider) expiryLoop(every time.Duration) {
	defer p.wg.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-p.ctx.Done():
			return
		case <-t.C:
			p.ExpireDue()
		}
	}
}

// refund refunds (part of) a succeeded payment, once per idempotency key.
func (p *Provider) refund(paymentID, key string, amount decimal.Decimal, currency, reason string) (rf *refund, replayed bool, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pay, err := p.lookupLocked(paymentID)
	if err != nil {
		return nil, false, err
	}
	if currency == "" {
		currency = pay.currency
	}
	if key != "" {
		if prev, ok := p.refundKeys[paymentID+"\x00"+key]; ok {
			if !prev.amount.Equal(amount) || prev.currency != currency {
				return nil, false, fmt.Errorf("%w: idempotency key %q was used for a refund of %s %s", notary.ErrConflict, key, prev.amount.StringFixed(2), prev.currency)
			}
			return prev, true, nil
		}
	}
	switch {
	case pay.status != notary.PaymentSucceeded:
		return nil, false, &notary.FieldError{Field: "payment_id", Reason: fmt.Sprintf("payment %s is %s, only a succeeded payment can be refunded", pay.id, pay.status)}
	case currency != pay.currency:
		return nil, false, &notary.FieldError{Field: "currency", Reason: fmt.Sprintf("payment is in %s, not %s", pay.currency, currency)}
	case pay.refunded.Add(amount).GreaterThan(pay.amount):
		return nil, false, &notary.FieldError{Field: "amount", Reason: fmt.Sprintf("refund of %s exceeds the %s left of the payment", amount.StringFixed(2), pay.amount.Sub(pay.refunded).StringFixed(2))}
	}
	rf = &refund{id: newID("rf_"), key: key, paymentID: pay.id, amount: amount, currency: currency, reason: reason, createdAt: p.now()}
	pay.refunded = pay.refunded.Add(amount)
	pay.refunds = append(pay.refunds, rf)
	if key != "" {
		p.refundKeys[paymentID+"\x00"+key] = rf
	}
	return rf, false, nil
}

// Payment returns the provider's view of a payment, with expiry applied,
// and whether it exists. Tests use it to check what the host did.
func (p *Provider) Payment(id string) (notary.Payment, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pay, err := p.lookupLocked(id)
	if err != nil {
		return notary.Payment{}, false
	}
	return pay.public(), true
}

// Refunds returns the refunds of a payment in the order they were made.
func (p *Provider) Refunds(paymentID string) []notary.Refund {
	p.mu.Lock()
	defer p.mu.Unlock()
	pay, ok := p.payments[paymentID]
	if !ok {
		return nil
	}
	out := make([]notary.Refund, len(pay.refunds))
	for i, r := range pay.refunds {
		out[i] = r.public()
	}
	return out
}

func (pay *payment) public() notary.Payment {
	return notary.Payment{Provider: Name, ID: pay.id, ApplicationID: pay.appID, Amount: pay.amount,
		Currency: pay.currency, Status: pay.status, CheckoutURL: pay.checkoutURL, PaidAt: pay.paidAt}
}

func (r *refund) public() notary.Refund {
	return notary.Refund{ID: r.id, Amount: r.amount, Currency: r.currency, Reason: r.reason, At: r.createdAt}
}

func (pay *payment) resource() paymentResource {
	res := paymentResource{
		ID: pay.id, ApplicationID: pay.appID, OfficeID: pay.officeID, Amount: pay.amount.StringFixed(2),
		Currency: pay.currency, Description: pay.description, Status: pay.status, CheckoutURL: pay.checkoutURL,
		CreatedAt: pay.createdAt, ExpiresAt: pay.expiresAt, PaidAt: pay.paidAt, ClosedAt: pay.closedAt,
		Refunded: pay.refunded.StringFixed(2), Refunds: make([]refundResource, len(pay.refunds)),
	}
	for i, r := range pay.refunds {
		res.Refunds[i] = r.resource()
	}
	return res
}

func (r *refund) resource() refundResource {
	return refundResource{ID: r.id, PaymentID: r.paymentID, Amount: r.amount.StringFixed(2), Currency: r.currency,
		Reason: r.reason, Status: "succeeded", CreatedAt: r.createdAt}
}

// notification builds the event announcing pay's current status.
func (pay *payment) notification(now time.Time) ([]byte, Notification) {
	at := now
	if pay.status == notary.PaymentSucceeded {
		at = pay.paidAt
	}
	n := Notification{
		ID: newID("evt_"), Type: "payment." + string(pay.status), PaymentID: pay.id, ApplicationID: pay.appID,
		Status: pay.status, Amount: pay.amount.StringFixed(2), Currency: pay.currency, Time: at,
	}
	body, err := json.Marshal(n)
	if err != nil { // cannot happen: every field marshals
		panic(err)
	}
	return body, n
}
