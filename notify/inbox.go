package notify

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
)

type noticeKey struct{}

// ContextWithNotice returns a context carrying the outbox notice a message
// was rendered from. The Relay passes such a context to every Notifier, so
// a notifier that needs more than [notary.Message] holds (the record ID,
// the time of the transition) can read it with NoticeFromContext.
func ContextWithNotice(ctx context.Context, n notary.Notice) context.Context {
	return context.WithValue(ctx, noticeKey{}, n)
}

// NoticeFromContext returns the notice stored by ContextWithNotice.
func NoticeFromContext(ctx context.Context) (notary.Notice, bool) {
	n, ok := ctx.Value(noticeKey{}).(notary.Notice)
	return n, ok
}

// InboxOption configures an InboxNotifier.
type InboxOption func(*InboxNotifier)

// WithInboxClock sets the clock used for a message's CreatedAt when the
// context carries no notice (time.Now by default).
func WithInboxClock(now func() time.Time) InboxOption {
	return func(in *InboxNotifier) { in.now = now }
}

// InboxNotifier is the [notary.Notifier] of the in-site channel: it stores
// each message in the recipient's inbox.
type InboxNotifier struct {
	inbox notary.Inbox
	now   func() time.Time
}

// NewInboxNotifier returns a notifier that writes messages to inbox.
func NewInboxNotifier(inbox notary.Inbox, opts ...InboxOption) *InboxNotifier {
	in := &InboxNotifier{inbox: inbox, now: time.Now}
	for _, o := range opts {
		o(in)
	}
	return in
}

// Notify stores m as the inbox message with ID m.NoticeID of user
// m.To.UserID at office m.OfficeID, with Body = m.Text. Storing is
// idempotent: a redelivered notice leaves the stored message unchanged.
//
// The message's RecordID and CreatedAt come from the notice in ctx (see
// ContextWithNotice; the Relay always provides it), so they are the record
// and the time of the transition; without one, RecordID is uuid.Nil and
// CreatedAt the current time. A message without a user (an office notice)
// or without a notice ID fails with an error wrapping notary.ErrPermanent.
func (in *InboxNotifier) Notify(ctx context.Context, m notary.Message) error {
	if m.To.UserID == "" {
		return fmt.Errorf("notify: in-site message %s has no user: %w", m.ID, notary.ErrPermanent)
	}
	if m.NoticeID == uuid.Nil {
		return fmt.Errorf("notify: in-site message %s has no notice ID: %w", m.ID, notary.ErrPermanent)
	}
	msg := notary.InboxMessage{
		ID:       m.NoticeID,
		OfficeID: m.OfficeID,
		UserID:   m.To.UserID,
		Kind:     m.Kind,
		Subject:  m.Subject,
		Body:     m.Text,
	}
	if n, ok := NoticeFromContext(ctx); ok && n.ID == m.NoticeID {
		msg.RecordID = n.RecordID
		if msg.RecordID == uuid.Nil {
			msg.RecordID = n.Data.RecordID
		}
		msg.CreatedAt = n.CreatedAt
	}
	if msg.CreatedAt.IsZero() {
		msg.CreatedAt = in.now().UTC()
	}
	if err := in.inbox.AddInboxMessage(ctx, msg); err != nil {
		return fmt.Errorf("notify: store in-site message %s: %w", m.ID, err)
	}
	return nil
}
