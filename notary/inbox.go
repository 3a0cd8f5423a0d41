package notary

import (
	"context"

	"github.com/google/uuid"
)

// UserInbox is the user's in-site inbox at this office: the notices the relay
// delivered on the in-site channel. A user only ever sees and marks their
// own messages.
type UserInbox struct{ s *Service }

// List returns the user's messages, newest first; before, when non-nil,
// continues after the last message of the previous page. Errors:
// ErrForbidden (no user identity), ErrInvalidInput.
func (in *UserInbox) List(ctx context.Context, user User, before *Cursor, limit int) ([]InboxMessage, error) {
	if err := checkUserID(user); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	return in.s.store.ListInbox(ctx, in.s.office.ID, user.ID, before, limit)
}

// UnreadCount counts the user's unread messages. Errors: as List.
func (in *UserInbox) UnreadCount(ctx context.Context, user User) (int, error) {
	if err := checkUserID(user); err != nil {
		return 0, err
	}
	return in.s.store.UnreadCount(ctx, in.s.office.ID, user.ID)
}

// MarkRead marks the user's messages with the given IDs read, or all of
// them when ids is empty; IDs of other users' messages change nothing.
// Errors: as List.
func (in *UserInbox) MarkRead(ctx context.Context, user User, ids ...uuid.UUID) error {
	if err := checkUserID(user); err != nil {
		return err
	}
	return in.s.store.MarkRead(ctx, in.s.office.ID, user.ID, in.s.now(), ids...)
}
