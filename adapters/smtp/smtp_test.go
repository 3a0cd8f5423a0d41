package smtp_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/adapters/smtp"
	"github.com/notarykit/notarykit/notary"
	"github.com/notarykit/notarykit/notify"
)

var (
	officeID = uuid.MustParse("0191c7a0-0000-7000-8000-00000000f001")
	recordID = uuid.MustParse("0191c7a0-0000-7000-8000-0000000a0001")
	sender   = netmail.Address{Name: "上海市示例公证处", Address: "notary@office.example"}
	// sentAt is the time of the notifiers' clock: every message is dated
	// with it.
	sentAt = time.Date(2025, 3, 14, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
)

// fixedClock always tells the same time.
type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

// notice returns a user notice of kind in locale with a fresh ID.
func notice(kind notary.NoticeKind, locale, email string) notary.Notice {
	name := map[string]string{"zh-CN": "张三", "en": "Alice Smith"}[locale]
	return notary.Notice{
		ID: uuid.New(), OfficeID: officeID, RecordID: recordID, RecordKind: notary.KindApplication,
		Kind: kind, Channel: notary.ChannelEmail,
		To: notary.Recipient{UserID: "user-42", Email: email, Name: name, Locale: locale},
		Data: notary.NoticeData{
			OfficeName: "上海市示例公证处", RecordID: recordID,
			Evidence: []notary.Evidence{{ID: "EV-1", Title: "采购合同（2024 年度）", SHA256: strings.Repeat("ab", 32)}},
			Amount:   "240.00", Currency: "CNY",
			Materials:      []string{"公证申请表（加盖公章）", "营业执照副本复印件（加盖公章）"},
			MailingAddress: "上海市黄浦区示例路 100 号 上海市示例公证处 收（200001）",
		},
		CreatedAt: time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC), Status: notary.NoticePending,
	}
}

func render(t *testing.T, n notary.Notice) notary.Message {
	t.Helper()
	r, err := notify.NewRenderer()
	require.NoError(t, err)
	m, err := r.Render(n)
	require.NoError(t, err)
	return m
}

// parsed is a received message taken apart.
type parsed struct {
	Header    netmail.Header
	Subject   string
	MessageID string
	From, To  *netmail.Address
	Date      time.Time
	Text      string
	HTML      string
	Parts     []string // media types, in order
}

// parse decodes a raw message the way a mail client would.
func parse(t *testing.T, raw []byte) parsed {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	require.NoError(t, err)
	var p parsed
	p.Header = msg.Header
	dec := new(mime.WordDecoder)
	p.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject"))
	require.NoError(t, err)
	p.MessageID = msg.Header.Get("Message-ID")
	p.From, err = netmail.ParseAddress(msg.Header.Get("From"))
	require.NoError(t, err)
	p.To, err = netmail.ParseAddress(msg.Header.Get("To"))
	require.NoError(t, err)
	p.Date, err = msg.Header.Date()
	require.NoError(t, err)

	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	require.NoError(t, err)
	body := func(mediaType string, cte string, r io.Reader) {
		if strings.EqualFold(cte, "quoted-printable") {
			r = quotedprintable.NewReader(r)
		}
		b, err := io.ReadAll(r)
		require.NoError(t, err)
		s := strings.ReplaceAll(string(b), "\r\n", "\n")
		p.Parts = append(p.Parts, mediaType)
		switch mediaType {
		case "text/plain":
			p.Text = s
		case "text/html":
			p.HTML = s
		}
	}
	if !strings.HasPrefix(mediaType, "multipart/") {
		assert.Equal(t, "utf-8", strings.ToLower(params["charset"]))
		body(mediaType, msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
		return p
	}
	p.Parts = append(p.Parts, mediaType)
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		pt, pparams, err := mime.ParseMediaType(part.Header.Get("Content-Type"))
		require.NoError(t, err)
		assert.Equal(t, "utf-8", strings.ToLower(pparams["charset"]))
		// NextPart already undoes quoted-printable and drops the header.
		body(pt, part.Header.Get("Content-Transfer-Encoding"), part)
	}
	return p
}

