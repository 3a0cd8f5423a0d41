package store

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
)

// defaultLimit is the page size used when a listing's limit is not positive.
const defaultLimit = 50

// Memory is a [notary.Store] that keeps everything in process memory. It is
// safe for concurrent use. Every value is copied on the way in and on the
// way out, so callers never share memory with the store. Create one with
// [NewMemory]; the zero value is not usable.
type Memory struct {
	mu sync.RWMutex

	filings      map[uuid.UUID]notary.Filing
	filingOwners map[ownerKey]uuid.UUID
	filingIndex  map[uuid.UUID]*ordered // per office, by (CreatedAt, ID)

	apps     map[uuid.UUID]notary.Application
	appKeys  map[idemKey]uuid.UUID
	appIndex map[uuid.UUID]*ordered // per office, by (CreatedAt, ID)

	reservations map[string]uuid.UUID // evidence ID → holding application
	events       map[uuid.UUID][]notary.Event
	eventIDs     map[uuid.UUID]struct{}
	dedup        map[string]struct{}

	notices     map[uuid.UUID]*notary.Notice
	noticeOrder ordered // every notice, by (CreatedAt, ID)
	pending     ordered // pending notices, by (CreatedAt, ID)

	inbox      map[uuid.UUID]*notary.InboxMessage
	inboxIndex map[inboxKey]*ordered // per (office, user), by (CreatedAt, ID)

	admins        map[uuid.UUID]notary.AdminAccount
	adminEmails   map[emailKey]uuid.UUID
	sessions      map[string]notary.Session
	adminSessions map[uuid.UUID]map[string]struct{}
}

var (
	_ notary.Store        = (*Memory)(nil)
	_ notary.ReviewReader = (*Memory)(nil)
)

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory {
	return &Memory{
		filings:       map[uuid.UUID]notary.Filing{},
		filingOwners:  map[ownerKey]uuid.UUID{},
		filingIndex:   map[uuid.UUID]*ordered{},
		apps:          map[uuid.UUID]notary.Application{},
		appKeys:       map[idemKey]uuid.UUID{},
		appIndex:      map[uuid.UUID]*ordered{},
		reservations:  map[string]uuid.UUID{},
		events:        map[uuid.UUID][]notary.Event{},
		eventIDs:      map[uuid.UUID]struct{}{},
		dedup:         map[string]struct{}{},
		notices:       map[uuid.UUID]*notary.Notice{},
		inbox:         map[uuid.UUID]*notary.InboxMessage{},
		inboxIndex:    map[inboxKey]*ordered{},
		admins:        map[uuid.UUID]notary.AdminAccount{},
		adminEmails:   map[emailKey]uuid.UUID{},
		sessions:      map[string]notary.Session{},
		adminSessions: map[uuid.UUID]map[string]struct{}{},
	}
}

type ownerKey struct {
	office uuid.UUID
	owner  string
}

type idemKey struct {
	office uuid.UUID
	owner  string
	key    string
}

type emailKey struct {
	office uuid.UUID
	email  string
}

type inboxKey struct {
	office uuid.UUID
	user   string
}

func adminEmailKey(a notary.AdminAccount) emailKey {
	return emailKey{a.OfficeID, strings.ToLower(a.Email)}
}

// ---------------------------------------------------------------------------
// Ordered keyset index.

// position is a (CreatedAt, ID) keyset position; IDs compare by bytes.
// It holds the time as plain integers, so the large index slices carry no
// pointers and the garbage collector need not scan them.
type position struct {
	sec  int64
	nsec int32
	id   uuid.UUID
}

func pos(at time.Time, id uuid.UUID) position {
	return position{sec: at.Unix(), nsec: int32(at.Nanosecond()), id: id}
}

func (p position) compare(q position) int {
	if c := cmp.Compare(p.sec, q.sec); c != 0 {
		return c
	}
	if c := cmp.Compare(p.nsec, q.nsec); c != 0 {
		return c
	}
	return bytes.Compare(p.id[:], q.id[:])
}

// ordered is a slice of positions kept sorted ascending.
type ordered []position

// lowerBound returns the index of the first position not less than p.
func (o ordered) lowerBound(p position) int {
	return sort.Search(len(o), func(i int) bool { return o[i].compare(p) >= 0 })
}

// upperBound returns the index of the first position greater than p.
func (o ordered) upperBound(p position) int {
	return sort.Search(len(o), func(i int) bool { return o[i].compare(p) > 0 })
}

