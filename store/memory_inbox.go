package store

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
)

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
