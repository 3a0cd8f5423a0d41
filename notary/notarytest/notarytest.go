// Package notarytest provides fakes of notarykit's ports for host tests: a
// controllable clock, deterministic IDs, a payment gateway whose payments
// the test settles, fails or expires, a courier and a recording notifier.
// Every fake is safe for concurrent use and behaves like the real thing
// where a host's code could tell the difference (idempotency keys, copies,
// not-found errors).
package notarytest

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
)

// Clock is a controllable notary.Clock.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t.UTC()} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t.UTC()
	c.mu.Unlock()
}

// IDs is a deterministic notary.IDSource: it returns version-4-shaped UUIDs
// counting up from 1, so test output is stable.
type IDs struct {
	mu sync.Mutex
	n  uint64
}

// NewID returns the next ID.
func (g *IDs) NewID() uuid.UUID {
	g.mu.Lock()
	g.n++
	n := g.n
	g.mu.Unlock()
	var id uuid.UUID
	binary.BigEndian.PutUint64(id[8:], n)
	id[6] = 0x40 // version 4
	id[8] = 0x80 // RFC 4122 variant
	return id
}

// Payments is a fake notary.PaymentGateway. Tests decide each payment's
// fate with Pay (refused once the order is closed, as a provider does),
// Settle (forced: a payment that lands whatever happened), Fail and Expire,
// which return the provider event the host would receive;
// VerifyNotification accepts the JSON of such an event when signed with the
// gateway's secret header. Like real providers it refuses an idempotency key
// reused with another amount or currency, and closing a paid order.
type Payments struct {
	mu       sync.Mutex
	byKey    map[string]string // idempotency key → payment ID
	payments map[string]notary.Payment
	refunds  map[string]notary.Refund // idempotency key → refund
	events   int
	// FailCreate, when set, is returned by CreatePayment.
	FailCreate error
	// FailQuery, when set, is returned by QueryPayment.
	FailQuery error
	// FailRefund, when set, is returned by Refund.
	FailRefund error
	// FailClose, when set, is returned by ClosePayment (a temporary
	// refusal, such as WeChat Pay's in an order's first five minutes).
	FailClose error
	closes    int
}

// NewPayments returns an empty fake gateway.
func NewPayments() *Payments {
	return &Payments{byKey: map[string]string{}, payments: map[string]notary.Payment{}, refunds: map[string]notary.Refund{}}
}

// Provider is the provider name the fake reports.
const Provider = "fakepay"

// CreatePayment creates a pending payment, or returns the one created with
// the same idempotency key.
func (p *Payments) CreatePayment(_ context.Context, r notary.PaymentRequest) (notary.Payment, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.FailCreate != nil {
		return notary.Payment{}, p.FailCreate
	}
	if id, ok := p.byKey[r.IdempotencyKey]; ok {
		prev := p.payments[id]
		if !prev.Amount.Equal(r.Amount) || prev.Currency != r.Currency {
			return notary.Payment{}, fmt.Errorf("%w: idempotency key %q was used for %s %s", notary.ErrConflict,
				r.IdempotencyKey, prev.Amount.StringFixed(2), prev.Currency)
		}
		return prev, nil
	}
	id := fmt.Sprintf("pay_%d", len(p.payments)+1)
	pay := notary.Payment{Provider: Provider, ID: id, ApplicationID: r.ApplicationID, Amount: r.Amount,
		Currency: r.Currency, Status: notary.PaymentPending, CheckoutURL: "https://pay.example/" + id}
	p.byKey[r.IdempotencyKey] = id
	p.payments[id] = pay
	return pay, nil
}

// QueryPayment returns the payment, or notary.ErrNotFound.
func (p *Payments) QueryPayment(_ context.Context, id string) (notary.Payment, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.FailQuery != nil {
		return notary.Payment{}, p.FailQuery
	}
	pay, ok := p.payments[id]
	if !ok {
		return notary.Payment{}, fmt.Errorf("%w: payment %s", notary.ErrNotFound, id)
	}
	return pay, nil
}

// ClosePayment closes a pending or failed payment. A closed or expired one
// is returned as it is, a paid one with notary.ErrAlreadyPaid, an unknown
// one with notary.ErrNotFound; FailClose, when set, is returned instead.
func (p *Payments) ClosePayment(_ context.Context, id string) (notary.Payment, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.FailClose != nil {
		return notary.Payment{}, p.FailClose
	}
	pay, ok := p.payments[id]
	if !ok {
		return notary.Payment{}, fmt.Errorf("%w: payment %s", notary.ErrNotFound, id)
	}
	switch pay.Status {
	case notary.PaymentSucceeded:
		return pay, fmt.Errorf("%w: payment %s", notary.ErrAlreadyPaid, id)
	case notary.PaymentPending, notary.PaymentFailed:
		pay.Status = notary.PaymentCancelled
		p.payments[id] = pay
		p.closes++
	}
	return pay, nil
}