func (o *ordered) insert(p position) {
	if n := len(*o); n == 0 || (*o)[n-1].compare(p) < 0 {
		*o = append(*o, p) // the usual case: positions come in order
		return
	}
	i := o.lowerBound(p)
	*o = slices.Insert(*o, i, p)
}

func (o *ordered) remove(p position) {
	i := o.lowerBound(p)
	if i < len(*o) && (*o)[i].compare(p) == 0 {
		*o = slices.Delete(*o, i, i+1)
	}
}

func indexOf(m map[uuid.UUID]*ordered, office uuid.UUID) *ordered {
	o := m[office]
	if o == nil {
		o = &ordered{}
		m[office] = o
	}
	return o
}

// ---------------------------------------------------------------------------
// Deep copies.

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func cloneContent(c notary.FilingContent) notary.FilingContent {
	c.Agent = clonePtr(c.Agent)
	return c
}

func cloneFiling(f notary.Filing) notary.Filing {
	f.Content = cloneContent(f.Content)
	if f.Approved != nil {
		a := cloneContent(*f.Approved)
		f.Approved = &a
	}
	return f
}

func cloneApplication(a notary.Application) notary.Application { return cloneUpdate(a, nil) }

// cloneUpdate deep-copies a, except that it shares the slices that equal
// those of the stored version a replaces (stored may be nil): the store
// never writes a stored slice, and most transitions change none.
func cloneUpdate(a notary.Application, stored *notary.Application) notary.Application {
	if stored == nil || !slices.Equal(a.Evidence, stored.Evidence) {
		a.Evidence = slices.Clone(a.Evidence)
	} else {
		a.Evidence = stored.Evidence
	}
	if stored == nil || !slices.Equal(a.Quote.Lines, stored.Quote.Lines) {
		a.Quote.Lines = slices.Clone(a.Quote.Lines) // decimal.Decimal is immutable
	} else {
		a.Quote.Lines = stored.Quote.Lines
	}
	a.Materials = clonePtr(a.Materials)
	a.Certificate = clonePtr(a.Certificate)
	a.Refund = clonePtr(a.Refund)
	return a
}

func cloneNotice(n notary.Notice) notary.Notice {
	n.Data.Evidence = slices.Clone(n.Data.Evidence)
	n.Data.Materials = slices.Clone(n.Data.Materials)
	return n
}

// cloneNotices copies a change's notices into one allocation. Notices
// whose data share a slice with the notice before them, as the notices of
// one transition do, share its copy too.
func cloneNotices(ns []notary.Notice) []notary.Notice {
	out := slices.Clone(ns)
	for i := range out {
		d := &out[i].Data
		if i > 0 && sameSlice(d.Evidence, ns[i-1].Data.Evidence) {
			d.Evidence = out[i-1].Data.Evidence
		} else {
			d.Evidence = slices.Clone(d.Evidence)
		}
		if i > 0 && sameSlice(d.Materials, ns[i-1].Data.Materials) {
			d.Materials = out[i-1].Data.Materials
		} else {
			d.Materials = slices.Clone(d.Materials)
		}
	}
	return out
}

// sameSlice reports whether a and b are the same non-empty slice.
func sameSlice[T any](a, b []T) bool {
	return len(a) > 0 && len(a) == len(b) && &a[0] == &b[0]
}

// ---------------------------------------------------------------------------
// Errors.

func conflict(format string, args ...any) error {
	return fmt.Errorf("%w: %s", notary.ErrConflict, fmt.Sprintf(format, args...))
}

func notFound(format string, args ...any) error {
	return fmt.Errorf("%w: %s", notary.ErrNotFound, fmt.Sprintf(format, args...))
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: store: %s", notary.ErrInvalidInput, fmt.Sprintf(format, args...))
}

func duplicate(format string, args ...any) error {
	return fmt.Errorf("%w: %s", notary.ErrDuplicate, fmt.Sprintf(format, args...))
}

// ---------------------------------------------------------------------------
// Records.

