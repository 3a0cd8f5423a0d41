package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
)

// Records.

// Commit applies c atomically, as documented on [notary.Records]: every
// check runs before anything is written, so a failing change leaves the
// store exactly as it was. Release is applied before Reserve.
func (m *Memory) Commit(ctx context.Context, c notary.Change) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}

	m.mu.Lock()
	defer m.mu.Unlock()

	var err error
	if c.Filing != nil {
		err = m.checkFiling(*c.Filing, c.ExpectedVersion)
		if err == nil {
			err = m.checkRevisions(c)
		}
	} else {
		err = m.checkApplication(*c.Application, c.ExpectedVersion, c.Reserve)
	}
	if err != nil {
		return err
	}
	if err := m.checkEvents(c.Events); err != nil {
		return err
	}
	for i, n := range c.Notices {
		if _, ok := m.notices[n.ID]; ok {
			return conflict("notice %s already exists", n.ID)
		}
		// A change carries a handful of notices and events, so scanning
		// the earlier ones beats building a set.
		if slices.ContainsFunc(c.Notices[:i], func(o notary.Notice) bool { return o.ID == n.ID }) {
			return conflict("notice %s appears twice in the change", n.ID)
		}
	}
	if c.DedupKey != "" {
		if _, ok := m.dedup[c.DedupKey]; ok {
			return duplicate("dedup key %q already used", c.DedupKey)
		}
	}
	if c.Match != nil {
		if err := m.transfers.checkMatch(c.Application.OfficeID, c.Match.TransferID); err != nil {
			return err
		}
	}

	// Everything checked: apply.
	if c.Filing != nil {
		m.putFiling(cloneFiling(*c.Filing))
		m.putRevisions(c)
	} else {
		app := c.Application.ID
		m.putApplication(*c.Application)
		for _, id := range c.Release {
			if holder, ok := m.reservations[id]; ok && holder == app {
				delete(m.reservations, id)
			}
		}
		for _, id := range c.Reserve {
			m.reservations[id] = app
		}
	}
	m.appendEvents(c.Events)
	stored := cloneNotices(c.Notices)
	for i := range stored {
		m.putNotice(&stored[i])
	}
	if c.DedupKey != "" {
		m.dedup[c.DedupKey] = struct{}{}
	}
	if c.Match != nil {
		m.transfers.match(*c.Match, c.Application.ID)
	}
	return nil
}

// checkVersion applies Commit's rules to a record of kind: expected 0
// creates it, anything else updates the stored version expected.
func checkVersion(kind string, id uuid.UUID, exists bool, stored, expected int64) error {
	switch {
	case expected == 0 && exists:
		return conflict("%s %s already exists", kind, id)
	case expected != 0 && !exists:
		return notFound("%s %s", kind, id)
	case expected != 0 && stored != expected:
		return conflict("%s %s is at version %d, not %d", kind, id, stored, expected)
	}
	return nil
}

func (m *Memory) checkFiling(f notary.Filing, expected int64) error {
	old, exists := m.filings[f.ID]
	if err := checkVersion("filing", f.ID, exists, old.Version, expected); err != nil {
		return err
	}
	if other, ok := m.filingOwners[ownerKey{f.OfficeID, f.Owner.ID}]; ok && other != f.ID {
		return conflict("user %q already has filing %s at office %s", f.Owner.ID, other, f.OfficeID)
	}
	return nil
}

func (m *Memory) checkApplication(a notary.Application, expected int64, reserve []string) error {
	old, exists := m.apps[a.ID]
	if err := checkVersion("application", a.ID, exists, old.Version, expected); err != nil {
		return err
	}
	if a.IdempotencyKey != "" {
		if other, ok := m.appKeys[idemKey{a.OfficeID, a.Owner.ID, a.IdempotencyKey}]; ok && other != a.ID {
			return duplicate("idempotency key %q already used by application %s", a.IdempotencyKey, other)
		}
	}
	for _, id := range reserve {
		if holder, ok := m.reservations[id]; ok && holder != a.ID {
			return fmt.Errorf("%w: evidence %q is held by application %s", notary.ErrEvidenceReserved, id, holder)
		}
	}
	return nil
}

// checkEvents rejects an event whose ID is already stored or appears twice
// in evs, and one whose Seq does not follow its record's trail: the audit
// trail never forks.
func (m *Memory) checkEvents(evs []notary.Event) error {
	for i, ev := range evs {
		earlier := evs[:i]
		if ev.ID != uuid.Nil {
			if _, ok := m.eventIDs[ev.ID]; ok {
				return conflict("event %s already exists", ev.ID)
			}
			if slices.ContainsFunc(earlier, func(o notary.Event) bool { return o.ID == ev.ID }) {
				return conflict("event %s appears twice", ev.ID)
			}
		}
		if slices.ContainsFunc(earlier, func(o notary.Event) bool { return o.RecordID == ev.RecordID && o.Seq == ev.Seq }) {
			return conflict("event seq %d of record %s appears twice", ev.Seq, ev.RecordID)
		}
		// Stored trails are strictly increasing in Seq, so comparing with
		// the last event is enough (and keeps Commit O(1) in trail length).
		if trail := m.events[ev.RecordID]; len(trail) > 0 && trail[len(trail)-1].Seq >= ev.Seq {
			return conflict("record %s already has event seq %d", ev.RecordID, trail[len(trail)-1].Seq)
		}
	}
	return nil
}

