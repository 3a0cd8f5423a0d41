package courier

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/notarykit/notarykit/notary"
)

var _ notary.Courier = (*Manual)(nil)

// Manual is a notary.Courier that calls no carrier: an operator records the
// scans of a consignment with Record and its delivery with MarkDelivered, and
// Track reports what was recorded. Consignments are keyed by carrier code and
// canonical tracking number, so any spelling Normalize accepts finds the same
// consignment. Manual keeps everything in memory. It is safe for concurrent
// use, and its zero value is ready to use.
type Manual struct {
	mu    sync.RWMutex
	items map[consignmentKey]*consignment
}

type consignmentKey struct{ carrier, number string }

type consignment struct {
	delivered   bool
	deliveredAt time.Time
	events      []notary.TrackingEvent // ordered by At, then by recording order
}

// NewManual returns an empty manual tracker.
func NewManual() *Manual {
	return &Manual{items: make(map[consignmentKey]*consignment)}
}

// Normalize returns the canonical form of a tracking number; see the
// package-level Normalize.
func (m *Manual) Normalize(carrier, trackingNumber string) (string, error) {
	return Normalize(carrier, trackingNumber)
}

// Record adds a scan to a consignment, creating the consignment if it is
// new. Events are kept in order of their time; events with equal times keep
// the order in which they were recorded. An unknown carrier, an invalid
// number or an event without a time yields an error wrapping
// notary.ErrInvalidInput (Field "carrier", "tracking_number" or "event.at").
func (m *Manual) Record(carrier, number string, ev notary.TrackingEvent) error {
	k, err := key(carrier, number)
	if err != nil {
		return err
	}
	if ev.At.IsZero() {
		return &notary.FieldError{Field: "event.at", Reason: "required"}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.get(k)
	// Insert after every event not later than ev, keeping equal times in
	// recording order.
	i := len(c.events)
	for i > 0 && c.events[i-1].At.After(ev.At) {
		i--
	}
	c.events = slices.Insert(c.events, i, ev)
	return nil
}

// MarkDelivered records that a consignment was delivered at the given time,
// creating the consignment if it is new. Calling it again corrects the
// delivery time. An unknown carrier, an invalid number or a zero time yields
// an error wrapping notary.ErrInvalidInput (Field "carrier",
// "tracking_number" or "delivered_at").
func (m *Manual) MarkDelivered(carrier, number string, at time.Time) error {
	k, err := key(carrier, number)
	if err != nil {
		return err
	}
	if at.IsZero() {
		return &notary.FieldError{Field: "delivered_at", Reason: "required"}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.get(k)
	c.delivered, c.deliveredAt = true, at
	return nil
}

// Track returns what was recorded for a consignment: its carrier code, its
// canonical number, its delivery and a copy of its events. Its State is
// notary.TrackingDelivered once delivery is marked, TrackingInTransit
// while there are scans, and TrackingUnknown before. An unknown
// carrier or invalid number yields an error wrapping notary.ErrInvalidInput;
// a consignment nothing was recorded for yields one wrapping
// notary.ErrNotFound. A done ctx yields ctx.Err().
func (m *Manual) Track(ctx context.Context, carrier, trackingNumber string) (notary.TrackingStatus, error) {
	if err := ctx.Err(); err != nil {
		return notary.TrackingStatus{}, err
	}
	k, err := key(carrier, trackingNumber)
	if err != nil {
		return notary.TrackingStatus{}, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	c, ok := m.items[k]
	if !ok {
		return notary.TrackingStatus{}, fmt.Errorf("courier: consignment %s %s: %w", k.carrier, k.number, notary.ErrNotFound)
	}
	state := notary.TrackingUnknown
	switch {
	case c.delivered:
		state = notary.TrackingDelivered
	case len(c.events) > 0:
		state = notary.TrackingInTransit
	}
	return notary.TrackingStatus{
		Carrier:        k.carrier,
		TrackingNumber: k.number,
		State:          state,
		Delivered:      c.delivered,
		DeliveredAt:    c.deliveredAt,
		Events:         slices.Clone(c.events),
	}, nil
}

// get returns the consignment for k, creating it (and the map) if needed.
// The caller holds m.mu for writing.
func (m *Manual) get(k consignmentKey) *consignment {
	if m.items == nil {
		m.items = make(map[consignmentKey]*consignment)
	}
	c, ok := m.items[k]
	if !ok {
		c = &consignment{}
		m.items[k] = c
	}
	return c
}

// key validates carrier and number and returns the consignment key.
func key(carrier, number string) (consignmentKey, error) {
	c, n, err := resolve(carrier, number)
	if err != nil {
		return consignmentKey{}, err
	}
	return consignmentKey{carrier: c.Code, number: n}, nil
}