// assertDelivered checks that raw is exactly m, sent by sender.
func assertDelivered(t *testing.T, m notary.Message, raw []byte) {
	t.Helper()
	p := parse(t, raw)
	assert.Equal(t, m.Subject, p.Subject)
	assert.Equal(t, "<"+m.ID+">", p.MessageID)
	assert.Equal(t, sender.Address, p.From.Address)
	assert.Equal(t, sender.Name, p.From.Name)
	assert.Equal(t, m.To.Email, p.To.Address)
	assert.Equal(t, m.To.Name, p.To.Name)
	assert.True(t, sentAt.Equal(p.Date), "dated %s by the notifier's clock, not %s", sentAt, p.Date)
	assert.Equal(t, "auto-generated", p.Header.Get("Auto-Submitted"))
	assert.Equal(t, m.Text, p.Text)
	assert.Equal(t, m.HTML, p.HTML)
	if m.HTML != "" {
		assert.Equal(t, []string{"multipart/alternative", "text/plain", "text/html"}, p.Parts)
	} else {
		assert.Equal(t, []string{"text/plain"}, p.Parts)
	}
}

func newNotifier(t *testing.T, cfg smtp.Config) *smtp.Notifier {
	t.Helper()
	if cfg.From.Address == "" {
		cfg.From = sender
	}
	if cfg.Clock == nil {
		cfg.Clock = fixedClock(sentAt)
	}
	n, err := smtp.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = n.Close() })
	return n
}

func plainConfig(t *testing.T, addr string) smtp.Config {
	host, port := splitAddr(t, addr)
	return smtp.Config{Host: host, Port: port, TLSPolicy: smtp.TLSNone, Timeout: 5 * time.Second, HELO: "relay.test"}
}

func TestNotifyDatesWithTheSystemClockByDefault(t *testing.T) {
	be := &backend{}
	addr, _ := startServer(t, be, serverOpts{})
	cfg := plainConfig(t, addr)
	cfg.From = sender
	n, err := smtp.New(cfg) // no Clock
	require.NoError(t, err)
	t.Cleanup(func() { _ = n.Close() })
	require.NoError(t, n.Notify(context.Background(), render(t, notice(notary.NoticeShipped, "en", "alice@example.com"))))
	got := be.messages()
	require.Len(t, got, 1)
	assert.WithinDuration(t, time.Now(), parse(t, got[0].Data).Date, time.Minute)
}

func TestNotifySTARTTLSAuthMIME(t *testing.T) {
	serverTLS, pool := selfSigned(t)
	be := &backend{user: "relay@office.example", pass: "s3cret-密码"}
	addr, _ := startServer(t, be, serverOpts{startTLS: serverTLS})
	host, port := splitAddr(t, addr)
	n := newNotifier(t, smtp.Config{
		Host: host, Port: port, Username: be.user, Password: be.pass,
		TLSPolicy: smtp.TLSMandatory, TLSConfig: &tls.Config{RootCAs: pool}, Timeout: 5 * time.Second,
	})

	var sent []notary.Message
	for _, tc := range []struct {
		kind   notary.NoticeKind
		locale string
	}{
		{notary.NoticePreliminaryApproved, "zh-CN"},
		{notary.NoticePreliminaryApproved, "en"},
		{notary.NoticeFinalRejected, "zh-CN"},
	} {
		nt := notice(tc.kind, tc.locale, "zhang.san@example.com")
		nt.Data.Reason = `公证申请表缺少签字 <b>&</b> "盖章"`
		m := render(t, nt)
		require.NoError(t, n.Notify(context.Background(), m))
		sent = append(sent, m)
	}

	got := be.messages()
	require.Len(t, got, len(sent))
	for i, m := range sent {
		t.Run(string(m.Kind)+"/"+m.To.Locale, func(t *testing.T) {
			assert.True(t, got[i].TLS, "sent over STARTTLS")
			assert.Equal(t, be.user, got[i].User, "authenticated")
			assert.Equal(t, sender.Address, got[i].From)
			assert.Equal(t, []string{m.To.Email}, got[i].To)
			assertDelivered(t, m, got[i].Data)
		})
	}
	assert.Contains(t, sent[0].Subject, "初审通过告知书")
	assert.Equal(t, 1, be.sessionCount(), "one connection carries every message")
}