func (m *Memory) appendEvents(evs []notary.Event) {
	for _, ev := range evs {
		m.events[ev.RecordID] = append(m.events[ev.RecordID], ev)
		m.log.enqueue(ev)
		if ev.ID != uuid.Nil {
			m.eventIDs[ev.ID] = struct{}{}
		}
	}
}

func (m *Memory) putFiling(f notary.Filing) {
	if old, ok := m.filings[f.ID]; ok {
		delete(m.filingOwners, ownerKey{old.OfficeID, old.Owner.ID})
		indexOf(m.filingIndex, old.OfficeID).remove(pos(old.CreatedAt, old.ID))
	}
	m.filings[f.ID] = f
	m.filingOwners[ownerKey{f.OfficeID, f.Owner.ID}] = f.ID
	indexOf(m.filingIndex, f.OfficeID).insert(pos(f.CreatedAt, f.ID))
}

// putApplication stores a copy of a. An update that keeps the
// application's office, owner, key and creation time, as every transition
// does, leaves the indexes alone.
func (m *Memory) putApplication(a notary.Application) {
	old, ok := m.apps[a.ID]
	if ok {
		a = cloneUpdate(a, &old)
	} else {
		a = cloneApplication(a)
	}
	moved := !ok || old.OfficeID != a.OfficeID || !old.CreatedAt.Equal(a.CreatedAt)
	rekeyed := !ok || old.OfficeID != a.OfficeID || old.Owner.ID != a.Owner.ID || old.IdempotencyKey != a.IdempotencyKey
	if ok && rekeyed && old.IdempotencyKey != "" {
		delete(m.appKeys, idemKey{old.OfficeID, old.Owner.ID, old.IdempotencyKey})
	}
	if ok && moved {
		indexOf(m.appIndex, old.OfficeID).remove(pos(old.CreatedAt, old.ID))
	}
	m.apps[a.ID] = a
	if rekeyed && a.IdempotencyKey != "" {
		m.appKeys[idemKey{a.OfficeID, a.Owner.ID, a.IdempotencyKey}] = a.ID
	}
	if moved {
		indexOf(m.appIndex, a.OfficeID).insert(pos(a.CreatedAt, a.ID))
	}
}

// putNotice indexes n, which the store owns.
func (m *Memory) putNotice(n *notary.Notice) {
	if n.Status == "" {
		n.Status = notary.NoticePending
	}
	if n.NextAttemptAt.IsZero() {
		n.NextAttemptAt = n.CreatedAt
	}
	m.notices[n.ID] = n
	p := pos(n.CreatedAt, n.ID)
	m.noticeOrder.insert(p)
	if n.Status == notary.NoticePending {
		m.pending.insert(p)
	}
	if n.Channel == notary.ChannelHost {
		m.hostEvents.add(n)
	}
}