// Commit applies c atomically, as documented on [notary.Records]: every
// check runs before anything is written, so a failing change leaves the
// store exactly as it was. Release is applied before Reserve.
func (m *Memory) Commit(ctx context.Context, c notary.Change) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if (c.Filing == nil) == (c.Application == nil) {
		return invalid("a change sets exactly one of Filing and Application")
	}
	if c.ExpectedVersion < 0 {
		return invalid("negative expected version %d", c.ExpectedVersion)
	}
	if c.Filing != nil && (len(c.Reserve) > 0 || len(c.Release) > 0) {
		return invalid("a filing change cannot reserve or release evidence")
	}
	for _, n := range c.Notices {
		if n.ID == uuid.Nil {
			return invalid("notice without ID")
		}
	}

	m.mu.Lock()
	defer m.mu.Unlock()

	var err error
	if c.Filing != nil {
		err = m.checkFiling(*c.Filing, c.ExpectedVersion)
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

	// Everything checked: apply.
	if c.Filing != nil {
		m.putFiling(cloneFiling(*c.Filing))
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
	if f.ID == uuid.Nil || f.OfficeID == uuid.Nil {
		return invalid("filing without ID or office")
	}
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
	if a.ID == uuid.Nil || a.OfficeID == uuid.Nil {
		return invalid("application without ID or office")
	}
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
	q      notary.ListQuery
	states map[string]bool
	limit  int
}

func newListFilter(q notary.ListQuery) (listFilter, error) {
	if q.OfficeID == uuid.Nil {
		return listFilter{}, invalid("list query without office")
	}
	f := listFilter{q: q, limit: q.Limit}
	if f.limit <= 0 {
		f.limit = defaultLimit
	}
	if len(q.States) > 0 {
		f.states = make(map[string]bool, len(q.States))
		for _, s := range q.States {
			f.states[s] = true
		}
	}
	return f, nil
}

func (f listFilter) match(owner, state string, created, updated time.Time) bool {
	q := f.q
	return (q.OwnerID == "" || owner == q.OwnerID) &&
		(f.states == nil || f.states[state]) &&
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
	return list(ctx, m, q, m.filingIndex, func(id uuid.UUID) (notary.Filing, listed) {
		f := m.filings[id]
		return f, listed{f.Owner.ID, string(f.State), f.CreatedAt, f.UpdatedAt}
	}, cloneFiling)
}

// ListApplications returns the office's applications matching q, ordered
// by (CreatedAt, ID). A query without OfficeID fails with ErrInvalidInput.
func (m *Memory) ListApplications(ctx context.Context, q notary.ListQuery) ([]notary.Application, error) {
	return list(ctx, m, q, m.appIndex, func(id uuid.UUID) (notary.Application, listed) {
		a := m.apps[id]
		return a, listed{a.Owner.ID, string(a.State), a.CreatedAt, a.UpdatedAt}
	}, cloneApplication)
}

// listed is what a ListQuery filters a record on.
type listed struct {
	owner, state     string
	created, updated time.Time
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
		if lf.match(l.owner, l.state, l.created, l.updated) {
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
// Outbox.

// ClaimNotices leases up to limit due pending notices, oldest CreatedAt
// first (ties by ID). A limit that is not positive claims nothing.
func (m *Memory) ClaimNotices(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]notary.Notice, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		return nil, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []notary.Notice
	for _, p := range m.pending {
		n := m.notices[p.id]
		if n.NextAttemptAt.After(now) || (n.Claim != uuid.Nil && n.LeaseUntil.After(now)) {
			continue
		}
		n.Claim = uuid.New()
		n.LeaseUntil = now.Add(lease)
		n.Attempts++
		out = append(out, cloneNotice(*n))
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

// FinishNotices records the outcomes of delivery attempts, all at once
// under the store's lock, and releases the claims (Claim and LeaseUntil are
// cleared). A result whose notice is unknown or not claimed with its Claim
// is skipped and its ID returned in stale. Of an applied result, a retry
// (pending) outcome with a zero NextAttemptAt is due at Outcome.At;
// delivered and dead outcomes keep NextAttemptAt. LastError is set to
// Outcome.Error and, when delivered, DeliveredAt to Outcome.At. An invalid
// outcome status or a repeated ID fails with ErrInvalidInput and applies
// nothing.
func (m *Memory) FinishNotices(ctx context.Context, results []notary.NoticeResult) ([]uuid.UUID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := checkNoticeResults(results); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var stale []uuid.UUID
	for _, r := range results {
		n, ok := m.notices[r.ID]
		if !ok || n.Claim == uuid.Nil || n.Claim != r.Claim {
			stale = append(stale, r.ID)
			continue
		}
		outcome := r.Outcome
		n.Status = outcome.Status
		n.LastError = outcome.Error
		n.Claim = uuid.Nil
		n.LeaseUntil = time.Time{}
		switch outcome.Status {
		case notary.NoticePending:
			n.NextAttemptAt = outcome.NextAttemptAt
			if n.NextAttemptAt.IsZero() {
				n.NextAttemptAt = outcome.At
			}
		case notary.NoticeDelivered:
			n.DeliveredAt = outcome.At
			m.pending.remove(pos(n.CreatedAt, n.ID))
		case notary.NoticeDead:
			m.pending.remove(pos(n.CreatedAt, n.ID))
		}
	}
	return stale, nil
}

// checkNoticeResults rejects an outcome status other than pending,
// delivered or dead, and an ID given twice.
func checkNoticeResults(results []notary.NoticeResult) error {
	seen := make(map[uuid.UUID]struct{}, len(results))
	for _, r := range results {
		switch r.Outcome.Status {
		case notary.NoticePending, notary.NoticeDelivered, notary.NoticeDead:
		default:
			return invalid("notice %s: outcome status %q", r.ID, r.Outcome.Status)
		}
		if _, dup := seen[r.ID]; dup {
			return invalid("notice %s finished twice in one call", r.ID)
		}
		seen[r.ID] = struct{}{}
	}
	return nil
}

// ListNotices returns up to limit notices in the given status, oldest
// CreatedAt first (ties by ID). A limit that is not positive means 50.
func (m *Memory) ListNotices(ctx context.Context, status notary.NoticeStatus, limit int) ([]notary.Notice, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = defaultLimit
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	src := m.noticeOrder
	if status == notary.NoticePending {
		src = m.pending
	}
	var out []notary.Notice
	for _, p := range src {
		n := m.notices[p.id]
		if n.Status != status {
			continue
		}
		out = append(out, cloneNotice(*n))
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

// RequeueNotice makes a dead notice pending again, due at now, with its
// Attempts reset to zero and no claim.
func (m *Memory) RequeueNotice(ctx context.Context, id uuid.UUID, now time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n, ok := m.notices[id]
	if !ok {
		return notFound("notice %s", id)
	}
	if n.Status != notary.NoticeDead {
		return fmt.Errorf("%w: notice %s is %s, not dead", notary.ErrInvalidTransition, id, n.Status)
	}
	n.Status = notary.NoticePending
	n.Attempts = 0
	n.NextAttemptAt = now
	n.Claim = uuid.Nil
	n.LeaseUntil = time.Time{}
	m.pending.insert(pos(n.CreatedAt, n.ID))
	return nil
}

// ---------------------------------------------------------------------------
// Inbox.

// AddInboxMessage stores msg; a message whose ID is already stored is left
// as it is.
func (m *Memory) AddInboxMessage(ctx context.Context, msg notary.InboxMessage) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if msg.ID == uuid.Nil {
		return invalid("inbox message without ID")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.inbox[msg.ID]; ok {
		return nil
	}
	m.inbox[msg.ID] = &msg
	k := inboxKey{msg.OfficeID, msg.UserID}
	o := m.inboxIndex[k]
	if o == nil {
		o = &ordered{}
		m.inboxIndex[k] = o
	}
	o.insert(pos(msg.CreatedAt, msg.ID))
	return nil
}

// ListInbox returns up to limit of the user's messages at the office,
// newest (CreatedAt, ID) first, only those before the cursor when it is
// non-nil. A limit that is not positive means 50.
func (m *Memory) ListInbox(ctx context.Context, officeID uuid.UUID, userID string, before *notary.Cursor, limit int) ([]notary.InboxMessage, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = defaultLimit
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	o := m.inboxIndex[inboxKey{officeID, userID}]
	if o == nil {
		return nil, nil
	}
	end := len(*o)
	if before != nil {
		end = o.lowerBound(pos(before.CreatedAt, before.ID))
	}
	var out []notary.InboxMessage
	for i := end - 1; i >= 0 && len(out) < limit; i-- {
		out = append(out, *m.inbox[(*o)[i].id])
	}
	return out, nil
}

// UnreadCount counts the user's unread messages at the office.
func (m *Memory) UnreadCount(ctx context.Context, officeID uuid.UUID, userID string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	o := m.inboxIndex[inboxKey{officeID, userID}]
	if o == nil {
		return 0, nil
	}
	n := 0
	for _, p := range *o {
		if m.inbox[p.id].ReadAt.IsZero() {
			n++
		}
	}
	return n, nil
}

// MarkRead sets ReadAt to at on the user's unread messages at the office
// with the given IDs, or on all of them when ids is empty. Messages already
// read keep their first ReadAt; IDs of other users' messages are ignored.
func (m *Memory) MarkRead(ctx context.Context, officeID uuid.UUID, userID string, at time.Time, ids ...uuid.UUID) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	mark := func(msg *notary.InboxMessage) {
		if msg != nil && msg.OfficeID == officeID && msg.UserID == userID && msg.ReadAt.IsZero() {
			msg.ReadAt = at
		}
	}
	if len(ids) > 0 {
		for _, id := range ids {
			mark(m.inbox[id])
		}
		return nil
	}
	if o := m.inboxIndex[inboxKey{officeID, userID}]; o != nil {
		for _, p := range *o {
			mark(m.inbox[p.id])
		}
	}
	return nil
}

// ---------------------------------------------------------------------------
// Admins.

// CreateAdmin stores a new account and its first audit event. It fails
// with ErrConflict if the ID exists or the office already has an account
// with that email (compared case-insensitively).
func (m *Memory) CreateAdmin(ctx context.Context, a notary.AdminAccount, ev notary.Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if a.ID == uuid.Nil || a.OfficeID == uuid.Nil {
		return invalid("admin account without ID or office")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.admins[a.ID]; ok {
		return conflict("admin %s already exists", a.ID)
	}
	if other, ok := m.adminEmails[adminEmailKey(a)]; ok {
		return conflict("office %s already has admin %s with email %q", a.OfficeID, other, a.Email)
	}
	evs := adminEvents(ev)
	if err := m.checkEvents(evs); err != nil {
		return err
	}
	m.admins[a.ID] = a
	m.adminEmails[adminEmailKey(a)] = a.ID
	m.appendEvents(evs)
	return nil
}

// UpdateAdmin stores a, whose Version is already incremented, with its
// audit event if the stored version is expectedVersion.
func (m *Memory) UpdateAdmin(ctx context.Context, a notary.AdminAccount, expectedVersion int64, ev notary.Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	old, ok := m.admins[a.ID]
	if !ok {
		return notFound("admin %s", a.ID)
	}
	if old.Version != expectedVersion {
		return conflict("admin %s is at version %d, not %d", a.ID, old.Version, expectedVersion)
	}
	if other, ok := m.adminEmails[adminEmailKey(a)]; ok && other != a.ID {
		return conflict("office %s already has admin %s with email %q", a.OfficeID, other, a.Email)
	}
	evs := adminEvents(ev)
	if err := m.checkEvents(evs); err != nil {
		return err
	}
	delete(m.adminEmails, adminEmailKey(old))
	m.admins[a.ID] = a
	m.adminEmails[adminEmailKey(a)] = a.ID
	m.appendEvents(evs)
	return nil
}

// adminEvents returns the event to append with an admin change: none for
// the zero Event.
func adminEvents(ev notary.Event) []notary.Event {
	if ev == (notary.Event{}) {
		return nil
	}
	return []notary.Event{ev}
}

// AdminByID returns the account, or an error wrapping ErrNotFound.
func (m *Memory) AdminByID(ctx context.Context, id uuid.UUID) (notary.AdminAccount, error) {
	if err := ctx.Err(); err != nil {
		return notary.AdminAccount{}, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	a, ok := m.admins[id]
	if !ok {
		return notary.AdminAccount{}, notFound("admin %s", id)
	}
	return a, nil
}

// AdminByEmail returns the office's account with that email (compared
// case-insensitively), or an error wrapping ErrNotFound.
func (m *Memory) AdminByEmail(ctx context.Context, officeID uuid.UUID, email string) (notary.AdminAccount, error) {
	if err := ctx.Err(); err != nil {
		return notary.AdminAccount{}, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	id, ok := m.adminEmails[emailKey{officeID, strings.ToLower(email)}]
	if !ok {
		return notary.AdminAccount{}, notFound("admin %q at office %s", email, officeID)
	}
	return m.admins[id], nil
}

// ListAdmins returns the office's accounts ordered by email (then ID).
func (m *Memory) ListAdmins(ctx context.Context, officeID uuid.UUID) ([]notary.AdminAccount, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	var out []notary.AdminAccount
	for _, a := range m.admins {
		if a.OfficeID == officeID {
			out = append(out, a)
		}
	}
	m.mu.RUnlock()
	slices.SortFunc(out, func(a, b notary.AdminAccount) int {
		if c := strings.Compare(a.Email, b.Email); c != 0 {
			return c
		}
		return bytes.Compare(a.ID[:], b.ID[:])
	})
	return out, nil
}

// CreateSession stores s; ErrConflict if its TokenHash exists.
func (m *Memory) CreateSession(ctx context.Context, s notary.Session) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.TokenHash == "" {
		return invalid("session without token hash")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.sessions[s.TokenHash]; ok {
		return conflict("session already exists")
	}
	m.sessions[s.TokenHash] = s
	set := m.adminSessions[s.AdminID]
	if set == nil {
		set = map[string]struct{}{}
		m.adminSessions[s.AdminID] = set
	}
	set[s.TokenHash] = struct{}{}
	return nil
}

// Session returns the session with that token hash, or an error wrapping
// ErrNotFound.
func (m *Memory) Session(ctx context.Context, tokenHash string) (notary.Session, error) {
	if err := ctx.Err(); err != nil {
		return notary.Session{}, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	s, ok := m.sessions[tokenHash]
	if !ok {
		return notary.Session{}, notFound("session")
	}
	return s, nil
}

// SessionAdmin returns the session with that token hash and its admin's
// account, read together under one lock, or an error wrapping ErrNotFound
// when either is absent.
func (m *Memory) SessionAdmin(ctx context.Context, tokenHash string) (notary.Session, notary.AdminAccount, error) {
	if err := ctx.Err(); err != nil {
		return notary.Session{}, notary.AdminAccount{}, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	l := m.sessionAdmin(tokenHash)
	return l.Session, l.Account, l.Err
}

// sessionAdmin is SessionAdmin with the lock held.
func (m *Memory) sessionAdmin(tokenHash string) notary.SessionLookup {
	s, ok := m.sessions[tokenHash]
	if !ok {
		return notary.SessionLookup{Err: notFound("session")}
	}
	a, ok := m.admins[s.AdminID]
	if !ok {
		return notary.SessionLookup{Err: notFound("admin %s of the session", s.AdminID)}
	}
	return notary.SessionLookup{Session: s, Account: a}
}

// ApplicationForReview returns what Application and SessionAdmin return,
// read under one lock.
func (m *Memory) ApplicationForReview(ctx context.Context, id uuid.UUID, tokenHash string) (notary.Application, notary.SessionLookup, error) {
	if err := ctx.Err(); err != nil {
		return notary.Application{}, notary.SessionLookup{}, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	a, ok := m.apps[id]
	if !ok {
		return notary.Application{}, notary.SessionLookup{}, notFound("application %s", id)
	}
	return cloneApplication(a), m.sessionAdmin(tokenHash), nil
}

// FilingForReview returns what Filing and SessionAdmin return, read under
// one lock.
func (m *Memory) FilingForReview(ctx context.Context, id uuid.UUID, tokenHash string) (notary.Filing, notary.SessionLookup, error) {
	if err := ctx.Err(); err != nil {
		return notary.Filing{}, notary.SessionLookup{}, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	f, ok := m.filings[id]
	if !ok {
		return notary.Filing{}, notary.SessionLookup{}, notFound("filing %s", id)
	}
	return cloneFiling(f), m.sessionAdmin(tokenHash), nil
}

// TouchSession sets the session's LastSeenAt, or fails with ErrNotFound.
func (m *Memory) TouchSession(ctx context.Context, tokenHash string, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[tokenHash]
	if !ok {
		return notFound("session")
	}
	s.LastSeenAt = at
	m.sessions[tokenHash] = s
	return nil
}

// DeleteSession removes the session, if it exists.
func (m *Memory) DeleteSession(ctx context.Context, tokenHash string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[tokenHash]
	if !ok {
		return nil
	}
	delete(m.sessions, tokenHash)
	if set := m.adminSessions[s.AdminID]; set != nil {
		delete(set, tokenHash)
		if len(set) == 0 {
			delete(m.adminSessions, s.AdminID)
		}
	}
	return nil
}

// DeleteAdminSessions removes every session of the admin.
func (m *Memory) DeleteAdminSessions(ctx context.Context, adminID uuid.UUID) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for tokenHash := range m.adminSessions[adminID] {
		delete(m.sessions, tokenHash)
	}
	delete(m.adminSessions, adminID)
	return nil
}
