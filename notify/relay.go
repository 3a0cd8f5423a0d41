package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
)

// Relay defaults.
const (
	DefaultBatchSize    = 50
	DefaultLease        = time.Minute
	DefaultRetryBudget  = 72 * time.Hour
	DefaultBackoffBase  = 10 * time.Second
	DefaultBackoffMax   = time.Hour
	DefaultPollInterval = 5 * time.Second
	DefaultFinishRetry  = 10 * time.Second
)

// retryFloor is how many attempts a notice gets, however old it is, before
// a temporary failure can make it dead: a dead letter an operator retries
// after its budget ran out still gets a few tries, spaced by the backoff.
const retryFloor = 3

// finishBackoff is the first wait before recording outcomes again after
// the outbox failed; it doubles up to finishBackoffMax.
const (
	finishBackoff    = 50 * time.Millisecond
	finishBackoffMax = 2 * time.Second
)

// RelayOption configures a Relay.
type RelayOption func(*Relay)

// WithBatchSize sets how many notices one claim leases (50 by default).
func WithBatchSize(n int) RelayOption {
	return func(r *Relay) {
		if n > 0 {
			r.batch = n
		}
	}
}

// WithLease sets how long a claim holds its notices (1 minute by default).
// A relay that dies mid-batch leaves its claims behind; other relays
// reclaim them when the lease ends. Every delivery must finish within the
// lease: a notifier call gets a context that expires with it. A batch
// should be delivered within half the lease: its outcomes are recorded
// together at its end, and once half the lease has passed they are
// recorded one attempt at a time instead.
func WithLease(d time.Duration) RelayOption {
	return func(r *Relay) {
		if d > 0 {
			r.lease = d
		}
	}
}

// WithRetryBudget sets how long after its transition committed a notice
// is retried on temporary failures (72 hours by default, as long as mail
// servers keep mail and payment providers retry webhooks): once a
// temporary failure happens after the budget has run out, the notice is
// dead. The last retry is scheduled at the end of the budget. A notice
// gets at least three attempts in any case, so a dead letter retried
// after its budget still gets a few.
func WithRetryBudget(d time.Duration) RelayOption {
	return func(r *Relay) {
		if d > 0 {
			r.budget = d
		}
	}
}

// WithMaxAttempts additionally caps how many attempts (as counted by the
// outbox) a notice gets before a temporary failure makes it dead. There is
// no cap by default: the retry budget decides (see WithRetryBudget).
func WithMaxAttempts(n int) RelayOption {
	return func(r *Relay) {
		if n > 0 {
			r.maxAttempts = n
		}
	}
}

// WithObserver sets who is told of every delivery attempt, for metrics
// (notary.NopObserver by default; adapters/otel has an OpenTelemetry one).
func WithObserver(o notary.Observer) RelayOption {
	return func(r *Relay) {
		if o != nil {
			r.obs = o
		}
	}
}

// WithHostHandlers sets the handlers of host endpoints, by
// notary.HostEndpoint.Name: each endpoint's notices of host events are
// handed to its handler alone, under the same claims, retries, retry
// budget and dead letters as a notice, in order per record and endpoint —
// an event is not handed to the handler while an earlier event of its
// record to the endpoint is undelivered (pending or dead): it waits,
// retried with the backoff; an endpoint whose handler fails holds back,
// and is retried with, its own events only. adapters/webhook's
// Sender.Handlers returns one per webhook endpoint; in-process handlers
// are added under their own names. A notice of an endpoint without a
// handler is dead on its first attempt (an operator retries it once the
// handler is registered). Calls add to the handlers set before.
func WithHostHandlers(hs map[string]notary.HostEventHandler) RelayOption {
	return func(r *Relay) {
		if r.hosts == nil {
			r.hosts = map[string]notary.HostEventHandler{}
		}
		for name, h := range hs {
			if h != nil {
				r.hosts[name] = h
			}
		}
	}
}