// Closes returns how many payments ClosePayment closed.
func (p *Payments) Closes() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closes
}

// Refund refunds a succeeded payment once per idempotency key.
func (p *Payments) Refund(_ context.Context, r notary.RefundRequest) (notary.Refund, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.FailRefund != nil {
		return notary.Refund{}, p.FailRefund
	}
	if rf, ok := p.refunds[r.IdempotencyKey]; ok {
		return rf, nil
	}
	pay, ok := p.payments[r.PaymentID]
	if !ok {
		return notary.Refund{}, fmt.Errorf("%w: payment %s", notary.ErrNotFound, r.PaymentID)
	}
	if pay.Status != notary.PaymentSucceeded || r.Amount.GreaterThan(pay.Amount) {
		return notary.Refund{}, fmt.Errorf("%w: payment %s cannot be refunded %s", notary.ErrInvalidInput, r.PaymentID, r.Amount)
	}
	rf := notary.Refund{ID: fmt.Sprintf("rf_%d", len(p.refunds)+1), Amount: r.Amount, Currency: r.Currency, Reason: r.Reason}
	p.refunds[r.IdempotencyKey] = rf
	return rf, nil
}

// Refunds returns the refunds made, in no particular order.
func (p *Payments) Refunds() []notary.Refund {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]notary.Refund, 0, len(p.refunds))
	for _, r := range p.refunds {
		out = append(out, r)
	}
	return out
}

// Payment returns the payment with id (zero if unknown).
func (p *Payments) Payment(id string) notary.Payment {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.payments[id]
}

// Settle marks the payment paid at t, whatever its status, and returns the
// event the provider would notify: a payment that lands although the order
// was closed (the provider's close raced the payer). Use Pay for a payer
// who is refused once the order is closed.
func (p *Payments) Settle(id string, at time.Time) notary.PaymentEvent {
	return p.finish(id, notary.PaymentSucceeded, at)
}

// Pay is the payer paying at t, as at a provider's checkout: a pending or
// failed payment succeeds and the event is returned; paying a closed,
// expired or unknown payment is refused with notary.ErrInvalidTransition
// (ErrNotFound when unknown). Paying a paid payment again returns a
// duplicate event.
func (p *Payments) Pay(id string, at time.Time) (notary.PaymentEvent, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pay, ok := p.payments[id]
	switch {
	case !ok:
		return notary.PaymentEvent{}, fmt.Errorf("%w: payment %s", notary.ErrNotFound, id)
	case pay.Status == notary.PaymentCancelled || pay.Status == notary.PaymentExpired:
		return notary.PaymentEvent{}, fmt.Errorf("%w: payment %s is %s", notary.ErrInvalidTransition, id, pay.Status)
	}
	return p.finishLocked(id, notary.PaymentSucceeded, at), nil
}

// Fail marks the payment failed and returns the provider event.
func (p *Payments) Fail(id string, at time.Time) notary.PaymentEvent {
	return p.finish(id, notary.PaymentFailed, at)
}

// ClosedByProvider marks the payment closed on the provider's own
// initiative and returns the provider event ("cancelled").
func (p *Payments) ClosedByProvider(id string, at time.Time) notary.PaymentEvent {
	return p.finish(id, notary.PaymentCancelled, at)
}

// Expire marks the payment expired and returns the provider event.
func (p *Payments) Expire(id string, at time.Time) notary.PaymentEvent {
	return p.finish(id, notary.PaymentExpired, at)
}

func (p *Payments) finish(id string, st notary.PaymentStatus, at time.Time) notary.PaymentEvent {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.finishLocked(id, st, at)
}

func (p *Payments) finishLocked(id string, st notary.PaymentStatus, at time.Time) notary.PaymentEvent {
	pay := p.payments[id]
	if pay.Status != notary.PaymentSucceeded { // a late failure notice never undoes a payment
		pay.Status = st
		if st == notary.PaymentSucceeded {
			pay.PaidAt = at
		}
		p.payments[id] = pay
	}
	p.events++
	return notary.PaymentEvent{ID: fmt.Sprintf("evt_%d", p.events), Provider: Provider, PaymentID: id,
		ApplicationID: pay.ApplicationID, Status: st, Amount: pay.Amount, Currency: pay.Currency, At: at}
}

// SignatureHeader is the header VerifyNotification checks; Secret is the
// value it must hold. Real providers sign with HMAC (see adapters/mockpay);
// the fake only needs to tell a forged request from its own.
const (
	SignatureHeader = "X-Fakepay-Secret"
	Secret          = "fakepay-test-secret"
)

