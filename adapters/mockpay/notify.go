package mockpay

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/payment/webhook"
)

// Delivery records one attempt to post a notification to the host.
type Delivery struct {
	EventID    string
	PaymentID  string
	Status     notary.PaymentStatus // the payment status the event announces
	Copy       int                  // which duplicate (0 unless SetDuplicate > 1)
	Attempt    int                  // 1 for the first attempt, 2 for the first retry, …
	At         time.Time            // provider clock when signed
	Nonce      string
	StatusCode int    // the host's answer; 0 on a transport error
	Err        string // transport error, if any
}

// OK reports whether the host accepted the attempt (answered 2xx).
func (d Delivery) OK() bool { return d.StatusCode >= 200 && d.StatusCode < 300 }

// outgoing is one copy of a notification on its way to the host.
type outgoing struct {
	n    Notification
	body []byte
	copy int
}

// SetDuplicate makes every later notification be sent n times (n <= 1:
// once), like a provider that does not know whether its first delivery
// arrived. Each copy is delivered and retried on its own.
func (p *Provider) SetDuplicate(n int) {
	p.mu.Lock()
	p.duplicate = n
	p.mu.Unlock()
}

// SetReorder, while on, holds every new notification instead of sending it;
// [Provider.Flush] then sends the held ones newest first. Turning it off
// does not release what is held.
func (p *Provider) SetReorder(on bool) {
	p.mu.Lock()
	p.reorder = on
	p.mu.Unlock()
}

// SetDelay makes later notifications wait d before their first attempt.
func (p *Provider) SetDelay(d time.Duration) {
	p.mu.Lock()
	p.delay = d
	p.mu.Unlock()
}

// SetDrop, while on, discards every new notification: the host learns of
// the payment only by querying it (notary's Sweep does).
func (p *Provider) SetDrop(on bool) {
	p.mu.Lock()
	p.drop = on
	p.mu.Unlock()
}

// Held returns how many notifications SetReorder is holding.
func (p *Provider) Held() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.held)
}

// Dropped returns how many notifications SetDrop discarded.
func (p *Provider) Dropped() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.dropped
}

// Flush sends the notifications held by SetReorder, newest first, and
// returns how many it released. Each one's first attempt starts after the
// previous one's first attempt ended, so the host sees them in exactly that
// order; use Wait to wait for them.
func (p *Provider) Flush() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	held := p.held
	p.held = nil
	slices.Reverse(held)
	p.startLocked(held, p.delay)
	return len(held)
}

// Wait blocks until every notification sent so far has been accepted by the
// host or given up after its last retry (held notifications are not
// waited for), or until ctx is done.
func (p *Provider) Wait(ctx context.Context) error {
	p.mu.Lock()
	idle := p.idle
	p.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Deliveries returns every delivery attempt so far, in the order they ended.
func (p *Provider) Deliveries() []Delivery {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.deliveries)
}

// Close stops background work: pending retries and held notifications are
// abandoned, in-flight attempts are cancelled, and Close returns once every
// goroutine has ended. The handler keeps serving the API afterwards, but no
// notification is sent any more. Close always returns nil.
func (p *Provider) Close() error {
	p.mu.Lock()
	p.closed = true
	p.held = nil
	p.mu.Unlock()
	p.cancel()
	p.wg.Wait()
	return nil
}

// emitLocked announces pay's current status to the host, honouring the
// switches. p.mu is held.
func (p *Provider) emitLocked(pay *payment, now time.Time) {
	body, n := pay.notification(now)
	if p.drop {
		p.dropped++
		p.log.Info("mockpay: notification dropped", "event", n.ID, "payment", n.PaymentID, "status", n.Status)
		return
	}
	copies := max(p.duplicate, 1)
	items := make([]*outgoing, copies)
	for i := range items {
		items[i] = &outgoing{n: n, body: body, copy: i}
	}
	if p.reorder {
		p.held = append(p.held, items...)
		return
	}
	p.startLocked(items, p.delay)
}

// startLocked delivers items in order from a new goroutine. p.mu is held.
func (p *Provider) startLocked(items []*outgoing, delay time.Duration) {
	if p.closed || len(items) == 0 {
		return
	}
	if p.inflight == 0 {
		p.idle = make(chan struct{})
	}
	p.inflight += len(items)
	p.wg.Add(1)
	go p.run(items, delay)
}

// done marks n items finished (accepted, given up or abandoned).
func (p *Provider) done(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inflight -= n
	if p.inflight == 0 {
		close(p.idle)
	}
}

// run makes the first attempt of each item in turn, handing failed ones to
// their own retry goroutine.
func (p *Provider) run(items []*outgoing, delay time.Duration) {
	defer p.wg.Done()
	if !p.sleep(delay) {
		p.done(len(items))
		return
	}
	for i, it := range items {
		if p.ctx.Err() != nil {
			p.done(len(items) - i)
			return
		}
		if p.attempt(it, 1) {
			p.done(1)
			continue
		}
		p.wg.Add(1)
		go p.retry(it)
	}
}

// retry retries one item on the retry schedule.
func (p *Provider) retry(it *outgoing) {
	defer p.wg.Done()
	defer p.done(1)
	for i, wait := range p.retries {
		if !p.sleep(wait) {
			return
		}
		if p.attempt(it, i+2) {
			return
		}
	}
	p.log.Warn("mockpay: notification given up", "event", it.n.ID, "payment", it.n.PaymentID, "attempts", len(p.retries)+1)
}

// sleep waits d, returning false if the provider closed meanwhile.
func (p *Provider) sleep(d time.Duration) bool {
	if d <= 0 {
		return p.ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-p.ctx.Done():
		return false
	}
}

// attempt posts one signed copy of the notification and reports whether
// the host answered 2xx.
func (p *Provider) attempt(it *outgoing, n int) bool {
	p.mu.Lock()
	url := p.notifyURL
	p.mu.Unlock()
	now := p.now()
	nonce := webhook.NewNonce()
	d := Delivery{EventID: it.n.ID, PaymentID: it.n.PaymentID, Status: it.n.Status, Copy: it.copy, Attempt: n, At: now, Nonce: nonce}
	err := func() error {
		if url == "" {
			return fmt.Errorf("no notify URL configured")
		}
		req, err := http.NewRequestWithContext(p.ctx, http.MethodPost, url, bytes.NewReader(it.body))
		if err != nil {
			return err
		}
		req.Header = http.Header{}
		req.Header.Set("Content-Type", "application/json")
		webhook.Signer{Secrets: p.signing, Headers: Headers}.Sign(req.Header, now, nonce, it.body)
		req.Header.Set(HeaderEventID, it.n.ID)
		req.Header.Set("User-Agent", "mockpay-notifier/1")
		res, err := p.http.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
		res.Body.Close()
		d.StatusCode = res.StatusCode
		return nil
	}()
	if err != nil {
		d.Err = err.Error()
	}
	p.mu.Lock()
	p.deliveries = append(p.deliveries, d)
	p.mu.Unlock()
	if d.OK() {
		p.log.Debug("mockpay: notification accepted", "event", d.EventID, "payment", d.PaymentID, "attempt", n)
		return true
	}
	p.log.Info("mockpay: notification not accepted", "event", d.EventID, "payment", d.PaymentID, "attempt", n, "status", d.StatusCode, "err", d.Err)
	return false
}