// WithFinishRetry sets how long the relay keeps trying to record the
// outcomes of a batch when the outbox fails (10 seconds by default).
// Recording is idempotent per claim, so trying again is safe, and a
// dropped database connection then does not leave delivered notices to be
// claimed and sent again when their lease ends.
func WithFinishRetry(d time.Duration) RelayOption {
	return func(r *Relay) {
		if d > 0 {
			r.finishRetry = d
		}
	}
}

// WithBackoff sets the retry delay after a temporary failure: attempt k
// (counting from 1) waits a uniformly random time in (0, min(max,
// base·2^(k-1))] — exponential backoff with full jitter. The defaults are
// 10 seconds and 1 hour.
func WithBackoff(base, max time.Duration) RelayOption {
	return func(r *Relay) {
		if base > 0 {
			r.backoffBase = base
		}
		if max > 0 {
			r.backoffMax = max
		}
	}
}

// WithLogger sets the logger of delivery failures (slog.Default() by
// default).
func WithLogger(l *slog.Logger) RelayOption {
	return func(r *Relay) {
		if l != nil {
			r.log = l
		}
	}
}

// WithPollInterval sets how long Run sleeps between drains (5 seconds by
// default).
func WithPollInterval(d time.Duration) RelayOption {
	return func(r *Relay) {
		if d > 0 {
			r.poll = d
		}
	}
}

// Relay delivers the notices of an outbox: it claims due notices, renders
// each, hands it to the notifier of its channel and records the outcome.
//
// Delivery is at least once. Several relays, in one process or many, may
// drain the same outbox: a claim is exclusive while its lease holds, so a
// notice is delivered by one relay at a time, and a relay that crashed
// mid-batch leaves leases that expire and are reclaimed. A notice is sent
// twice only when a relay delivers it but cannot record that before its
// lease ends (the relay crashed or the outbox failed before the outcomes
// of the batch were recorded, or the batch outlasted the lease); receivers
// deduplicate on the message ID.
type Relay struct {
	outbox      notary.Outbox
	renderer    *Renderer
	notifiers   map[notary.Channel]notary.Notifier
	batch       int
	lease       time.Duration
	budget      time.Duration
	maxAttempts int // 0: no cap
	finishRetry time.Duration
	obs         notary.Observer
	hosts       map[string]notary.HostEventHandler // host endpoint → handler
	backoffBase time.Duration
	backoffMax  time.Duration
	clock       notary.Clock
	log         *slog.Logger
	poll        time.Duration
}

// NewRelay returns a relay that delivers the notices of outbox, rendered by
// r, through the notifier of each notice's channel. A notice whose channel
// has no notifier is dead on its first attempt.
//
// clock must be the clock that stamps the notices: the service's, from
// [notary.Service.Clock]. The relay compares its clock with the times the
// service wrote (when a notice is due, when its lease ends), so a relay on
// another clock would see notices due late or early — on a clock behind
// the service's, not at all until it catches up. There is no default, and
// NewRelay panics when clock is nil: the mistake shows at start-up instead
// of as mail that silently never leaves.
func NewRelay(outbox notary.Outbox, clock notary.Clock, r *Renderer, notifiers map[notary.Channel]notary.Notifier, opts ...RelayOption) *Relay {
	if clock == nil {
		panic("notify: NewRelay needs the clock that stamps the notices: pass the service's, Service.Clock()")
	}
	rl := &Relay{
		outbox:      outbox,
		renderer:    r,
		notifiers:   make(map[notary.Channel]notary.Notifier, len(notifiers)),
		batch:       DefaultBatchSize,
		lease:       DefaultLease,
		budget:      DefaultRetryBudget,
		finishRetry: DefaultFinishRetry,
		obs:         notary.NopObserver{},
		backoffBase: DefaultBackoffBase,
		backoffMax:  DefaultBackoffMax,
		clock:       clock,
		log:         slog.Default(),
		poll:        DefaultPollInterval,
	}
	for ch, n := range notifiers {
		if n != nil {
			rl.notifiers[ch] = n
		}
	}
	for _, o := range opts {
		o(rl)
	}
	if rl.backoffMax < rl.backoffBase {
		rl.backoffMax = rl.backoffBase
	}
	return rl
}