func TestNotifyTextOnly(t *testing.T) {
	be := &backend{}
	addr, _ := startServer(t, be, serverOpts{})
	n := newNotifier(t, plainConfig(t, addr))
	m := render(t, notice(notary.NoticeShipped, "en", "alice@example.com"))
	m.HTML = ""
	require.NoError(t, n.Notify(context.Background(), m))
	got := be.messages()
	require.Len(t, got, 1)
	assertDelivered(t, m, got[0].Data)
	assert.False(t, got[0].TLS)
}

func TestNotifyImplicitTLS(t *testing.T) {
	serverTLS, pool := selfSigned(t)
	be := &backend{user: "relay", pass: "pw"}
	addr, _ := startServer(t, be, serverOpts{implicit: serverTLS})
	host, port := splitAddr(t, addr)
	n := newNotifier(t, smtp.Config{
		Host: host, Port: port, Username: "relay", Password: "pw", ImplicitTLS: true,
		TLSConfig: &tls.Config{RootCAs: pool}, Timeout: 5 * time.Second,
	})
	m := render(t, notice(notary.NoticeInProduction, "zh-CN", "zhang.san@example.com"))
	require.NoError(t, n.Notify(context.Background(), m))
	got := be.messages()
	require.Len(t, got, 1)
	assert.True(t, got[0].TLS)
	assert.Equal(t, "relay", got[0].User)
	assertDelivered(t, m, got[0].Data)
}

func TestNotifyConnectionFailuresAreTemporary(t *testing.T) {
	serverTLS, pool := selfSigned(t)
	tests := []struct {
		name string
		be   *backend
		opts serverOpts
		cfg  func(c *smtp.Config)
	}{
		{"wrong password", &backend{user: "relay", pass: "pw"}, serverOpts{startTLS: serverTLS}, func(c *smtp.Config) {
			c.Username, c.Password, c.TLSPolicy, c.TLSConfig = "relay", "wrong", smtp.TLSMandatory, &tls.Config{RootCAs: pool}
		}},
		{"mandatory TLS, server without STARTTLS", &backend{}, serverOpts{}, func(c *smtp.Config) {
			c.TLSPolicy = smtp.TLSMandatory
		}},
		{"untrusted certificate", &backend{}, serverOpts{startTLS: serverTLS}, func(c *smtp.Config) {
			c.TLSPolicy, c.TLSConfig = smtp.TLSMandatory, &tls.Config{RootCAs: x509.NewCertPool()}
		}},
		{"nothing listening", nil, serverOpts{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := reservePort(t)
			if tt.be != nil {
				addr, _ = startServer(t, tt.be, tt.opts)
			}
			cfg := plainConfig(t, addr)
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			n := newNotifier(t, cfg)
			err := n.Notify(context.Background(), render(t, notice(notary.NoticeShipped, "en", "alice@example.com")))
			require.Error(t, err)
			assert.NotErrorIs(t, err, notary.ErrPermanent)
			if tt.be != nil {
				assert.Empty(t, tt.be.messages())
			}
		})
	}
}

func TestNotifyOpportunisticTLS(t *testing.T) {
	serverTLS, pool := selfSigned(t)
	for _, offer := range []bool{true, false} {
		t.Run(fmt.Sprintf("server offers STARTTLS: %v", offer), func(t *testing.T) {
			be := &backend{}
			o := serverOpts{}
			if offer {
				o.startTLS = serverTLS
			}
			addr, _ := startServer(t, be, o)
			cfg := plainConfig(t, addr)
			cfg.TLSPolicy, cfg.TLSConfig = smtp.TLSOpportunistic, &tls.Config{RootCAs: pool}
			n := newNotifier(t, cfg)
			require.NoError(t, n.Notify(context.Background(), render(t, notice(notary.NoticeShipped, "en", "a@example.com"))))
			got := be.messages()
			require.Len(t, got, 1)
			assert.Equal(t, offer, got[0].TLS)
		})
	}
}

