// Package smtp is a [notary.Notifier] that sends notices as email over
// SMTP, built on github.com/wneessen/go-mail.
//
// Messages are real MIME: UTF-8 subjects encoded per RFC 2047, a
// quoted-printable UTF-8 text/plain body, and multipart/alternative with a
// text/html part when the message has HTML. The Message-ID is the
// message's stable ID (see package notify), so a notice delivered twice is
// recognisably the same mail.
//
// Connections use STARTTLS (mandatory by default, or opportunistic, or
// none) or implicit TLS (SMTPS), and SMTP AUTH when a username is
// configured. A Notifier keeps its connection open across messages — the
// relay sends a whole batch over one session — and dials again when the
// connection breaks; Close releases it.
//
// Failures are classified for the relay: a 5xx reply (the mailbox does not
// exist, the message is refused) wraps [notary.ErrPermanent] and the notice
// becomes a dead letter; 4xx replies, connection failures and timeouts are
// temporary and retried with backoff.
//
//	n, err := smtp.New(smtp.Config{
//		Host:     "smtp.example.com",
//		Username: "notary@example.com",
//		Password: os.Getenv("SMTP_PASSWORD"),
//		From:     mail.Address{Name: "示例公证处", Address: "notary@example.com"},
//	})
//	if err != nil { … }
//	defer n.Close()
//	relay := notify.NewRelay(store, svc.Clock(), renderer, map[notary.Channel]notary.Notifier{
//		notary.ChannelEmail:  n,
//		notary.ChannelInSite: notify.NewInboxNotifier(store),
//	})
package smtp