// Drain delivers notices until none is due: it claims a batch, delivers
// each notice of it, records the outcomes of the batch and claims again,
// until a claim returns less than a full batch. It returns how many notices
// it delivered and recorded as delivered.
//
// Each attempt ends in one outcome: delivered; pending again after a
// backoff delay, for a temporary failure; or dead, when the error wraps
// notary.ErrPermanent, the notice cannot be rendered, its channel has no
// notifier, or its retry budget has run out (see WithRetryBudget and
// WithMaxAttempts). Dead notices wait for DeadLetters and Retry. The outcomes of a batch are recorded together, with one
// Outbox.FinishNotices call, when the batch ends — or, once half of the
// batch's lease has passed, before each further attempt, so that no
// outcome waits for the lease to run out. An outcome whose claim went
// stale (the lease ended and another relay claimed the notice) is dropped:
// that relay owns the notice now, and the notice does not count as
// delivered here.
//
// When recording fails, it is tried again for a while (see
// WithFinishRetry). Drain returns an error when the outbox keeps failing
// (outcomes not recorded then leave their leases to expire, and the
// notices are attempted again),
// and ctx.Err() when ctx ends, after recording the outcomes of the
// attempts made; notices it claimed but did not attempt keep their lease
// until it expires.
func (r *Relay) Drain(ctx context.Context) (delivered int, err error) {
	for {
		if err := ctx.Err(); err != nil {
			return delivered, err
		}
		notices, err := r.outbox.ClaimNotices(ctx, r.clock.Now(), r.lease, r.batch)
		if err != nil {
			return delivered, fmt.Errorf("notify: claim notices: %w", err)
		}
		n, err := r.deliverBatch(ctx, notices)
		delivered += n
		if err != nil {
			return delivered, err
		}
		if err := ctx.Err(); err != nil {
			return delivered, err
		}
		if len(notices) < r.batch {
			return delivered, nil
		}
	}
}

// deliverBatch attempts the claimed notices in order, until ctx ends, and
// records their outcomes. It returns how many were delivered and recorded,
// and an error only when the outbox fails.
func (r *Relay) deliverBatch(ctx context.Context, notices []notary.Notice) (delivered int, err error) {
	results := make([]notary.NoticeResult, 0, len(notices))
	var flushAt time.Time // when the unrecorded outcomes must be recorded
	var order hostOrder   // host events: the batch's view of per-record order
	for _, n := range notices {
		if ctx.Err() != nil {
			break
		}
		if len(results) > 0 && !flushAt.IsZero() && !r.clock.Now().Before(flushAt) {
			k, err := r.finish(ctx, results)
			delivered += k
			if err != nil {
				return delivered, err
			}
			results, flushAt = results[:0], time.Time{}
		}
		var (
			outcome notary.NoticeOutcome
			ok      bool
		)
		if n.Channel == notary.ChannelHost && r.hosts[n.To.Endpoint] != nil {
			outcome, ok = r.deliverInOrder(ctx, n, &order)
		} else {
			outcome, ok = r.deliver(ctx, n)
		}
		if !ok {
			continue
		}
		results = append(results, notary.NoticeResult{ID: n.ID, Claim: n.Claim, Outcome: outcome})
		if !n.LeaseUntil.IsZero() {
			if at := n.LeaseUntil.Add(-r.lease / 2); flushAt.IsZero() || at.Before(flushAt) {
				flushAt = at
			}
		}
	}
	k, err := r.finish(ctx, results)
	return delivered + k, err
}

