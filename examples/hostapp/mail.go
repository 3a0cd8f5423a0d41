package main

import (
	"context"
	"log/slog"

	"github.com/notarykit/notarykit/notary"
)

// logMailer is the email channel when no SMTP server is configured: it
// writes each message to the log instead of sending it, so a developer sees
// what would have been mailed.
type logMailer struct{ log *slog.Logger }

// Notify logs m and reports it delivered.
func (l logMailer) Notify(ctx context.Context, m notary.Message) error {
	l.log.InfoContext(ctx, "email (logged, not sent)",
		"message_id", m.ID, "kind", m.Kind, "to", m.To.Email, "subject", m.Subject, "text", m.Text)
	return nil
}