func TestNotifyReplyCodes(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		permanent bool
	}{
		{"550 mailbox unavailable", &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "no such user"}, true},
		{"553 mailbox name not allowed", &gosmtp.SMTPError{Code: 553, EnhancedCode: gosmtp.EnhancedCode{5, 1, 3}, Message: "bad address"}, true},
		{"450 mailbox busy", &gosmtp.SMTPError{Code: 450, EnhancedCode: gosmtp.EnhancedCode{4, 2, 1}, Message: "try later"}, false},
		{"451 local error", &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "greylisted"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			be := &backend{rcpt: func(to string) error {
				if to == "refused@example.com" {
					return tt.err
				}
				return nil
			}}
			addr, _ := startServer(t, be, serverOpts{})
			n := newNotifier(t, plainConfig(t, addr))

			err := n.Notify(context.Background(), render(t, notice(notary.NoticeShipped, "en", "refused@example.com")))
			require.Error(t, err)
			assert.Equal(t, tt.permanent, errors.Is(err, notary.ErrPermanent), "%v", err)
			assert.Contains(t, err.Error(), tt.name[:3])

			// The notifier recovers for the next message.
			ok := render(t, notice(notary.NoticeShipped, "en", "alice@example.com"))
			require.NoError(t, n.Notify(context.Background(), ok))
			got := be.messages()
			require.Len(t, got, 1)
			assertDelivered(t, ok, got[0].Data)
		})
	}
}

func TestNotifyBadRecipientIsPermanent(t *testing.T) {
	be := &backend{}
	addr, _ := startServer(t, be, serverOpts{})
	n := newNotifier(t, plainConfig(t, addr))
	for _, to := range []string{"", "not an address", "a@b@c"} {
		err := n.Notify(context.Background(), render(t, notice(notary.NoticeShipped, "en", to)))
		assert.ErrorIs(t, err, notary.ErrPermanent, "%q", to)
	}
	assert.Empty(t, be.messages())
}

func TestNotifyStalledServerTimesOut(t *testing.T) {
	addr := stallServer(t)
	cfg := plainConfig(t, addr)
	cfg.Timeout = 300 * time.Millisecond
	n := newNotifier(t, cfg)
	start := time.Now()
	err := n.Notify(context.Background(), render(t, notice(notary.NoticeShipped, "en", "alice@example.com")))
	elapsed := time.Since(start)
	require.Error(t, err)
	assert.NotErrorIs(t, err, notary.ErrPermanent, "a timeout is temporary")
	assert.Contains(t, err.Error(), "timeout")
	assert.Less(t, elapsed, 5*time.Second, "the timeout fired")
}

func TestNotifyHonoursContext(t *testing.T) {
	addr := stallServer(t)
	cfg := plainConfig(t, addr)
	cfg.Timeout = time.Minute
	n := newNotifier(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := n.Notify(ctx, render(t, notice(notary.NoticeShipped, "en", "alice@example.com")))
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotErrorIs(t, err, notary.ErrPermanent)
	assert.Less(t, time.Since(start), 10*time.Second)
}

func TestNotifyRedialsAfterServerRestart(t *testing.T) {
	be1 := &backend{}
	addr, stop := startServer(t, be1, serverOpts{})
	n := newNotifier(t, plainConfig(t, addr))
	first := render(t, notice(notary.NoticeShipped, "en", "alice@example.com"))
	require.NoError(t, n.Notify(context.Background(), first))

	// The server goes away, dropping the kept connection, and comes back.
	stop()
	be2 := &backend{}
	startServer(t, be2, serverOpts{addr: addr})

	second := render(t, notice(notary.NoticeShipped, "zh-CN", "zhang.san@example.com"))
	require.NoError(t, n.Notify(context.Background(), second), "a stale connection is replaced transparently")
	require.Len(t, be1.messages(), 1)
	got := be2.messages()
	require.Len(t, got, 1)
	assertDelivered(t, second, got[0].Data)

	// Close ends the session; the next message dials again.
	require.NoError(t, n.Close())
	require.NoError(t, n.Notify(context.Background(), render(t, notice(notary.NoticeShipped, "en", "alice@example.com"))))
	assert.Equal(t, 2, be2.sessionCount())
	assert.Len(t, be2.messages(), 2)
}

func TestNewConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  smtp.Config
		want string
	}{
		{"no host", smtp.Config{From: sender}, "Host is required"},
		{"no sender", smtp.Config{Host: "smtp.example.com"}, "From.Address is required"},
		{"bad sender", smtp.Config{Host: "smtp.example.com", From: netmail.Address{Address: "nope"}}, "invalid From"},
		{"bad port", smtp.Config{Host: "smtp.example.com", From: sender, Port: 70000}, "invalid port"},
		{"bad TLS policy", smtp.Config{Host: "smtp.example.com", From: sender, TLSPolicy: "sometimes"}, "unknown TLS policy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := smtp.New(tt.cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}