// finish records outcomes with FinishNotices, even when ctx has ended, so
// a delivered message is not reported as undelivered. A failing outbox is
// asked again, with growing pauses, for up to the finish-retry time: the
// call is idempotent per claim (outcomes applied by a call whose answer
// was lost come back stale). It returns how many outcomes were recorded as
// delivered.
func (r *Relay) finish(ctx context.Context, results []notary.NoticeResult) (int, error) {
	if len(results) == 0 {
		return 0, nil
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.finishRetry)
	defer cancel()
	var (
		stale []uuid.UUID
		err   error
		wait  = finishBackoff
	)
	for {
		stale, err = r.outbox.FinishNotices(fctx, results)
		if err == nil || errors.Is(err, notary.ErrInvalidInput) {
			break
		}
		r.log.Warn("recording delivery outcomes failed; trying again", "notices", len(results), "error", err)
		t := time.NewTimer(wait)
		select {
		case <-fctx.Done():
			t.Stop()
		case <-t.C:
		}
		if fctx.Err() != nil {
			break
		}
		wait = min(2*wait, finishBackoffMax)
	}
	if err != nil {
		return 0, fmt.Errorf("notify: finish %d notices: %w", len(results), err)
	}
	lost := make(map[uuid.UUID]bool, len(stale))
	for _, id := range stale {
		lost[id] = true
	}
	delivered := 0
	for _, res := range results {
		switch {
		case lost[res.ID]:
			// Our lease ended and another relay claimed the notice: it
			// owns the outcome now.
			r.log.Warn("lost the claim before recording the outcome",
				"notice_id", res.ID, "status", res.Outcome.Status)
		case res.Outcome.Status == notary.NoticeDelivered:
			delivered++
		}
	}
	return delivered, nil
}

// deliver attempts one claimed notice and returns the outcome to record;
// ok is false when the notice was not attempted because its lease had
// already ended.
func (r *Relay) deliver(ctx context.Context, n notary.Notice) (outcome notary.NoticeOutcome, ok bool) {
	log := r.log.With("notice_id", n.ID, "kind", n.Kind, "channel", n.Channel, "attempt", n.Attempts)
	if n.To.Endpoint != "" {
		log = log.With("endpoint", n.To.Endpoint)
	}

	remaining := n.LeaseUntil.Sub(r.clock.Now())
	if !n.LeaseUntil.IsZero() && remaining <= 0 {
		// The lease ran out while earlier notices of the batch were being
		// delivered; another relay may hold the notice by now.
		log.Warn("notice lease expired before delivery; leaving it to be reclaimed")
		return notary.NoticeOutcome{}, false
	}

	started := time.Now()
	outcome, sendErr := r.attempt(ctx, n, remaining)
	at := r.clock.Now()
	defer func() {
		o := notary.OutcomeRetry
		switch outcome.Status {
		case notary.NoticeDelivered:
			o = notary.OutcomeDelivered
		case notary.NoticeDead:
			o = notary.OutcomeDead
		}
		r.obs.Delivery(ctx, notary.DeliveryObservation{Kind: n.Kind, Channel: n.Channel, Outcome: o,
			Attempt: n.Attempts, Duration: time.Since(started), Age: at.Sub(n.CreatedAt)})
	}()
	outcome.At = at
	switch {
	case sendErr == nil:
		outcome.Status = notary.NoticeDelivered
	case outcome.Status == notary.NoticeDead:
		outcome.Error = sendErr.Error()
		log.Error("notice is dead", "error", sendErr)
	case ctx.Err() != nil:
		// Stopped by the caller: try again soon, with no backoff penalty.
		outcome.Status = notary.NoticePending
		outcome.NextAttemptAt = at
		outcome.Error = sendErr.Error()
		log.Info("delivery interrupted", "error", sendErr)
	case r.maxAttempts > 0 && n.Attempts >= r.maxAttempts:
		outcome.Status = notary.NoticeDead
		outcome.Error = fmt.Sprintf("gave up after %d attempts: %v", n.Attempts, sendErr)
		log.Error("notice is dead: too many attempts", "error", sendErr)
	case !at.Before(n.CreatedAt.Add(r.budget)) && n.Attempts >= retryFloor:
		outcome.Status = notary.NoticeDead
		outcome.Error = fmt.Sprintf("gave up after %d attempts over %s: %v", n.Attempts, r.budget, sendErr)
		log.Error("notice is dead: retry budget spent", "error", sendErr)
	default:
		outcome.Status = notary.NoticePending
		outcome.NextAttemptAt = at.Add(r.backoff(n.Attempts))
		if end := n.CreatedAt.Add(r.budget); at.Before(end) && outcome.NextAttemptAt.After(end) {
			outcome.NextAttemptAt = end // the last try, when the budget ends
		}
		outcome.Error = sendErr.Error()
		log.Warn("delivery failed; will retry", "error", sendErr, "next_attempt_at", outcome.NextAttemptAt)
	}
	return outcome, true
}

