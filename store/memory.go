package store

import (
	"bytes"
	"cmp"
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
const defaultLimit = notary.DefaultLimit

// Memory is a [notary.Store] that keeps everything in process memory. It is
// safe for concurrent use. Every value is copied on the way in and on the
// way out, so callers never share memory with the store. Create one with
// [NewMemory]; the zero value is not usable.
type Memory struct {
	mu sync.RWMutex

	filings      map[uuid.UUID]notary.Filing
	filingOwners map[ownerKey]uuid.UUID
	filingIndex  map[uuid.UUID]*ordered                // per office, by (CreatedAt, ID)
	revisions    map[uuid.UUID][]notary.FilingRevision // per filing, by Number (memory_revisions.go)

	apps     map[uuid.UUID]notary.Application
	appKeys  map[idemKey]uuid.UUID
	appIndex map[uuid.UUID]*ordered // per office, by (CreatedAt, ID)

	reservations map[string]uuid.UUID // evidence ID → holding application
	events       map[uuid.UUID][]notary.Event
	eventIDs     map[uuid.UUID]struct{}
	dedup        map[string]struct{}

	notices     map[uuid.UUID]*notary.Notice
	noticeOrder ordered        // every notice, by (CreatedAt, ID)
	pending     ordered        // pending notices, by (CreatedAt, ID)
	hostEvents  hostEventIndex // host event notices in commit order (memory_hostevents.go)

	inbox      map[uuid.UUID]*notary.InboxMessage
	inboxIndex map[inboxKey]*ordered // per (office, user), by (CreatedAt, ID)

	admins        map[uuid.UUID]notary.AdminAccount
	adminEmails   map[emailKey]uuid.UUID
	sessions      map[string]notary.Session
	adminSessions map[uuid.UUID]map[string]struct{}

	transfers transferMemory // kept bank transfers (memory_transfers.go)

	log    memoryLog   // the offices' transparency logs (memory_log.go)
	nonces nonceMemory // replay memory (nonces.go)
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
		revisions:     map[uuid.UUID][]notary.FilingRevision{},
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
	a.Materials = cloneShipment(a.Materials)
	a.Certificate = cloneShipment(a.Certificate)
	a.Refund = clonePtr(a.Refund)
	a.Retry = clonePtr(a.Retry)
	a.Payment.Transfer = clonePtr(a.Payment.Transfer)
	a.Invoice = cloneInvoice(a.Invoice)
	return a
}

// cloneInvoice copies an invoice with its issued and reversing invoices.
func cloneInvoice(inv *notary.Invoice) *notary.Invoice {
	inv = clonePtr(inv)
	if inv != nil {
		inv.Issued = clonePtr(inv.Issued)
		inv.Reversal = clonePtr(inv.Reversal)
	}
	return inv
}

// cloneShipment copies a shipment with its tracking and scans.
func cloneShipment(s *notary.Shipment) *notary.Shipment {
	s = clonePtr(s)
	if s != nil && s.Tracking != nil {
		s.Tracking = clonePtr(s.Tracking)
		s.Tracking.Events = slices.Clone(s.Tracking.Events)
	}
	return s
}

func cloneNotice(n notary.Notice) notary.Notice {
	n.Event = slices.Clone(n.Event)
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
		out[i].Event = slices.Clone(out[i].Event)
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
