package notify

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/notarykit/notarykit/notary"
)

// InboxNotifier is the [notary.Notifier] of the in-site channel: it stores
// each message in the recipient's inbox.
type InboxNotifier struct {
	inbox notary.Inbox
}

// NewInboxNotifier returns a notifier that writes messages to inbox.
func NewInboxNotifier(inbox notary.Inbox) *InboxNotifier {
	return &InboxNotifier{inbox: inbox}
}

// Notify stores m as the inbox message with ID m.NoticeID of user
// m.To.UserID at office m.OfficeID, with Body = m.Text, dated when the
// transition committed. Storing is idempotent: a redelivered notice leaves
// the stored message unchanged. A message without a user (an office
// notice) or without a notice ID fails with an error wrapping
// notary.ErrPermanent.
func (in *InboxNotifier) Notify(ctx context.Context, m notary.Message) error {
	if m.To.UserID == "" {
		return fmt.Errorf("notify: in-site message %s has no user: %w", m.ID, notary.ErrPermanent)
	}
	if m.NoticeID == uuid.Nil {
		return fmt.Errorf("notify: in-site message %s has no notice ID: %w", m.ID, notary.ErrPermanent)
	}
	msg := notary.InboxMessage{
		ID:        m.NoticeID,
		OfficeID:  m.OfficeID,
		UserID:    m.To.UserID,
		Kind:      m.Kind,
		RecordID:  m.RecordID,
		Subject:   m.Subject,
		Body:      m.Text,
		CreatedAt: m.CreatedAt.UTC(),
	}
	if err := in.inbox.AddInboxMessage(ctx, msg); err != nil {
		return fmt.Errorf("notify: store in-site message %s: %w", m.ID, err)
	}
	return nil
}