// attempt renders n and hands it to its channel's notifier. A returned
// outcome with Status dead means the failure is final whatever the
// attempt count.
func (r *Relay) attempt(ctx context.Context, n notary.Notice, remaining time.Duration) (notary.NoticeOutcome, error) {
	dead := notary.NoticeOutcome{Status: notary.NoticeDead}
	if n.Channel == notary.ChannelHost {
		return r.attemptHost(ctx, n, remaining)
	}
	notifier, ok := r.notifiers[n.Channel]
	if !ok {
		return dead, fmt.Errorf("notify: no notifier for channel %q: %w", n.Channel, notary.ErrPermanent)
	}
	m, err := r.renderer.Render(n)
	if err != nil {
		return dead, fmt.Errorf("%w (%w)", err, notary.ErrPermanent)
	}
	nctx := ctx
	if remaining > 0 {
		var cancel context.CancelFunc
		nctx, cancel = context.WithTimeout(nctx, remaining)
		defer cancel()
	}
	if err := r.notify(nctx, notifier, m); err != nil {
		if errors.Is(err, notary.ErrPermanent) {
			return dead, err
		}
		return notary.NoticeOutcome{}, err
	}
	return notary.NoticeOutcome{}, nil
}

// notify calls the notifier, turning a panic into a temporary error so one
// bad notifier call cannot take the relay down.
func (r *Relay) notify(ctx context.Context, n notary.Notifier, m notary.Message) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("notify: notifier panicked: %v", p)
		}
	}()
	return n.Notify(ctx, m)
}

// backoff returns the delay after failed attempt k (k >= 1): uniformly
// random in (0, min(backoffMax, backoffBase·2^(k-1))].
func (r *Relay) backoff(k int) time.Duration {
	ceil := r.backoffBase
	for i := 1; i < k && ceil < r.backoffMax; i++ {
		ceil *= 2
	}
	ceil = min(ceil, r.backoffMax)
	return time.Duration(rand.Int64N(int64(ceil))) + 1
}

// Run drains the outbox, sleeps for the poll interval and drains again,
// until ctx ends; then it returns nil. Errors of a drain are logged and the
// next drain tries again.
func (r *Relay) Run(ctx context.Context) error {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if n, err := r.Drain(ctx); err != nil && ctx.Err() == nil {
			r.log.Error("outbox drain failed", "delivered", n, "error", err)
		}
		t.Reset(r.poll)
	}
}

// DeadLetters returns up to limit dead notices, oldest first.
func (r *Relay) DeadLetters(ctx context.Context, limit int) ([]notary.Notice, error) {
	return r.outbox.ListNotices(ctx, notary.NoticeDead, limit)
}

// Retry makes the dead notice id pending again, due now, with a fresh
// count of attempts. The outbox returns notary.ErrNotFound for an unknown
// ID and notary.ErrInvalidTransition for a notice that is not dead.
func (r *Relay) Retry(ctx context.Context, id uuid.UUID) error {
	return r.outbox.RequeueNotice(ctx, id, r.clock.Now())
}