// Filing returns the filing with id, or an error wrapping ErrNotFound.
func (m *Memory) Filing(ctx context.Context, id uuid.UUID) (notary.Filing, error) {
	if err := ctx.Err(); err != nil {
		return notary.Filing{}, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	f, ok := m.filings[id]
	if !ok {
		return notary.Filing{}, notFound("filing %s", id)
	}
	return cloneFiling(f), nil
}

// FilingByOwner returns the user's filing at the office, or an error
// wrapping ErrNotFound.
func (m *Memory) FilingByOwner(ctx context.Context, officeID uuid.UUID, ownerID string) (notary.Filing, error) {
	if err := ctx.Err(); err != nil {
		return notary.Filing{}, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	id, ok := m.filingOwners[ownerKey{officeID, ownerID}]
	if !ok {
		return notary.Filing{}, notFound("filing of user %q at office %s", ownerID, officeID)
	}
	return cloneFiling(m.filings[id]), nil
}

// Application returns the application with id, or an error wrapping
// ErrNotFound.
func (m *Memory) Application(ctx context.Context, id uuid.UUID) (notary.Application, error) {
	if err := ctx.Err(); err != nil {
		return notary.Application{}, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	a, ok := m.apps[id]
	if !ok {
		return notary.Application{}, notFound("application %s", id)
	}
	return cloneApplication(a), nil
}

// ApplicationByKey returns the owner's application created with the
// idempotency key, or an error wrapping ErrNotFound (always for an empty
// key).
func (m *Memory) ApplicationByKey(ctx context.Context, officeID uuid.UUID, ownerID, key string) (notary.Application, error) {
	if err := ctx.Err(); err != nil {
		return notary.Application{}, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	id, ok := m.appKeys[idemKey{officeID, ownerID, key}]
	if key == "" || !ok {
		return notary.Application{}, notFound("application of user %q with key %q", ownerID, key)
	}
	return cloneApplication(m.apps[id]), nil
}

// listFilter is a ListQuery prepared for matching.
type listFilter struct {
	q        notary.ListQuery
	states   map[string]bool
	invoices map[string]bool // invoice states, nil for any
	limit    int
}

func newListFilter(q notary.ListQuery) (listFilter, error) {
	if err := q.Validate(); err != nil {
		return listFilter{}, err
	}
	f := listFilter{q: q, limit: q.PageSize()}
	if len(q.States) > 0 {
		f.states = make(map[string]bool, len(q.States))
		for _, s := range q.States {
			f.states[s] = true
		}
	}
	if len(q.InvoiceStates) > 0 {
		f.invoices = make(map[string]bool, len(q.InvoiceStates))
		for _, s := range q.InvoiceStates {
			f.invoices[s] = true
		}
	}
	return f, nil
}

func (f listFilter) match(l listed) bool {
	q := f.q
	owner, state, created, updated := l.owner, l.state, l.created, l.updated
	return (q.OwnerID == "" || owner == q.OwnerID) &&
		(f.states == nil || f.states[state]) &&
		(f.invoices == nil || (l.invoice != "" && f.invoices[l.invoice])) &&
		(q.CreatedBefore.IsZero() || created.Before(q.CreatedBefore)) &&
		(q.UpdatedBefore.IsZero() || updated.Before(q.UpdatedBefore)) &&
		(q.UpdatedAfter.IsZero() || !updated.Before(q.UpdatedAfter))
}

// start returns the index in o of the first position after the query's
// cursor.
func (f listFilter) start(o ordered) int {
	if f.q.After == nil {
		return 0
	}
	return o.upperBound(pos(f.q.After.CreatedAt, f.q.After.ID))
}

// ListFilings returns the office's filings matching q, ordered by
// (CreatedAt, ID). A query without OfficeID fails with ErrInvalidInput.
func (m *Memory) ListFilings(ctx context.Context, q notary.ListQuery) ([]notary.Filing, error) {
	q.InvoiceStates = nil // filings have no invoice
	return list(ctx, m, q, m.filingIndex, func(id uuid.UUID) (notary.Filing, listed) {
		f := m.filings[id]
		return f, listed{owner: f.Owner.ID, state: string(f.State), created: f.CreatedAt, updated: f.UpdatedAt}
	}, cloneFiling)
}

// ListApplications returns the office's applications matching q, ordered
// by (CreatedAt, ID). A query without OfficeID fails with ErrInvalidInput.
func (m *Memory) ListApplications(ctx context.Context, q notary.ListQuery) ([]notary.Application, error) {
	return list(ctx, m, q, m.appIndex, func(id uuid.UUID) (notary.Application, listed) {
		a := m.apps[id]
		l := listed{owner: a.Owner.ID, state: string(a.State), created: a.CreatedAt, updated: a.UpdatedAt}
		if a.Invoice != nil {
			l.invoice = string(a.Invoice.State)
		}
		return a, l
	}, cloneApplication)
}

// listed is what a ListQuery filters a record on.
type listed struct {
	owner, state     string
	created, updated time.Time
	invoice          string // the invoice's state; "" without one
}

// list walks an office's ordered index from q's cursor and returns copies
// of the records that match q, up to its limit.
func list[T any](ctx context.Context, m *Memory, q notary.ListQuery, index map[uuid.UUID]*ordered,
	get func(uuid.UUID) (T, listed), clone func(T) T) ([]T, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	lf, err := newListFilter(q)
	if err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	idx := index[q.OfficeID]
	if idx == nil {
		return nil, nil
	}
	var out []T
	for _, p := range (*idx)[lf.start(*idx):] {
		rec, l := get(p.id)
		if lf.match(l) {
			out = append(out, clone(rec))
			if len(out) == lf.limit {
				break
			}
		}
	}
	return out, nil
}

// Reservations returns the holder of each of the evidence IDs that is
// currently reserved.
func (m *Memory) Reservations(ctx context.Context, evidenceIDs []string) (map[string]uuid.UUID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make(map[string]uuid.UUID, len(evidenceIDs))
	for _, id := range evidenceIDs {
		if holder, ok := m.reservations[id]; ok {
			out[id] = holder
		}
	}
	return out, nil
}

// Events returns the record's audit events in Seq order (empty for an
// unknown record).
func (m *Memory) Events(ctx context.Context, recordID uuid.UUID) ([]notary.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	out := slices.Clone(m.events[recordID])
	m.mu.RUnlock()
	slices.SortStableFunc(out, func(a, b notary.Event) int { return cmp.Compare(a.Seq, b.Seq) })
	return out, nil
}

// ---------------------------------------------------------------------------
