package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
)

// hostOrder is what one batch knows of the order of host events: the
// lanes (a record's events to one endpoint) in which it attempted an event
// and failed, so that the lane's events after it in the batch, all later,
// wait; and the notices it delivered but has not recorded yet.
type hostOrder struct {
	held map[hostLane]bool  // an attempt in the lane failed in this batch
	sent map[uuid.UUID]bool // notice ID → delivered in this batch
}

// hostLane is what host events are ordered within: one record's events to
// one endpoint (notary.Recipient.Endpoint). Lanes are independent: a
// failing endpoint holds back only its own.
type hostLane struct {
	record   uuid.UUID
	endpoint string
}

func laneOf(n notary.Notice) hostLane { return hostLane{n.RecordID, n.To.Endpoint} }

// errWaiting is the failure of a host event held back behind an earlier
// undelivered event of its record.
var errWaiting = errors.New("notify: an earlier host event of the record is not delivered yet")

// deliverInOrder delivers the host event n unless an earlier event of its
// record to its endpoint is undelivered, in this batch or in the outbox;
// then n waits, as a failed attempt would, and is tried again after the
// backoff.
func (r *Relay) deliverInOrder(ctx context.Context, n notary.Notice, o *hostOrder) (notary.NoticeOutcome, bool) {
	if o.held == nil {
		o.held, o.sent = map[hostLane]bool{}, map[uuid.UUID]bool{}
	}
	lane := laneOf(n)
	waiting, err := o.held[lane], error(nil)
	if !waiting {
		waiting, err = r.earlierUndelivered(ctx, n, o.sent)
	}
	switch {
	case err != nil:
		// Order cannot be checked: try again later, as for a failed delivery.
		return r.hold(n, fmt.Errorf("notify: check host event order: %w", err)), true
	case waiting:
		// Not held for the rest of the batch: the event n waits for may
		// come later in it (a batch follows due times, not commits).
		return r.hold(n, errWaiting), true
	}
	outcome, ok := r.deliver(ctx, n)
	switch {
	case !ok:
		o.held[lane] = true
	case outcome.Status == notary.NoticeDelivered:
		o.sent[n.ID] = true
	default:
		o.held[lane] = true
	}
	return outcome, ok
}

// earlierUndelivered reports whether an event committed before n for its
// record and endpoint is neither delivered nor among sent. Other
// endpoints' notices do not count.
func (r *Relay) earlierUndelivered(ctx context.Context, n notary.Notice, sent map[uuid.UUID]bool) (bool, error) {
	q := notary.HostEventQuery{OfficeID: n.OfficeID, RecordID: n.RecordID, Limit: 100}
	for {
		page, err := r.outbox.ListHostEvents(ctx, q)
		if err != nil {
			return false, err
		}
		for _, e := range page {
			if e.ID == n.ID {
				return false, nil
			}
			if e.To.Endpoint == n.To.Endpoint && e.Status != notary.NoticeDelivered && !sent[e.ID] {
				return true, nil
			}
		}
		if len(page) < q.Limit {
			return false, nil // n is not listed: nothing is known before it
		}
		q.After = page[len(page)-1].ID
	}
}

// hold returns the outcome of a host event not attempted now: pending
// again after the first backoff step (it did not fail itself, so its wait
// does not grow: it goes soon after the event it waits for), or dead once
// its retry budget is spent, as a failed attempt's.
func (r *Relay) hold(n notary.Notice, why error) notary.NoticeOutcome {
	at := r.clock.Now()
	out := notary.NoticeOutcome{Status: notary.NoticePending, At: at, Error: why.Error(),
		NextAttemptAt: at.Add(r.backoff(1))}
	if end := n.CreatedAt.Add(r.budget); !at.Before(end) && n.Attempts >= retryFloor {
		out.Status, out.NextAttemptAt = notary.NoticeDead, time.Time{}
		out.Error = fmt.Sprintf("gave up after %d attempts over %s: %v", n.Attempts, r.budget, why)
	} else if at.Before(end) && out.NextAttemptAt.After(end) {
		out.NextAttemptAt = end
	}
	r.log.Info("host event waits", "notice_id", n.ID, "record_id", n.RecordID, "endpoint", n.To.Endpoint, "reason", why)
	return out
}

// attemptHost hands the host event n to the handler of its endpoint. A
// returned outcome with Status dead means the failure is final whatever
// the attempt count.
func (r *Relay) attemptHost(ctx context.Context, n notary.Notice, remaining time.Duration) (notary.NoticeOutcome, error) {
	dead := notary.NoticeOutcome{Status: notary.NoticeDead}
	h := r.hosts[n.To.Endpoint]
	switch {
	case n.To.Endpoint == "":
		// Committed delivered; only a store that lost that would claim it.
		return dead, fmt.Errorf("notify: host event %s is the event's own notice, delivered to no endpoint: %w", n.ID, notary.ErrPermanent)
	case h == nil:
		return dead, fmt.Errorf("notify: no handler for host endpoint %q (WithHostHandlers): %w", n.To.Endpoint, notary.ErrPermanent)
	}
	ev, err := notary.HostEventOf(n)
	if err != nil {
		return dead, fmt.Errorf("%w (%w)", err, notary.ErrPermanent)
	}
	hctx := ctx
	if remaining > 0 {
		var cancel context.CancelFunc
		hctx, cancel = context.WithTimeout(hctx, remaining)
		defer cancel()
	}
	if err := r.callHost(hctx, h, ev); err != nil {
		if errors.Is(err, notary.ErrPermanent) {
			return dead, err
		}
		return notary.NoticeOutcome{}, err
	}
	return notary.NoticeOutcome{}, nil
}

// callHost calls the handler, turning a panic into a temporary error.
func (r *Relay) callHost(ctx context.Context, h notary.HostEventHandler, ev notary.HostEvent) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("notify: host event handler panicked: %v", p)
		}
	}()
	return h(ctx, ev)
}
