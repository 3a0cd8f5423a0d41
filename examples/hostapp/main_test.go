package main

import (
	"context"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/notarykit/notarykit/adapters/smtp"
	"github.com/notarykit/notarykit/notary"
)

// TestParseConfig checks the flags, their environment variables and the
// precedence of flags.
func TestParseConfig(t *testing.T) {
	t.Setenv("HOSTAPP_POSTGRES_URL", "postgres://notary@db.internal/notary")
	t.Setenv("HOSTAPP_SWEEP_INTERVAL", "1m")
	t.Setenv("HOSTAPP_ADMIN_EMAIL", "boss@notary.example")
	t.Setenv("HOSTAPP_ADMIN_PASSWORD", "from the environment")
	cfg, generated, err := parseConfig([]string{"-sweep-interval", "2m", "-office-mailbox", "a@notary.example, b@notary.example",
		"-smtp", "smtp.example.com:465", "-smtp-tls", "implicit", "-smtp-from", "示例公证处 <notary@notary.example>"})
	require.NoError(t, err)
	assert.False(t, generated)
	assert.Equal(t, "postgres://notary@db.internal/notary", cfg.PostgresURL)
	assert.Equal(t, 2*time.Minute, cfg.SweepInterval, "the flag wins over the environment")
	assert.Equal(t, AdminBootstrap{Email: "boss@notary.example", Name: "Supervisor", Password: "from the environment"}, cfg.Bootstrap)
	assert.Equal(t, []string{"a@notary.example", "b@notary.example"}, cfg.Office.AdminEmails)
	assert.Equal(t, DemoOfficeID, cfg.Office.ID)
	require.NotNil(t, cfg.SMTP)
	assert.Equal(t, "smtp.example.com", cfg.SMTP.Host)
	assert.Equal(t, 465, cfg.SMTP.Port)
	assert.True(t, cfg.SMTP.ImplicitTLS)
	assert.Equal(t, "示例公证处", cfg.SMTP.From.Name)
	assert.False(t, cfg.InsecureCookies, "Secure cookies by default")

	t.Setenv("HOSTAPP_ADMIN_EMAIL", "")
	t.Setenv("HOSTAPP_ADMIN_PASSWORD", "")
	cfg, generated, err = parseConfig(nil)
	require.NoError(t, err)
	assert.True(t, generated)
	assert.Equal(t, devAdminEmail, cfg.Bootstrap.Email)
	assert.GreaterOrEqual(t, len(cfg.Bootstrap.Password), notary.MinPasswordLen)
	assert.Nil(t, cfg.SMTP, "no SMTP server: mail is logged")

	for _, args := range [][]string{
		{"-smtp", "no-port"},
		{"-smtp", "h:25", "-smtp-tls", "sometimes"},
		{"-office-id", "not-a-uuid"},
		{"-session-secret", "%%%"},
		{"-log-level", "loud"},
		{"-log-key", "too short"},
	} {
		_, _, err := parseConfig(args)
		assert.Error(t, err, "%v", args)
	}
	cfg, _, err = parseConfig([]string{"-log-key", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "-log-origin", "notary.example/log"})
	require.NoError(t, err)
	assert.Len(t, cfg.LogKey, 64)
	assert.Equal(t, "notary.example/log", cfg.LogOrigin)
	t.Setenv("HOSTAPP_PAYMENT_TTL", "soon")
	_, _, err = parseConfig(nil)
	assert.ErrorContains(t, err, "HOSTAPP_PAYMENT_TTL")
}

