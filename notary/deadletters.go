package notary

import (
	"context"

	"github.com/google/uuid"
)

// deadLetterScan bounds how many dead notices List and Retry look through.
const deadLetterScan = 10000

// DeadLetters lets the office's admins see the notices the relay gave up
// on (a permanent failure, or temporary ones for the whole retry budget)
// and send them again once the cause is fixed. Every call needs a live
// admin session of the office; only the office's own notices are shown or
// retried.
type DeadLetters struct{ s *Service }

// List returns up to limit of the office's dead notices, oldest first,
// each with its attempts and last error. A limit that is not positive
// means 50. Errors: ErrUnauthenticated, ErrForbidden, or the store's.
func (d *DeadLetters) List(ctx context.Context, admin Admin, limit int) ([]Notice, error) {
	if err := d.s.checkAdmin(ctx, admin); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 50
	}
	all, err := d.s.store.ListNotices(ctx, NoticeDead, deadLetterScan)
	if err != nil {
		return nil, err
	}
	out := make([]Notice, 0, min(limit, len(all)))
	for _, n := range all {
		if n.OfficeID == d.s.office.ID {
			out = append(out, n)
			if len(out) == limit {
				break
			}
		}
	}
	return out, nil
}

// Retry makes the office's dead notice id pending again, due now, with a
// fresh count of attempts; the relay delivers it on its next drain. The
// retry is logged with the admin who asked for it. Errors:
// ErrUnauthenticated, ErrForbidden, ErrNotFound (no dead notice with that
// ID at the office), or the store's.
func (d *DeadLetters) Retry(ctx context.Context, admin Admin, id uuid.UUID) error {
	s := d.s
	if err := s.checkAdmin(ctx, admin); err != nil {
		return err
	}
	all, err := s.store.ListNotices(ctx, NoticeDead, deadLetterScan)
	if err != nil {
		return err
	}
	for _, n := range all {
		if n.ID != id || n.OfficeID != s.office.ID {
			continue
		}
		if err := s.store.RequeueNotice(ctx, id, s.now()); err != nil {
			return err
		}
		s.log.InfoContext(ctx, "notary: dead notice retried", "notice", id, "kind", n.Kind, "channel", n.Channel,
			"record", n.RecordID, "admin", admin.ID, "admin_email", admin.Email, "last_error", n.LastError)
		return nil
	}
	return wrap(ErrNotFound, "no dead notice %s at this office", id)
}