// Notification encodes ev as the request the fake provider would send.
func Notification(ev notary.PaymentEvent) (http.Header, []byte) {
	body, _ := json.Marshal(ev)
	h := http.Header{}
	h.Set(SignatureHeader, Secret)
	return h, body
}

// VerifyNotification decodes a notification made by Notification.
func (p *Payments) VerifyNotification(_ context.Context, h http.Header, body []byte) (notary.PaymentEvent, error) {
	if h.Get(SignatureHeader) != Secret {
		return notary.PaymentEvent{}, fmt.Errorf("%w: bad signature", notary.ErrForbidden)
	}
	var ev notary.PaymentEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		return notary.PaymentEvent{}, fmt.Errorf("%w: %v", notary.ErrInvalidInput, err)
	}
	return ev, nil
}

// Courier is a fake notary.Courier: it accepts any carrier in Carriers (all
// when empty) with a 6–40 character alphanumeric number, and tracks what the
// test records with Deliver or Report. Fail makes Track fail for one
// consignment; Calls counts the Track calls.
type Courier struct {
	Carriers []string
	mu       sync.Mutex
	status   map[string]notary.TrackingStatus
	fail     map[string]error
	calls    int
}

// Normalize upper-cases and checks the number.
func (c *Courier) Normalize(carrier, number string) (string, error) {
	carrier = strings.ToUpper(strings.TrimSpace(carrier))
	if len(c.Carriers) > 0 && !contains(c.Carriers, carrier) {
		return "", &notary.FieldError{Field: "carrier", Reason: "unknown carrier " + carrier}
	}
	n := strings.ToUpper(strings.TrimSpace(number))
	if len(n) < 6 || len(n) > 40 || strings.Trim(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
		return "", &notary.FieldError{Field: "tracking_number", Reason: "invalid"}
	}
	return n, nil
}

// Deliver marks a consignment delivered at t.
func (c *Courier) Deliver(carrier, number string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.status == nil {
		c.status = map[string]notary.TrackingStatus{}
	}
	c.status[carrier+"/"+number] = notary.TrackingStatus{Carrier: carrier, TrackingNumber: number, State: notary.TrackingDelivered, Delivered: true, DeliveredAt: at}
}

// Report sets what Track answers for the consignment st names.
func (c *Courier) Report(st notary.TrackingStatus) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.status == nil {
		c.status = map[string]notary.TrackingStatus{}
	}
	c.status[st.Carrier+"/"+st.TrackingNumber] = st
}

// Fail makes Track return err for a consignment; a nil err clears it.
func (c *Courier) Fail(carrier, number string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail == nil {
		c.fail = map[string]error{}
	}
	if err == nil {
		delete(c.fail, carrier+"/"+number)
		return
	}
	c.fail[carrier+"/"+number] = err
}

// Calls returns how many times Track was called.
func (c *Courier) Calls() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls
}

// Track returns what Deliver or Report recorded, the error Fail set, or
// notary.ErrNotFound.
func (c *Courier) Track(_ context.Context, carrier, number string) (notary.TrackingStatus, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	if err := c.fail[carrier+"/"+number]; err != nil {
		return notary.TrackingStatus{}, err
	}
	st, ok := c.status[carrier+"/"+number]
	if !ok {
		return notary.TrackingStatus{}, fmt.Errorf("%w: consignment %s %s", notary.ErrNotFound, carrier, number)
	}
	return st, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Notifier records every message it is given. Fail, when set, decides per
// message whether delivery fails (return nil to deliver).
type Notifier struct {
	mu   sync.Mutex
	msgs []notary.Message
	Fail func(notary.Message) error
}

// Notify records m, or returns the error Fail gives.
func (n *Notifier) Notify(_ context.Context, m notary.Message) error {
	if n.Fail != nil {
		if err := n.Fail(m); err != nil {
			return err
		}
	}
	n.mu.Lock()
	n.msgs = append(n.msgs, m)
	n.mu.Unlock()
	return nil
}

// Messages returns a copy of the messages recorded so far.
func (n *Notifier) Messages() []notary.Message {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]notary.Message(nil), n.msgs...)
}

// Reset forgets the recorded messages.
func (n *Notifier) Reset() {
	n.mu.Lock()
	n.msgs = nil
	n.mu.Unlock()
}

var (
	_ notary.Clock          = (*Clock)(nil)
	_ notary.IDSource       = (*IDs)(nil)
	_ notary.PaymentGateway = (*Payments)(nil)
	_ notary.Courier        = (*Courier)(nil)
	_ notary.Notifier       = (*Notifier)(nil)
)