// TestSMTPMail wires the SMTP notifier from the flags and checks that an
// office notice reaches a real SMTP server as a UTF-8 MIME mail.
func TestSMTPMail(t *testing.T) {
	be := &mailbox{}
	addr := serveSMTP(t, be)
	cfg, _, err := parseConfig([]string{"-smtp", addr, "-smtp-tls", smtp.TLSNone, "-smtp-from", "示例公证处 <notary@notary.example>"})
	require.NoError(t, err)
	require.NotNil(t, cfg.SMTP)

	h := start(t, func(c *Config) {
		c.Mailer = nil // the SMTP notifier from the flags instead of the recorder
		c.SMTP = cfg.SMTP
	})
	var filing filingView
	h.user("acct-5", "five@acme.example", "Five").call("POST", "/api/filings", filingContent(), 201, &filing)
	h.eventually(func() bool { return len(be.messages()) > 0 }, "a mail reached the SMTP server")
	m := be.messages()[0]
	assert.Equal(t, "notary@notary.example", m.from)
	assert.Equal(t, []string{"review@notary.example"}, m.to)
	assert.Contains(t, m.data, "Content-Type: multipart/alternative")
	assert.Regexp(t, `Message-ID: <[0-9a-f-]{36}@notarykit>`, m.data, "the notice's stable message ID")
	assert.Contains(t, m.data, "=?UTF-8?q?", "a UTF-8 (Chinese) subject")
	assert.Contains(t, m.data, filing.ID.String()[:8], "the mail names the filing")
}

// mailbox is a go-smtp backend keeping what it receives.
type mailbox struct {
	mu   sync.Mutex
	msgs []smtpMail
}

type smtpMail struct {
	from string
	to   []string
	data string
}

func (b *mailbox) messages() []smtpMail {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]smtpMail(nil), b.msgs...)
}

func (b *mailbox) NewSession(*gosmtp.Conn) (gosmtp.Session, error) { return &smtpSession{b: b}, nil }

type smtpSession struct {
	b *mailbox
	m smtpMail
}

func (s *smtpSession) Reset()        { s.m = smtpMail{} }
func (s *smtpSession) Logout() error { return nil }
func (s *smtpSession) Mail(from string, _ *gosmtp.MailOptions) error {
	s.m.from = from
	return nil
}
func (s *smtpSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	s.m.to = append(s.m.to, to)
	return nil
}
func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.m.data = string(b)
	s.b.mu.Lock()
	s.b.msgs = append(s.b.msgs, s.m)
	s.b.mu.Unlock()
	return nil
}

// serveSMTP runs a plain-text SMTP server on 127.0.0.1 until the test ends.
func serveSMTP(t *testing.T, be gosmtp.Backend) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := gosmtp.NewServer(be)
	s.Domain = "localhost"
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	s.ErrorLog = log.New(io.Discard, "", 0)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.Serve(l)
	}()
	t.Cleanup(func() {
		_ = s.Close()
		<-done
	})
	return l.Addr().String()
}

// TestRunShutsDownGracefully starts the app the way main does, on its own
// listener, and checks that cancelling Run closes everything and keeps the
// database usable for the next start.
func TestRunShutsDownGracefully(t *testing.T) {
	dir := t.TempDir()
	quiet := slog.New(slog.DiscardHandler)
	// clockguard: real clock: the app runs the way main runs it, and nothing here is dated
	cfg := Config{Addr: "127.0.0.1:0", SQLitePath: filepath.Join(dir, "hostapp.db"), Logger: quiet,
		Bootstrap: AdminBootstrap{Email: testAdminEmail, Password: testAdminPassword}, Mailer: discardMailer{}}
	for i, wantBootstrap := range []bool{true, false} {
		app, err := New(t.Context(), cfg)
		require.NoError(t, err)
		_, created := app.Bootstrapped()
		assert.Equal(t, wantBootstrap, created, "start %d: the first start creates the admin, the next finds it", i)
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- app.Run(ctx) }()
		var health map[string]string
		(&client{h: &harness{t: t, base: app.URL(), http: &http.Client{Timeout: 10 * time.Second}}}).call("GET", "/healthz", nil, 200, &health)
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return after cancel")
		}
		require.NoError(t, app.Close())
		_, err = net.Dial("tcp", strings.TrimPrefix(app.URL(), "http://"))
		assert.Error(t, err, "the listener is closed")
	}
}

type discardMailer struct{}

func (discardMailer) Notify(context.Context, notary.Message) error { return nil }
